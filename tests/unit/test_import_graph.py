"""The import graph of src/: no cycle, and the layers point inward.

The graph is read with `ast` from every module under src/ (`src/x/y.py` is `xuncha.x.y`).
Every `import` statement counts, wherever it stands: at module level, inside a function
(a deferred import is still a dependency, only a later one), and under `if TYPE_CHECKING:`
(an annotation that names a module is a dependency of the design even when it costs nothing
at run time; the import circle the timers made ran through such imports). An edge goes to
the module named: `from xuncha.a import b` is an edge to `xuncha.a.b` when that is a module,
else to `xuncha.a`. Importing `xuncha.a.b` also runs the package `xuncha.a` first, but that
implied edge is not counted: a package's `__init__` importing its own submodules to register
them (events, handlers) would otherwise make every such package a cycle with any submodule
that imports a sibling.

The layers: `xuncha.events` imports none of commands, projections and api; commands and
projections never import api; nothing outside api imports api.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
ROOT = "xuncha"


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join((ROOT, *parts))


@cache
def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(SRC.rglob("*.py"))}


def imported(name: str, path: Path) -> Iterator[str]:
    """The xuncha modules that `name` (at `path`) imports, anywhere in its text."""
    known = modules()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == ROOT:
                    yield nearest(alias.name, known)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against this module's package
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            if base.split(".")[0] != ROOT:
                continue
            for alias in node.names:
                full = f"{base}.{alias.name}"
                yield full if full in known else nearest(base, known)


def nearest(dotted: str, known: dict[str, Path]) -> str:
    """The longest prefix of `dotted` that is a module of src/."""
    parts = dotted.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in known:
            return candidate
        parts.pop()
    raise AssertionError(f"{dotted} names no module under src/")


@cache
def graph() -> dict[str, frozenset[str]]:
    return {
        name: frozenset(m for m in imported(name, path) if m != name)
        for name, path in modules().items()
    }


def cycles(edges: dict[str, frozenset[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each as one
    cycle through its members, to name in the failure."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(path_through(sorted(component), edges))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def path_through(component: list[str], edges: dict[str, frozenset[str]]) -> list[str]:
    """One cycle inside a strongly connected component: from its first member back to it."""
    members, start = set(component), component[0]
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:  # breadth first: the shortest way back to `start`
        following = []
        for v in frontier:
            for w in sorted(edges[v] & members):
                if w == start:
                    way = [v]
                    while way[-1] != start:
                        way.append(previous[way[-1]])
                    return [start, *reversed(way[:-1]), start]
                if w not in previous:
                    previous[w] = v
                    following.append(w)
        frontier = following
    raise AssertionError(f"no cycle through {start}")  # pragma: no cover - an SCC has one


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_the_graph_sees_every_module_and_its_imports(tmp_path: Path) -> None:
    edges = graph()
    assert len(edges) > 100
    assert "xuncha.commands.registry" in edges["xuncha.commands.service"]
    assert "xuncha.api.container" in edges["xuncha.api.cli.read_side"]  # inside a function
    # Module level, TYPE_CHECKING, inside a function, relative: all counted.
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from typing import TYPE_CHECKING\n"
        "from xuncha.commands import service\n"
        "if TYPE_CHECKING:\n"
        "    from xuncha.commands.timers.base import Timers\n"
        "def later() -> None:\n"
        "    import xuncha.projections.runner\n"
        "    from . import errors\n"
        "    from .eventstore.store import EventStore\n",
        encoding="utf-8",
    )
    assert set(imported("xuncha.commands.probe", probe)) == {
        "xuncha.commands.service",
        "xuncha.commands.timers.base",
        "xuncha.projections.runner",
        "xuncha.commands.errors",
        "xuncha.commands.eventstore.store",
    }


def test_the_cycle_finder_names_a_cycle() -> None:
    edges = {
        "a": frozenset({"b"}),
        "b": frozenset({"c"}),
        "c": frozenset({"a", "d"}),
        "d": frozenset(),
    }
    assert cycles(edges) == [["a", "b", "c", "a"]]
    assert cycles({"a": frozenset({"b"}), "b": frozenset()}) == []


def test_no_import_cycle() -> None:
    found = cycles(graph())
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(c) for c in found)


def test_the_layers_point_inward() -> None:
    forbidden = {
        "events": {"commands", "projections", "api"},
        "commands": {"api"},
        "projections": {"api"},
    }
    wrong = [
        f"{source} imports {target}"
        for source, targets in graph().items()
        for target in sorted(targets)
        if layer(target) in forbidden.get(layer(source), set())
        or (layer(target) == "api" and layer(source) != "api")
    ]
    assert not wrong, "\n".join(wrong)


def within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


ADAPTER = "xuncha.commands.eventstore"
TIMERS = "xuncha.commands.timers"


def crossings(edges: dict[str, frozenset[str]]) -> list[str]:
    """The imports that cross between the adapters, the edges and the domain where they may not."""
    wrong = []
    for source, targets in edges.items():
        for target in sorted(targets):
            edge = f"{source} imports {target}"
            domain_source = within(source, "xuncha.commands") and not any(
                within(source, p) for p in (ADAPTER, TIMERS)
            )
            adapter_to_domain = within(source, ADAPTER) and not within(target, ADAPTER)
            if (
                adapter_to_domain
                and within(target, "xuncha.commands")
                and target not in ADAPTER_SEES
            ):
                wrong.append(edge)
            if domain_source and within(target, ADAPTER) and source not in REACH_ADAPTER:
                wrong.append(edge)
            if within(target, TIMERS) and not any(within(source, p) for p in TIMER_USERS):
                wrong.append(edge)
            for edge_source, edge_target in APART:
                if within(source, edge_source) and within(target, edge_target):
                    wrong.append(edge)
    return wrong


# What the event-store adapter may know of the command side.
ADAPTER_SEES = {"xuncha.commands", "xuncha.commands.base", "xuncha.commands.errors"}
# The command side's modules that may reach the adapter: the application services.
REACH_ADAPTER = {
    "xuncha.commands.service",
    "xuncha.commands.unit_of_work",
    "xuncha.commands.sealed_access",
}
# Who may import the timers: themselves, the composition root, the clock worker.
TIMER_USERS = (TIMERS, "xuncha.api.container", "xuncha.api.workers")
# Edges that never import each other (source, target).
APART = [
    ("xuncha.api.http", "xuncha.api.cli"),
    ("xuncha.api.workers", "xuncha.api.cli"),
    ("xuncha.api.workers", "xuncha.api.http"),
]


def test_the_adapters_and_edges_stay_apart() -> None:
    """The event-store adapter (`commands.eventstore`) knows of the domain only its errors, its
    base types and the package's aggregate index (time travel folds any stream); of the command
    side only the application services (`service`, `unit_of_work`, and `sealed_access`, which
    reads sealed records from the store) reach the adapter, never a decider or a handler. The
    HTTP edge and the workers never import the CLI, the workers never the HTTP edge, and the
    timers are built by the composition root and run by the clock worker only."""
    wrong = crossings(graph())
    assert not wrong, "\n".join(wrong)


def test_the_crossing_rules_see_a_decider_importing_the_adapter() -> None:
    edges = {
        "xuncha.commands.finding": frozenset({"xuncha.commands.eventstore.store"}),
        "xuncha.commands.eventstore.store": frozenset({"xuncha.commands.finding"}),
        "xuncha.api.workers.clock": frozenset({"xuncha.api.http.app", TIMERS}),
        "xuncha.api.http.app": frozenset({"xuncha.commands.timers.base"}),
        "xuncha.commands.service": frozenset({"xuncha.commands.eventstore.store"}),
    }
    assert crossings(edges) == [
        "xuncha.commands.finding imports xuncha.commands.eventstore.store",
        "xuncha.commands.eventstore.store imports xuncha.commands.finding",
        "xuncha.api.workers.clock imports xuncha.api.http.app",
        "xuncha.api.http.app imports xuncha.commands.timers.base",
    ]

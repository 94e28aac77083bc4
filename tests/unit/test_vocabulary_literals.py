"""Closing the class: no module of the write side or the read side spells a vocabulary value as
a bare string (a Python literal or a quoted SQL literal); it names the enum member instead
(`events.vocabulary`), in SQL as a parameter (`projections.vocabulary_params`).

Field names are not values: dictionary keys, subscripts and `.get(...)` keys are left out, as
are docstrings. What remains is refused unless its owner (the innermost function or class, or
the top-level name assigned) is listed in `EXCEPTIONS` with the reason.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from xuncha.events.vocabulary import VOCABULARIES

SRC = Path(__file__).resolve().parents[2] / "src"
SCANNED = ("commands", "projections")
VALUES = frozenset(str(m) for v in VOCABULARIES for m in v.enum)
SQL_LITERAL = re.compile(r"'([^'\s]+)'")

HINT = (
    "name the member of events/vocabulary.py (add one, with its labels, if the value is new);"
    " in SQL pass it as a parameter (projections/vocabulary_params.py); a string that is not"
    " the vocabulary value goes into EXCEPTIONS with the reason"
)
# (module under src/, owner): why a string there equal to a vocabulary value is something else.
EXCEPTIONS: dict[tuple[str, str], str] = {
    ("commands/timers/base.py", "SYSTEM_ACTOR"): "the clock's organization id, not the role",
    (
        "commands/fieldwork/inspecting.py",
        "AddresseeKind",
    ): "a kind of addressee, named like the role",
    ("commands/group/formation.py", "composition_warnings"): "message text: no specialty at all",
    ("commands/eventstore/history.py", "_diff_entry"): "JSON Patch operation names",
    ("commands/eventstore/history.py", "_change"): "JSON Patch operation names",
    ("commands/petition.py", "Decision"): "the triage decision a command carries",
    ("projections/kafka_relay.py", "topic_configs"): "a Kafka topic setting",
    ("projections/lead_dashboard.py", "ROUND_SORTS"): "sort keys: the figures' column names",
    ("projections/rectification_dashboard.py", "SORTS"): "sort keys: the figures' column names",
    ("projections/shared_results.py", "SELECT"): "JSON field names of the leads figures",
}


def _docstrings(tree: ast.AST) -> set[int]:
    kinds = ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef
    bodies = [n.body for n in ast.walk(tree) if isinstance(n, kinds)]
    return {
        id(body[0].value)
        for body in bodies
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
    }


def _names(tree: ast.AST) -> set[int]:
    """Constants used as field names: dictionary keys, subscripts and `.get` keys."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            found |= {id(k) for k in node.keys if k is not None}
        elif isinstance(node, ast.Subscript):
            found.add(id(node.slice))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and node.args
        ):
            found.add(id(node.args[0]))
    return found


def _owners(tree: ast.Module) -> dict[int, str]:
    """Each node's owner: the innermost function or class, else the top-level name assigned."""
    owner: dict[int, str] = {}

    def visit(node: ast.AST, name: str) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            name = node.name
        owner[id(node)] = name
        for child in ast.iter_child_nodes(node):
            visit(child, name)

    for statement in tree.body:
        targets = statement.targets if isinstance(statement, ast.Assign) else []
        if isinstance(statement, ast.AnnAssign):
            targets = [statement.target]
        named = [t.id for t in targets if isinstance(t, ast.Name)]
        visit(statement, named[0] if named else "<module>")
    return owner


def _bare_values(path: Path) -> Iterator[tuple[int, str, str]]:
    """(line, owner, value) of each vocabulary value spelt as a string in the module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _docstrings(tree) | _names(tree)
    owners = _owners(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
            continue
        if id(node) in skipped:
            continue
        candidates = {node.value, *SQL_LITERAL.findall(node.value)}
        for value in sorted(candidates & VALUES):
            yield node.lineno, owners[id(node)], value


def _scanned() -> Iterator[tuple[str, int, str, str]]:
    for package in SCANNED:
        for path in sorted((SRC / package).rglob("*.py")):
            module = path.relative_to(SRC).as_posix()
            for line, owner, value in _bare_values(path):
                yield module, line, owner, value


def test_no_command_or_projection_module_repeats_a_vocabulary_value() -> None:
    offences = [
        f"{module}:{line} ({owner}): {value!r}"
        for module, line, owner, value in _scanned()
        if (module, owner) not in EXCEPTIONS
    ]
    assert offences == [], HINT


def test_every_exception_is_still_needed() -> None:
    used = {(module, owner) for module, _, owner, _ in _scanned()}
    assert set(EXCEPTIONS) <= used


STATEFUL = frozenset({"stage", "status", "phase", "suspended_from", "kind"})


def _strings(node: ast.AST) -> list[str]:
    """String constants of an expression, looking into tuples, lists and sets."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [s for element in node.elts for s in _strings(element)]
    return []


def _stage_checks(path: Path) -> Iterator[tuple[int, str]]:
    """Strings a stage or status is checked against, vocabulary value or not (a misspelt
    stage is caught too): comparisons with an attribute in `STATEFUL`, and `require_stage`."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(isinstance(n, ast.Attribute) and n.attr in STATEFUL for n in sides):
                yield from ((node.lineno, v) for n in sides for v in _strings(n))
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "require_stage":
            yield from ((node.lineno, v) for n in node.args[1:2] for v in _strings(n))


def test_no_stage_or_status_is_checked_against_a_bare_string() -> None:
    found = [
        f"{path.relative_to(SRC)}:{line}: {value!r}"
        for package in SCANNED
        for path in sorted((SRC / package).rglob("*.py"))
        for line, value in _stage_checks(path)
    ]
    assert found == [], HINT


def test_the_stage_check_scan_finds_a_misspelt_stage(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "def f(state):\n"
        '    require_stage(state.stage, ["stationd"], "do it")\n'
        '    return state.status in ("in_progres", Status.CLOSED)\n',
        encoding="utf-8",
    )
    assert sorted(_stage_checks(module)) == [(2, "stationd"), (3, "in_progres")]


def test_the_scan_finds_a_bare_value_in_python_and_in_sql(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        '"""Docstring naming closed."""\n'
        'STAGE = "report_office_reviewed"\n'
        'ROW = {"closed": 1}\n'
        "def f(row):\n"
        '    return row.get("closed"), "UPDATE t SET status = \'in_progress\'"\n',
        encoding="utf-8",
    )
    assert list(_bare_values(module)) == [
        (2, "STAGE", "report_office_reviewed"),
        (5, "f", "in_progress"),
    ]

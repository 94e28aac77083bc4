"""`xuncha projections …`, `events …`, `relay`, `consume`, `draw verify`: the read side, the
event contract, Kafka and the draws."""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Annotated, Literal
from uuid import UUID

import typer

from xuncha.api.cli.runtime import Runtime, fail, load_settings, runtime
from xuncha.api.cli.typer_app import BatchSize, Json, new_app
from xuncha.api.settings import Settings

projections = new_app("读模型：运行、状态、搁置事件、校验、重建 / read models")
events = new_app("事件契约 / the event contract")
relay = new_app(
    "Kafka 中继：单独运行或查看状态 / the Kafka relay: run it alone, or show its status",
    no_args_is_help=False,
)
draw = new_app("人才库抽取 / talent-pool draws")

Name = Annotated[str, typer.Argument(metavar="NAME", help="读模型 / the read model")]
OneOrAll = Annotated[
    str | None,
    typer.Argument(metavar="NAME", help="某个读模型（默认全部）/ one read model (default: all)"),
]


def register(app: typer.Typer) -> None:
    app.add_typer(projections, name="projections")
    app.add_typer(events, name="events")
    app.add_typer(relay, name="relay")
    app.command(help="Kafka 消费者 / Kafka consumers")(consume)
    app.add_typer(draw, name="draw")


def _known(rt: Runtime, name: str) -> None:
    """Leave with status 2 unless `name` is a read model."""
    names = [p.name for p in rt.runner().projections]
    if name not in names:
        raise fail(f"xuncha: no read model {name!r} (known: {', '.join(names)})")


# ---- projections ----------------------------------------------------------------------------


@projections.command(
    "run", help="单独运行投影（一个活动，其余待命）/ run the projection runner alone"
)
def projections_run(batch_size: BatchSize = None) -> None:
    """The projection runner alone (one active; others wait as standbys)."""
    with runtime() as rt:
        runner = rt.runner(batch_size)
        signal.signal(signal.SIGTERM, lambda *_: runner.stop())
        runner.run_forever(poll_seconds=0.5)


@projections.command(
    "status",
    help="各读模型的位置、日志头、滞后、搁置事件和版本 / position, head, lag, parked events and "
    "version of each",
)
def projections_status(json_: Json = False) -> int:
    """Each read model: its position, the log's head, lag in events and in seconds (since
    the oldest event not yet applied occurred), parked events, and the version of its live
    tables (`1→2` while version 2 is built beside them)."""
    with runtime() as rt:
        rows = rt.runner().status()
    if json_:
        print(json.dumps(rows, indent=2))
        return 0
    width = max([len("read model"), *(len(r["name"]) for r in rows)])
    print(
        f"{'read model':<{width}}  {'position':>10}  {'head':>10}  {'lag':>8}"
        f"  {'lag s':>9}  {'parked':>6}  version"
    )
    for r in rows:
        # "1→2": the live tables are version 1, version 2 is being built beside them.
        version = str(r["version"])
        if r["declared_version"] != r["version"]:
            version += f"→{r['declared_version']}"
        print(
            f"{r['name']:<{width}}  {r['position']:>10}  {r['head']:>10}  {r['lag']:>8}"
            f"  {r['lag_seconds']:>9.1f}  {r['parked']:>6}  {version}"
        )
    return 0


@projections.command("parked", help="列出搁置（毒）事件 / list the parked (poison) events")
def projections_parked(name: OneOrAll = None, json_: Json = False) -> int:
    """The parked (poison) events, of one read model or of all."""
    from xuncha.projections import parking

    with runtime() as rt:
        rt.runner().setup()
        rows = parking.listing(rt.connect(), name)
    if json_:
        print(json.dumps([r.as_json() for r in rows], indent=2))
        return 0
    for r in rows:
        print(
            f"{r.name}  position {r.position}  {r.event_type}  event {r.event_id}"
            f"  attempts {r.attempts}  first failed {r.first_failed_at.isoformat()}"
            f"  {r.error}"
        )
    if not rows:
        print("no parked events")
    return 0


@projections.command("retry", help="修复后重新应用搁置事件 / re-apply parked events after a fix")
def projections_retry(name: OneOrAll = None) -> int:
    """Re-apply parked events (of NAME, or of all) in order; exit 1 if some stay parked."""
    with runtime() as rt:
        result = rt.runner().retry_parked(name)
    print(json.dumps(result.as_json(), indent=2))
    return 1 if result.still_parked else 0


@projections.command(
    "verify",
    help="与全新重建比较（不同则退出 1）/ compare a read model with a fresh rebuild (exit 1)",
)
def projections_verify(name: Name, json_: Json = False) -> int:
    """Rebuild NAME into a scratch schema and compare it with the live read model at the same
    position, both ways; exit 1 with a report of the differences, 0 when equal."""
    from xuncha.projections.rebuild import verify

    with runtime() as rt:
        _known(rt, name)
        report = verify(rt.runner(), name)
    print(json.dumps(report.as_json(), indent=2, default=str) if json_ else report.text())
    return 0 if report.equal else 1


@projections.command(
    "rebuild",
    help="在现有读模型旁重建并原子切换 / rebuild a read model beside the live one and switch",
)
def projections_rebuild(
    name: Name,
    batch_size: BatchSize = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="不显示进度条 / no progress bar")] = False,
) -> int:
    """Build a new version of NAME beside the live one (progress on stderr) and switch reads
    to it atomically once caught up; the runner and the API may keep running."""
    from xuncha.api.cli.progress import EVENTS, bar
    from xuncha.projections import tracking
    from xuncha.projections.rebuild import RebuildBusy, rebuild

    with runtime() as rt:
        _known(rt, name)
        runner = rt.runner(batch_size)
        runner.setup()
        try:
            if quiet:
                result = rebuild(runner, name)
            else:
                with bar(tracking.head(rt.connect()), EVENTS, f"rebuild {name}") as shown:
                    result = rebuild(runner, name, shown.reached)
        except RebuildBusy as error:
            raise fail(f"xuncha: {error}", 1) from None
    print(json.dumps(result.as_json(), indent=2))
    return 0


# ---- events ---------------------------------------------------------------------------------


@events.command("list", help="所有已注册的事件类型及版本 / every registered event type and version")
def events_list(json_: Json = False) -> None:
    from xuncha.events import REGISTRY

    load_settings()
    rows = [(cls.type_name, cls.schema_version, cls.__name__) for cls in REGISTRY]
    if json_:
        print(json.dumps([{"type": t, "version": v, "class": c} for t, v, c in rows], indent=2))
        return
    width = max(len(t) for t, _, _ in rows)
    for type_name, version, class_name in rows:
        print(f"{type_name:<{width}}  v{version}  {class_name}")


@events.command(
    "schema", help="写出所有事件类型的 JSON Schema / write the JSON Schemas of all event types"
)
def events_schema(
    out: Annotated[str, typer.Option(help="目录 / directory")] = "schemas/events",
) -> None:
    from xuncha.events.schema import write_schemas

    load_settings()
    for path in write_schemas(Path(out)):
        print(path)


@events.command(
    "integration-schemas",
    help="写出集成事件的 JSON Schema 和 AsyncAPI / write the integration events' JSON Schemas "
    "and AsyncAPI",
)
def events_integration_schemas(
    out: Annotated[str, typer.Option(help="目录 / directory")] = "docs/contract",
) -> None:
    from xuncha.events.contract import write_contract

    load_settings()
    for path in write_contract(Path(out)):
        print(path)


# ---- relay and consumers --------------------------------------------------------------------


@relay.callback(invoke_without_command=True)
def relay_default(ctx: typer.Context, batch_size: BatchSize = None) -> int | None:
    """`xuncha relay [--batch-size N]` runs the relay, as `xuncha relay run` does."""
    if ctx.invoked_subcommand is None:
        return _run_relay(load_settings(), batch_size)
    return None


@relay.command("run", help="单独运行 Kafka 中继（默认）/ run the Kafka relay alone (the default)")
def relay_run(ctx: typer.Context, batch_size: BatchSize = None) -> int:
    parent = ctx.parent.params.get("batch_size") if ctx.parent else None
    return _run_relay(load_settings(), batch_size or parent)


@relay.command("status", help="中继的位置、滞后和最近错误 / its position, lag and last error")
def relay_status() -> int:
    from xuncha.api.workers.consumer_health import status as consumers
    from xuncha.projections import kafka_relay

    with runtime() as rt:
        conn = rt.connect()
        state = {**kafka_relay.status(conn), "consumers": consumers(conn)}
    print(json.dumps(state, indent=2))
    return 0


def _run_relay(settings: Settings, batch_size: int | None) -> int:
    from xuncha.api.container import make_relay

    if not settings.kafka_bootstrap_servers:
        raise fail("xuncha: set XUNCHA_KAFKA_BOOTSTRAP_SERVERS to run the relay")
    with runtime(settings) as rt:
        runner = make_relay(settings, rt.conninfo)
        if batch_size:
            runner.batch_size = batch_size
        signal.signal(signal.SIGTERM, lambda *_: runner.stopped.set())
        runner.run_forever(poll_seconds=0.5)
    return 0


def consume(
    what: Annotated[
        Literal["results", "dispositions"],
        typer.Argument(
            metavar="WHAT", help="参考结果消费者或线索处置适配器 / results or dispositions"
        ),
    ],
) -> int:
    """Kafka consumers: the reference results consumer, the inbound dispositions adapter."""
    from xuncha.api.workers.consumer_health import ConsumerHealth
    from xuncha.api.workers.kafka_consumers import (
        ApplicationLeadCommands,
        DispositionsAdapter,
        ResultsConsumer,
    )

    settings = load_settings()
    if not settings.kafka_bootstrap_servers:
        raise fail("xuncha: set XUNCHA_KAFKA_BOOTSTRAP_SERVERS to consume")
    with runtime(settings) as rt:
        if what == "results":
            results = ResultsConsumer(
                rt.conninfo,
                settings.kafka_bootstrap_servers,
                topic_prefix=settings.kafka_topic_prefix,
            )
            signal.signal(signal.SIGTERM, lambda *_: results.stopped.set())
            results.run_forever()
            return 0
        adapter = DispositionsAdapter(
            ApplicationLeadCommands(rt.container.app),
            settings.kafka_bootstrap_servers,
            organization_id=settings.discipline_commission_org,
            topic_prefix=settings.kafka_topic_prefix,
        )
        signal.signal(signal.SIGTERM, lambda *_: adapter.stopped.set())
        adapter.run_forever(ConsumerHealth(rt.conninfo, adapter.group_id))
    return 0


# ---- draws -----------------------------------------------------------------------


@draw.command("verify", help="由存储的事件重新推导抽取 / re-derive a draw from its stored event")
def draw_verify(
    draw_id: Annotated[str, typer.Argument(metavar="DRAW_ID", help="抽取编号 / the draw id")],
) -> int:
    """Re-derive a stored pool draw from its event; exit 1 if it does not match."""
    from xuncha.commands.draw import verify
    from xuncha.events.pool import PoolMembersDrawn

    with runtime() as rt:
        recorded = rt.container.store.load(UUID(draw_id))
        drawn = [r.event for r in recorded if isinstance(r.event, PoolMembersDrawn)]
        if not drawn:
            raise fail(f"xuncha: no draw {draw_id}")
        result = verify(drawn[0])
    print(json.dumps(result.as_json(), indent=2))
    return 0 if result.matches else 1

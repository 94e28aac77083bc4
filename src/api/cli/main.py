"""The `xuncha` command line: serve, run the projections, inspect the contract, mint tokens."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from xuncha.api import logs
from xuncha.api.cli import audit as cli_audit
from xuncha.api.cli import documents as cli_documents
from xuncha.api.cli import proofs as cli_proofs
from xuncha.api.cli import security as cli_security
from xuncha.api.settings import Settings


def _exit_on_signal(signum: int, _: Any) -> None:
    """SIGTERM/SIGINT end `serve` through its `finally`, which stops the embedded database.
    uvicorn shuts down on the signal and then re-raises it: with the default SIGTERM action
    the process would die there, leaving the embedded PostgreSQL running."""
    raise SystemExit(128 + signum)


def serve(settings: Settings, args: argparse.Namespace) -> None:
    """API and projection runner in one process, on the embedded database if none is set."""
    import uvicorn

    from xuncha.api.container import build
    from xuncha.api.database import open_database
    from xuncha.api.http.app import create_app
    from xuncha.api.workers.clock import ClockThread

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _exit_on_signal)
    host = args.host or settings.host
    port = settings.port if args.port is None else args.port
    database = open_database(settings)
    container = build(settings, database.conninfo)
    if settings.run_projections:
        container.runner.start_thread()
    relay = None
    if settings.kafka_bootstrap_servers:  # without Kafka, events wait in the log
        from xuncha.api.container import make_relay

        relay = make_relay(settings, database.conninfo, container.telemetry)
        relay.start_thread()
    clock = ClockThread(container.app, settings.clock_seconds)
    if settings.clock_seconds > 0:
        clock.start()
    from xuncha.api.workers.checkpoints import start_thread

    checkpoints = start_thread(settings, database.conninfo)
    app = create_app(container)
    try:
        # SIGTERM: stop accepting, give in-flight requests the grace period, then cancel.
        grace = settings.shutdown_grace_seconds
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_level="info",
            log_config=None,  # uvicorn logs through the root logger (api/logs.py)
            access_log=False,  # each request's `request` line (api/logs.py) says more
            timeout_graceful_shutdown=grace,
        )
    finally:
        from xuncha.api.workers.shutdown import exit_now, stop_all

        stop_all(
            [
                ("the checkpoint signer", checkpoints.stop if checkpoints else lambda: None),
                ("the timers", clock.stop),
                ("the Kafka relay", relay.stop if relay else lambda: None),
                ("the runner and the pools", container.close),
                ("the database", database.close),
            ]
        )
        stopped_by = sys.exc_info()[1]
        if isinstance(stopped_by, SystemExit) and isinstance(stopped_by.code, int):
            exit_now(stopped_by.code)  # a signal: everything is stopped, leave at once


def tick_moment(settings: Settings, text: str | None) -> datetime:
    """The moment `xuncha clock tick` decides as of: now, or `--now` (UTC if no offset).
    Outside development a `--now` ahead of the real clock is refused: timers would decide on
    deadlines that have not passed. The events are recorded at the real time either way."""
    real = datetime.now(UTC)
    if text is None:
        return real
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--now must be an ISO date-time, got {text!r}") from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if moment > real and settings.environment != "development":
        raise ValueError(
            f"--now {moment.isoformat()} is ahead of the real clock ({real.isoformat()}); "
            "only a development environment ticks in the future"
        )
    return moment


def clock_tick(settings: Settings, args: argparse.Namespace) -> int:
    """Run every timer once, as of now or `--now`, and print what each issued."""
    from xuncha.api.container import build
    from xuncha.api.database import open_database
    from xuncha.commands.clock import run_ticks

    try:
        now = tick_moment(settings, args.now)
    except ValueError as error:
        print(f"xuncha clock tick: {error}", file=sys.stderr)
        return 2
    database = open_database(settings)
    container = build(settings, database.conninfo)
    try:
        print(json.dumps(run_ticks(container.app, now)))
    finally:
        container.close()
        database.close()
    return 0


def demo(settings: Settings, args: argparse.Namespace) -> int:
    """Load the Yulin-like demo data set through the command layer, then build read models."""
    from xuncha.api.cli.demo import AlreadyLoaded, load
    from xuncha.api.container import build
    from xuncha.api.database import open_database

    database = open_database(settings)
    container = build(settings, database.conninfo)
    try:
        try:
            issued = load(container.app, seed=args.seed)
        except AlreadyLoaded as error:
            print(f"xuncha demo: the database already holds data ({error})", file=sys.stderr)
            return 1
        container.runner.catch_up_once()
        print(f"demo loaded: {issued} commands, {container.store.head()} events")
        return 0
    finally:
        container.close()
        database.close()


def run_projections(settings: Settings, args: argparse.Namespace) -> None:
    """The projection runner alone (one active; others wait as standbys)."""
    from xuncha.api.container import make_runner
    from xuncha.api.database import open_database

    database = open_database(settings)
    runner = make_runner(settings, database.conninfo)
    if args.batch_size:
        runner.batch_size = args.batch_size
    signal.signal(signal.SIGTERM, lambda *_: runner.stop())
    try:
        runner.run_forever(poll_seconds=0.5)
    finally:
        database.close()


def projections_status(settings: Settings, args: argparse.Namespace) -> int:
    """Each read model: its position, the log's head, lag in events and in seconds (since
    the oldest event not yet applied occurred), parked events."""
    from xuncha.api.container import make_runner
    from xuncha.api.database import open_database

    database = open_database(settings)
    try:
        rows = make_runner(settings, database.conninfo).status()
    finally:
        database.close()
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    width = max([len("read model"), *(len(r["name"]) for r in rows)])
    print(
        f"{'read model':<{width}}  {'position':>10}  {'head':>10}  {'lag':>8}"
        f"  {'lag s':>9}  {'parked':>6}"
    )
    for r in rows:
        print(
            f"{r['name']:<{width}}  {r['position']:>10}  {r['head']:>10}  {r['lag']:>8}"
            f"  {r['lag_seconds']:>9.1f}  {r['parked']:>6}"
        )
    return 0


def projections_verify(settings: Settings, args: argparse.Namespace) -> int:
    """Rebuild NAME into a scratch schema and compare it with the live read model at the same
    position, both ways; exit 1 with a report of the differences, 0 when equal."""
    from xuncha.api.container import make_runner
    from xuncha.api.database import open_database
    from xuncha.projections.rebuild import verify

    database = open_database(settings)
    try:
        runner = make_runner(settings, database.conninfo)
        if args.name not in {p.name for p in runner.projections}:
            known = ", ".join(p.name for p in runner.projections)
            print(f"xuncha: no read model {args.name!r} (known: {known})", file=sys.stderr)
            return 2
        report = verify(runner, args.name)
    finally:
        database.close()
    print(json.dumps(report.as_json(), indent=2, default=str) if args.json else report.text())
    return 0 if report.equal else 1


def projections_rebuild(settings: Settings, args: argparse.Namespace) -> int:
    """Build a new version of NAME beside the live one (progress on stderr) and switch reads
    to it atomically once caught up; the runner and the API may keep running."""
    import psycopg

    from xuncha.api.container import make_runner
    from xuncha.api.database import open_database
    from xuncha.projections import tracking
    from xuncha.projections.rebuild import ProgressBar, RebuildBusy, rebuild

    database = open_database(settings)
    try:
        runner = make_runner(settings, database.conninfo)
        if args.batch_size:
            runner.batch_size = args.batch_size
        if args.name not in {p.name for p in runner.projections}:
            known = ", ".join(p.name for p in runner.projections)
            print(f"xuncha: no read model {args.name!r} (known: {known})", file=sys.stderr)
            return 2
        runner.setup()
        with psycopg.connect(database.conninfo) as conn:
            head = tracking.head(conn)
        bar = None if args.quiet else ProgressBar(f"rebuild {args.name}", head)
        try:
            result = rebuild(runner, args.name, bar)
        except RebuildBusy as error:
            print(f"xuncha: {error}", file=sys.stderr)
            return 1
        if bar is not None:
            bar.finish()
    finally:
        database.close()
    print(json.dumps(result.as_json(), indent=2))
    return 0


def projections_parked(settings: Settings, args: argparse.Namespace) -> int:
    """The parked (poison) events, of one read model or of all."""
    import psycopg

    from xuncha.api.container import make_runner
    from xuncha.api.database import open_database
    from xuncha.projections import parking

    database = open_database(settings)
    try:
        make_runner(settings, database.conninfo).setup()
        with psycopg.connect(database.conninfo) as conn:
            rows = parking.listing(conn, args.name)
    finally:
        database.close()
    if args.json:
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


def projections_retry(settings: Settings, args: argparse.Namespace) -> int:
    """Re-apply parked events (of NAME, or of all) in order; exit 1 if some stay parked."""
    from xuncha.api.container import make_runner
    from xuncha.api.database import open_database

    database = open_database(settings)
    try:
        result = make_runner(settings, database.conninfo).retry_parked(args.name)
    finally:
        database.close()
    print(json.dumps(result.as_json(), indent=2))
    return 1 if result.still_parked else 0


def relay(settings: Settings, args: argparse.Namespace) -> Any:
    """`xuncha relay [run]`: the Kafka relay alone; `xuncha relay status`: where it stands."""
    from xuncha.api.database import open_database
    from xuncha.projections import kafka_relay

    database = open_database(settings)
    try:
        if args.action == "status":
            import psycopg

            with psycopg.connect(database.conninfo) as conn:
                from xuncha.api.workers.consumer_health import status as consumers

                state = {**kafka_relay.status(conn), "consumers": consumers(conn)}
                print(json.dumps(state, indent=2))
            return 0
        if not settings.kafka_bootstrap_servers:
            print("xuncha: set XUNCHA_KAFKA_BOOTSTRAP_SERVERS to run the relay", file=sys.stderr)
            return 2
        from xuncha.api.container import make_relay

        runner = make_relay(settings, database.conninfo)
        if args.batch_size:
            runner.batch_size = args.batch_size
        signal.signal(signal.SIGTERM, lambda *_: runner.stopped.set())
        runner.run_forever(poll_seconds=0.5)
        return 0
    finally:
        database.close()


def consume(settings: Settings, args: argparse.Namespace) -> Any:
    """Kafka consumers: the reference results consumer, the inbound dispositions adapter."""
    from xuncha.api.database import open_database
    from xuncha.api.workers.kafka_consumers import (
        ApplicationLeadCommands,
        DispositionsAdapter,
        ResultsConsumer,
    )

    if not settings.kafka_bootstrap_servers:
        print("xuncha: set XUNCHA_KAFKA_BOOTSTRAP_SERVERS to consume", file=sys.stderr)
        return 2
    database = open_database(settings)
    container = None
    try:
        worker: ResultsConsumer | DispositionsAdapter
        if args.what == "results":
            worker = ResultsConsumer(
                database.conninfo,
                settings.kafka_bootstrap_servers,
                topic_prefix=settings.kafka_topic_prefix,
            )
        else:
            from xuncha.api.container import build

            container = build(settings, database.conninfo)
            worker = DispositionsAdapter(
                ApplicationLeadCommands(container.app),
                settings.kafka_bootstrap_servers,
                organization_id=settings.discipline_commission_org,
                topic_prefix=settings.kafka_topic_prefix,
            )
        signal.signal(signal.SIGTERM, lambda *_: worker.stopped.set())
        if isinstance(worker, DispositionsAdapter):
            from xuncha.api.workers.consumer_health import ConsumerHealth

            worker.run_forever(ConsumerHealth(database.conninfo, worker.group_id))
        else:
            worker.run_forever()
        return 0
    finally:
        if container is not None:
            container.close()
        database.close()


def events_integration_schemas(_: Settings, args: argparse.Namespace) -> None:
    from xuncha.events.contract import write_contract

    for path in write_contract(Path(args.out)):
        print(path)


def events_list(_: Settings, args: argparse.Namespace) -> None:
    from xuncha.events import REGISTRY

    rows = [(cls.type_name, cls.schema_version, cls.__name__) for cls in REGISTRY]
    if args.json:
        print(json.dumps([{"type": t, "version": v, "class": c} for t, v, c in rows], indent=2))
        return
    width = max(len(t) for t, _, _ in rows)
    for type_name, version, class_name in rows:
        print(f"{type_name:<{width}}  v{version}  {class_name}")


def events_schema(_: Settings, args: argparse.Namespace) -> None:
    from xuncha.events.schema import write_schemas

    for path in write_schemas(Path(args.out)):
        print(path)


def draw_verify(settings: Settings, args: argparse.Namespace) -> int:
    """Re-derive a stored pool draw from its event; exit 1 if it does not match."""
    from uuid import UUID

    from xuncha.api.container import build
    from xuncha.api.database import open_database
    from xuncha.commands.draw import verify
    from xuncha.events.pool import PoolMembersDrawn

    database = open_database(settings)
    container = build(settings, database.conninfo)
    try:
        recorded = container.store.load(UUID(args.draw_id))
        drawn = [r.event for r in recorded if isinstance(r.event, PoolMembersDrawn)]
        if not drawn:
            print(f"xuncha: no draw {args.draw_id}", file=sys.stderr)
            return 2
        result = verify(drawn[0])
        print(json.dumps(result.as_json(), indent=2))
        return 0 if result.matches else 1
    finally:
        container.close()
        database.close()


def token(settings: Settings, args: argparse.Namespace) -> int:
    """Mint a development token (HS256 with the configured secret)."""
    from datetime import timedelta

    from xuncha.api.http.auth import mint
    from xuncha.events.base import Role

    try:
        minted = mint(
            settings,
            user_id=args.user,
            role=Role(args.role),
            organization_id=args.org,
            ttl=timedelta(hours=args.hours),
        )
    except ValueError as error:  # RS256: the identity provider issues tokens
        print(f"xuncha token: {error}", file=sys.stderr)
        return 2
    print(minted)
    return 0


def parser() -> argparse.ArgumentParser:
    from xuncha.events.base import Role

    p = argparse.ArgumentParser(prog="xuncha", description="Xuncha (巡察) back end")
    sub = p.add_subparsers(dest="command", required=True)
    sv = sub.add_parser("serve", help="run the API and the projections (stop: SIGTERM or Ctrl-C)")
    sv.add_argument("--host", default=None, help="address to listen on (default: XUNCHA_HOST)")
    sv.add_argument("--port", type=int, default=None, help="port (default: XUNCHA_PORT)")
    sv.set_defaults(fn=serve)
    dm = sub.add_parser("demo", help="load the Yulin-like demo data through the commands")
    dm.add_argument("--seed", type=int, default=1, help="makes every choice and id repeatable")
    dm.set_defaults(fn=demo)
    proj = sub.add_parser("projections", help="read models").add_subparsers(
        dest="action", required=True
    )
    run = proj.add_parser("run", help="run the projection runner alone")
    run.add_argument("--batch-size", type=int, default=None)
    run.set_defaults(fn=run_projections)
    st = proj.add_parser("status", help="position, head, lag and parked events of each")
    st.add_argument("--json", action="store_true")
    st.set_defaults(fn=projections_status)
    pk = proj.add_parser("parked", help="list the parked (poison) events")
    pk.add_argument("name", nargs="?", default=None, help="one read model (default: all)")
    pk.add_argument("--json", action="store_true")
    pk.set_defaults(fn=projections_parked)
    rt = proj.add_parser("retry", help="re-apply parked events after a fix")
    rt.add_argument("name", nargs="?", default=None, help="one read model (default: all)")
    rt.set_defaults(fn=projections_retry)
    vf = proj.add_parser("verify", help="compare a read model with a fresh rebuild (exit 1)")
    vf.add_argument("name", help="the read model")
    vf.add_argument("--json", action="store_true")
    vf.set_defaults(fn=projections_verify)
    rb = proj.add_parser("rebuild", help="rebuild a read model beside the live one and switch")
    rb.add_argument("name", help="the read model")
    rb.add_argument("--batch-size", type=int, default=None)
    rb.add_argument("--quiet", action="store_true", help="no progress bar")
    rb.set_defaults(fn=projections_rebuild)
    ev = sub.add_parser("events", help="the event contract").add_subparsers(
        dest="action", required=True
    )
    ls = ev.add_parser("list", help="every registered event type and version")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(fn=events_list)
    sc = ev.add_parser("schema", help="write the JSON Schemas of all event types")
    sc.add_argument("--out", default="schemas/events")
    sc.set_defaults(fn=events_schema)
    ig = ev.add_parser(
        "integration-schemas", help="write the integration events' JSON Schemas and AsyncAPI"
    )
    ig.add_argument("--out", default="docs/contract")
    ig.set_defaults(fn=events_integration_schemas)
    rl = sub.add_parser("relay", help="the Kafka relay: run it alone, or show its status")
    rl.add_argument("action", nargs="?", choices=["run", "status"], default="run")
    rl.add_argument("--batch-size", type=int, default=None)
    rl.set_defaults(fn=relay)
    cs = sub.add_parser("consume", help="Kafka consumers")
    cs.add_argument("what", choices=["results", "dispositions"])
    cs.set_defaults(fn=consume)
    clock = sub.add_parser("clock", help="time-driven process managers").add_subparsers(
        dest="action", required=True
    )
    ck = clock.add_parser("tick", help="run every timer once")
    ck.add_argument(
        "--now",
        default=None,
        help="ISO time to tick as of (default: now; later than now only in development)",
    )
    ck.set_defaults(fn=clock_tick)
    dr = sub.add_parser("draw", help="talent-pool draws").add_subparsers(
        dest="action", required=True
    )
    dv = dr.add_parser("verify", help="re-derive a draw from its stored event")
    dv.add_argument("draw_id")
    dv.set_defaults(fn=draw_verify)
    tk = sub.add_parser("token", help="mint a development bearer token")
    tk.add_argument("--user", required=True)
    # No token carries `system`: the clock acts only inside the service (api/http/auth.py).
    tk.add_argument("--role", required=True, choices=[r.value for r in Role if r != Role.SYSTEM])
    tk.add_argument("--org", required=True)
    tk.add_argument("--hours", type=float, default=8.0)
    tk.set_defaults(fn=token)
    cli_security.add_parsers(sub)
    cli_audit.add_parsers(sub)
    cli_documents.add_parsers(sub)
    cli_proofs.add_parsers(sub)
    return p


def main(argv: list[str] | None = None) -> Any:
    args = parser().parse_args(argv)
    try:
        settings = Settings()
    except ValueError as error:
        print(f"xuncha: configuration error: {error}", file=sys.stderr)
        return 2
    logs.configure(settings.log_format)
    return args.fn(settings, args)


if __name__ == "__main__":
    sys.exit(main())

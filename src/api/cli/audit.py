"""`xuncha audit export` and `xuncha history`: the auditors' tools on the command line."""

from __future__ import annotations

import json
import shutil
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal
from uuid import UUID

import typer

from xuncha.api.cli.runtime import fail, runtime
from xuncha.api.cli.typer_app import CURRENT_USER, current_user, iso_datetime, new_app
from xuncha.events.base import Role

audit = new_app("审计记录 / the audit trail")


def register(app: typer.Typer) -> None:
    app.add_typer(audit, name="audit")
    app.command(
        help="记录在某版本或某时刻的状态，或其历史（读事件库）/ a record at a version or moment, "
        "or its history (reads the event store)"
    )(history)


@audit.command(
    "export",
    help="导出筛选后的审计记录（NDJSON、CSV 或 xlsx）/ export the filtered audit trail "
    "(NDJSON, CSV or xlsx)",
)
def audit_export(
    out: Annotated[str, typer.Option(help="写入的文件 / the file to write")],
    by: Annotated[
        str,
        typer.Option(
            default_factory=current_user,
            show_default=CURRENT_USER,
            help="导出人（记录）/ who exports (recorded)",
        ),
    ],
    format: Annotated[Literal["ndjson", "csv", "xlsx"], typer.Option()] = "ndjson",
    no_bom: Annotated[
        bool, typer.Option("--no-bom", help="CSV 不带 UTF-8 BOM / CSV without the byte-order mark")
    ] = False,
    lang: Annotated[Literal["zh", "en"], typer.Option(help="xlsx 表头 / xlsx headers")] = "zh",
    stream_id: Annotated[UUID | None, typer.Option()] = None,
    entity_id: Annotated[
        UUID | None, typer.Option(help="记录及其关联 / a record and its correlations")
    ] = None,
    correlation_id: Annotated[UUID | None, typer.Option()] = None,
    inspection_id: Annotated[UUID | None, typer.Option()] = None,
    actor_user_id: Annotated[str | None, typer.Option()] = None,
    actor_role: Annotated[Role | None, typer.Option()] = None,
    type: Annotated[
        str | None, typer.Option(help="事件类型 / an event type, e.g. lead.transferred")
    ] = None,
    since: Annotated[
        datetime | None,
        typer.Option(parser=iso_datetime, metavar="ISO", help="occurred_at at or after"),
    ] = None,
    until: Annotated[
        datetime | None,
        typer.Option(parser=iso_datetime, metavar="ISO", help="occurred_at before"),
    ] = None,
    after_position: Annotated[int, typer.Option()] = 0,
    up_to_position: Annotated[int | None, typer.Option()] = None,
    batch_size: Annotated[int, typer.Option()] = 1000,
    org: Annotated[
        str, typer.Option(help="所代表的组织 / the organization they act for")
    ] = "local",
    justification: Annotated[
        str, typer.Option(help="事由（随导出记录）/ why (recorded with the export)")
    ] = "",
    max_wait: Annotated[
        float, typer.Option(help="等待读模型的秒数 / seconds to wait for the read model")
    ] = 10.0,
) -> int:
    """Export the filtered audit trail to a file; progress on stderr."""
    from xuncha.api.auditing import open_export
    from xuncha.api.cli.progress import ROWS, bar  # tqdm only for the commands that draw
    from xuncha.commands.eventstore.store import EventStore
    from xuncha.commands.service import Application
    from xuncha.events.base import Actor
    from xuncha.events.export import ExportChannel, ExportFormat
    from xuncha.projections import audit_trail

    with runtime() as rt:
        recorder = rt.recorder()
        rt.runner().setup()  # the read model's tables exist
        if not _caught_up(rt.conninfo, max_wait):
            print(
                "xuncha: the audit trail read model is behind the log (is a projection runner "
                "running?); exporting what it holds",
                file=sys.stderr,
            )
        f = audit_trail.AuditFilter(
            stream_id=stream_id,
            entity_id=entity_id,
            correlation_id=correlation_id,
            inspection_id=inspection_id,
            actor_user_id=actor_user_id,
            actor_role=actor_role.value if actor_role else None,
            type=type,
            since=since,
            until=until,
            after_position=after_position,
            up_to_position=up_to_position,
        )
        actor = Actor(user_id=by, role=Role.AUDITOR, organization_id=org)
        export = open_export(
            rt.conninfo,
            Application(EventStore(recorder)),
            actor,
            format=ExportFormat(format),
            channel=ExportChannel.CLI,
            filter=f,
            justification=justification,
            bom=not no_bom,
        )
        print(
            f"exporting {export.rows:,} rows up to position {export.up_to_position} "
            f"(export {export.export_id})",
            file=sys.stderr,
        )
        if export.format is ExportFormat.XLSX:
            shutil.move(export.workbook(batch_size, lang), out)
        else:
            with (
                Path(out).open("w", encoding="utf-8", newline="") as written,
                bar(export.rows, ROWS) as shown,
            ):
                for text, rows in export.batches(batch_size):
                    written.write(text)
                    if rows:
                        shown.update(rows)
        print(f"wrote {export.rows} rows to {out}", file=sys.stderr)
    return 0


def _caught_up(conninfo: str, max_wait: float) -> bool:
    """Wait (bounded) until the audit trail has applied the whole log as it is now."""
    import psycopg

    deadline = time.monotonic() + max_wait
    with psycopg.connect(conninfo, autocommit=True) as conn:
        row = conn.execute("SELECT coalesce(max(notification_id), 0) FROM stored_events").fetchone()
        head = int(row[0]) if row else 0
        while True:
            row = conn.execute(
                "SELECT position FROM projection_tracking WHERE name = 'audit_trail'"
            ).fetchone()
            if head == 0 or (row is not None and int(row[0]) >= head):
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)


def history(
    stream_id: Annotated[
        UUID,
        typer.Argument(metavar="STREAM_ID", help="记录（事件流）编号 / the record's stream id"),
    ],
    version: Annotated[int | None, typer.Option(help="版本 / as of this version")] = None,
    at: Annotated[
        datetime | None,
        typer.Option(parser=iso_datetime, metavar="ISO", help="ISO date-time with time zone"),
    ] = None,
    diffs: Annotated[
        bool, typer.Option("--diffs", help="附每个事件的改动 / with what each event changed")
    ] = False,
) -> int:
    """A record as it stood at a version or moment, or its history; JSON on stdout."""
    from xuncha.api.auditing import load_stream
    from xuncha.commands.errors import DomainError
    from xuncha.commands.eventstore import history as time_travel
    from xuncha.commands.eventstore.store import EventStore

    if version is not None and at is not None:
        raise typer.BadParameter("not allowed with --version", param_hint="--at")
    with runtime() as rt:
        recorded = load_stream(EventStore(rt.recorder()), rt.connect(), stream_id)
        try:
            if version is not None or at is not None:
                shown: Any = time_travel.state_at(stream_id, recorded, version=version, at=at)
            else:
                shown = time_travel.history(
                    stream_id, recorded, limit=max(len(recorded), 1), diffs=diffs
                )
        except DomainError as error:
            raise fail(f"xuncha history: {error.message}") from None
    print(json.dumps(shown, indent=2, ensure_ascii=False))
    return 0

"""`xuncha audit export` and `xuncha history`: the auditors' tools on the command line."""

from __future__ import annotations

import argparse
import getpass
import json
import shutil
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO
from uuid import UUID

from xuncha.api.settings import Settings
from xuncha.events.base import Role


class Progress:
    """Plain progress on stderr: rows done of the total, percent and rate. Redrawn in place
    on a terminal; otherwise a line at most every `every` seconds, and always the last."""

    def __init__(self, total: int, out: TextIO, every: float = 1.0) -> None:
        self.total = total
        self.out = out
        self.every = every
        self.done = 0
        self.started = time.monotonic()
        self.shown = 0.0
        self.tty = out.isatty()

    def add(self, rows: int) -> None:
        self.done += rows
        now = time.monotonic()
        if self.tty or now - self.shown >= self.every:
            self.show(now)

    def show(self, now: float) -> None:
        self.shown = now
        elapsed = max(now - self.started, 1e-6)
        percent = 100.0 * self.done / self.total if self.total else 100.0
        line = (
            f"{self.done:,} / {self.total:,} rows  {percent:5.1f}%  "
            f"{self.done / elapsed:,.0f} rows/s"
        )
        self.out.write(f"\r{line}" if self.tty else f"{line}\n")
        self.out.flush()

    def finish(self) -> None:
        self.show(time.monotonic())
        if self.tty:
            self.out.write("\n")


def _datetime(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not an ISO date-time: {text!r}") from error


def audit_export(settings: Settings, args: argparse.Namespace) -> int:
    """Export the filtered audit trail to a file; progress on stderr."""
    from xuncha.api.auditing import open_export
    from xuncha.api.container import make_runner
    from xuncha.api.database import make_recorder, open_database
    from xuncha.commands.eventstore.store import EventStore
    from xuncha.commands.service import Application
    from xuncha.events.base import Actor
    from xuncha.events.export import ExportChannel, ExportFormat
    from xuncha.projections import audit_trail

    database = open_database(settings)
    recorder = make_recorder(database.conninfo, pool_size=1)
    try:
        make_runner(settings, database.conninfo).setup()  # the read model's tables exist
        if not _caught_up(database.conninfo, args.max_wait):
            print(
                "xuncha: the audit trail read model is behind the log (is a projection runner "
                "running?); exporting what it holds",
                file=sys.stderr,
            )
        f = audit_trail.AuditFilter(
            stream_id=args.stream_id,
            entity_id=args.entity_id,
            correlation_id=args.correlation_id,
            inspection_id=args.inspection_id,
            actor_user_id=args.actor_user_id,
            actor_role=args.actor_role,
            type=args.type,
            since=args.since,
            until=args.until,
            after_position=args.after_position,
            up_to_position=args.up_to_position,
        )
        actor = Actor(user_id=args.by, role=Role.AUDITOR, organization_id=args.org)
        export = open_export(
            database.conninfo,
            Application(EventStore(recorder)),
            actor,
            format=ExportFormat(args.format),
            channel=ExportChannel.CLI,
            filter=f,
            justification=args.justification,
            bom=not args.no_bom,
        )
        print(
            f"exporting {export.rows:,} rows up to position {export.up_to_position} "
            f"(export {export.export_id})",
            file=sys.stderr,
        )
        if export.format is ExportFormat.XLSX:
            shutil.move(export.workbook(args.batch_size, args.lang), args.out)
            print(f"wrote {export.rows} rows to {args.out}", file=sys.stderr)
            return 0
        progress = Progress(export.rows, sys.stderr)
        with Path(args.out).open("w", encoding="utf-8", newline="") as out:
            for text, rows in export.batches(args.batch_size):
                out.write(text)
                if rows:
                    progress.add(rows)
        progress.finish()
        print(f"wrote {export.rows} rows to {args.out}", file=sys.stderr)
        return 0
    finally:
        recorder.datastore.close()
        database.close()


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


def history(settings: Settings, args: argparse.Namespace) -> int:
    """A record as it stood at a version or moment, or its history; JSON on stdout."""
    import psycopg

    from xuncha.api.auditing import load_stream
    from xuncha.api.database import make_recorder, open_database
    from xuncha.commands.errors import DomainError
    from xuncha.commands.eventstore import history as time_travel
    from xuncha.commands.eventstore.store import EventStore

    database = open_database(settings)
    recorder = make_recorder(database.conninfo, pool_size=1)
    try:
        with psycopg.connect(database.conninfo, autocommit=True) as conn:
            recorded = load_stream(EventStore(recorder), conn, args.stream_id)
        try:
            if args.version is not None or args.at is not None:
                shown: Any = time_travel.state_at(
                    args.stream_id, recorded, version=args.version, at=args.at
                )
            else:
                shown = time_travel.history(
                    args.stream_id, recorded, limit=max(len(recorded), 1), diffs=args.diffs
                )
        except DomainError as error:
            print(f"xuncha history: {error.message}", file=sys.stderr)
            return 2
        print(json.dumps(shown, indent=2, ensure_ascii=False))
        return 0
    finally:
        recorder.datastore.close()
        database.close()


def add_parsers(sub: Any) -> None:
    au = sub.add_parser("audit", help="the audit trail").add_subparsers(
        dest="action", required=True
    )
    ex = au.add_parser("export", help="export the filtered audit trail (NDJSON, CSV or xlsx)")
    ex.add_argument("--format", choices=["ndjson", "csv", "xlsx"], default="ndjson")
    ex.add_argument("--no-bom", action="store_true", help="CSV without the UTF-8 byte-order mark")
    ex.add_argument("--lang", choices=["zh", "en"], default="zh", help="xlsx headers")
    ex.add_argument("--out", required=True, help="the file to write")
    ex.add_argument("--stream-id", type=UUID, default=None)
    ex.add_argument("--entity-id", type=UUID, default=None, help="a record and its correlations")
    ex.add_argument("--correlation-id", type=UUID, default=None)
    ex.add_argument("--inspection-id", type=UUID, default=None)
    ex.add_argument("--actor-user-id", default=None)
    ex.add_argument("--actor-role", choices=[r.value for r in Role], default=None)
    ex.add_argument("--type", default=None, help="an event type, e.g. lead.transferred")
    ex.add_argument("--since", type=_datetime, default=None, help="occurred_at at or after")
    ex.add_argument("--until", type=_datetime, default=None, help="occurred_at before")
    ex.add_argument("--after-position", type=int, default=0)
    ex.add_argument("--up-to-position", type=int, default=None)
    ex.add_argument("--batch-size", type=int, default=1000)
    ex.add_argument("--by", default=getpass.getuser(), help="who exports (recorded)")
    ex.add_argument("--org", default="local", help="the organization they act for")
    ex.add_argument("--justification", default="", help="why (recorded with the export)")
    ex.add_argument(
        "--max-wait", type=float, default=10.0, help="seconds to wait for the read model"
    )
    ex.set_defaults(fn=audit_export)
    hs = sub.add_parser(
        "history", help="a record at a version or moment, or its history (reads the event store)"
    )
    hs.add_argument("stream_id", type=UUID)
    at = hs.add_mutually_exclusive_group()
    at.add_argument("--version", type=int, default=None)
    at.add_argument("--at", type=_datetime, default=None, help="ISO date-time with time zone")
    hs.add_argument("--diffs", action="store_true", help="with what each event changed")
    hs.set_defaults(fn=history)

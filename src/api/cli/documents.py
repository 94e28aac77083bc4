"""`xuncha export …` (the ledgers as .xlsx) and `xuncha import ledger FILE --inspection ID`:
the same code paths, readers' scope and records as the HTTP routes (docs/documents.md)."""

from __future__ import annotations

import argparse
import getpass
import json
import shutil
import sys
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from xuncha.api.settings import Settings
from xuncha.events.base import Role
from xuncha.events.office_day import office_today

EXPORTS = ("problem-ledger", "three-lists", "rectification-ledger", "leads", "shared-results")


def _container(settings: Settings) -> tuple[Any, Any]:
    from xuncha.api.container import build
    from xuncha.api.database import open_database

    database = open_database(settings)
    container = build(settings, database.conninfo)
    container.runner.catch_up_once()  # read what the log holds now
    return database, container


def _actor(args: argparse.Namespace) -> Any:
    from xuncha.events.base import Actor

    return Actor(user_id=args.by, role=Role(args.role), organization_id=args.org)


def _ledger(args: argparse.Namespace, conn: Any, scope: Any) -> Any:
    from xuncha.api.exports import service

    if args.what in ("problem-ledger", "three-lists") and args.inspection_id is None:
        raise SystemExit(f"xuncha export {args.what}: --inspection-id is required")
    if args.what == "problem-ledger":
        return service.problem_ledger(conn, scope, args.inspection_id)
    if args.what == "three-lists":
        return service.three_lists(conn, scope, args.inspection_id)
    if args.what == "rectification-ledger":
        f = service.LedgerFilters(
            args.inspection_id, args.organization_id, args.round_id, args.status, None, args.as_of
        )
        return service.rectification(conn, scope, f, office_today())
    if args.what == "leads":
        lf = service.LeadFilters(args.inspection_id, args.round_id, args.status, None)
        return service.leads(conn, scope, lf)
    if args.year is None:
        raise SystemExit("xuncha export shared-results: --year is required")
    return service.shared(conn, scope, args.year, args.organization_id)


def export(settings: Settings, args: argparse.Namespace) -> int:
    """Write one ledger as .xlsx, recorded as `audit.export_performed` (channel cli)."""
    from xuncha.api.exports import service
    from xuncha.api.http.access import scope_of
    from xuncha.commands.errors import DomainError
    from xuncha.events.export import ExportChannel

    database, container = _container(settings)
    try:
        actor = _actor(args)
        with container.read_pool.connection() as conn:
            try:
                ledger = _ledger(args, conn, scope_of(actor, conn))
            except DomainError as error:
                print(f"xuncha export: {error.message}", file=sys.stderr)
                return 2
            done = service.produce(
                container.app,
                actor,
                ledger,
                lang=args.lang,
                channel=ExportChannel.CLI,
                justification=args.justification,
            )
        shutil.move(done.path, args.out)
        print(
            f"wrote {done.rows} rows as of position {done.position} to {args.out} "
            f"(export {done.export_id})",
            file=sys.stderr,
        )
        return 0
    finally:
        container.close()
        database.close()


def import_ledger(settings: Settings, args: argparse.Namespace) -> int:
    """Import a 三清单/整改台账 workbook as the inspection's rectification plan."""
    from xuncha.api.exports import plan_import
    from xuncha.api.http.errors import FileRefused
    from xuncha.commands.errors import DomainError

    data = Path(args.file).read_bytes()
    database, container = _container(settings)
    try:
        actor = _actor(args)
        try:
            done = plan_import.import_plan(
                container.app, actor, args.inspection, data, dry_run=args.dry_run
            )
        except FileRefused as error:
            print(f"xuncha import: {error.detail}", file=sys.stderr)
            for e in error.errors:
                print(
                    f"  row {e['row']} column {e['column']}: {e['zh']} / {e['en']}", file=sys.stderr
                )
            return 2
        except DomainError as error:
            print(f"xuncha import: {error.message}", file=sys.stderr)
            return 2
        print(json.dumps(plan_import.as_json(done), indent=2, ensure_ascii=False))
        return 0
    finally:
        container.close()
        database.close()


def _who(parser: argparse.ArgumentParser, role: Role) -> None:
    parser.add_argument("--by", default=getpass.getuser(), help="who acts (recorded)")
    parser.add_argument("--role", choices=[r.value for r in Role if r != Role.SYSTEM], default=role)
    parser.add_argument("--org", default="local", help="the organization they act for")


def add_parsers(sub: Any) -> None:
    ex = sub.add_parser("export", help="a ledger as .xlsx (recorded like the HTTP export)")
    ex.add_argument("what", choices=EXPORTS)
    ex.add_argument("--out", required=True, help="the .xlsx file to write")
    ex.add_argument("--inspection-id", type=UUID, default=None)
    ex.add_argument("--organization-id", default=None)
    ex.add_argument("--round-id", type=UUID, default=None)
    ex.add_argument("--status", default=None, help="a status value of the ledger")
    ex.add_argument("--as-of", type=date.fromisoformat, default=None, help="YYYY-MM-DD")
    ex.add_argument("--year", type=int, default=None, help="shared-results: the year")
    ex.add_argument("--lang", choices=["zh", "en"], default="zh")
    ex.add_argument("--justification", default="", help="why (recorded with the export)")
    _who(ex, Role.INSPECTION_OFFICE)
    ex.set_defaults(fn=export)
    im = sub.add_parser("import", help="import office files").add_subparsers(
        dest="kind", required=True
    )
    led = im.add_parser("ledger", help="a 三清单/整改台账 workbook as the rectification plan")
    led.add_argument("file", help="the .xlsx workbook")
    led.add_argument("--inspection", type=UUID, required=True, help="the inspection id")
    led.add_argument("--dry-run", action="store_true", help="check and decide; append nothing")
    _who(led, Role.INSPECTED_ORG_PRINCIPAL)
    led.set_defaults(fn=import_ledger)

"""`xuncha export …` (the ledgers as .xlsx) and `xuncha import ledger FILE --inspection ID`:
the same code paths, readers' scope and records as the HTTP routes (docs/documents.md)."""

from __future__ import annotations

import json
import shutil
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, get_args
from uuid import UUID

import typer

from xuncha.api.cli.runtime import Runtime, fail, runtime
from xuncha.api.cli.typer_app import CURRENT_USER, ActingRole, current_user, iso_date, new_app
from xuncha.events.base import Role
from xuncha.events.office_day import office_today

Ledger = Literal["problem-ledger", "three-lists", "rectification-ledger", "leads", "shared-results"]
EXPORTS: tuple[str, ...] = get_args(Ledger)

imports = new_app("导入办公文件 / import office files")

By = Annotated[
    str,
    typer.Option(
        default_factory=current_user,
        show_default=CURRENT_USER,
        help="操作人（记录）/ who acts (recorded)",
    ),
]
Org = Annotated[str, typer.Option(help="所代表的组织 / the organization they act for")]


def register(app: typer.Typer) -> None:
    app.command(
        "export",
        help="台账导出为 .xlsx（与 HTTP 导出一样记录）/ a ledger as .xlsx "
        "(recorded like the HTTP export)",
    )(export)
    app.add_typer(imports, name="import")


def _opened(rt: Runtime) -> Any:
    container = rt.container
    container.runner.catch_up_once()  # read what the log holds now
    return container


def _actor(by: str, role: str, org: str) -> Any:
    from xuncha.events.base import Actor

    return Actor(user_id=by, role=Role(role), organization_id=org)


def _ledger(what: str, filters: dict[str, Any], conn: Any, scope: Any) -> Any:
    from xuncha.api.exports import service

    inspection_id = filters["inspection_id"]
    if what in ("problem-ledger", "three-lists") and inspection_id is None:
        raise SystemExit(f"xuncha export {what}: --inspection-id is required")
    if what == "problem-ledger":
        return service.problem_ledger(conn, scope, inspection_id)
    if what == "three-lists":
        return service.three_lists(conn, scope, inspection_id)
    organization_id, round_id, status = (
        filters[k] for k in ("organization_id", "round_id", "status")
    )
    if what == "rectification-ledger":
        f = service.LedgerFilters(
            inspection_id, organization_id, round_id, status, None, filters["as_of"]
        )
        return service.rectification(conn, scope, f, office_today())
    if what == "leads":
        lf = service.LeadFilters(inspection_id, round_id, status, None)
        return service.leads(conn, scope, lf)
    if filters["year"] is None:
        raise SystemExit("xuncha export shared-results: --year is required")
    return service.shared(conn, scope, filters["year"], organization_id)


def export(
    what: Annotated[Ledger, typer.Argument(metavar="WHAT", help="哪本台账 / which ledger")],
    out: Annotated[str, typer.Option(help="写入的 .xlsx 文件 / the .xlsx file to write")],
    by: By,
    inspection_id: Annotated[UUID | None, typer.Option()] = None,
    organization_id: Annotated[str | None, typer.Option()] = None,
    round_id: Annotated[UUID | None, typer.Option()] = None,
    status: Annotated[
        str | None, typer.Option(help="台账的状态值 / a status value of the ledger")
    ] = None,
    as_of: Annotated[
        date | None, typer.Option(parser=iso_date, metavar="YYYY-MM-DD", help="截至 / as of")
    ] = None,
    year: Annotated[
        int | None, typer.Option(help="shared-results：年度 / shared-results: the year")
    ] = None,
    lang: Annotated[Literal["zh", "en"], typer.Option()] = "zh",
    justification: Annotated[
        str, typer.Option(help="事由（随导出记录）/ why (recorded with the export)")
    ] = "",
    role: Annotated[ActingRole, typer.Option()] = ActingRole(Role.INSPECTION_OFFICE.value),
    org: Org = "local",
) -> int:
    """Write one ledger as .xlsx, recorded as `audit.export_performed` (channel cli)."""
    from xuncha.api.exports import service
    from xuncha.api.http.access import scope_of
    from xuncha.commands.errors import DomainError
    from xuncha.events.export import ExportChannel

    filters = {
        "inspection_id": inspection_id,
        "organization_id": organization_id,
        "round_id": round_id,
        "status": status,
        "as_of": as_of,
        "year": year,
    }
    with runtime() as rt:
        container = _opened(rt)
        actor = _actor(by, role.value, org)
        with container.read_pool.connection() as conn:
            try:
                ledger = _ledger(what, filters, conn, scope_of(actor, conn))
            except DomainError as error:
                raise fail(f"xuncha export: {error.message}") from None
            done = service.produce(
                container.app,
                actor,
                ledger,
                lang=lang,
                channel=ExportChannel.CLI,
                justification=justification,
            )
        shutil.move(done.path, out)
    print(
        f"wrote {done.rows} rows as of position {done.position} to {out} (export {done.export_id})",
        file=sys.stderr,
    )
    return 0


@imports.command(
    "ledger",
    help="把三清单/整改台账工作簿导入为整改方案 / a 三清单/整改台账 workbook as the "
    "rectification plan",
)
def import_ledger(
    file: Annotated[str, typer.Argument(metavar="FILE", help="工作簿 / the .xlsx workbook")],
    inspection: Annotated[UUID, typer.Option(help="巡察编号 / the inspection id")],
    by: By,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="只检查和判定，不追加 / check and decide; append nothing"),
    ] = False,
    role: Annotated[ActingRole, typer.Option()] = ActingRole(Role.INSPECTED_ORG_PRINCIPAL.value),
    org: Org = "local",
) -> int:
    """Import a 三清单/整改台账 workbook as the inspection's rectification plan."""
    from xuncha.api.exports import plan_import
    from xuncha.api.http.errors import FileRefused
    from xuncha.commands.errors import DomainError

    data = Path(file).read_bytes()
    with runtime() as rt:
        container = _opened(rt)
        actor = _actor(by, role.value, org)
        try:
            done = plan_import.import_plan(container.app, actor, inspection, data, dry_run=dry_run)
        except FileRefused as error:
            print(f"xuncha import: {error.detail}", file=sys.stderr)
            for e in error.errors:
                print(
                    f"  row {e['row']} column {e['column']}: {e['zh']} / {e['en']}", file=sys.stderr
                )
            raise typer.Exit(2) from None
        except DomainError as error:
            raise fail(f"xuncha import: {error.message}") from None
    print(json.dumps(plan_import.as_json(done), indent=2, ensure_ascii=False))
    return 0

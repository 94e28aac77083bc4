"""Ledger exports, shared by the HTTP routes (`routes/documents.py`) and `xuncha export`.

Each export reads its rows through the same read-model query and the same reader's scope as
the matching GET, writes them to a temporary workbook (`xlsx.write_workbook`, flat memory),
then records `audit.export_performed` (who, what, filters, the read model's log position,
row count; never the data) before the first byte is sent, as the audit-trail export does.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from xuncha.api.exports import ledgers
from xuncha.api.exports.cells import Lang, reader_of
from xuncha.api.exports.xlsx import Column, Sheet, write_workbook
from xuncha.api.http.access import ReadScope
from xuncha.commands.audit_export import ExportAuditTrail
from xuncha.commands.errors import NotFound
from xuncha.commands.lead import RECEIVERS
from xuncha.commands.service import Application
from xuncha.events.base import Actor
from xuncha.events.export import AuditFilters, ExportChannel, ExportedRecord, ExportFormat
from xuncha.projections import lead_register, rectification_ledger, shared_results, tracking
from xuncha.projections.feedback_record import FeedbackRecord
from xuncha.projections.paging import items_of
from xuncha.projections.plan_record import PlanRecord

ALL = "all"  # the subject of an unfiltered ledger
FEEDBACK = FeedbackRecord()
PLANS = PlanRecord()
NAMES: dict[ExportedRecord, tuple[str, str]] = {
    ExportedRecord.PROBLEM_LEDGER: ("问题台账", "Problem ledger"),
    ExportedRecord.THREE_LISTS: ("整改三清单", "Rectification three lists"),
    ExportedRecord.RECTIFICATION_LEDGER: ("整改台账", "Rectification ledger"),
    ExportedRecord.LEAD_REGISTER: ("问题线索台账", "Lead register"),
    ExportedRecord.SHARED_RESULTS: ("巡察结果共享台账", "Shared results"),
    ExportedRecord.AUDIT_TRAIL: ("审计日志", "Audit trail"),
}


@dataclass(frozen=True)
class Ledger:
    """One export ready to write: what, its rows, their columns and the read model's position;
    `subject` says whose ledger it is, `parameters` the filters as recorded."""

    what: ExportedRecord
    columns: tuple[Column, ...]
    rows: Iterable[Mapping[str, Any]]
    position: int
    subject: str
    inspection_id: UUID | None = None
    parameters: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Produced:
    """A written, recorded export: the temporary file to send (then remove) and its record."""

    path: str
    filename: str
    export_id: UUID
    rows: int
    position: int


def title(what: ExportedRecord, subject: str, actor: Actor, position: int, lang: Lang) -> str:
    """The title row: what, whose, for whom, as of which log position."""
    zh, en = NAMES[what]
    if lang == "zh" and (subject == ALL or subject.startswith(ALL + " ")):
        subject = "全部" + subject.removeprefix(ALL)
    reader = reader_of(actor, lang)
    if lang == "zh":
        return f"{zh} · {subject} · 导出给 {reader} · 截至日志位置 {position}"
    return f"{en} · {subject} · for {reader} · as of log position {position}"


def produce(
    app: Application,
    actor: Actor,
    ledger: Ledger,
    *,
    lang: Lang,
    channel: ExportChannel,
    justification: str = "",
) -> Produced:
    """Write the ledger's workbook, then record the export through `app` (as `actor`, at the
    application's time); the file is removed on failure."""
    zh, en = NAMES[ledger.what]
    sheet = Sheet(
        zh if lang == "zh" else en,
        title(ledger.what, ledger.subject, actor, ledger.position, lang),
        ledger.columns,
        ledger.rows,
    )
    path, rows = write_workbook([sheet], lang)
    export_id = uuid4()
    try:
        filters = AuditFilters(inspection_id=ledger.inspection_id, up_to_position=ledger.position)
        command = ExportAuditTrail(
            export_id=export_id,
            what=ledger.what,
            parameters={**ledger.parameters, "lang": lang},
            format=ExportFormat.XLSX,
            channel=channel,
            filters=filters,
            rows=rows,
            justification=justification,
        )
        app.execute(command, actor)
    except BaseException:
        os.unlink(path)
        raise
    filename = f"{ledger.what.value}-{export_id}.xlsx"
    return Produced(path, filename, export_id, rows, ledger.position)


def _position(conn: Any, name: str) -> int:
    return tracking.positions(conn).get(name, 0)


def _kept(parameters: Mapping[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in parameters.items() if v is not None}


def _per_inspection(
    model: Any, conn: Any, scope: ReadScope, inspection_id: UUID, what: str
) -> dict[str, Any]:
    scope.require_inspection(conn, inspection_id)
    found: dict[str, Any] | None = model.get(conn, inspection_id)
    if found is None:
        raise NotFound(f"inspection {inspection_id} has no {what} yet")
    return found


def problem_ledger(conn: Any, scope: ReadScope, inspection_id: UUID) -> Ledger:
    feedback = _per_inspection(FEEDBACK, conn, scope, inspection_id, "feedback")
    return Ledger(
        ExportedRecord.PROBLEM_LEDGER,
        ledgers.PROBLEM_LEDGER,
        ledgers.problem_rows(feedback),
        _position(conn, FEEDBACK.name),
        str(inspection_id),
        inspection_id,
    )


def three_lists(conn: Any, scope: ReadScope, inspection_id: UUID) -> Ledger:
    plan = _per_inspection(PLANS, conn, scope, inspection_id, "rectification plan")
    return Ledger(
        ExportedRecord.THREE_LISTS,
        ledgers.THREE_LISTS,
        ledgers.three_list_rows(plan),
        _position(conn, PLANS.name),
        str(inspection_id),
        inspection_id,
        {"plan_version": str(plan["plan_version"])},
    )


@dataclass(frozen=True)
class LedgerFilters:
    """The filters of `GET /rectification-items`."""

    inspection_id: UUID | None = None
    organization_id: str | None = None
    round_id: UUID | None = None
    status: str | None = None
    overdue: bool | None = None
    as_of: date | None = None


def rectification(conn: Any, scope: ReadScope, f: LedgerFilters, today: date) -> Ledger:
    as_of = f.as_of or today

    def fetch(limit: int, offset: int) -> list[dict[str, Any]]:
        return items_of(
            rectification_ledger.list_items(
                conn,
                inspection_id=f.inspection_id,
                organization_id=f.organization_id,
                round_id=f.round_id,
                status=f.status,
                overdue=f.overdue,
                as_of=as_of,
                limit=limit,
                offset=offset,
                inspection_ids=scope.inspection_ids,
                organization_ids=scope.organization_ids,
            )
        )

    rows = [ledgers.rectification_row(r) for r in ledgers.paged(fetch)]
    parameters = _kept({**f.__dict__, "as_of": as_of})
    return Ledger(
        ExportedRecord.RECTIFICATION_LEDGER,
        ledgers.RECTIFICATION_LEDGER,
        rows,
        _position(conn, "rectification_ledger"),
        f.organization_id or (str(f.inspection_id) if f.inspection_id else "all"),
        f.inspection_id,
        parameters,
    )


@dataclass(frozen=True)
class LeadFilters:
    """The filters of `GET /leads`."""

    inspection_id: UUID | None = None
    round_id: UUID | None = None
    status: str | None = None
    open: bool | None = None


def leads(conn: Any, scope: ReadScope, f: LeadFilters) -> Ledger:
    actor = scope.actor
    receiver = actor.organization_id if actor.role in RECEIVERS else None

    def fetch(limit: int, offset: int) -> list[dict[str, Any]]:
        return items_of(
            lead_register.list_leads(
                conn,
                inspection_id=f.inspection_id,
                round_id=f.round_id,
                receiver_organization_id=receiver,
                status=f.status,
                open=f.open,
                limit=limit,
                offset=offset,
                inspection_ids=scope.inspection_ids,
            )
        )

    rows = [ledgers.lead_row(r) for r in ledgers.paged(fetch)]
    return Ledger(
        ExportedRecord.LEAD_REGISTER,
        ledgers.LEAD_REGISTER,
        rows,
        _position(conn, "lead_register"),
        receiver or (str(f.inspection_id) if f.inspection_id else "all"),
        f.inspection_id,
        _kept({**f.__dict__, "receiver_organization_id": receiver}),
    )


def shared(conn: Any, scope: ReadScope, year: int, organization_id: str | None) -> Ledger:
    def fetch(limit: int, offset: int) -> list[dict[str, Any]]:
        return items_of(
            shared_results.list_results(
                conn,
                organization_id=organization_id,
                year=year,
                round_id=None,
                evaluation_grade=None,
                sort="organization",
                limit=limit,
                offset=offset,
            )
        )

    rows = [
        ledgers.shared_row(r)
        for r in ledgers.paged(fetch)
        if scope.allows(
            inspection_id=_uuid(r["inspection_id"]), organization_id=r["organization_id"]
        )
    ]
    return Ledger(
        ExportedRecord.SHARED_RESULTS,
        ledgers.SHARED_RESULTS,
        rows,
        _position(conn, "shared_results"),
        f"{organization_id or 'all'} {year}",
        None,
        _kept({"year": year, "organization_id": organization_id}),
    )


def _uuid(value: Any) -> Any:
    return UUID(value) if isinstance(value, str) else value

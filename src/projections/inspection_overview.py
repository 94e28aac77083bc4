"""Inspection overview: each round, and each inspection's stage, dates and counts."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any
from uuid import UUID

from psycopg import Connection, Cursor
from psycopg.rows import dict_row

from xuncha.events import finding, inspection, rectification, round
from xuncha.events.base import DomainEvent, RecordedEvent
from xuncha.events.vocabulary import InspectionStage, RoundStage
from xuncha.projections.dashboard_support import class_entry
from xuncha.projections.paging import fetch_page
from xuncha.projections.stages import inspection_stage, round_stage

DDL = """
CREATE TABLE IF NOT EXISTS rm_round (
    round_id uuid PRIMARY KEY, jurisdiction_id text NOT NULL, committee text NOT NULL,
    name text NOT NULL, round_type text NOT NULL, planned_start date NOT NULL,
    planned_end date NOT NULL, stage text NOT NULL, stream_version bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS rm_inspection (
    inspection_id uuid PRIMARY KEY, round_id uuid NOT NULL, jurisdiction_id text NOT NULL,
    round_type text NOT NULL, organization_id text NOT NULL, organization_name text NOT NULL,
    group_name text NOT NULL, leader_user_id text, stage text NOT NULL,
    window_start date, window_end date, notice_date date, planned_stationing_date date,
    announced_on date, stationed_on date, withdrawn_on date, report_version int,
    report_approved_on date, feedback_delivered_on date, plan_due date,
    written_report_due date, plan_version int, rectification_report_submitted_on date,
    rectification_report_on_time boolean, closed_on date,
    findings_total int NOT NULL DEFAULT 0, findings_approved int NOT NULL DEFAULT 0,
    ledger_items int NOT NULL DEFAULT 0, items_total int NOT NULL DEFAULT 0,
    items_closed int NOT NULL DEFAULT 0, stream_version bigint NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_inspection_round ON rm_inspection (round_id);
CREATE INDEX IF NOT EXISTS rm_inspection_org ON rm_inspection (organization_id);
CREATE TABLE IF NOT EXISTS rm_inspection_finding (
    finding_id uuid PRIMARY KEY, inspection_id uuid NOT NULL, approved boolean NOT NULL
);
CREATE TABLE IF NOT EXISTS rm_inspection_item (
    item_id uuid PRIMARY KEY, inspection_id uuid NOT NULL, closed boolean NOT NULL
);
-- Each finding or item event recounts its inspection: without these, a full scan each time.
CREATE INDEX IF NOT EXISTS rm_inspection_finding_inspection
    ON rm_inspection_finding (inspection_id);
CREATE INDEX IF NOT EXISTS rm_inspection_item_inspection ON rm_inspection_item (inspection_id);
ALTER TABLE rm_round ADD COLUMN IF NOT EXISTS mobilized_on date;
ALTER TABLE rm_round ADD COLUMN IF NOT EXISTS plan_filed_on date;
ALTER TABLE rm_inspection ADD COLUMN IF NOT EXISTS suspended_from text;
ALTER TABLE rm_inspection ADD COLUMN IF NOT EXISTS side_exit_reason text;
"""

# Columns an inspection event sets from its payload (the stage: `projections.stages`).
INSPECTION_COLUMNS: dict[type[DomainEvent], dict[str, Callable[[Any], Any]]] = {
    inspection.GroupAuthorized: {
        "leader_user_id": lambda e: e.leader.user_id,
        "window_start": lambda e: e.window_start,
        "window_end": lambda e: e.window_end,
    },
    inspection.InspectionNoticeIssued: {
        "notice_date": lambda e: e.notice_date,
        "planned_stationing_date": lambda e: e.planned_stationing_date,
    },
    inspection.InspectionAnnouncementPublished: {"announced_on": lambda e: e.published_on},
    inspection.GroupStationed: {"stationed_on": lambda e: e.stationed_on},
    inspection.GroupWithdrawn: {"withdrawn_on": lambda e: e.withdrawn_on},
    inspection.InspectionReportDrafted: {"report_version": lambda e: e.report_version},
    inspection.ReportApproved: {"report_approved_on": lambda e: e.approved_on},
    inspection.InspectionFeedbackDelivered: {
        "feedback_delivered_on": lambda e: e.delivered_on,
        "plan_due": lambda e: e.plan_due,
        "written_report_due": lambda e: e.written_report_due,
        "ledger_items": lambda e: len(e.ledger_item_nos),
    },
    inspection.RectificationPlanSubmitted: {"plan_version": lambda e: e.plan_version},
    inspection.RectificationReportSubmitted: {
        "rectification_report_submitted_on": lambda e: e.submitted_on,
        "rectification_report_on_time": lambda e: e.on_time,
    },
    inspection.InspectionClosed: {"closed_on": lambda e: e.closed_on},
    # Side-exits: `suspended_from` is the stage to resume to (`inspection.resumed` carries it).
    inspection.InspectionSuspended: {
        "suspended_from": lambda e: e.suspended_from,
        "side_exit_reason": lambda e: e.reason,
    },
    inspection.InspectionCancelled: {
        "suspended_from": lambda e: None,
        "side_exit_reason": lambda e: e.reason,
    },
    inspection.InspectionResumed: {
        "suspended_from": lambda e: None,
        "side_exit_reason": lambda e: None,
    },
}
# Round events that set a column from their payload.
ROUND_COLUMNS: dict[type[DomainEvent], dict[str, Callable[[Any], Any]]] = {
    round.RoundMobilized: {"mobilized_on": lambda e: e.meeting_on},
    round.RoundPlanFiledWithUpperOffice: {"plan_filed_on": lambda e: e.filed_on},
}
ITEM_EVENTS = (rectification.RectificationItemOpened, rectification.RectificationItemClosed)
FINDING_APPROVED = {
    finding.FindingDrafted: False,
    finding.FindingApproved: True,
    finding.FindingAmended: False,
    finding.FindingReturned: False,
}


class InspectionOverview:
    """The projection behind `/rounds` and `/inspections`."""

    name = "inspection_overview"
    version = 1
    tables: tuple[str, ...] = (
        "rm_round",
        "rm_inspection",
        "rm_inspection_finding",
        "rm_inspection_item",
    )

    def create(self, cur: Cursor[Any]) -> None:
        cur.execute(DDL)

    def handles(self, type_name: str) -> bool:
        return type_name.split(".")[0] in ("round", "inspection", "finding", "rectification")

    def apply(self, cur: Cursor[Any], recorded: RecordedEvent) -> None:
        e, m = recorded.event, recorded.metadata
        if isinstance(e, round.RoundProposed):
            cur.execute(
                "INSERT INTO rm_round VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING",
                (
                    e.round_id,
                    e.jurisdiction_id,
                    e.committee,
                    e.name,
                    e.round_type.value,
                    e.planned_start,
                    e.planned_end,
                    RoundStage.PROPOSED,
                    m.stream_version,
                ),
            )
        elif m.stream_type == "round":
            self._round(cur, e, recorded)
        elif isinstance(e, inspection.InspectionPlanned):
            cur.execute(
                "INSERT INTO rm_inspection (inspection_id, round_id, jurisdiction_id, round_type,"
                " organization_id, organization_name, group_name, stage, stream_version,"
                " updated_at) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)"
                " ON CONFLICT DO NOTHING",
                (
                    e.inspection_id,
                    e.round_id,
                    e.jurisdiction_id,
                    e.round_type.value,
                    e.organization_id,
                    e.organization_name,
                    e.group_name,
                    InspectionStage.PLANNED,
                    m.stream_version,
                    m.occurred_at,
                ),
            )
        elif m.stream_type == "inspection":
            self._inspection(cur, e, recorded)
        elif type(e) in FINDING_APPROVED:
            self._finding(cur, e, FINDING_APPROVED[type(e)])
        elif isinstance(e, ITEM_EVENTS):
            self._item(cur, e)

    @staticmethod
    def _round(cur: Cursor[Any], e: DomainEvent, recorded: RecordedEvent) -> None:
        """Every event of a round's stream moves its version (the `If-Match` a client takes
        from here); some also move the stage or set a column."""
        m = recorded.metadata
        values = {"stage": round_stage(e), "stream_version": m.stream_version}
        values.update({c: get(e) for c, get in (class_entry(ROUND_COLUMNS, e) or {}).items()})
        _update(cur, "rm_round", "round_id", values, m.stream_id)

    @staticmethod
    def _inspection(cur: Cursor[Any], e: DomainEvent, recorded: RecordedEvent) -> None:
        """Every event of an inspection's stream moves its version and `updated_at`; some
        also move the stage or set columns."""
        m = recorded.metadata
        values = {
            "stage": inspection_stage(e),
            "stream_version": m.stream_version,
            "updated_at": m.occurred_at,
        }
        values.update({c: get(e) for c, get in (class_entry(INSPECTION_COLUMNS, e) or {}).items()})
        _update(cur, "rm_inspection", "inspection_id", values, m.stream_id)

    def _finding(self, cur: Cursor[Any], e: Any, approved: bool) -> None:
        cur.execute(
            "INSERT INTO rm_inspection_finding VALUES (%s, %s, %s) "
            "ON CONFLICT (finding_id) DO UPDATE SET approved = EXCLUDED.approved",
            (e.finding_id, e.inspection_id, approved),
        )
        self._recount(cur, e.inspection_id)

    def _item(self, cur: Cursor[Any], e: Any) -> None:
        closed = isinstance(e, rectification.RectificationItemClosed)
        cur.execute(
            "INSERT INTO rm_inspection_item VALUES (%s, %s, %s) "
            "ON CONFLICT (item_id) DO UPDATE SET closed = EXCLUDED.closed",
            (e.item_id, e.inspection_id, closed),
        )
        self._recount(cur, e.inspection_id)

    @staticmethod
    def _recount(cur: Cursor[Any], inspection_id: UUID) -> None:
        cur.execute(
            "UPDATE rm_inspection SET"
            " findings_total = (SELECT count(*) FROM rm_inspection_finding f"
            "   WHERE f.inspection_id = %(id)s),"
            " findings_approved = (SELECT count(*) FROM rm_inspection_finding f"
            "   WHERE f.inspection_id = %(id)s AND f.approved),"
            " items_total = (SELECT count(*) FROM rm_inspection_item i"
            "   WHERE i.inspection_id = %(id)s),"
            " items_closed = (SELECT count(*) FROM rm_inspection_item i"
            "   WHERE i.inspection_id = %(id)s AND i.closed)"
            " WHERE inspection_id = %(id)s",
            {"id": inspection_id},
        )


def _update(cur: Cursor[Any], table: str, key: str, values: dict[str, Any], id_: UUID) -> None:
    """Set `values` on the record at a newer version (a stage of None keeps the stage)."""
    assignments = ", ".join(
        f"{c} = coalesce(%({c})s, {c})" if c == "stage" else f"{c} = %({c})s" for c in values
    )
    cur.execute(
        f"UPDATE {table} SET {assignments} WHERE {key} = %(id)s"  # fixed names
        " AND stream_version < %(stream_version)s",
        {**values, "id": id_},
    )


def list_rounds(conn: Connection[Any], limit: int, offset: int) -> dict[str, Any]:
    return fetch_page(
        conn,
        "SELECT * FROM rm_round",
        {},
        order_by="planned_start DESC, round_id",
        limit=limit,
        offset=offset,
    )


def get_round(conn: Connection[Any], round_id: UUID) -> dict[str, Any] | None:
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute("SELECT * FROM rm_round WHERE round_id = %s", (round_id,))
        return cur.fetchone()


def list_inspections(
    conn: Connection[Any],
    *,
    round_id: UUID | None,
    stage: str | None,
    organization_id: str | None,
    limit: int,
    offset: int,
    inspection_ids: Collection[UUID] | None = None,
    organization_ids: Collection[str] | None = None,
) -> dict[str, Any]:
    """`inspection_ids` / `organization_ids` restrict to the reader's scope (None = all)."""
    return fetch_page(
        conn,
        "SELECT * FROM rm_inspection WHERE (%(r)s::uuid IS NULL OR round_id = %(r)s)"
        " AND (%(s)s::text IS NULL OR stage = %(s)s)"
        " AND (%(o)s::text IS NULL OR organization_id = %(o)s)"
        " AND (%(ii)s::uuid[] IS NULL OR inspection_id = ANY(%(ii)s))"
        " AND (%(oo)s::text[] IS NULL OR organization_id = ANY(%(oo)s))",
        {
            "r": round_id,
            "s": stage,
            "o": organization_id,
            "ii": None if inspection_ids is None else sorted(inspection_ids),
            "oo": None if organization_ids is None else sorted(organization_ids),
        },
        order_by="organization_name, inspection_id",
        limit=limit,
        offset=offset,
    )


def get_inspection(conn: Connection[Any], inspection_id: UUID) -> dict[str, Any] | None:
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute("SELECT * FROM rm_inspection WHERE inspection_id = %s", (inspection_id,))
        return cur.fetchone()

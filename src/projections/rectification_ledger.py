"""Rectification ledger (整改台账): items, owners, deadlines, status, completion, overdue.

Definitions (also in docs/read-models.md):
- completion rate (整改完成率) = closed items / all items, null when there are none;
- overdue = not closed and the deadline is before the reference day (`as_of`, default today);
- closed on time = closed (销号) on or before the deadline.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from psycopg import Connection, Cursor
from psycopg.rows import dict_row

from events import rectification as rect
from events.base import RecordedEvent

DDL = """
CREATE TABLE IF NOT EXISTS rm_rectification_item (
    item_id uuid PRIMARY KEY, inspection_id uuid NOT NULL, round_id uuid NOT NULL,
    organization_id text NOT NULL, organization_name text NOT NULL,
    ledger_item_no int NOT NULL, problem text NOT NULL, measures text NOT NULL,
    responsible_leader text NOT NULL, responsible_department text NOT NULL,
    deadline date NOT NULL, status text NOT NULL, percent int NOT NULL DEFAULT 0,
    opened_at timestamptz NOT NULL, closure_requested_at timestamptz,
    verified_at timestamptz, verifier_organization_id text,
    verification_failures int NOT NULL DEFAULT 0, closed_on date, closed_on_time boolean,
    policy_version int NOT NULL, stream_version bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_rect_inspection ON rm_rectification_item (inspection_id);
CREATE INDEX IF NOT EXISTS rm_rect_org ON rm_rectification_item (organization_id, deadline);
CREATE INDEX IF NOT EXISTS rm_rect_status ON rm_rectification_item (status, deadline);
"""

# Each update applies only if the row has not seen this stream version yet (idempotent SQL).
UPDATES: dict[type[Any], str] = {
    rect.RectificationProgressReported: "status = 'in_progress', percent = %(percent)s",
    rect.ItemClosureRequested: "status = 'closure_requested', closure_requested_at = %(at)s",
    rect.ItemVerified: (
        "status = 'verified', verified_at = %(at)s, verifier_organization_id = %(verifier)s"
    ),
    rect.ItemVerificationFailed: (
        "status = 'in_progress', verification_failures = verification_failures + 1"
    ),
    rect.RectificationItemClosed: "status = 'closed', percent = 100, closed_on = %(closed_on)s,"
    " closed_on_time = %(on_time)s",
}


class RectificationLedger:
    """The projection behind `/rectification-items` and `/rectification-summary`."""

    name = "rectification_ledger"
    tables: tuple[str, ...] = ("rm_rectification_item",)

    def create(self, cur: Cursor[Any]) -> None:
        cur.execute(DDL)

    def handles(self, type_name: str) -> bool:
        return type_name.startswith("rectification.")

    def apply(self, cur: Cursor[Any], recorded: RecordedEvent) -> None:
        e, m = recorded.event, recorded.metadata
        if isinstance(e, rect.RectificationItemOpened):
            cur.execute(
                "INSERT INTO rm_rectification_item (item_id, inspection_id, round_id,"
                " organization_id, organization_name, ledger_item_no, problem, measures,"
                " responsible_leader, responsible_department, deadline, status, opened_at,"
                " policy_version, stream_version) VALUES"
                " (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,'opened',%s,%s,%s) ON CONFLICT DO NOTHING",
                (
                    e.item_id,
                    e.inspection_id,
                    e.round_id,
                    e.organization_id,
                    e.organization_name,
                    e.ledger_item_no,
                    e.problem,
                    e.measures,
                    e.responsible_leader,
                    e.responsible_department,
                    e.deadline,
                    m.occurred_at,
                    e.policy.version,
                    m.stream_version,
                ),
            )
            return
        assignment = UPDATES.get(type(e))
        if assignment is None:
            return
        params = {
            "at": m.occurred_at,
            "version": m.stream_version,
            "id": m.stream_id,
            "percent": getattr(e, "percent", None),
            "verifier": getattr(e, "verifier_organization_id", None),
            "closed_on": getattr(e, "closed_on", None),
            "on_time": getattr(e, "on_time", None),
        }
        cur.execute(
            f"UPDATE rm_rectification_item SET {assignment}, stream_version = %(version)s "
            "WHERE item_id = %(id)s AND stream_version < %(version)s",
            params,
        )


FILTER = (
    " WHERE (%(inspection)s::uuid IS NULL OR inspection_id = %(inspection)s)"
    " AND (%(org)s::text IS NULL OR organization_id = %(org)s)"
    " AND (%(round)s::uuid IS NULL OR round_id = %(round)s)"
)


def list_items(
    conn: Connection[Any],
    *,
    inspection_id: UUID | None,
    organization_id: str | None,
    round_id: UUID | None,
    status: str | None,
    overdue: bool | None,
    as_of: date,
    limit: int,
    offset: int,
) -> list[dict[str, Any]]:
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(
            "SELECT *, (status <> 'closed' AND deadline < %(as_of)s) AS overdue"
            " FROM rm_rectification_item"
            + FILTER
            + " AND (%(status)s::text IS NULL OR status = %(status)s)"
            " AND (%(overdue)s::boolean IS NULL OR"
            "      (status <> 'closed' AND deadline < %(as_of)s) = %(overdue)s)"
            " ORDER BY deadline, ledger_item_no, item_id LIMIT %(limit)s OFFSET %(offset)s",
            {
                "inspection": inspection_id,
                "org": organization_id,
                "round": round_id,
                "status": status,
                "overdue": overdue,
                "as_of": as_of,
                "limit": limit,
                "offset": offset,
            },
        )
        return cur.fetchall()


def get_item(conn: Connection[Any], item_id: UUID, as_of: date) -> dict[str, Any] | None:
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(
            "SELECT *, (status <> 'closed' AND deadline < %s) AS overdue"
            " FROM rm_rectification_item WHERE item_id = %s",
            (as_of, item_id),
        )
        return cur.fetchone()


def summary(
    conn: Connection[Any],
    *,
    inspection_id: UUID | None,
    organization_id: str | None,
    round_id: UUID | None,
    as_of: date,
) -> dict[str, Any]:
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(
            "SELECT count(*) AS total,"
            " count(*) FILTER (WHERE status = 'closed') AS closed,"
            " count(*) FILTER (WHERE status = 'closed' AND closed_on_time) AS closed_on_time,"
            " count(*) FILTER (WHERE status <> 'closed' AND deadline < %(as_of)s) AS overdue,"
            " count(*) FILTER (WHERE status = 'closure_requested') AS awaiting_verification"
            " FROM rm_rectification_item" + FILTER,
            {
                "inspection": inspection_id,
                "org": organization_id,
                "round": round_id,
                "as_of": as_of,
            },
        )
        row = cur.fetchone()
    assert row is not None
    total = row["total"]
    row["completion_rate"] = round(row["closed"] / total, 4) if total else None
    row["as_of"] = as_of
    return row

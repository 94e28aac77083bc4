"""Rectification ledger (整改台账): items, owners, deadlines, status, completion, overdue.

Definitions (also in docs/read-models.md):
- completion rate (整改完成率) = closed items / all items, null when there are none; long-term
  (持续整改) items stay in the denominator and are not closed (DOMAIN.md §11.8);
- overdue = not closed and the deadline is before the reference day (`as_of`, default today);
- closed on time = closed (销号) on or before the deadline in force when it was closed, by the
  day of 销号 the office gave (`closed_on`), not the day it was recorded;
- `*_at` columns are when a step was recorded, `*_on` columns the day it happened; an item
  opens on the day its plan was accepted (`opened_on`, the acceptance's `accepted_on`);
- colour = the last three-colour warning raised by the clock against the current deadline
  (green, yellow, red), none after an extension or reclassification until the clock raises
  one again, and none once closed.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any
from uuid import UUID

from psycopg import Connection, Cursor
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from xuncha.events import rectification as rect
from xuncha.events.base import RecordedEvent
from xuncha.events.vocabulary import RectificationItemStatus, WarningLevel
from xuncha.projections.paging import fetch_page
from xuncha.projections.vocabulary_params import value_params

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
ALTER TABLE rm_rectification_item
    ADD COLUMN IF NOT EXISTS original_deadline date,
    ADD COLUMN IF NOT EXISTS long_term boolean NOT NULL DEFAULT false,
    ADD COLUMN IF NOT EXISTS milestones jsonb,
    ADD COLUMN IF NOT EXISTS extensions int NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS reopens int NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS colour text,
    ADD COLUMN IF NOT EXISTS supervision_notices int NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS accountability_talks int NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS closure_requested_on date,
    ADD COLUMN IF NOT EXISTS verified_on date,
    ADD COLUMN IF NOT EXISTS opened_on date;
CREATE INDEX IF NOT EXISTS rm_rect_inspection ON rm_rectification_item (inspection_id);
CREATE INDEX IF NOT EXISTS rm_rect_org ON rm_rectification_item (organization_id, deadline);
CREATE INDEX IF NOT EXISTS rm_rect_status ON rm_rectification_item (status, deadline);
"""

# The vocabulary values the SQL below names: %(status_closed)s, %(colour_red)s…
VOCABULARY = {
    **value_params("status", RectificationItemStatus),
    **value_params("colour", WarningLevel),
}

# Each update applies only if the row has not seen this stream version yet (idempotent SQL).
UPDATES: dict[type[Any], str] = {
    rect.RectificationProgressReported: "status = CASE WHEN long_term THEN %(status_long_term)s"
    " ELSE %(status_in_progress)s END, percent = %(percent)s",
    rect.ItemClosureRequested: "status = %(status_closure_requested)s,"
    " closure_requested_at = %(at)s, closure_requested_on = %(requested_on)s",
    rect.ItemVerified: (
        "status = %(status_verified)s, verified_at = %(at)s, verified_on = %(verified_on)s,"
        " verifier_organization_id = %(verifier)s"
    ),
    rect.ItemVerificationFailed: (
        "status = CASE WHEN long_term THEN %(status_long_term)s ELSE %(status_in_progress)s END,"
        " verification_failures = verification_failures + 1"
    ),
    rect.RectificationItemClosed: "status = %(status_closed)s, percent = 100,"
    " closed_on = %(closed_on)s, closed_on_time = %(on_time)s, colour = NULL",
    rect.ItemReclassifiedLongTerm: "status = %(status_long_term)s, long_term = true,"
    " deadline = %(deadline)s, milestones = %(milestones)s, colour = NULL",
    rect.ItemDeadlineExtended: "deadline = %(deadline)s, extensions = %(extension_no)s,"
    " colour = NULL",
    rect.RectificationItemReopened: "status = CASE WHEN long_term THEN %(status_long_term)s"
    " ELSE %(status_in_progress)s END, reopens = %(reopen_no)s, closed_on = NULL,"
    " closed_on_time = NULL, verified_at = NULL, verified_on = NULL",
    rect.ItemDeadlineApproaching: "colour = %(level)s",
    rect.ItemOverdue: "colour = %(colour_red)s",
    rect.SupervisionNoticeIssued: "supervision_notices = %(notice_no)s",
    rect.AccountabilityTalkHeld: "accountability_talks = %(talk_no)s",
}


class RectificationLedger:
    """The projection behind `/rectification-items` and `/rectification-summary`."""

    name = "rectification_ledger"
    version = 1
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
                " responsible_leader, responsible_department, deadline, original_deadline,"
                " status, opened_at, opened_on, policy_version, stream_version) VALUES"
                " (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)"
                " ON CONFLICT DO NOTHING",
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
                    e.deadline,
                    RectificationItemStatus.OPENED,
                    m.occurred_at,
                    e.opened_on,
                    e.policy.version,
                    m.stream_version,
                ),
            )
            return
        assignment = UPDATES.get(type(e))
        if assignment is None and m.stream_type != "rectification_item":
            return
        # Every event of the item's stream moves its version, even one that changes no column.
        sets = f"{assignment}, " if assignment else ""
        params = {
            **VOCABULARY,
            "at": m.occurred_at,
            "version": m.stream_version,
            "id": m.stream_id,
            "percent": getattr(e, "percent", None),
            "verifier": getattr(e, "verifier_organization_id", None),
            "closed_on": getattr(e, "closed_on", None),
            "on_time": getattr(e, "on_time", None),
            "requested_on": getattr(e, "requested_on", None),
            "verified_on": getattr(e, "verified_on", None),
            "deadline": getattr(e, "deadline", None),
            "extension_no": getattr(e, "extension_no", None),
            "reopen_no": getattr(e, "reopen_no", None),
            "notice_no": getattr(e, "notice_no", None),
            "talk_no": getattr(e, "talk_no", None),
            "level": getattr(getattr(e, "level", None), "value", None),
            "milestones": Jsonb([ms.model_dump(mode="json") for ms in e.milestones])
            if isinstance(e, rect.ItemReclassifiedLongTerm)
            else None,
        }
        cur.execute(
            f"UPDATE rm_rectification_item SET {sets}stream_version = %(version)s "
            "WHERE item_id = %(id)s AND stream_version < %(version)s",
            params,
        )


FILTER = (
    " WHERE (%(inspection)s::uuid IS NULL OR inspection_id = %(inspection)s)"
    " AND (%(org)s::text IS NULL OR organization_id = %(org)s)"
    " AND (%(round)s::uuid IS NULL OR round_id = %(round)s)"
    # The reader's scope (api/http/access.py): None = every inspection / organization.
    " AND (%(inspections)s::uuid[] IS NULL OR inspection_id = ANY(%(inspections)s))"
    " AND (%(orgs)s::text[] IS NULL OR organization_id = ANY(%(orgs)s))"
)


def _scope(
    inspection_ids: Collection[UUID] | None, organization_ids: Collection[str] | None
) -> dict[str, Any]:
    return {
        "inspections": None if inspection_ids is None else sorted(inspection_ids),
        "orgs": None if organization_ids is None else sorted(organization_ids),
    }


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
    inspection_ids: Collection[UUID] | None = None,
    organization_ids: Collection[str] | None = None,
) -> dict[str, Any]:
    return fetch_page(
        conn,
        "SELECT *, (status <> %(status_closed)s AND deadline < %(as_of)s) AS overdue"
        " FROM rm_rectification_item"
        + FILTER
        + " AND (%(status)s::text IS NULL OR status = %(status)s)"
        " AND (%(overdue)s::boolean IS NULL OR"
        "      (status <> %(status_closed)s AND deadline < %(as_of)s) = %(overdue)s)",
        {
            "inspection": inspection_id,
            "org": organization_id,
            "round": round_id,
            "status": status,
            "overdue": overdue,
            "as_of": as_of,
            **VOCABULARY,
            **_scope(inspection_ids, organization_ids),
        },
        order_by="deadline, ledger_item_no, item_id",
        limit=limit,
        offset=offset,
    )


def get_item(conn: Connection[Any], item_id: UUID, as_of: date) -> dict[str, Any] | None:
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(
            "SELECT *, (status <> %(status_closed)s AND deadline < %(as_of)s) AS overdue"
            " FROM rm_rectification_item WHERE item_id = %(id)s",
            {"as_of": as_of, "id": item_id, **VOCABULARY},
        )
        return cur.fetchone()


def summary(
    conn: Connection[Any],
    *,
    inspection_id: UUID | None,
    organization_id: str | None,
    round_id: UUID | None,
    as_of: date,
    inspection_ids: Collection[UUID] | None = None,
    organization_ids: Collection[str] | None = None,
) -> dict[str, Any]:
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(
            "SELECT count(*) AS total,"
            " count(*) FILTER (WHERE status = %(status_closed)s) AS closed,"
            " count(*) FILTER (WHERE status = %(status_closed)s AND closed_on_time)"
            "   AS closed_on_time,"
            " count(*) FILTER (WHERE status <> %(status_closed)s AND deadline < %(as_of)s)"
            "   AS overdue,"
            " count(*) FILTER (WHERE status = %(status_closure_requested)s)"
            "   AS awaiting_verification,"
            " count(*) FILTER (WHERE long_term AND status <> %(status_closed)s) AS long_term,"
            " count(*) FILTER (WHERE reopens > 0) AS reopened,"
            " count(*) FILTER (WHERE extensions > 0) AS extended,"
            " coalesce(sum(extensions), 0)::int AS extensions,"
            " coalesce(sum(reopens), 0)::int AS reopens,"
            " count(*) FILTER (WHERE colour = %(colour_green)s) AS green,"
            " count(*) FILTER (WHERE colour = %(colour_yellow)s) AS yellow,"
            " count(*) FILTER (WHERE colour = %(colour_red)s) AS red"
            " FROM rm_rectification_item" + FILTER,
            {
                "inspection": inspection_id,
                "org": organization_id,
                "round": round_id,
                "as_of": as_of,
                **VOCABULARY,
                **_scope(inspection_ids, organization_ids),
            },
        )
        row = cur.fetchone()
    assert row is not None
    total = row["total"]
    row["completion_rate"] = round(row["closed"] / total, 4) if total else None
    # Long-term items are in the denominator above; this rate leaves them out, for reports
    # that count 持续整改 separately. null when nothing is left.
    short = total - row["long_term"]
    row["completion_rate_excluding_long_term"] = round(row["closed"] / short, 4) if short else None
    row["as_of"] = as_of
    return row


def monthly_trend(
    conn: Connection[Any],
    *,
    months: int,
    inspection_ids: Collection[UUID] | None = None,
    organization_ids: Collection[str] | None = None,
) -> list[dict[str, Any]]:
    """Items opened (month of `opened_on`, the day the plan was accepted) and closed (month of
    `closed_on`) per month, the last `months` months that have any, oldest first; a reopened
    item counts as closed only when closed again."""
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(
            "WITH scoped AS (SELECT opened_on, closed_on FROM rm_rectification_item"
            "   WHERE (%(ii)s::uuid[] IS NULL OR inspection_id = ANY(%(ii)s))"
            "   AND (%(oo)s::text[] IS NULL OR organization_id = ANY(%(oo)s))),"
            " opened AS (SELECT to_char(opened_on, 'YYYY-MM') AS month,"
            "   count(*) AS n FROM scoped GROUP BY 1),"
            " closed AS (SELECT to_char(closed_on, 'YYYY-MM') AS month, count(*) AS n"
            "   FROM scoped WHERE closed_on IS NOT NULL GROUP BY 1)"
            " SELECT month, coalesce(o.n, 0)::int AS opened, coalesce(c.n, 0)::int AS closed"
            " FROM opened o FULL JOIN closed c USING (month)"
            " ORDER BY month DESC LIMIT %(months)s",
            {
                "ii": None if inspection_ids is None else sorted(inspection_ids),
                "oo": None if organization_ids is None else sorted(organization_ids),
                "months": months,
            },
        )
        return list(reversed(cur.fetchall()))

"""Term coverage (届内全覆盖): per committee term, which organizations of the coverage plan were
inspected and which are still due.

The handlers only keep small lookup tables (plans, registry, rounds, inspections); the answer
is a join at query time, so events may arrive in any order (a plan drafted after some of its
inspections, an organization renamed later) and the result does not depend on it.

Definitions (also in docs/read-models.md):
- an organization of a term's plan is **inspected** when an inspection of it, planned in a round
  of the plan's jurisdiction (or of its parent city, for cross, escalated and linked rounds),
  stationed its group (进驻, `inspection.group_stationed`) on a day within the term
  (term_start..term_end, inclusive) and was not cancelled; suspension does not undo it;
- **scheduled**: not inspected, and such an inspection, not cancelled and not yet stationed, is
  planned in a round whose planned period overlaps the term;
- **deregistered**: not inspected and since removed from the registry (abolished or merged):
  no longer due;
- **due**: everything else in the plan;
- **coverage rate** = inspected / (planned - deregistered), 4 decimals, null when nothing is
  left to inspect;
- an inspection's planning, stationing, feedback, closure or cancellation, or a plan's
  approval, that the office recorded in error (`correction.event_recorded_in_error`) no longer
  counts.
"""

from __future__ import annotations

from typing import Any

from psycopg import Connection, Cursor
from psycopg.rows import dict_row

from xuncha.events import inspection as ins
from xuncha.events import reference as ref
from xuncha.events import round as rnd
from xuncha.events.base import DomainEvent, RecordedEvent
from xuncha.events.correction import EventRecordedInError
from xuncha.events.vocabulary import CoverageStatus
from xuncha.projections.paging import fetch_page
from xuncha.projections.vocabulary_params import value_params

DDL = """
CREATE TABLE IF NOT EXISTS rm_cov_plan (
    plan_id text PRIMARY KEY, jurisdiction_id text NOT NULL, term text NOT NULL,
    term_start date NOT NULL, term_end date NOT NULL, approved boolean NOT NULL DEFAULT false,
    drafts int NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS rm_cov_plan_organization (
    plan_id text NOT NULL, organization_id text NOT NULL, position int NOT NULL,
    PRIMARY KEY (plan_id, organization_id)
);
CREATE TABLE IF NOT EXISTS rm_cov_jurisdiction (
    jurisdiction_id text PRIMARY KEY, name text NOT NULL, parent_id text
);
CREATE TABLE IF NOT EXISTS rm_cov_organization (
    jurisdiction_id text NOT NULL, organization_id text NOT NULL, name text NOT NULL,
    organization_type text NOT NULL, active boolean NOT NULL DEFAULT true,
    PRIMARY KEY (jurisdiction_id, organization_id)
);
CREATE TABLE IF NOT EXISTS rm_cov_round (
    round_id uuid PRIMARY KEY, jurisdiction_id text NOT NULL, name text NOT NULL,
    planned_start date NOT NULL, planned_end date NOT NULL
);
CREATE TABLE IF NOT EXISTS rm_cov_inspection (
    inspection_id uuid PRIMARY KEY, round_id uuid NOT NULL, jurisdiction_id text NOT NULL,
    organization_id text NOT NULL, round_type text NOT NULL, stationed_on date,
    feedback_delivered_on date, closed_on date, cancelled boolean NOT NULL DEFAULT false
);
ALTER TABLE rm_cov_plan ADD COLUMN IF NOT EXISTS approved_event_id uuid;
ALTER TABLE rm_cov_inspection ADD COLUMN IF NOT EXISTS planned_event_id uuid,
    ADD COLUMN IF NOT EXISTS stationed_event_id uuid,
    ADD COLUMN IF NOT EXISTS feedback_event_id uuid,
    ADD COLUMN IF NOT EXISTS closed_event_id uuid,
    ADD COLUMN IF NOT EXISTS cancelled_event_id uuid,
    ADD COLUMN IF NOT EXISTS in_error boolean NOT NULL DEFAULT false;
CREATE INDEX IF NOT EXISTS rm_cov_plan_jurisdiction ON rm_cov_plan (jurisdiction_id, term_start);
CREATE INDEX IF NOT EXISTS rm_cov_inspection_org
    ON rm_cov_inspection (organization_id, jurisdiction_id, stationed_on);
"""

# Inspection facts this read model keeps: the column, the event field holding the day, and
# the column holding the event's id (a correction undoes the fact it names).
INSPECTION_DAYS: dict[type[DomainEvent], tuple[str, str, str]] = {
    ins.GroupStationed: ("stationed_on", "stationed_on", "stationed_event_id"),
    ins.InspectionFeedbackDelivered: (
        "feedback_delivered_on",
        "delivered_on",
        "feedback_event_id",
    ),
    ins.InspectionClosed: ("closed_on", "closed_on", "closed_event_id"),
}
# What `correction.event_recorded_in_error` undoes, by the id of the event it names.
CORRECTIONS = (
    "UPDATE rm_cov_inspection SET in_error = true WHERE planned_event_id = %(id)s",
    "UPDATE rm_cov_inspection SET cancelled = false, cancelled_event_id = NULL"
    " WHERE cancelled_event_id = %(id)s",
    *(
        f"UPDATE rm_cov_inspection SET {column} = NULL, {event_column} = NULL"
        f" WHERE {event_column} = %(id)s"
        for column, _, event_column in INSPECTION_DAYS.values()
    ),
    "UPDATE rm_cov_plan SET approved = false, approved_event_id = NULL"
    " WHERE approved_event_id = %(id)s",
)
_INSPECTION_EVENTS: list[type[DomainEvent]] = [
    ins.InspectionPlanned,
    ins.InspectionCancelled,
    *INSPECTION_DAYS,
]
INSPECTION_TYPES = frozenset(t.type_name for t in _INSPECTION_EVENTS)


class TermCoverage:
    """The projection behind `/coverage/terms` and `/coverage/terms/{term_id}`."""

    name = "term_coverage"
    version = 1
    tables: tuple[str, ...] = (
        "rm_cov_plan",
        "rm_cov_plan_organization",
        "rm_cov_jurisdiction",
        "rm_cov_organization",
        "rm_cov_round",
        "rm_cov_inspection",
    )

    def create(self, cur: Cursor[Any]) -> None:
        cur.execute(DDL)

    def handles(self, type_name: str) -> bool:
        return (
            type_name.startswith(("jurisdiction.", "coverage."))
            or type_name == rnd.RoundProposed.type_name
            or type_name in INSPECTION_TYPES
            or type_name == EventRecordedInError.type_name
        )

    def apply(self, cur: Cursor[Any], recorded: RecordedEvent) -> None:
        e, event_id = recorded.event, recorded.metadata.event_id
        match e:
            case ref.JurisdictionRegistered():
                cur.execute(
                    "INSERT INTO rm_cov_jurisdiction (jurisdiction_id, name, parent_id)"
                    " VALUES (%s,%s,%s) ON CONFLICT DO NOTHING",
                    (e.jurisdiction_id, e.name, e.parent_id),
                )
            case ref.OrganizationRegistered():
                cur.execute(
                    "INSERT INTO rm_cov_organization (jurisdiction_id, organization_id, name,"
                    " organization_type) VALUES (%s,%s,%s,%s) ON CONFLICT DO NOTHING",
                    (e.jurisdiction_id, e.organization_id, e.name, e.organization_type.value),
                )
            case ref.OrganizationRenamed():
                cur.execute(
                    "UPDATE rm_cov_organization SET name = %s"
                    " WHERE jurisdiction_id = %s AND organization_id = %s",
                    (e.name, e.jurisdiction_id, e.organization_id),
                )
            case ref.OrganizationDeregistered():
                cur.execute(
                    "UPDATE rm_cov_organization SET active = false"
                    " WHERE jurisdiction_id = %s AND organization_id = %s",
                    (e.jurisdiction_id, e.organization_id),
                )
            case ref.TermCoveragePlanDrafted():
                # A redraft replaces the plan's list and dates.
                cur.execute(
                    "INSERT INTO rm_cov_plan (plan_id, jurisdiction_id, term, term_start,"
                    " term_end) VALUES (%s,%s,%s,%s,%s) ON CONFLICT (plan_id) DO UPDATE SET"
                    " term_start = excluded.term_start, term_end = excluded.term_end,"
                    " drafts = rm_cov_plan.drafts + 1",
                    (e.plan_id, e.jurisdiction_id, e.term, e.term_start, e.term_end),
                )
                cur.execute("DELETE FROM rm_cov_plan_organization WHERE plan_id = %s", (e.plan_id,))
                cur.executemany(
                    "INSERT INTO rm_cov_plan_organization (plan_id, organization_id, position)"
                    " VALUES (%s,%s,%s)",
                    [(e.plan_id, org, n) for n, org in enumerate(e.organization_ids, 1)],
                )
            case ref.TermCoveragePlanApproved():
                cur.execute(
                    "UPDATE rm_cov_plan SET approved = true WHERE plan_id = %s", (e.plan_id,)
                )
            case rnd.RoundProposed():
                cur.execute(
                    "INSERT INTO rm_cov_round (round_id, jurisdiction_id, name, planned_start,"
                    " planned_end) VALUES (%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING",
                    (e.round_id, e.jurisdiction_id, e.name, e.planned_start, e.planned_end),
                )
            case ins.InspectionPlanned():
                cur.execute(
                    "INSERT INTO rm_cov_inspection (inspection_id, round_id, jurisdiction_id,"
                    " organization_id, round_type, planned_event_id) VALUES (%s,%s,%s,%s,%s,%s)"
                    " ON CONFLICT DO NOTHING",
                    (
                        e.inspection_id,
                        e.round_id,
                        e.jurisdiction_id,
                        e.organization_id,
                        e.round_type.value,
                        event_id,
                    ),
                )
            case ins.InspectionCancelled():
                cur.execute(
                    "UPDATE rm_cov_inspection SET cancelled = true, cancelled_event_id = %s"
                    " WHERE inspection_id = %s",
                    (event_id, e.inspection_id),
                )
            case EventRecordedInError():
                for statement in CORRECTIONS:
                    cur.execute(statement, {"id": e.event_id})
            case _ if type(e) in INSPECTION_DAYS:
                column, field, event_column = INSPECTION_DAYS[type(e)]
                cur.execute(
                    f"UPDATE rm_cov_inspection SET {column} = %s, {event_column} = %s"
                    " WHERE inspection_id = %s",
                    (getattr(e, field), event_id, recorded.metadata.stream_id),
                )


# Inspections that count for a plan: its jurisdiction's rounds, or its parent city's.
_ELIGIBLE = (
    " i.organization_id = po.organization_id AND NOT i.cancelled AND NOT i.in_error"
    " AND (i.jurisdiction_id = p.jurisdiction_id OR i.jurisdiction_id = j.parent_id)"
)

ROWS = f"""
SELECT po.plan_id, po.organization_id, po.position,
       coalesce(o.name, po.organization_id) AS organization_name,
       o.organization_type, coalesce(o.active, true) AS active,
       done.inspection_id, done.round_id, done.stationed_on, done.feedback_delivered_on,
       done.closed_on, done.inspections,
       next.inspection_id AS scheduled_inspection_id, next.round_id AS scheduled_round_id,
       CASE WHEN done.inspection_id IS NOT NULL THEN %(status_inspected)s
            WHEN NOT coalesce(o.active, true) THEN %(status_deregistered)s
            WHEN next.inspection_id IS NOT NULL THEN %(status_scheduled)s
            ELSE %(status_due)s END AS status
FROM rm_cov_plan p
JOIN rm_cov_plan_organization po ON po.plan_id = p.plan_id
LEFT JOIN rm_cov_jurisdiction j ON j.jurisdiction_id = p.jurisdiction_id
LEFT JOIN rm_cov_organization o
       ON o.jurisdiction_id = p.jurisdiction_id AND o.organization_id = po.organization_id
LEFT JOIN LATERAL (
    SELECT i.inspection_id, i.round_id, i.stationed_on, i.feedback_delivered_on, i.closed_on,
           count(*) OVER () AS inspections
    FROM rm_cov_inspection i
    WHERE {_ELIGIBLE} AND i.stationed_on BETWEEN p.term_start AND p.term_end
    ORDER BY i.stationed_on, i.inspection_id LIMIT 1
) done ON true
LEFT JOIN LATERAL (
    SELECT i.inspection_id, i.round_id
    FROM rm_cov_inspection i JOIN rm_cov_round r ON r.round_id = i.round_id
    WHERE {_ELIGIBLE} AND i.stationed_on IS NULL
      AND r.planned_start <= p.term_end AND r.planned_end >= p.term_start
    ORDER BY r.planned_start, i.inspection_id LIMIT 1
) next ON true
WHERE p.plan_id = %(plan)s
"""

SORTS = {
    "plan_order": "position",
    "organization_id": "organization_id, position",
    "organization_name": "organization_name, position",
    "status": "status, position",
    "stationed_on": "stationed_on NULLS LAST, position",
}
STATUSES = tuple(CoverageStatus)
# The statuses the SQL above names: %(status_inspected)s…
VOCABULARY = value_params("status", CoverageStatus)


def _summary(conn: Connection[Any], plan_id: str) -> dict[str, Any]:
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(
            "SELECT count(*) AS planned,"
            " count(*) FILTER (WHERE status = %(status_inspected)s) AS inspected,"
            " count(*) FILTER (WHERE status = %(status_scheduled)s) AS scheduled,"
            " count(*) FILTER (WHERE status = %(status_due)s) AS due,"
            " count(*) FILTER (WHERE status = %(status_deregistered)s) AS deregistered,"
            " count(*) FILTER (WHERE feedback_delivered_on IS NOT NULL) AS feedback_delivered"
            f" FROM ({ROWS}) rows",
            {"plan": plan_id, **VOCABULARY},
        )
        row = cur.fetchone()
    assert row is not None
    left = row["planned"] - row["deregistered"]
    row["coverage_rate"] = round(row["inspected"] / left, 4) if left else None
    return row


def get_term(conn: Connection[Any], plan_id: str) -> dict[str, Any] | None:
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(
            "SELECT plan_id AS term_id, jurisdiction_id, term, term_start, term_end, approved,"
            " drafts FROM rm_cov_plan WHERE plan_id = %s",
            (plan_id,),
        )
        plan = cur.fetchone()
    if plan is None:
        return None
    return {**plan, **_summary(conn, plan_id)}


def list_terms(
    conn: Connection[Any], *, jurisdiction_id: str | None, limit: int, offset: int
) -> dict[str, Any]:
    plans = fetch_page(
        conn,
        "SELECT plan_id FROM rm_cov_plan WHERE (%(j)s::text IS NULL OR jurisdiction_id = %(j)s)",
        {"j": jurisdiction_id},
        order_by="jurisdiction_id, term_start DESC, plan_id",
        limit=limit,
        offset=offset,
    )
    terms = [get_term(conn, row["plan_id"]) for row in plans["items"]]
    return {**plans, "items": [t for t in terms if t is not None]}


def list_organizations(
    conn: Connection[Any],
    plan_id: str,
    *,
    status: str | None,
    sort: str,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    return fetch_page(
        conn,
        f"SELECT * FROM ({ROWS}) rows WHERE (%(status)s::text IS NULL OR status = %(status)s)",
        {"plan": plan_id, "status": status, **VOCABULARY},
        order_by=SORTS[sort],
        limit=limit,
        offset=offset,
    )

"""Lead dashboard (问题线索): disposal rate, acknowledgement lag, dispositions and 四种形态,
and the open leads of each round (见底清零).

Only routing, dates, categories and levels reach these tables; never the subject, the
allegation or the receiving authority's texts (sealed).

Definitions (also in docs/read-models.md):
- transferred = leads handed to a receiving authority (`lead.transferred` or
  `lead.transferred_during_fieldwork`);
- disposed = transferred leads with at least one disposition recorded (any 处置方式, 暂存待查
  included) or an outcome reported;
- disposal rate (线索处置率) = disposed ÷ transferred, 4 decimals, null when none was transferred;
- acknowledgement lag = acknowledged_on − transferred_on in days, over acknowledged leads:
  average (2 decimals), median (p50, interpolated between the two middle values) and maximum;
  open unacknowledged = transferred, not acknowledged, not closed;
- disposition distribution: each disposed lead counted once under its latest category (an
  outcome's category replaces the disposition's);
- 四种形态 distribution: each lead counted once under its latest level (1–4) as recorded with
  its latest disposition or outcome; leads with no level are `none`;
- open = not closed; a round is cleared (见底清零) when none of its leads is open (a round
  without leads is cleared).
- a record whose creating event was recorded in error (`correction.event_recorded_in_error`)
  no longer counts; a transition recorded in error is not undone here.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg import Connection, Cursor
from psycopg.rows import dict_row

from xuncha.events import lead
from xuncha.events import round as rounds
from xuncha.events.base import RecordedEvent
from xuncha.events.correction import EventRecordedInError
from xuncha.events.vocabulary import FourForms, LeadStage, RoundStage
from xuncha.projections.dashboard_support import class_entry, mark_in_error, order_by
from xuncha.projections.stages import ROUND_STAGE_TYPES, round_stage

DDL = """
CREATE TABLE IF NOT EXISTS rm_ld_round (
    round_id uuid PRIMARY KEY, name text NOT NULL, planned_start date NOT NULL,
    stage text NOT NULL
);
ALTER TABLE rm_ld_round ADD COLUMN IF NOT EXISTS in_error boolean NOT NULL DEFAULT false;
CREATE TABLE IF NOT EXISTS rm_ld_lead (
    lead_id uuid PRIMARY KEY, inspection_id uuid NOT NULL, round_id uuid NOT NULL,
    organization_id text NOT NULL, status text NOT NULL, receiver_organization_id text,
    transferred_on date, acknowledged_on date, disposition text, four_forms_level int,
    disposed boolean NOT NULL DEFAULT false, closed boolean NOT NULL DEFAULT false,
    stream_version bigint NOT NULL
);
ALTER TABLE rm_ld_lead ADD COLUMN IF NOT EXISTS in_error boolean NOT NULL DEFAULT false;
CREATE INDEX IF NOT EXISTS rm_ld_lead_round ON rm_ld_lead (round_id, closed);
CREATE INDEX IF NOT EXISTS rm_ld_lead_receiver ON rm_ld_lead (receiver_organization_id, round_id);
CREATE INDEX IF NOT EXISTS rm_ld_lead_inspection ON rm_ld_lead (inspection_id);
"""

DISPOSITIONS = tuple(d.value for d in lead.Disposition)
FORMS = tuple(FourForms)


def _transferred(e: Any) -> dict[str, Any]:
    return {
        "status": LeadStage.TRANSFERRED,
        "receiver_organization_id": e.receiver.organization_id,
        "transferred_on": e.transferred_on,
    }


def _decided(e: Any) -> dict[str, Any]:
    return {
        "status": LeadStage.DISPOSED
        if isinstance(e, lead.LeadDispositionRecorded)
        else LeadStage.OUTCOME_REPORTED,
        "disposition": e.category.value,
        "four_forms_level": e.four_forms_level,
        "disposed": True,
    }


COLUMNS: dict[type[Any], Any] = {
    lead.LeadClassified: lambda e: {"status": LeadStage.CLASSIFIED},
    lead.LeadTransferApproved: lambda e: {
        "status": LeadStage.TRANSFER_APPROVED,
        "receiver_organization_id": e.receiver.organization_id,
    },
    lead.LeadTransferred: _transferred,
    lead.LeadTransferredDuringFieldwork: _transferred,
    lead.LeadAcknowledged: lambda e: {
        "status": LeadStage.ACKNOWLEDGED,
        "acknowledged_on": e.acknowledged_on,
    },
    lead.LeadDispositionRecorded: _decided,
    lead.LeadOutcomeReported: _decided,
    lead.LeadClosed: lambda e: {"status": LeadStage.CLOSED, LeadStage.CLOSED: True},
}
ROUND_SORTS = ("open", "total", "closed", "planned_start", "name")


# A record whose creating event was recorded in error no longer counts: (table, key column) by
# the type of the event marked.
CREATIONS = {
    "round.proposed": ("rm_ld_round", "round_id"),
    "lead.registered": ("rm_ld_lead", "lead_id"),
}


class LeadDashboard:
    """The projection behind `GET /dashboards/leads`."""

    name = "lead_dashboard"
    version = 1
    tables: tuple[str, ...] = ("rm_ld_round", "rm_ld_lead")

    def create(self, cur: Cursor[Any]) -> None:
        cur.execute(DDL)

    def handles(self, type_name: str) -> bool:
        return (
            type_name.startswith("lead.")
            or type_name in ROUND_STAGE_TYPES
            or type_name in ("round.proposed", "correction.event_recorded_in_error")
        )

    def apply(self, cur: Cursor[Any], recorded: RecordedEvent) -> None:
        e, m = recorded.event, recorded.metadata
        if isinstance(e, rounds.RoundProposed):
            cur.execute(
                "INSERT INTO rm_ld_round (round_id, name, planned_start, stage)"
                " VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (e.round_id, e.name, e.planned_start, RoundStage.PROPOSED),
            )
            return
        if (stage := round_stage(e)) is not None:
            cur.execute(
                "UPDATE rm_ld_round SET stage = %s WHERE round_id = %s", (stage, m.stream_id)
            )
            return
        if isinstance(e, EventRecordedInError):
            mark_in_error(cur, CREATIONS, e)
            return
        if isinstance(e, lead.LeadRegistered):
            cur.execute(
                "INSERT INTO rm_ld_lead (lead_id, inspection_id, round_id, organization_id,"
                " status, stream_version) VALUES (%s, %s, %s, %s, %s, %s)"
                " ON CONFLICT DO NOTHING",
                (
                    e.lead_id,
                    e.inspection_id,
                    e.round_id,
                    e.organization_id,
                    LeadStage.REGISTERED,
                    m.stream_version,
                ),
            )
            return
        columns = class_entry(COLUMNS, e)
        # An event of the lead without a column of its own (an overdue flag) still moves the
        # version the row shows.
        values: dict[str, Any] = columns(e) if columns is not None else {}
        assignments = "".join(f"{name} = %({name})s, " for name in values)
        cur.execute(
            f"UPDATE rm_ld_lead SET {assignments}stream_version = %(version)s"  # fixed names
            " WHERE lead_id = %(id)s AND stream_version < %(version)s",
            {**values, "version": m.stream_version, "id": m.stream_id},
        )


FILTER = """
FROM rm_ld_lead l
WHERE NOT l.in_error
  AND (%(round)s::uuid IS NULL OR l.round_id = %(round)s)
  AND (%(inspection)s::uuid IS NULL OR l.inspection_id = %(inspection)s)
  AND (%(receiver)s::text IS NULL OR
       (l.receiver_organization_id = %(receiver)s AND l.transferred_on IS NOT NULL))
"""


def dashboard(
    conn: Connection[Any],
    *,
    round_id: UUID | None,
    inspection_id: UUID | None,
    receiver_organization_id: str | None,
    sort: str,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    """The figures for the leads in the filter, and a page of rounds with their open leads
    (`sort` is checked by the caller against ROUND_SORTS, optionally with a leading `-`)."""
    params = {
        "round": round_id,
        "inspection": inspection_id,
        "receiver": receiver_organization_id,
        "limit": limit,
        "offset": offset,
    }
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(
            "SELECT count(*)::int AS total,"
            " count(*) FILTER (WHERE NOT l.closed)::int AS open,"
            " count(*) FILTER (WHERE l.transferred_on IS NOT NULL)::int AS transferred,"
            " count(*) FILTER (WHERE l.transferred_on IS NOT NULL AND l.disposed)::int"
            "   AS disposed,"
            " count(*) FILTER (WHERE l.acknowledged_on IS NOT NULL)::int AS acknowledged,"
            " count(*) FILTER (WHERE l.transferred_on IS NOT NULL AND l.acknowledged_on IS NULL"
            "   AND NOT l.closed)::int AS open_unacknowledged,"
            " round(avg(l.acknowledged_on - l.transferred_on), 2)::float8 AS average_days,"
            " (percentile_cont(0.5) WITHIN GROUP"
            "   (ORDER BY l.acknowledged_on - l.transferred_on))::float8 AS p50_days,"
            " max(l.acknowledged_on - l.transferred_on) AS max_days" + FILTER,
            params,
        )
        figures = cur.fetchone()
        assert figures is not None
        cur.execute(
            "SELECT l.disposition, count(*)::int AS n" + FILTER + " AND l.disposed GROUP BY 1",
            params,
        )
        dispositions = {row["disposition"]: row["n"] for row in cur.fetchall()}
        cur.execute(
            "SELECT coalesce(l.four_forms_level::text, %(form_none)s) AS level, count(*)::int AS n"
            + FILTER
            + " AND l.disposed GROUP BY 1",
            {**params, "form_none": FourForms.NONE},
        )
        forms = {row["level"]: row["n"] for row in cur.fetchall()}
        order = order_by(sort, ROUND_SORTS, "round_id")
        # Every round (a round without leads is cleared), or with `inspection_id` only the
        # rounds with leads in the filter.
        rounds_sql = (
            "WITH x AS (SELECT l.round_id, count(*)::int AS total,"
            " count(*) FILTER (WHERE NOT l.closed)::int AS open,"
            " count(*) FILTER (WHERE l.closed)::int AS closed" + FILTER + " GROUP BY l.round_id)"
            " SELECT r.round_id, r.name, r.planned_start, r.stage,"
            " coalesce(x.total, 0) AS total, coalesce(x.open, 0) AS open,"
            " coalesce(x.closed, 0) AS closed, coalesce(x.open, 0) = 0 AS cleared"
            " FROM rm_ld_round r LEFT JOIN x ON x.round_id = r.round_id"
            " WHERE NOT r.in_error AND (%(round)s::uuid IS NULL OR r.round_id = %(round)s)"
            " AND (%(inspection)s::uuid IS NULL OR x.round_id IS NOT NULL)"
        )
        cur.execute(
            f"SELECT * FROM ({rounds_sql}) s ORDER BY {order} LIMIT %(limit)s OFFSET %(offset)s",
            params,
        )
        rounds = cur.fetchall()
        cur.execute(f"SELECT count(*)::int AS n FROM ({rounds_sql}) s", params)
        counted = cur.fetchone()
    total_rounds = counted["n"] if counted else 0
    transferred = figures["transferred"]
    totals = {
        "total": figures["total"],
        "open": figures["open"],
        "cleared": figures["open"] == 0,
        "transferred": transferred,
        "disposed": figures["disposed"],
        "disposal_rate": round(figures["disposed"] / transferred, 4) if transferred else None,
        "acknowledgement": {
            "acknowledged": figures["acknowledged"],
            "open_unacknowledged": figures["open_unacknowledged"],
            "average_days": figures["average_days"],
            "p50_days": figures["p50_days"],
            "max_days": figures["max_days"],
        },
        "dispositions": {d: dispositions.get(d, 0) for d in DISPOSITIONS},
        "four_forms": {level: forms.get(level, 0) for level in FORMS},
    }
    return {
        "totals": totals,
        "rounds": {"total": total_rounds, "limit": limit, "offset": offset, "items": rounds},
    }

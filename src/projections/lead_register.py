"""Lead register (问题线索台账): each lead's stage, receiver, clocks and flags, per inspection
and round, for `GET /leads` and the 见底清零 summary.

Sealed fields (the subject's name and position, the allegation, the authority's texts) are
never read here: only routing, dates, categories and flags reach this table.

Definitions: open = not closed; cleared (见底清零) = there are leads and none is open, or there
are none.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any
from uuid import UUID

from psycopg import Connection, Cursor
from psycopg.rows import dict_row

from xuncha.events import lead
from xuncha.events.base import RecordedEvent
from xuncha.events.vocabulary import Disposition, LeadStage
from xuncha.projections.paging import fetch_page
from xuncha.projections.vocabulary_params import value_params

DDL = """
CREATE TABLE IF NOT EXISTS rm_lead (
    lead_id uuid PRIMARY KEY, inspection_id uuid NOT NULL, round_id uuid NOT NULL,
    jurisdiction_id text NOT NULL, organization_id text NOT NULL,
    management_level text NOT NULL, during_fieldwork boolean NOT NULL,
    status text NOT NULL, lead_type text, urgency text, fast_track text,
    receiver_channel text, receiver_organization_id text, receiver_name text,
    transferred_on date, fast_tracked boolean NOT NULL DEFAULT false,
    acknowledgement_due date, outcome_due date, policy_version int,
    acknowledged_on date, receiver_case_no text, disposition text, four_forms_level int,
    dispositions int NOT NULL DEFAULT 0, outcome_reported_on date,
    acknowledgement_overdue boolean NOT NULL DEFAULT false,
    outcome_overdue boolean NOT NULL DEFAULT false, closed_on date,
    registered_at timestamptz NOT NULL, stream_version bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_lead_inspection ON rm_lead (inspection_id);
CREATE INDEX IF NOT EXISTS rm_lead_round ON rm_lead (round_id, status);
CREATE INDEX IF NOT EXISTS rm_lead_receiver ON rm_lead (receiver_organization_id, status);
"""

# The vocabulary values the SQL below names: %(status_closed)s, %(disposition_shelved)s…
VOCABULARY = {**value_params("status", LeadStage), **value_params("disposition", Disposition)}


def _transferred(e: Any) -> dict[str, Any]:
    return {
        "status": LeadStage.TRANSFERRED,
        "receiver_channel": e.receiver.channel.value,
        "receiver_organization_id": e.receiver.organization_id,
        "receiver_name": e.receiver.name,
        "transferred_on": e.transferred_on,
        "fast_tracked": isinstance(e, lead.LeadTransferredDuringFieldwork),
        "acknowledgement_due": e.acknowledgement_due,
        "outcome_due": e.outcome_due,
        "policy_version": e.policy.version,
    }


def _answered_on_time(flag: str, on_time: bool) -> dict[str, Any]:
    """An answer dated on or before its due day clears the clock's overdue flag: it was
    recorded late, not given late. A late answer leaves the flag as it is."""
    return {flag: False} if on_time else {}


# The columns each event sets (never a sealed field).
COLUMNS: dict[type[Any], Any] = {
    lead.LeadClassified: lambda e: {
        "status": LeadStage.CLASSIFIED,
        "lead_type": e.lead_type.value,
        "urgency": e.urgency.value,
        "fast_track": e.fast_track.value if e.fast_track else None,
    },
    lead.LeadTransferApproved: lambda e: {
        "status": LeadStage.TRANSFER_APPROVED,
        "receiver_channel": e.receiver.channel.value,
        "receiver_organization_id": e.receiver.organization_id,
        "receiver_name": e.receiver.name,
    },
    lead.LeadTransferred: _transferred,
    lead.LeadTransferredDuringFieldwork: _transferred,
    lead.LeadAcknowledged: lambda e: {
        "status": LeadStage.ACKNOWLEDGED,
        "acknowledged_on": e.acknowledged_on,
        "receiver_case_no": e.receiver_case_no,
        **_answered_on_time("acknowledgement_overdue", e.on_time),
    },
    lead.LeadAcknowledgementOverdue: lambda e: {"acknowledgement_overdue": True},
    lead.LeadDispositionRecorded: lambda e: {
        "status": LeadStage.DISPOSED,
        "disposition": e.category.value,
        "four_forms_level": e.four_forms_level,
    },
    lead.LeadOutcomeReported: lambda e: {
        "status": LeadStage.OUTCOME_REPORTED,
        "outcome_reported_on": e.reported_on,
        "four_forms_level": e.four_forms_level,
        **_answered_on_time("outcome_overdue", e.on_time),
    },
    lead.LeadOutcomeOverdue: lambda e: {"outcome_overdue": True},
    lead.LeadClosed: lambda e: {"status": LeadStage.CLOSED, "closed_on": e.closed_on},
}


class LeadRegister:
    """The projection behind `/leads` and `/lead-summary`."""

    name = "lead_register"
    version = 1
    tables: tuple[str, ...] = ("rm_lead",)

    def create(self, cur: Cursor[Any]) -> None:
        cur.execute(DDL)

    def handles(self, type_name: str) -> bool:
        return type_name.startswith("lead.")

    def apply(self, cur: Cursor[Any], recorded: RecordedEvent) -> None:
        e, m = recorded.event, recorded.metadata
        if isinstance(e, lead.LeadRegistered):
            cur.execute(
                "INSERT INTO rm_lead (lead_id, inspection_id, round_id, jurisdiction_id,"
                " organization_id, management_level, during_fieldwork, status, registered_at,"
                " stream_version) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)"
                " ON CONFLICT DO NOTHING",
                (
                    e.lead_id,
                    e.inspection_id,
                    e.round_id,
                    e.jurisdiction_id,
                    e.organization_id,
                    e.management_level.value,
                    e.during_fieldwork,
                    LeadStage.REGISTERED,
                    m.occurred_at,
                    m.stream_version,
                ),
            )
            return
        columns = COLUMNS.get(type(e))
        if columns is None:
            return
        values: dict[str, Any] = columns(e)
        if isinstance(e, lead.LeadDispositionRecorded):
            assignments = ["dispositions = dispositions + 1"]
        else:
            assignments = []
        assignments += [f"{name} = %({name})s" for name in values]
        cur.execute(
            f"UPDATE rm_lead SET {', '.join(assignments)}, stream_version = %(version)s"
            " WHERE lead_id = %(id)s AND stream_version < %(version)s",
            {**values, "version": m.stream_version, "id": m.stream_id},
        )


FILTER = (
    " WHERE (%(inspection)s::uuid IS NULL OR inspection_id = %(inspection)s)"
    " AND (%(round)s::uuid IS NULL OR round_id = %(round)s)"
    # A receiving authority sees a lead once it was transferred to it, not when approved.
    " AND (%(receiver)s::text IS NULL OR"
    "      (receiver_organization_id = %(receiver)s AND transferred_on IS NOT NULL))"
    # The reader's inspections (api/http/access.py): None = every inspection.
    " AND (%(inspections)s::uuid[] IS NULL OR inspection_id = ANY(%(inspections)s))"
)


def _inspections(inspection_ids: Collection[UUID] | None) -> list[UUID] | None:
    return None if inspection_ids is None else sorted(inspection_ids)


def list_leads(
    conn: Connection[Any],
    *,
    inspection_id: UUID | None,
    round_id: UUID | None,
    receiver_organization_id: str | None,
    status: str | None,
    open: bool | None,
    limit: int,
    offset: int,
    inspection_ids: Collection[UUID] | None = None,
) -> dict[str, Any]:
    return fetch_page(
        conn,
        "SELECT * FROM rm_lead" + FILTER + " AND (%(status)s::text IS NULL OR status = %(status)s)"
        " AND (%(open)s::boolean IS NULL OR (status <> %(status_closed)s) = %(open)s)",
        {
            "inspection": inspection_id,
            "round": round_id,
            "receiver": receiver_organization_id,
            "status": status,
            "open": open,
            **VOCABULARY,
            "inspections": _inspections(inspection_ids),
        },
        order_by="registered_at, lead_id",
        limit=limit,
        offset=offset,
    )


def get_lead(conn: Connection[Any], lead_id: UUID) -> dict[str, Any] | None:
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute("SELECT * FROM rm_lead WHERE lead_id = %s", (lead_id,))
        return cur.fetchone()


def summary(
    conn: Connection[Any],
    *,
    inspection_id: UUID | None,
    round_id: UUID | None,
    receiver_organization_id: str | None,
    inspection_ids: Collection[UUID] | None = None,
) -> dict[str, Any]:
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(
            "SELECT count(*) AS total,"
            " count(*) FILTER (WHERE status <> %(status_closed)s) AS open,"
            " count(*) FILTER (WHERE status = %(status_closed)s) AS closed,"
            " count(*) FILTER (WHERE status = %(status_registered)s"
            "   OR status = %(status_classified)s OR status = %(status_transfer_approved)s)"
            "   AS not_transferred,"
            " count(*) FILTER (WHERE fast_tracked) AS fast_tracked,"
            " count(*) FILTER (WHERE disposition = %(disposition_shelved)s"
            "   AND status = %(status_disposed)s) AS shelved,"
            " count(*) FILTER (WHERE acknowledgement_overdue) AS acknowledgement_overdue,"
            " count(*) FILTER (WHERE outcome_overdue) AS outcome_overdue"
            " FROM rm_lead" + FILTER,
            {
                "inspection": inspection_id,
                "round": round_id,
                "receiver": receiver_organization_id,
                "inspections": _inspections(inspection_ids),
                **VOCABULARY,
            },
        )
        row = cur.fetchone()
    assert row is not None
    row["cleared"] = row["open"] == 0
    return row

"""Fieldwork register: what a group did on site, petitions and interviews by status, and the
immediate rectifications (立行立改) that the report and feedback ledger must still list.

Sealed fields never reach these tables: petitioner identity, petition content, interviewee
and interview record are not columns, and the generic record log stores `public_data`.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from psycopg import Connection, Cursor
from psycopg.rows import dict_row

from xuncha.events import fieldwork as fw
from xuncha.events import interview as iv
from xuncha.events import petition as pt
from xuncha.events.base import RecordedEvent
from xuncha.events.vocabulary import ImmediateRectificationStatus, PetitionStatus
from xuncha.projections.paging import fetch_page
from xuncha.projections.vocabulary_params import value_params

DDL = """
CREATE TABLE IF NOT EXISTS rm_fieldwork_record (
    position bigint PRIMARY KEY, inspection_id uuid NOT NULL, stream_type text NOT NULL,
    type text NOT NULL, record_id uuid, occurred_at timestamptz NOT NULL,
    actor_user_id text NOT NULL, data jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_fieldwork_record_inspection
    ON rm_fieldwork_record (inspection_id, type, position);
CREATE INDEX IF NOT EXISTS rm_fieldwork_record_id ON rm_fieldwork_record (record_id);
CREATE TABLE IF NOT EXISTS rm_petition (
    petition_id uuid PRIMARY KEY, inspection_id uuid NOT NULL, channel text NOT NULL,
    received_on date NOT NULL, anonymous boolean NOT NULL, status text NOT NULL,
    in_scope boolean, forwarded_to text, forwarded_on date, acknowledged_on date,
    finding_ids jsonb NOT NULL DEFAULT '[]', stream_version bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_petition_inspection ON rm_petition (inspection_id, status);
ALTER TABLE rm_petition ADD COLUMN IF NOT EXISTS lead_ids jsonb NOT NULL DEFAULT '[]';
CREATE TABLE IF NOT EXISTS rm_interview (
    interview_id uuid PRIMARY KEY, inspection_id uuid NOT NULL, interviewers jsonb NOT NULL,
    category text NOT NULL, conducted_on date NOT NULL, signed boolean NOT NULL,
    signed_on date, stream_version bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_interview_inspection ON rm_interview (inspection_id);
CREATE TABLE IF NOT EXISTS rm_immediate_rectification (
    item_id uuid PRIMARY KEY, inspection_id uuid NOT NULL, organization_id text NOT NULL,
    problem text NOT NULL, measures text NOT NULL, finding_id uuid, requested_on date NOT NULL,
    status text NOT NULL, completed_on date, outcome text, stream_version bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_immediate_inspection ON rm_immediate_rectification (inspection_id);
"""

RECORD_IDS = (
    "briefing_id",
    "survey_id",
    "request_id",
    "visit_id",
    "check_id",
    "meeting_id",
    "leave_id",
    "instruction_id",
)
# The petition statuses the SQL below names: %(status_in_scope)s…
PETITION_VALUES = value_params("status", PetitionStatus)
PETITION_STATUS: dict[type[Any], str] = {
    pt.PetitionAssessedInScope: "status = %(status_in_scope)s, in_scope = true",
    pt.PetitionAssessedOutOfScope: "status = %(status_out_of_scope)s, in_scope = false",
    pt.PetitionForwarded: (
        "status = %(status_forwarded)s, forwarded_to = %(department_id)s,"
        " forwarded_on = %(forwarded_on)s"
    ),
    pt.PetitionForwardAcknowledged: (
        "status = %(status_acknowledged)s, acknowledged_on = %(acknowledged_on)s"
    ),
    pt.PetitionLinkedToFinding: (
        "status = %(status_linked)s,"
        " finding_ids = finding_ids || jsonb_build_array(%(finding_id)s::text)"
    ),
    pt.PetitionLinkedToLead: (
        "status = %(status_linked)s, lead_ids = lead_ids || jsonb_build_array(%(lead_id)s::text)"
    ),
    pt.PetitionClosedNoAction: "status = %(status_closed_no_action)s",
}


class FieldworkRegister:
    name = "fieldwork_register"
    version = 1
    tables: tuple[str, ...] = (
        "rm_fieldwork_record",
        "rm_petition",
        "rm_interview",
        "rm_immediate_rectification",
    )

    def create(self, cur: Cursor[Any]) -> None:
        cur.execute(DDL)

    def handles(self, type_name: str) -> bool:
        prefix = type_name.split(".", 1)[0]
        return prefix in ("fieldwork", "management", "petition", "interview") or (
            prefix == "immediate_rectification"
        )

    def apply(self, cur: Cursor[Any], recorded: RecordedEvent) -> None:
        event, m = recorded.event, recorded.metadata
        version = m.stream_version
        if m.stream_type in ("fieldwork", "group_management"):
            data = event.public_data()
            record_id = next((data[k] for k in RECORD_IDS if k in data), None)
            cur.execute(
                "INSERT INTO rm_fieldwork_record VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (position) DO NOTHING",
                (
                    recorded.position,
                    data["inspection_id"],
                    m.stream_type,
                    event.type_name,
                    record_id,
                    m.occurred_at,
                    m.actor.user_id,
                    json.dumps(data, ensure_ascii=False),
                ),
            )
        elif isinstance(event, pt.PetitionRegistered):
            cur.execute(
                "INSERT INTO rm_petition (petition_id, inspection_id, channel, received_on,"
                " anonymous, status, stream_version) VALUES (%s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (petition_id) DO NOTHING",
                (
                    event.petition_id,
                    event.inspection_id,
                    event.channel.value,
                    event.received_on,
                    event.anonymous,
                    PetitionStatus.REGISTERED,
                    version,
                ),
            )
        elif type(event) in PETITION_STATUS:
            params = {
                **event.model_dump(mode="json"),
                **PETITION_VALUES,
                "v": version,
                "id": m.stream_id,
            }
            cur.execute(
                f"UPDATE rm_petition SET {PETITION_STATUS[type(event)]}, stream_version = %(v)s"
                " WHERE petition_id = %(id)s AND stream_version < %(v)s",
                params,
            )
        elif isinstance(event, iv.InterviewConducted):
            cur.execute(
                "INSERT INTO rm_interview VALUES (%s, %s, %s, %s, %s, false, NULL, %s)"
                " ON CONFLICT (interview_id) DO NOTHING",
                (
                    event.interview_id,
                    event.inspection_id,
                    json.dumps(event.interviewers),
                    event.category.value,
                    event.conducted_on,
                    version,
                ),
            )
        elif isinstance(event, iv.InterviewRecordSigned):
            cur.execute(
                "UPDATE rm_interview SET signed = true, signed_on = %s, stream_version = %s"
                " WHERE interview_id = %s AND stream_version < %s",
                (event.signed_on, version, event.interview_id, version),
            )
        elif isinstance(event, fw.ImmediateRectificationRequested):
            cur.execute(
                "INSERT INTO rm_immediate_rectification VALUES"
                " (%s, %s, %s, %s, %s, %s, %s, %s, NULL, NULL, %s)"
                " ON CONFLICT (item_id) DO NOTHING",
                (
                    event.item_id,
                    event.inspection_id,
                    event.organization_id,
                    event.problem,
                    event.measures,
                    event.finding_id,
                    event.requested_on,
                    ImmediateRectificationStatus.REQUESTED,
                    version,
                ),
            )
        elif isinstance(event, fw.ImmediateRectificationCompleted):
            cur.execute(
                "UPDATE rm_immediate_rectification SET status = %s, completed_on = %s,"
                " outcome = %s, stream_version = %s WHERE item_id = %s AND stream_version < %s",
                (
                    ImmediateRectificationStatus.COMPLETED,
                    event.completed_on,
                    event.outcome,
                    version,
                    event.item_id,
                    version,
                ),
            )


def records(
    conn: Connection[Any], inspection_id: UUID, type_: str | None, limit: int, offset: int
) -> dict[str, Any]:
    return fetch_page(
        conn,
        "SELECT * FROM rm_fieldwork_record WHERE inspection_id = %(inspection)s"
        " AND (%(type)s::text IS NULL OR type = %(type)s)",
        {"inspection": inspection_id, "type": type_ or None},
        order_by="position",
        limit=limit,
        offset=offset,
    )


def petitions(
    conn: Connection[Any], inspection_id: UUID, status: str | None, limit: int, offset: int
) -> dict[str, Any]:
    return fetch_page(
        conn,
        "SELECT * FROM rm_petition WHERE inspection_id = %(inspection)s"
        " AND (%(status)s::text IS NULL OR status = %(status)s)",
        {"inspection": inspection_id, "status": status or None},
        order_by="received_on, petition_id",
        limit=limit,
        offset=offset,
    )


def interviews(
    conn: Connection[Any], inspection_id: UUID, limit: int, offset: int
) -> dict[str, Any]:
    return fetch_page(
        conn,
        "SELECT * FROM rm_interview WHERE inspection_id = %(inspection)s",
        {"inspection": inspection_id},
        order_by="conducted_on, interview_id",
        limit=limit,
        offset=offset,
    )


def immediate_rectifications(
    conn: Connection[Any], inspection_id: UUID, limit: int, offset: int
) -> dict[str, Any]:
    return fetch_page(
        conn,
        "SELECT * FROM rm_immediate_rectification WHERE inspection_id = %(inspection)s",
        {"inspection": inspection_id},
        order_by="requested_on, item_id",
        limit=limit,
        offset=offset,
    )


def _rows(conn: Connection[Any], query: str, params: list[Any]) -> list[dict[str, Any]]:
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(query, params)
        return cur.fetchall()


def _one(conn: Connection[Any], query: str, record_id: UUID) -> dict[str, Any] | None:
    found = _rows(conn, query, [record_id])
    return found[0] if found else None


def petition(conn: Connection[Any], petition_id: UUID) -> dict[str, Any] | None:
    return _one(conn, "SELECT * FROM rm_petition WHERE petition_id = %s", petition_id)


def interview(conn: Connection[Any], interview_id: UUID) -> dict[str, Any] | None:
    return _one(conn, "SELECT * FROM rm_interview WHERE interview_id = %s", interview_id)


def immediate_rectification(conn: Connection[Any], item_id: UUID) -> dict[str, Any] | None:
    query = "SELECT * FROM rm_immediate_rectification WHERE item_id = %s"
    return _one(conn, query, item_id)


def record(conn: Connection[Any], record_id: UUID) -> list[dict[str, Any]]:
    """The events of one fieldwork or management record (a briefing, survey, document
    request, site visit, special check, group meeting, leave, instruction), in log order."""
    query = "SELECT * FROM rm_fieldwork_record WHERE record_id = %s ORDER BY position"
    return _rows(conn, query, [record_id])

"""Audit trail: every event with its metadata, filterable by stream, actor, type and time.
An event recorded in error (§7.4) keeps its row, marked with the correction's reason."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import Connection, Cursor
from psycopg.sql import SQL, Identifier

from events.base import RecordedEvent
from events.correction import EventRecordedInError

DDL = """
CREATE TABLE IF NOT EXISTS rm_audit_event (
    position bigint PRIMARY KEY,
    event_id uuid NOT NULL UNIQUE,
    stream_id uuid NOT NULL,
    stream_type text NOT NULL,
    stream_version bigint NOT NULL,
    type text NOT NULL,
    version int NOT NULL,
    occurred_at timestamptz NOT NULL,
    actor_user_id text NOT NULL,
    actor_role text NOT NULL,
    actor_organization_id text NOT NULL,
    command text NOT NULL,
    reason text,
    correlation_id uuid NOT NULL,
    causation_id uuid NOT NULL,
    data jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_audit_event_stream ON rm_audit_event (stream_id, stream_version);
CREATE INDEX IF NOT EXISTS rm_audit_event_actor ON rm_audit_event (actor_user_id, position);
CREATE INDEX IF NOT EXISTS rm_audit_event_type ON rm_audit_event (type, position);
CREATE INDEX IF NOT EXISTS rm_audit_event_time ON rm_audit_event (occurred_at);
CREATE INDEX IF NOT EXISTS rm_audit_event_correlation ON rm_audit_event (correlation_id);
ALTER TABLE rm_audit_event ADD COLUMN IF NOT EXISTS recorded_in_error_reason text;
"""

# A correction marks the row of the event it names (the row itself is never rewritten else).
MARK_IN_ERROR = """
UPDATE rm_audit_event SET recorded_in_error_reason = %s
WHERE stream_id = %s AND stream_version = %s AND recorded_in_error_reason IS NULL
"""

INSERT = """
INSERT INTO rm_audit_event (position, event_id, stream_id, stream_type, stream_version, type,
    version, occurred_at, actor_user_id, actor_role, actor_organization_id, command, reason,
    correlation_id, causation_id, data)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (position) DO NOTHING
"""


class AuditTrail:
    """The projection behind the audit trail."""

    name = "audit_trail"
    tables: tuple[str, ...] = ("rm_audit_event",)

    def create(self, cur: Cursor[Any]) -> None:
        cur.execute(DDL)

    def handles(self, type_name: str) -> bool:
        return True

    def apply(self, cur: Cursor[Any], recorded: RecordedEvent) -> None:
        m = recorded.metadata
        cur.execute(
            INSERT,
            (
                recorded.position,
                m.event_id,
                m.stream_id,
                m.stream_type,
                m.stream_version,
                recorded.event.type_name,
                recorded.event.schema_version,
                m.occurred_at,
                m.actor.user_id,
                m.actor.role.value,
                m.actor.organization_id,
                m.command,
                m.reason,
                m.correlation_id,
                m.causation_id,
                json.dumps(recorded.event.public_data(), ensure_ascii=False),
            ),
        )
        event = recorded.event
        if isinstance(event, EventRecordedInError):
            cur.execute(MARK_IN_ERROR, (event.reason, event.stream_id, event.stream_version))


@dataclass(frozen=True)
class AuditFilter:
    stream_id: UUID | None = None
    actor_user_id: str | None = None
    type: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    after_position: int = 0
    limit: int = 100


def search(conn: Connection[Any], f: AuditFilter) -> list[dict[str, Any]]:
    """Events in log order that match every given filter, from `after_position` on."""
    clauses = [SQL("position > %s")]
    params: list[Any] = [f.after_position]
    for column, value, op in [
        ("stream_id", f.stream_id, "="),
        ("actor_user_id", f.actor_user_id, "="),
        ("type", f.type, "="),
        ("occurred_at", f.since, ">="),
        ("occurred_at", f.until, "<"),
    ]:
        if value is not None:
            clauses.append(SQL("{} {} %s").format(Identifier(column), SQL(op)))  # type: ignore[arg-type]
            params.append(value)
    query = SQL("SELECT * FROM rm_audit_event WHERE {} ORDER BY position LIMIT %s").format(
        SQL(" AND ").join(clauses)
    )
    with conn.cursor() as cur:
        cur.execute(query, [*params, f.limit])
        names = [d.name for d in cur.description or []]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

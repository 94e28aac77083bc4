"""Auditors' tools shared by the HTTP routes and `xuncha`: exports of the audit trail
(`GET /audit-trail/export`, `xuncha audit export`) and loading a stream for time travel.

One export is one REPEATABLE READ, read-only transaction on its own connection: the rows are
counted, `audit.export_performed` (who, filters, row count; no data) is appended, then the
rows stream from a server-side cursor in batches of the same snapshot, so memory stays
constant and the file holds exactly the counted rows. The export's end (`up_to_position`,
the trail's head in the snapshot) is recorded, so the same export can be reproduced; the
export's own event comes after it and is never part of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import psycopg
from psycopg import IsolationLevel
from psycopg.sql import SQL, Identifier

from commands.audit_export import export_performed
from commands.store import EVENTS_TABLE, EventStore
from events.base import Actor, RecordedEvent
from events.export import AuditFilters, ExportChannel, ExportFormat
from projections import audit_trail

MEDIA_TYPES = {
    ExportFormat.NDJSON: "application/x-ndjson",
    ExportFormat.CSV: "text/csv; charset=utf-8",
}


def filters_of(f: audit_trail.AuditFilter) -> AuditFilters:
    return AuditFilters(
        stream_id=f.stream_id,
        entity_id=f.entity_id,
        correlation_id=f.correlation_id,
        inspection_id=f.inspection_id,
        actor_user_id=f.actor_user_id,
        actor_role=f.actor_role,
        type=f.type,
        since=f.since,
        until=f.until,
        after_position=f.after_position,
        up_to_position=f.up_to_position,
    )


@dataclass
class Export:
    export_id: UUID
    format: ExportFormat
    rows: int
    up_to_position: int
    filter: audit_trail.AuditFilter
    conn: psycopg.Connection[Any]

    @property
    def filename(self) -> str:
        return f"audit-trail-{self.export_id}.{self.format.value}"

    def batches(self, batch_size: int = 1000) -> Iterator[tuple[str, int]]:
        """The file's text in pieces, one per batch, with the rows each holds; the
        connection is closed at the end (or when the consumer stops early)."""
        try:
            if self.format is ExportFormat.CSV:
                yield audit_trail.csv_header(), 0
            for rows in audit_trail.batches(self.conn, self.filter, batch_size):
                if self.format is ExportFormat.CSV:
                    yield audit_trail.csv_lines(rows), len(rows)
                else:
                    yield audit_trail.ndjson_lines(rows), len(rows)
            self.conn.rollback()
        finally:
            self.conn.close()

    def close(self) -> None:
        self.conn.close()


def open_export(
    conninfo: str,
    store: EventStore,
    actor: Actor,
    now: Callable[[], datetime],
    *,
    format: ExportFormat,
    channel: ExportChannel,
    filter: audit_trail.AuditFilter,
    justification: str = "",
) -> Export:
    """Count the rows in a fresh snapshot, record the export, and return it ready to stream."""
    conn = psycopg.connect(conninfo, application_name="xuncha-audit-export")
    try:
        conn.isolation_level = IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        head = audit_trail.head(conn)  # the snapshot starts here
        end = head if filter.up_to_position is None else min(head, filter.up_to_position)
        filter = replace(filter, up_to_position=end)
        rows = audit_trail.count(conn, filter)
        export_id = uuid4()
        recorded = export_performed(
            actor,
            now(),
            format=format,
            channel=channel,
            filters=filters_of(filter),
            rows=rows,
            justification=justification,
            export_id=export_id,
        )
        store.append([recorded])
    except BaseException:
        conn.close()
        raise
    return Export(export_id, format, rows, end, filter, conn)


def load_stream(
    store: EventStore, conn: psycopg.Connection[Any], stream_id: UUID
) -> list[RecordedEvent]:
    """A stream's recorded events from the event store, with their log positions."""
    recorded = store.load(stream_id)
    if not recorded:
        return []
    rows = conn.execute(
        SQL("SELECT originator_version, notification_id FROM {} WHERE originator_id = %s").format(
            Identifier(EVENTS_TABLE)
        ),
        (stream_id,),
    ).fetchall()
    positions = {int(v): int(n) for v, n in rows}
    return [
        r.model_copy(update={"position": positions.get(r.metadata.stream_version)})
        for r in recorded
    ]

"""Audit trail: every event with its metadata, filterable by stream, actor, role, type and
time, with timelines by correlation, per record and per inspection, and exports.
An event recorded in error (§7.4) keeps its row, marked with the correction's reason.

Per-inspection index (`rm_audit_inspection`): an event belongs to an inspection when it is
on that inspection's stream, when its data names it (`inspection_id`, `inspection_ids`,
`filters.inspection_id`), or when it is on a stream whose **first** event named it: a record
created for an inspection (rectification item, lead, finding, interview, petition, feedback,
sensitive access) belongs to it with all its later events, even those that do not repeat the
id. Streams shared by several inspections (a round, a closure day) are created without naming
one, so only their events that name an inspection are on its timeline.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from psycopg import Connection, Cursor
from psycopg.sql import SQL, Composable, Composed, Identifier
from pydantic_core import to_jsonable_python

from xuncha.events.base import RecordedEvent
from xuncha.events.correction import EventRecordedInError

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
CREATE INDEX IF NOT EXISTS rm_audit_event_role ON rm_audit_event (actor_role, position);
CREATE TABLE IF NOT EXISTS rm_audit_stream_inspection (
    stream_id uuid NOT NULL,
    inspection_id uuid NOT NULL,
    PRIMARY KEY (stream_id, inspection_id)
);
CREATE TABLE IF NOT EXISTS rm_audit_inspection (
    inspection_id uuid NOT NULL,
    position bigint NOT NULL,
    PRIMARY KEY (inspection_id, position)
);
"""

# Run when the index tables are new on an existing trail: index the events seen so far.
BACKFILL = """
INSERT INTO rm_audit_stream_inspection (stream_id, inspection_id)
SELECT DISTINCT stream_id, named::uuid FROM (
    SELECT stream_id, data->>'inspection_id' AS named FROM rm_audit_event
        WHERE stream_version = 1
    UNION ALL SELECT stream_id, jsonb_array_elements_text(data->'inspection_ids')
        FROM rm_audit_event
        WHERE stream_version = 1 AND jsonb_typeof(data->'inspection_ids') = 'array'
    UNION ALL SELECT stream_id, data->'filters'->>'inspection_id' FROM rm_audit_event
        WHERE stream_version = 1 AND jsonb_typeof(data->'filters') = 'object'
    UNION ALL SELECT stream_id, stream_id::text FROM rm_audit_event
        WHERE stream_type = 'inspection' AND stream_version = 1
) AS n
WHERE named ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
ON CONFLICT DO NOTHING;
INSERT INTO rm_audit_inspection (inspection_id, position)
SELECT l.inspection_id, e.position
FROM rm_audit_stream_inspection l JOIN rm_audit_event e USING (stream_id)
ON CONFLICT DO NOTHING;
INSERT INTO rm_audit_inspection (inspection_id, position)
SELECT named::uuid, position FROM (
    SELECT position, data->>'inspection_id' AS named FROM rm_audit_event
    UNION ALL SELECT position, jsonb_array_elements_text(data->'inspection_ids')
        FROM rm_audit_event WHERE jsonb_typeof(data->'inspection_ids') = 'array'
    UNION ALL SELECT position, data->'filters'->>'inspection_id' FROM rm_audit_event
        WHERE jsonb_typeof(data->'filters') = 'object'
) AS n
WHERE named ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
ON CONFLICT DO NOTHING;
"""

LINK_STREAM = """
INSERT INTO rm_audit_stream_inspection (stream_id, inspection_id) VALUES (%s, %s)
ON CONFLICT DO NOTHING
"""
INDEX_NAMED = """
INSERT INTO rm_audit_inspection (inspection_id, position) VALUES (%s, %s)
ON CONFLICT DO NOTHING
"""
INDEX_EVENT = """
INSERT INTO rm_audit_inspection (inspection_id, position)
SELECT inspection_id, %s FROM rm_audit_stream_inspection WHERE stream_id = %s
ON CONFLICT DO NOTHING
"""

# A correction marks the row of the event it names (the row itself is never rewritten else).
MARK_IN_ERROR = """
UPDATE rm_audit_event SET recorded_in_error_reason = %s
WHERE stream_id = %s AND stream_version = %s AND recorded_in_error_reason IS NULL
"""

EVENT_COLUMNS = """(position, event_id, stream_id, stream_type, stream_version, type,
    version, occurred_at, actor_user_id, actor_role, actor_organization_id, command, reason,
    correlation_id, causation_id, data)"""
INSERT = f"""
INSERT INTO rm_audit_event {EVENT_COLUMNS}
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (position) DO NOTHING
"""
COPY_EVENTS = f"COPY rm_audit_event {EVENT_COLUMNS} FROM STDIN"
COPY_NAMED = "COPY rm_audit_inspection (inspection_id, position) FROM STDIN"
INDEX_RANGE = """
INSERT INTO rm_audit_inspection (inspection_id, position)
SELECT l.inspection_id, e.position
FROM rm_audit_event e JOIN rm_audit_stream_inspection l USING (stream_id)
WHERE e.position BETWEEN %s AND %s
ON CONFLICT DO NOTHING
"""


class AuditTrail:
    """The projection behind the audit trail."""

    name = "audit_trail"
    version = 1
    tables: tuple[str, ...] = (
        "rm_audit_event",
        "rm_audit_stream_inspection",
        "rm_audit_inspection",
    )

    def create(self, cur: Cursor[Any]) -> None:
        cur.execute("SELECT to_regclass('rm_audit_inspection') IS NULL")
        row = cur.fetchone()
        new_index = bool(row and row[0])
        cur.execute(DDL)
        if new_index:
            cur.execute(BACKFILL)

    def handles(self, type_name: str) -> bool:
        return True

    def apply(self, cur: Cursor[Any], recorded: RecordedEvent) -> None:
        cur.execute(INSERT, _row(recorded))
        marks, links, named = _index_facts([recorded])
        for statement, rows in ((MARK_IN_ERROR, marks), (LINK_STREAM, links), (INDEX_NAMED, named)):
            for params in rows:
                cur.execute(statement, params)
        cur.execute(INDEX_EVENT, (recorded.position, recorded.metadata.stream_id))

    def apply_batch(self, cur: Cursor[Any], batch: Sequence[RecordedEvent]) -> None:
        """The batch in a few round trips: the rows and the inspections they name by COPY (the
        runner never hands over a position twice: its tracking row moves in the same
        transaction), corrections and stream links, then every event of the batch on a
        stream linked to an inspection, set-wise. A stream is linked by its first event,
        before any other of its events, so the result equals applying them one by one."""
        if not batch:
            return
        with cur.copy(COPY_EVENTS) as copy:
            for recorded in batch:
                copy.write_row(_row(recorded))
        marks, links, named = _index_facts(batch)
        for statement, rows in ((MARK_IN_ERROR, marks), (LINK_STREAM, links)):
            if rows:
                cur.executemany(statement, rows)
        with cur.copy(COPY_NAMED) as copy:  # (inspection, position) pairs are new and distinct
            for pair in named:
                copy.write_row(pair)
        cur.execute(INDEX_RANGE, (batch[0].position, batch[-1].position))


def _row(recorded: RecordedEvent) -> tuple[Any, ...]:
    m = recorded.metadata
    return (
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
    )


Params = list[tuple[Any, ...]]


def _index_facts(batch: Sequence[RecordedEvent]) -> tuple[Params, Params, Params]:
    """Corrections to mark, streams to link to an inspection and (inspection, position)
    pairs of the inspections each event names, in log order."""
    marks: Params = []
    links: Params = []
    named: Params = []
    for recorded in batch:
        m = recorded.metadata
        event = recorded.event
        if isinstance(event, EventRecordedInError):
            marks.append((event.reason, event.stream_id, event.stream_version))
        for inspection_id in named_inspections(recorded):
            if m.stream_version == 1:  # the record was created for this inspection
                links.append((m.stream_id, inspection_id))
            named.append((inspection_id, recorded.position))
    return marks, links, named


def named_inspections(recorded: RecordedEvent) -> set[UUID]:
    """The inspections an event names: its own stream if it is an inspection's, and the ids
    in its data's `inspection_id`, `inspection_ids` and `filters.inspection_id`."""
    found: set[UUID] = set()
    if recorded.metadata.stream_type == "inspection":
        found.add(recorded.metadata.stream_id)
    event = recorded.event
    candidates: list[Any] = [getattr(event, "inspection_id", None)]
    candidates += list(getattr(event, "inspection_ids", None) or [])
    candidates.append(getattr(getattr(event, "filters", None), "inspection_id", None))
    for value in candidates:
        if isinstance(value, UUID):
            found.add(value)
    return found


@dataclass(frozen=True)
class AuditFilter:
    """Filters of the audit trail; every given one must match. `entity_id`: the events of
    that stream, every event sharing a correlation id with one of them, and corrections of
    it. `up_to_position`: nothing after that position (a fixed end, e.g. of an export)."""

    stream_id: UUID | None = None
    actor_user_id: str | None = None
    type: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    after_position: int = 0
    limit: int = 100
    actor_role: str | None = None
    correlation_id: UUID | None = None
    inspection_id: UUID | None = None
    entity_id: UUID | None = None
    up_to_position: int | None = None


COLUMNS = (
    "position",
    "event_id",
    "stream_id",
    "stream_type",
    "stream_version",
    "type",
    "version",
    "occurred_at",
    "actor_user_id",
    "actor_role",
    "actor_organization_id",
    "command",
    "reason",
    "correlation_id",
    "causation_id",
    "recorded_in_error_reason",
    "data",
)

# One set of positions from two index lookups (an OR of the two would walk the whole trail):
# the events sharing a correlation id with the record's, and the corrections naming it.
ENTITY = SQL(
    "e.position IN ("
    "SELECT c.position FROM rm_audit_event c WHERE c.correlation_id IN"
    " (SELECT correlation_id FROM rm_audit_event WHERE stream_id = %s)"
    " UNION SELECT k.position FROM rm_audit_event k"
    " WHERE k.type = 'correction.event_recorded_in_error' AND k.data->>'stream_id' = %s)"
)


def _where(f: AuditFilter) -> tuple[Composed, list[Any]]:
    clauses: list[Composable] = [SQL("e.position > %s")]
    params: list[Any] = [f.after_position]
    for column, value, op in [
        ("stream_id", f.stream_id, "="),
        ("actor_user_id", f.actor_user_id, "="),
        ("actor_role", f.actor_role, "="),
        ("type", f.type, "="),
        ("correlation_id", f.correlation_id, "="),
        ("occurred_at", f.since, ">="),
        ("occurred_at", f.until, "<"),
        ("position", f.up_to_position, "<="),
    ]:
        if value is not None:
            clauses.append(SQL("e.{} {} %s").format(Identifier(column), SQL(op)))
            params.append(value)
    if f.inspection_id is not None:
        clauses.append(
            SQL(
                "EXISTS (SELECT 1 FROM rm_audit_inspection i"
                " WHERE i.inspection_id = %s AND i.position = e.position)"
            )
        )
        params.append(f.inspection_id)
    if f.entity_id is not None:
        clauses.append(ENTITY)
        params += [f.entity_id, str(f.entity_id)]
    return SQL(" AND ").join(clauses), params


def _select(f: AuditFilter, *, data_as_text: bool = False) -> tuple[Composed, list[Any]]:
    where, params = _where(f)
    columns = SQL(", ").join(
        SQL("e.data::text") if c == "data" and data_as_text else SQL("e.{}").format(Identifier(c))
        for c in COLUMNS
    )
    query = SQL("SELECT {} FROM rm_audit_event e WHERE {} ORDER BY e.position").format(
        columns, where
    )
    return query, params


def search(conn: Connection[Any], f: AuditFilter) -> list[dict[str, Any]]:
    """Events in log order that match every given filter, from `after_position` on."""
    query, params = _select(f)
    with conn.cursor() as cur:
        cur.execute(query + SQL(" LIMIT %s"), [*params, f.limit])
        return [dict(zip(COLUMNS, row, strict=True)) for row in cur.fetchall()]


def page(conn: Connection[Any], f: AuditFilter) -> dict[str, Any]:
    """One page of `search` with the keyset cursor of the next (None on the last page)."""
    rows = search(conn, replace(f, limit=f.limit + 1))
    more = len(rows) > f.limit
    rows = rows[: f.limit]
    return {
        "items": rows,
        "limit": f.limit,
        "after_position": f.after_position,
        "next_after_position": rows[-1]["position"] if more else None,
    }


def count(conn: Connection[Any], f: AuditFilter) -> int:
    where, params = _where(f)
    with conn.cursor() as cur:
        cur.execute(SQL("SELECT count(*) FROM rm_audit_event e WHERE {}").format(where), params)
        row = cur.fetchone()
    return int(row[0]) if row else 0


def head(conn: Connection[Any]) -> int:
    """The highest position in the trail."""
    with conn.cursor() as cur:
        cur.execute("SELECT coalesce(max(position), 0) FROM rm_audit_event")
        row = cur.fetchone()
    return int(row[0]) if row else 0


def batches(
    conn: Connection[Any], f: AuditFilter, batch_size: int = 1000
) -> Iterator[list[dict[str, Any]]]:
    """Every matching row, in log order, in lists of at most `batch_size`, read through a
    server-side cursor: memory stays constant whatever the size. `data` is the JSON text as
    stored (never parsed and dumped again). `conn` must be inside a transaction (a named
    cursor lives in one); `limit` is ignored."""
    query, params = _select(f, data_as_text=True)
    with conn.cursor(name=f"audit_export_{uuid4().hex}") as cur:
        cur.itersize = batch_size
        cur.execute(query, params)
        while rows := cur.fetchmany(batch_size):
            yield [dict(zip(COLUMNS, row, strict=True)) for row in rows]


# ---- export formats ----

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def json_row(row: dict[str, Any]) -> dict[str, Any]:
    """A row as JSON data, exactly as the HTTP API shows it (ids and times as strings)."""
    shown: dict[str, Any] = to_jsonable_python(row)
    return shown


def ndjson_lines(rows: list[dict[str, Any]]) -> str:
    """One JSON object per row and line; `data` as JSON text is spliced in as it is."""
    return "".join(_ndjson(r) + "\n" for r in rows)


def _ndjson(row: dict[str, Any]) -> str:
    data = row["data"]
    if not isinstance(data, str):
        return json.dumps(json_row(row), ensure_ascii=False)
    envelope = json.dumps(
        json_row({k: v for k, v in row.items() if k != "data"}), ensure_ascii=False
    )
    return f'{envelope[:-1]}, "data": {data}}}'


def _cell(value: Any) -> str:
    """A CSV cell; text that a spreadsheet would run as a formula is prefixed with a quote."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_header() -> str:
    return _csv([list(COLUMNS)])


def csv_lines(rows: list[dict[str, Any]]) -> str:
    shown = [json_row(r) for r in rows]
    return _csv([[_cell(r[c]) for c in COLUMNS] for r in shown])


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(rows)
    return out.getvalue()

"""What the per-record read models share: one JSON document per record, folded from events.

A record read model (a group, a finding, a report, a plan, ...) keeps one row per record in its
own `rm_*` table: the record's id, the inspection and organization it belongs to (what object
scope checks), the version of the record's own stream, the log position of the last event
applied, the corrections naming it, and the document the GET answers (typed by the API's
response model). A module describes its record by

* `key(recorded)`: the id of the record an event belongs to (None: not this model's), and
* `fold(doc, recorded)`: the next document (pure; `doc` is None before the first event).

Events are folded from `public_data()` only, so sealed fields never reach a table; modules
leave them out altogether rather than storing the marker.

Idempotent: an event at or below the row's `position` is skipped, so re-applying a batch
changes nothing. `correction.event_recorded_in_error` naming a record's stream adds a
correction to the record; when it names the record's first event (the one that created it)
the record is marked `recorded_in_error`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from uuid import UUID

from psycopg import Connection, Cursor
from psycopg.rows import dict_row

from xuncha.events.base import RecordedEvent
from xuncha.events.correction import EventRecordedInError

Document = dict[str, Any]
Fold = Callable[[Document | None, RecordedEvent], Document | None]

DDL = """
CREATE TABLE IF NOT EXISTS {table} (
    record_id uuid PRIMARY KEY, stream_id uuid, inspection_id uuid, organization_id text,
    stream_version bigint NOT NULL DEFAULT 0, position bigint NOT NULL,
    recorded_in_error boolean NOT NULL DEFAULT false,
    corrections jsonb NOT NULL DEFAULT '[]', document jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS {table}_inspection ON {table} (inspection_id);
CREATE INDEX IF NOT EXISTS {table}_stream ON {table} (stream_id);
"""


class RecordDocuments:
    """A read model of one JSON document per record (see the module docstring).

    `stream_type` names the stream whose version the record exposes (its own aggregate); for
    a record kept per inspection across several streams it is None and no version is kept.
    """

    def __init__(
        self,
        name: str,
        table: str,
        prefixes: tuple[str, ...],
        key: Callable[[RecordedEvent], UUID | None],
        fold: Fold,
        *,
        stream_type: str | None = None,
        types: frozenset[str] | None = None,
    ) -> None:
        self.name = name
        self.version = 1
        self.table = table
        self.tables: tuple[str, ...] = (table,)
        self.prefixes = prefixes
        self.types = types
        self.key = key
        self.fold = fold
        self.stream_type = stream_type

    def create(self, cur: Cursor[Any]) -> None:
        cur.execute(DDL.format(table=self.table))  # fixed names

    def folds(self, type_name: str) -> bool:
        if self.types is not None:
            return type_name in self.types
        return type_name.split(".", 1)[0] in self.prefixes

    def handles(self, type_name: str) -> bool:
        return type_name == EventRecordedInError.type_name or self.folds(type_name)

    def apply(self, cur: Cursor[Any], recorded: RecordedEvent) -> None:
        if isinstance(recorded.event, EventRecordedInError):
            self._correct(cur, recorded.event)
            return
        record_id = self.key(recorded)
        if record_id is None:
            return
        cur.execute(
            f"SELECT document, position, stream_version FROM {self.table}"
            " WHERE record_id = %s FOR UPDATE",
            (record_id,),
        )
        row = cur.fetchone()
        position = recorded.position or 0
        if row is not None and row[1] >= position:
            return  # applied already
        document = self.fold(None if row is None else row[0], recorded)
        if document is None:
            return
        m = recorded.metadata
        own = self.stream_type is not None and m.stream_type == self.stream_type
        version = m.stream_version if own else (0 if row is None else row[2])
        cur.execute(
            f"INSERT INTO {self.table} (record_id, stream_id, inspection_id, organization_id,"
            " stream_version, position, document) VALUES (%s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (record_id) DO UPDATE SET"
            f" stream_id = COALESCE(EXCLUDED.stream_id, {self.table}.stream_id),"
            " inspection_id = EXCLUDED.inspection_id,"
            " organization_id = EXCLUDED.organization_id,"
            " stream_version = EXCLUDED.stream_version, position = EXCLUDED.position,"
            " document = EXCLUDED.document",
            (
                record_id,
                m.stream_id if own else None,
                document.get("inspection_id"),
                document.get("organization_id"),
                version,
                position,
                json.dumps(document, ensure_ascii=False, default=str),
            ),
        )

    def _correct(self, cur: Cursor[Any], e: EventRecordedInError) -> None:
        if not self.folds(e.event_type):
            return
        correction = {
            "stream_version": e.stream_version,
            "event_type": e.event_type,
            "reason": e.reason,
        }
        # Once per corrected event: a replayed correction does not add a second entry.
        cur.execute(
            f"UPDATE {self.table} SET corrections = corrections || %s::jsonb,"
            " recorded_in_error = recorded_in_error OR %s"
            " WHERE (record_id = %s OR stream_id = %s) AND NOT corrections @> %s::jsonb",
            (
                json.dumps([correction], ensure_ascii=False),
                e.stream_version == 1 and self.stream_type is not None,
                e.stream_id,
                e.stream_id,
                json.dumps([{"stream_version": e.stream_version, "event_type": e.event_type}]),
            ),
        )

    def get(self, conn: Connection[Any], record_id: UUID) -> Document | None:
        """The record's document with its id, scope, version and corrections, or None."""
        with conn.cursor(row_factory=dict_row) as cur:
            cur.execute(
                f"SELECT record_id, inspection_id, organization_id, stream_version,"
                f" recorded_in_error, corrections, document FROM {self.table}"
                " WHERE record_id = %s",
                (record_id,),
            )
            row = cur.fetchone()
        if row is None:
            return None
        document: Document = row.pop("document")
        return {**document, **{k: v for k, v in row.items() if v is not None}}


def public(recorded: RecordedEvent, *drop: str) -> Document:
    """The event's public payload without the named fields (sealed ones, or ones not shown)."""
    data = recorded.event.public_data()
    for name in (*drop, *recorded.event.sealed_fields):
        data.pop(name, None)
    return data


def entry(recorded: RecordedEvent, *drop: str) -> Document:
    """One event as an entry of a record's history: its type, stream version, time, actor and
    public payload."""
    m = recorded.metadata
    return {
        "type": recorded.event.type_name,
        "stream_version": m.stream_version,
        "occurred_at": m.occurred_at.isoformat(),
        "actor_user_id": m.actor.user_id,
        "data": public(recorded, *drop),
    }

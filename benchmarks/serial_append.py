"""The append protocol before group commit, kept here only to be measured against: every
command its own transaction (idempotency row, append lock, read guard, recorded time, NOTIFY,
INSERT, chain link, COMMIT), through eventsourcing's pipelined `insert_events`."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresApplicationRecorder
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from xuncha.commands.eventstore import recorded_time
from xuncha.commands.eventstore.store import EVENTS_TABLE, IdempotencyRecord, XunchaRecorder


class SerialRecorder(XunchaRecorder):
    """XunchaRecorder with the one-transaction-per-command append of before."""

    insert_events = PostgresApplicationRecorder.insert_events.__wrapped__  # type: ignore[attr-defined]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        events = Identifier(self.datastore.schema, EVENTS_TABLE)
        self.read_guard_statement = SQL(
            "INSERT INTO {events} (originator_id, originator_version, topic, state)"
            " SELECT r.id, r.v + 1, NULL, NULL FROM unnest(%s::uuid[], %s::bigint[]) AS r(id, v)"
            " WHERE EXISTS (SELECT 1 FROM {events} e"
            "  WHERE e.originator_id = r.id AND e.originator_version = r.v + 1)"
        ).format(events=events)
        self.recording_time_statement = recorded_time.recording_time_statement(
            self.datastore.schema, EVENTS_TABLE
        )

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        curs.execute(self.link_statement, prepare=True)
        return ids

    def _insert_stored_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        self._lock_table(curs)
        reads: Mapping[UUID, int] = kwargs.get("reads") or {}
        if reads:
            curs.execute(self.read_guard_statement, (list(reads), list(reads.values())))
        curs.execute(self.recording_time_statement, prepare=True)
        row = curs.fetchone()
        assert row is not None
        stamped = [recorded_time.stamped(s, row["recorded_at"]) for s in stored_events]
        self._notify_channel(curs)
        PostgresAggregateRecorder._insert_stored_events(self, curs, stamped, **kwargs)

    def _insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        record: IdempotencyRecord | None = kwargs.get("idempotency")
        if record is not None:
            curs.execute(
                SQL("INSERT INTO {} (scope, request_hash, result) VALUES (%s, %s, %s)").format(
                    self.idempotency_table
                ),
                (record.scope, record.request_hash, json.dumps(record.result)),
            )


def use_serial_protocol() -> None:
    """Make `make_recorder` (and so `xuncha serve`) build SerialRecorders."""
    from xuncha.api import database

    database.XunchaRecorder = SerialRecorder  # type: ignore[misc]

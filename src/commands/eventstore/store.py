"""The event store: eventsourcing's PostgreSQL recorder, our mapper, and idempotency records.

An idempotency record is inserted in the same transaction as the command's events, so a
retried command either finds the first result or appends nothing. So are the events' links
of the tamper-evident hash chain (`commands.integrity`). Each event's recorded time
(`occurred_at`) is taken under the append lock (`commands.recorded_time`).

Appends are serialized by a transaction-scoped advisory lock instead of the library's
`LOCK TABLE stored_events IN EXCLUSIVE MODE`: that lock mode needs UPDATE, DELETE or
TRUNCATE rights on the table, which the application's database role must not have
(docs/security.md). Every append goes through this recorder and takes the same lock before
drawing notification ids, so commit order still equals notification order.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing import persistence
from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresDatastore,
)
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier, Literal

from xuncha.commands.errors import CommandTooLarge, ConcurrencyConflict
from xuncha.commands.eventstore import integrity, log_verifications, recorded_time, tree_store
from xuncha.events.base import RecordedEvent
from xuncha.events.mapper import EnvelopeMapper

EVENTS_TABLE = "stored_events"
# One append travels as one pipelined INSERT; on psycopg 3.3 / libpq 18 such an INSERT of
# roughly 0.6-1 MB hangs while holding the events table lock, stopping every writer. This
# cap keeps a single command's events well below that.
MAX_APPEND_BYTES = 256 * 1024
# Taken by every append, held until commit: "XUNCHA" + 0xA0 ("append").
APPEND_LOCK = 0x58554E43484100A0
# Tables the application may only INSERT into and SELECT from (`xuncha db grant-app-role`).
APPEND_ONLY_TABLES = (
    EVENTS_TABLE,
    integrity.CHAIN_TABLE,
    integrity.CHECKPOINT_TABLE,
    tree_store.NODES_TABLE,
    tree_store.LEAVES_TABLE,
    log_verifications.TABLE,
)


@dataclass(frozen=True)
class IdempotencyRecord:
    scope: str  # the actor and the client's key
    request_hash: str
    result: dict[str, Any]


# Hears each append: events, outcome ("appended" or the error's class) and seconds (metrics).
AppendObserver = Callable[[int, str, float], None]


# A pipelined append whose idempotency insert meets a concurrent twin fails as "pipeline
# aborted" (nothing committed); the next attempt finds the twin's idempotency record.
PIPELINE_ATTEMPTS = 3


def _once(method: Any) -> Any:
    """The library's method without its retry decorator (10 attempts, 0.2 s apart): with a
    lock, statement or pool timeout each attempt would wait the whole timeout again, so a
    request would take ten timeouts to fail. The pool checks a connection before lending it,
    which is what those retries were for; only an aborted pipeline is tried again."""
    inner = getattr(method, "__wrapped__", method)

    @functools.wraps(inner)
    def call(*args: Any, **kwargs: Any) -> Any:
        for attempt in range(1, PIPELINE_ATTEMPTS + 1):
            try:
                return inner(*args, **kwargs)
            except persistence.OperationalError as error:
                aborted = isinstance(error.__cause__, psycopg.errors.PipelineAborted)
                if not aborted or attempt == PIPELINE_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")

    return call


class XunchaRecorder(PostgresApplicationRecorder):
    """The library's application recorder plus the `command_idempotency` table; one attempt
    per call (the caller answers 503 and the client retries)."""

    insert_events = _once(PostgresApplicationRecorder.insert_events)
    select_events = _once(PostgresApplicationRecorder.select_events)
    select_notifications = _once(PostgresApplicationRecorder.select_notifications)
    max_notification_id = _once(PostgresApplicationRecorder.max_notification_id)

    def __init__(self, datastore: PostgresDatastore) -> None:
        super().__init__(datastore, events_table_name=EVENTS_TABLE)
        self.idempotency_table = Identifier(datastore.schema, "command_idempotency")
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {} (scope text PRIMARY KEY, request_hash text NOT NULL,"
                " result jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())"
            ).format(self.idempotency_table)
        )
        self.sql_create_statements.extend(integrity.create_statements(datastore.schema))
        self.sql_create_statements.extend(tree_store.create_statements(datastore.schema))
        self.sql_create_statements.extend(log_verifications.create_statements(datastore.schema))
        self.link_statement = integrity.link_statement(datastore.schema, EVENTS_TABLE)
        events = Identifier(datastore.schema, EVENTS_TABLE)
        # A stream read at version v that has a version v + 1 now: insert that row again, so
        # the conflict is the same unique violation as a concurrent write (inserts nothing
        # when no read stream moved on). Run under the append lock, so it is exact.
        self.read_guard_statement = SQL(
            "INSERT INTO {events} (originator_id, originator_version, topic, state)"
            " SELECT r.id, r.v + 1, NULL, NULL FROM unnest(%s::uuid[], %s::bigint[]) AS r(id, v)"
            " WHERE EXISTS (SELECT 1 FROM {events} e"
            "  WHERE e.originator_id = r.id AND e.originator_version = r.v + 1)"
        ).format(events=events)
        self.recording_time_statement = recorded_time.recording_time_statement(
            datastore.schema, EVENTS_TABLE
        )
        self.lock_table_statements = [
            SQL("SET LOCAL lock_timeout = '{0}s'").format(datastore.lock_timeout),
            SQL("SELECT pg_advisory_xact_lock({0})").format(Literal(APPEND_LOCK)),
        ]

    def create_table(self) -> None:
        """Create the tables unless they exist and belong to another role: the application's
        restricted role uses the event store as its owner made it."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                "SELECT pg_has_role(tableowner, 'USAGE') AS mine FROM pg_tables"
                " WHERE schemaname = %s AND tablename = %s",
                (self.datastore.schema, EVENTS_TABLE),
            )
            row = curs.fetchone()
        if row is not None and not row["mine"]:
            self.datastore.register_type_adapters()
            return
        super().create_table()

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        # Pipelined with the INSERT, under the append lock: no extra round trip.
        curs.execute(self.link_statement, prepare=True)
        return ids

    def _insert_stored_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        """The library's sequence (lock, notify, insert) with the read streams' check after
        the lock, and the events stamped with their recording time taken under the lock."""
        self._lock_table(curs)
        reads: Mapping[UUID, int] = kwargs.get("reads") or {}
        if reads:
            curs.execute(self.read_guard_statement, (list(reads), list(reads.values())))
        stamped = self._stamp(curs, stored_events)
        self._notify_channel(curs)
        PostgresAggregateRecorder._insert_stored_events(self, curs, stamped, **kwargs)

    def _stamp(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent]
    ) -> list[StoredEvent]:
        """Each event's recorded time is the moment it is stored: read under the append lock
        (one round trip), never before the last stored event's, so the log's times never
        decrease whichever writer took the lock first (commands.recorded_time)."""
        curs.execute(self.recording_time_statement, prepare=True)
        row = curs.fetchone()  # syncs the pipeline: a failed read guard raises here
        assert row is not None
        return [recorded_time.stamped(s, row["recorded_at"]) for s in stored_events]

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

    def find_idempotency(self, scope: str) -> tuple[str, dict[str, Any]] | None:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(
                SQL("SELECT request_hash, result FROM {} WHERE scope = %s").format(
                    self.idempotency_table
                ),
                (scope,),
            )
            row = curs.fetchone()
        return None if row is None else (row["request_hash"], row["result"])

    def notification_id_of(self, stream_id: UUID, version: int) -> int | None:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(
                SQL(
                    "SELECT notification_id FROM {} WHERE originator_id = %s "
                    "AND originator_version = %s"
                ).format(Identifier(self.datastore.schema, EVENTS_TABLE)),
                (stream_id, version),
            )
            row = curs.fetchone()
        return None if row is None else int(row["notification_id"])


class EventStore:
    """Appends and reads `RecordedEvent`s; the only door to the stored events."""

    def __init__(
        self,
        recorder: XunchaRecorder,
        mapper: EnvelopeMapper | None = None,
        *,
        observe: AppendObserver | None = None,
    ) -> None:
        self.recorder = recorder
        self.mapper = mapper or EnvelopeMapper()
        self.observe = observe

    def load(self, stream_id: UUID, *, up_to_version: int | None = None) -> list[RecordedEvent]:
        stored = self.recorder.select_events(stream_id, lte=up_to_version)
        return [self.mapper.to_recorded_event(s) for s in stored]

    def append(
        self,
        events: Sequence[RecordedEvent],
        idempotency: IdempotencyRecord | None = None,
        *,
        reads: Mapping[UUID, int] | None = None,
    ) -> list[int]:
        """Append atomically; raises ConcurrencyConflict if a stream moved on meanwhile: one
        written to, or one in `reads` (stream id -> the version the decision read)."""
        stored = [self.mapper.to_stored_event(e) for e in events]
        size = sum(len(s.state) for s in stored)
        if size > MAX_APPEND_BYTES:
            raise CommandTooLarge(
                f"this command would record {size // 1024} KiB of events; one command may "
                f"record at most {MAX_APPEND_BYTES // 1024} KiB: split it or shorten its texts"
            )
        started, outcome = time.perf_counter(), "error"
        try:
            ids = self.recorder.insert_events(stored, idempotency=idempotency, reads=reads or {})
            outcome = "appended"
        except IntegrityError as error:
            outcome = ConcurrencyConflict.__name__
            raise ConcurrencyConflict(
                "another command changed this record at the same time; reload it and retry"
            ) from error
        except Exception as error:
            outcome = type(error).__name__
            raise
        finally:
            if self.observe is not None:
                self.observe(len(stored), outcome, time.perf_counter() - started)
        return list(ids or [])

    def read(self, after: int, limit: int) -> list[RecordedEvent]:
        """The notification log, in order, after position `after`."""
        notes = self.recorder.select_notifications(after, limit, inclusive_of_start=False)
        return [self.mapper.to_recorded_event(n) for n in notes]

    def head(self) -> int:
        return self.recorder.max_notification_id() or 0

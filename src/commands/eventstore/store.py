"""The event store: eventsourcing's PostgreSQL recorder, our mapper, and idempotency records.

An idempotency record is inserted in the same transaction as the command's events, so a
retried command either finds the first result or appends nothing. So are the events' links
of the tamper-evident hash chain (`commands.integrity`). Each event's recorded time
(`occurred_at`) is taken under the append lock (`commands.recorded_time`).

Concurrent appends are group-committed (`commands.eventstore.group_commit`): one transaction
writes every append queued when its writer started, each append by one call of the
`xuncha_append` function, whose subtransaction fails that append alone on a conflict.

Appends are serialized by a transaction-scoped advisory lock instead of the library's
`LOCK TABLE stored_events IN EXCLUSIVE MODE`: that lock mode needs UPDATE, DELETE or
TRUNCATE rights on the table, which the application's database role must not have
(docs/security.md). Every append goes through this recorder and takes the same lock before
drawing notification ids, so commit order still equals notification order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg import Cursor, Pipeline
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composed, Identifier, Literal
from psycopg.types.json import Jsonb

from xuncha.commands.errors import CommandTooLarge, ConcurrencyConflict
from xuncha.commands.eventstore import integrity, log_verifications, recorded_time, tree_store
from xuncha.commands.eventstore.group_commit import GroupCommit, PendingAppend
from xuncha.events.base import RecordedEvent
from xuncha.events.mapper import EnvelopeMapper

EVENTS_TABLE = "stored_events"
IDEMPOTENCY_TABLE = "command_idempotency"
APPEND_FUNCTION = "xuncha_append"
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


def _once(method: Any) -> Any:
    """The library's method without its retry decorator (10 attempts, 0.2 s apart): with a
    lock, statement or pool timeout each attempt would wait the whole timeout again, so a
    request would take ten timeouts to fail. The pool checks a connection before lending it,
    which is what those retries were for."""
    return getattr(method, "__wrapped__", method)


def append_function_statements(schema: str) -> list[Composed]:
    """The append function: one command's append inside the batch's transaction, under the
    append lock. It takes the recorded time (now by the database's clock, never before the last
    stored event's: `commands.eventstore.recorded_time`) and writes it into each event's time
    slot. Its body runs as a subtransaction (the EXCEPTION block), so a unique violation fails
    this append alone: a stream that moved on (its next version exists), a read stream that
    moved on (the read guard inserts that next version again, the same violation) or an
    idempotency key already used. Returns the new events' notification ids in order, or NULL
    ids and the violated constraint's name."""
    events = Identifier(schema, EVENTS_TABLE)
    return [
        SQL(
            "CREATE OR REPLACE FUNCTION {function}("
            " new_ids uuid[], new_versions bigint[], new_topics text[], new_states bytea[],"
            " time_slots integer[], read_ids uuid[], read_versions bigint[],"
            " key_scope text, key_hash text, key_result jsonb,"
            " OUT positions bigint[], OUT conflict text)"
            " LANGUAGE plpgsql AS $body$"
            " DECLARE constraint_name text; recorded bytea;"
            " BEGIN"
            "  recorded := {recorded};"
            "  IF key_scope IS NOT NULL THEN"
            "   INSERT INTO {idempotency} (scope, request_hash, result)"
            "    VALUES (key_scope, key_hash, key_result);"
            "  END IF;"
            "  INSERT INTO {events} (originator_id, originator_version, topic, state)"
            "   SELECT r.id, r.v + 1, NULL, NULL FROM unnest(read_ids, read_versions) AS r(id, v)"
            "   WHERE EXISTS (SELECT 1 FROM {events} AS e"
            "    WHERE e.originator_id = r.id AND e.originator_version = r.v + 1);"
            "  WITH inserted AS ("
            "   INSERT INTO {events} (originator_id, originator_version, topic, state)"
            "    SELECT n.id, n.v, n.topic, CASE WHEN n.slot IS NULL THEN n.state"
            "     ELSE overlay(n.state PLACING recorded FROM n.slot FOR {width}) END"
            "    FROM unnest(new_ids, new_versions, new_topics, new_states, time_slots)"
            "     WITH ORDINALITY AS n(id, v, topic, state, slot, k)"
            "    ORDER BY n.k"
            "   RETURNING notification_id)"
            "  SELECT array_agg(notification_id ORDER BY notification_id) INTO positions"
            "   FROM inserted;"
            " EXCEPTION WHEN unique_violation THEN"
            "  GET STACKED DIAGNOSTICS constraint_name = CONSTRAINT_NAME;"
            "  positions := NULL;"
            "  conflict := constraint_name;"
            " END $body$"
        ).format(
            function=Identifier(schema, APPEND_FUNCTION),
            idempotency=Identifier(schema, IDEMPOTENCY_TABLE),
            events=events,
            recorded=recorded_time.recorded_at_text(
                SQL(
                    "greatest(clock_timestamp(), (SELECT {at} FROM {events}"
                    " ORDER BY notification_id DESC LIMIT 1))"
                ).format(at=recorded_time.RECORDED_AT, events=events)
            ),
            width=Literal(len(recorded_time.SLOT)),
        )
    ]


class XunchaRecorder(PostgresApplicationRecorder):
    """The library's application recorder plus the `command_idempotency` table; one attempt
    per call (the caller answers 503 and the client retries)."""

    select_events = _once(PostgresApplicationRecorder.select_events)
    select_notifications = _once(PostgresApplicationRecorder.select_notifications)
    max_notification_id = _once(PostgresApplicationRecorder.max_notification_id)

    def __init__(self, datastore: PostgresDatastore) -> None:
        super().__init__(datastore, events_table_name=EVENTS_TABLE)
        self.idempotency_table = Identifier(datastore.schema, IDEMPOTENCY_TABLE)
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
        self.sql_create_statements.extend(append_function_statements(datastore.schema))
        self.append_statement = SQL(
            "SELECT positions, conflict FROM {}(%s::uuid[], %s::bigint[], %s::text[], %s::bytea[],"
            " %s::integer[], %s::uuid[], %s::bigint[], %s::text, %s::text, %s::jsonb)"
        ).format(Identifier(datastore.schema, APPEND_FUNCTION))
        self.group_commit = GroupCommit(self._write_batch, MAX_APPEND_BYTES)
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

    def insert_events(
        self,
        stored_events: Sequence[StoredEvent],
        *,
        idempotency: IdempotencyRecord | None = None,
        reads: Mapping[UUID, int] | None = None,
        **_: Any,
    ) -> Sequence[int] | None:
        """Append `stored_events` atomically with the idempotency record and the read streams'
        check; the notification ids once committed. Concurrent calls are written together
        (`group_commit`); a conflict of this append raises IntegrityError and appends nothing."""
        if not stored_events:
            return []
        reads = reads or {}
        pending = PendingAppend(
            stored_events,
            idempotency,
            reads,
            size=sum(len(s.state) for s in stored_events),
            params=self._append_params(stored_events, idempotency, reads),
        )
        return self.group_commit.submit(pending)

    def _write_batch(self, batch: list[PendingAppend]) -> None:
        """One transaction for the queued appends, sent as one pipeline (one round trip however
        many appends): the append lock, each append by one call of the append function (its
        own subtransaction; it stamps the recorded time), one NOTIFY, the chain links of every
        new event, COMMIT. The lock is held only while the database runs the pipeline, never
        while this thread waits for its turn to run. Each append is settled after COMMIT."""
        results: list[Cursor[DictRow]] = []
        with self.datastore.get_connection() as conn:
            with conn.pipeline() as pipeline, conn.transaction():
                with conn.cursor() as curs:
                    self._lock_table(curs)
                for pending in batch:
                    curs = conn.cursor()
                    curs.execute(self.append_statement, pending.params, prepare=True)
                    results.append(curs)
                with conn.cursor() as curs:
                    self._notify_channel(curs)
                    curs.execute(self.link_statement, prepare=True)
                self._before_commit(pipeline)
            # Committed (the pipeline and transaction above have ended without an error).
            for pending, curs in zip(batch, results, strict=True):
                with curs:
                    outcome = curs.fetchone()
                assert outcome is not None
                if outcome["positions"] is None:
                    conflict = outcome["conflict"]
                    pending.fail(IntegrityError(f"the append conflicts ({conflict})"))
                else:
                    pending.succeed(list(outcome["positions"]))

    def _before_commit(self, pipeline: Pipeline) -> None:
        """Called with every statement of a batch queued and COMMIT not yet sent (a seam for
        tests that hold a transaction open)."""

    @staticmethod
    def _append_params(
        stored_events: Sequence[StoredEvent],
        record: IdempotencyRecord | None,
        reads: Mapping[UUID, int],
    ) -> tuple[Any, ...]:
        """The append function's arguments, prepared by the caller's thread before queueing."""
        slotted = [recorded_time.time_slot(s) for s in stored_events]
        return (
            [s.originator_id for s, _ in slotted],
            [s.originator_version for s, _ in slotted],
            [s.topic for s, _ in slotted],
            [s.state for s, _ in slotted],
            [slot for _, slot in slotted],
            list(reads),
            list(reads.values()),
            record.scope if record else None,
            record.request_hash if record else None,
            Jsonb(record.result) if record else None,
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

    def __init__(self, recorder: XunchaRecorder, mapper: EnvelopeMapper | None = None) -> None:
        self.recorder = recorder
        self.mapper = mapper or EnvelopeMapper()

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
        try:
            ids = self.recorder.insert_events(stored, idempotency=idempotency, reads=reads or {})
        except IntegrityError as error:
            raise ConcurrencyConflict(
                "another command changed this record at the same time; reload it and retry"
            ) from error
        return list(ids or [])

    def read(self, after: int, limit: int) -> list[RecordedEvent]:
        """The notification log, in order, after position `after`."""
        notes = self.recorder.select_notifications(after, limit, inclusive_of_start=False)
        return [self.mapper.to_recorded_event(n) for n in notes]

    def head(self) -> int:
        return self.recorder.max_notification_id() or 0

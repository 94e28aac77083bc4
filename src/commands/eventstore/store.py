"""The event store: eventsourcing's PostgreSQL recorder, our mapper, and idempotency records.

An idempotency record is inserted in the same transaction as the command's events, so a
retried command either finds the first result or appends nothing. So are the events' links
of the tamper-evident hash chain (`commands.integrity`). Each event's recorded time
(`occurred_at`) is taken under the append lock (`commands.recorded_time`).

Concurrent appends are group-committed (`commands.eventstore.group_commit`): one call of the
`xuncha_append` function, in autocommit (one statement, one transaction, one round trip),
writes every append queued when its writer started, each in a subtransaction that fails that
append alone on a conflict.

Appends are serialized by a transaction-scoped advisory lock instead of the library's
`LOCK TABLE stored_events IN EXCLUSIVE MODE`: that lock mode needs UPDATE, DELETE or
TRUNCATE rights on the table, which the application's database role must not have
(docs/security.md). Every append goes through this recorder and takes the same lock before
drawing notification ids, so commit order still equals notification order.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
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
# An append used to travel as one pipelined INSERT; on psycopg 3.3 / libpq 18 such an INSERT
# of roughly 0.6-1 MB hung while holding the append lock, stopping every writer. This cap
# keeps a single command's events, and a group-committed batch (one function call, not
# pipelined), well below that.
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


def _once(method: Any) -> Any:
    """The library's method without its retry decorator (10 attempts, 0.2 s apart): with a
    lock, statement or pool timeout each attempt would wait the whole timeout again, so a
    request would take ten timeouts to fail. The pool checks a connection before lending it,
    which is what those retries were for."""
    return getattr(method, "__wrapped__", method)


def append_function_statements(schema: str) -> list[Composed]:
    """The append function: a group-committed batch of appends as one statement, so in
    autocommit one transaction and one round trip. It takes the append lock (held until
    commit, so commit order is notification order), then for each append k in turn, in its
    own subtransaction (the EXCEPTION block): the idempotency row, the read guard, the recorded
    time (now by the database's clock, never before the last stored event's:
    `commands.eventstore.recorded_time`) written into each event's time slot, and the INSERT of
    the events. A unique violation fails append k alone and appends nothing of it: a stream that
    moved on (its next version exists, also by an earlier append of the batch), a read stream
    that moved on (the read guard inserts that next version again, the same violation) or an
    idempotency key already used. Then one NOTIFY and the chain links of every new event.
    Returns one row per append: its notification ids in order, or NULL and the violated
    constraint's name.

    The arguments are flattened over the batch: each event, read and idempotency record
    names its append (`*_of`, 1-based)."""
    events = Identifier(schema, EVENTS_TABLE)
    return [
        SQL(
            "CREATE OR REPLACE FUNCTION {function}("
            " appends integer, lock_wait text,"
            " event_of integer[], new_ids uuid[], new_versions bigint[], new_topics text[],"
            " new_states bytea[], time_slots integer[],"
            " read_of integer[], read_ids uuid[], read_versions bigint[],"
            " key_of integer[], key_scopes text[], key_hashes text[], key_results jsonb[])"
            " RETURNS TABLE (append_no integer, positions bigint[], conflict text)"
            " LANGUAGE plpgsql AS $body$"
            " DECLARE k integer; recorded bytea; violated text;"
            " BEGIN"
            "  PERFORM set_config('lock_timeout', lock_wait, true);"
            "  PERFORM pg_advisory_xact_lock({lock});"
            "  FOR k IN 1..appends LOOP"
            "   BEGIN"
            "    recorded := {recorded};"
            "    INSERT INTO {idempotency} (scope, request_hash, result)"
            "     SELECT x.scope, x.hash, x.result"
            "     FROM unnest(key_of, key_scopes, key_hashes, key_results)"
            "      AS x(a, scope, hash, result)"
            "     WHERE x.a = k;"
            "    INSERT INTO {events} (originator_id, originator_version, topic, state)"
            "     SELECT r.id, r.v + 1, NULL, NULL"
            "     FROM unnest(read_of, read_ids, read_versions) AS r(a, id, v)"
            "     WHERE r.a = k AND EXISTS (SELECT 1 FROM {events} AS e"
            "      WHERE e.originator_id = r.id AND e.originator_version = r.v + 1);"
            "    WITH inserted AS ("
            "     INSERT INTO {events} (originator_id, originator_version, topic, state)"
            "      SELECT n.id, n.v, n.topic, CASE WHEN n.slot IS NULL THEN n.state"
            "       ELSE overlay(n.state PLACING recorded FROM n.slot FOR {width}) END"
            "      FROM unnest(event_of, new_ids, new_versions, new_topics, new_states, time_slots)"
            "       WITH ORDINALITY AS n(a, id, v, topic, state, slot, o)"
            "      WHERE n.a = k ORDER BY n.o"
            "     RETURNING notification_id)"
            "    SELECT k, array_agg(i.notification_id ORDER BY i.notification_id), NULL"
            "     INTO append_no, positions, conflict FROM inserted AS i;"
            "    RETURN NEXT;"
            "   EXCEPTION WHEN unique_violation THEN"
            "    GET STACKED DIAGNOSTICS violated = CONSTRAINT_NAME;"
            "    append_no := k; positions := NULL; conflict := violated;"
            "    RETURN NEXT;"
            "   END;"
            "  END LOOP;"
            "  PERFORM pg_notify({channel}, '');"
            "  {link};"
            " END $body$"
        ).format(
            function=Identifier(schema, APPEND_FUNCTION),
            idempotency=Identifier(schema, IDEMPOTENCY_TABLE),
            events=events,
            lock=Literal(APPEND_LOCK),
            channel=Literal(EVENTS_TABLE),
            link=integrity.link_statement(schema, EVENTS_TABLE),
            recorded=recorded_time.recorded_at_text(
                SQL(
                    "greatest(clock_timestamp(), (SELECT {at} FROM {events}"
                    " ORDER BY notification_id DESC LIMIT 1))"
                ).format(at=recorded_time.RECORDED_AT, events=events)
            ),
            width=Literal(len(recorded_time.SLOT)),
        ),
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
        self.link_statement = integrity.link_statement(datastore.schema, EVENTS_TABLE)
        # Rendered once: the writer sends it for every batch.
        self.append_statement = (
            SQL(
                "SELECT append_no, positions, conflict FROM {}(%s, %s, %s::integer[],"
                " %s::uuid[], %s::bigint[], %s::text[], %s::bytea[], %s::integer[],"
                " %s::integer[], %s::uuid[], %s::bigint[],"
                " %s::integer[], %s::text[], %s::text[], %s::jsonb[])"
            )
            .format(Identifier(datastore.schema, APPEND_FUNCTION))
            .as_string()
        )
        self.lock_wait = f"{datastore.lock_timeout}s"
        self.group_commit = GroupCommit(self._write_batch, MAX_APPEND_BYTES)
        self.lock_table_statements = [
            SQL("SET LOCAL lock_timeout = '{0}s'").format(datastore.lock_timeout),
            SQL("SELECT pg_advisory_xact_lock({0})").format(Literal(APPEND_LOCK)),
        ]

    def create_table(self) -> None:
        """Creates nothing: the tables and the append function come from the numbered
        migrations (`commands.eventstore.migrate`, `xuncha db migrate`), run by the owner role.
        Only the library's type adapters are registered."""
        self.datastore.register_type_adapters()

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
        """The queued appends as one call of the append function, in autocommit: one
        statement, one transaction, one round trip however many appends. The append lock is
        held only while PostgreSQL runs it and commits, never while a Python thread waits for
        its turn to run. Each append is settled after COMMIT."""
        params = self._batch_params(batch)
        with self.datastore.get_connection() as conn:
            rows = self._execute_batch(conn, params)
        outcomes = {row["append_no"]: row for row in rows}
        for k, pending in enumerate(batch, start=1):
            outcome = outcomes[k]
            if outcome["positions"] is None:
                conflict = outcome["conflict"]
                pending.fail(IntegrityError(f"the append conflicts ({conflict})"))
            else:
                pending.succeed(list(outcome["positions"]))

    def _execute_batch(
        self, conn: psycopg.Connection[DictRow], params: tuple[Any, ...]
    ) -> list[DictRow]:
        """Run the append function (a seam for tests that hold the transaction open)."""
        with conn.cursor() as curs:
            curs.execute(self.append_statement, params, prepare=True)
            return curs.fetchall()

    def _batch_params(self, batch: list[PendingAppend]) -> tuple[Any, ...]:
        """The append function's arguments: the appends' own, flattened, each item naming
        its append."""
        columns: tuple[list[Any], ...] = tuple([] for _ in range(13))
        for k, pending in enumerate(batch, start=1):
            events, reads, key = pending.params
            for column, values in zip(columns[1:6], events, strict=True):
                column.extend(values)
            columns[0].extend([k] * len(events[0]))
            for column, values in zip(columns[7:9], reads, strict=True):
                column.extend(values)
            columns[6].extend([k] * len(reads[0]))
            if key is not None:
                for column, value in zip(columns[9:13], (k, *key), strict=True):
                    column.append(value)
        return (len(batch), self.lock_wait, *columns)

    @staticmethod
    def _append_params(
        stored_events: Sequence[StoredEvent],
        record: IdempotencyRecord | None,
        reads: Mapping[UUID, int],
    ) -> tuple[Any, ...]:
        """One append's part of the arguments (events, reads, idempotency record), prepared
        by the caller's thread before queueing."""
        slotted = [recorded_time.time_slot(s) for s in stored_events]
        events = (
            [s.originator_id for s, _ in slotted],
            [s.originator_version for s, _ in slotted],
            [s.topic for s, _ in slotted],
            [s.state for s, _ in slotted],
            [slot for _, slot in slotted],
        )
        key = None if record is None else (record.scope, record.request_hash, Jsonb(record.result))
        return events, (list(reads), list(reads.values())), key

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

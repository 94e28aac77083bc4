"""The Kafka relay: the notification log, mapped to integration events, onto Kafka topics.

It is a projection whose effect is outside the database, so it cannot commit its position with
its effect. Instead it sends a batch, flushes, checks every send, and only then records the
position: at-least-once. A relay that dies mid-batch re-sends at most that batch, with the same
``ce_id`` (the domain event id), which consumers deduplicate. While catching up, the next batch
is read and mapped while the producer sends the previous one; it is sent only once that one is
confirmed, so one batch at most is ever in flight. The idempotent producer
(``enable_idempotence=True``, ``acks='all'``) keeps the order of one key within a partition, and
the key is the aggregate id, so each aggregate's facts arrive in order.

Only one relay works at a time (a PostgreSQL advisory lock); others wait as standbys (the loop
is `commands.eventstore.log_follower.LogFollower`, shared with the projection runner). Without
Kafka nothing runs and events wait in the log; a relay started later publishes them all.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg
from psycopg import Connection
from structlog.contextvars import bind_contextvars, unbind_contextvars

from xuncha.commands.eventstore.log_follower import LogFollower
from xuncha.events.base import RecordedEvent
from xuncha.events.integration import (
    AUDIT_CHECKPOINT,
    CONTENT_TYPE,
    SPEC_VERSION,
    TOPICS,
    IntegrationEvent,
    is_published,
    message_id,
    to_integrations,
)
from xuncha.events.mapper import EnvelopeMapper, dumps
from xuncha.projections import head_publisher, tracking
from xuncha.projections.runner import SELECT_BATCH

log = logging.getLogger(__name__)
NAME = "kafka_relay"  # its row in projection_tracking
RELAY_LOCK = 0x58554E4348410002  # "XUNCHA" + 2: the relay's advisory lock
APP_NAME = "xuncha-relay"
# A caught-up relay still says it is alive this often (`last_success_at`).
HEARTBEAT_SECONDS = 5.0
# Kafka waits kept short so a broker outage shows as `last_error` within seconds.
FLUSH_TIMEOUT_SECONDS = 20.0
# Hears each batch that read events: events read, messages sent, seconds, and the trace
# contexts of the commands that recorded them (metrics, traces).
RelayObserver = Callable[[int, int, float, list[str]], None]
# Bound to the log lines written while an event is mapped (api/logs.py); after that the
# batch's first and last positions (`batch_from`, `batch_to`) until it is recorded.
EVENT_FIELDS = ("event_type", "position", "correlation_id")


@dataclass(frozen=True)
class Message:
    topic: str
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]


@dataclass
class _Batch:
    """Events read after `position`, their messages, and the sends once sent."""

    position: int
    rows: list[tuple[Any, ...]]
    messages: list[Message]
    started: float  # perf_counter when it was read: the batch's duration runs from there
    futures: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class KafkaTarget:
    """Where and how to publish: the broker, the topics' prefix and settings, ce_source."""

    bootstrap_servers: str
    topic_prefix: str = ""
    source: str = "urn:xuncha"
    partitions: int = 3
    replication_factor: int = 1
    client_id: str = "xuncha-relay"
    producer_overrides: dict[str, Any] = field(default_factory=dict)

    def topic(self, base: str) -> str:
        return f"{self.topic_prefix}{base}"


def message_of(
    recorded: RecordedEvent, published: IntegrationEvent, target: KafkaTarget, index: int = 0
) -> Message:
    """The Kafka record of the index-th integration event of a domain event: CloudEvents 1.0
    binary mode, with `ce_traceparent` (the distributed-tracing extension) when the command
    that recorded the event was traced."""
    meta = recorded.metadata
    headers = {
        "ce_specversion": SPEC_VERSION,
        "ce_id": str(message_id(meta.event_id, index, published)),
        "ce_source": target.source,
        "ce_type": published.ce_type(),
        "ce_subject": str(meta.stream_id),
        "ce_time": meta.occurred_at.isoformat(),
        "ce_dataschema": published.schema_id(),
        "ce_xunchastreamversion": str(meta.stream_version),
        "content-type": CONTENT_TYPE,
    }
    if meta.traceparent is not None:  # CloudEvents distributed-tracing extension
        headers["ce_traceparent"] = meta.traceparent
    return Message(
        topic=target.topic(published.topic),
        key=str(meta.stream_id).encode(),
        value=dumps(published.model_dump(mode="json")),
        headers=[(k, v.encode()) for k, v in headers.items()],
    )


def make_producer(target: KafkaTarget) -> Any:
    from kafka import KafkaProducer

    config: dict[str, Any] = {
        "bootstrap_servers": target.bootstrap_servers,
        "client_id": target.client_id,
        "enable_idempotence": True,  # explicit: no duplicates from retries, order per partition
        "acks": "all",  # explicit: every in-sync replica has it
        "linger_ms": 5,
        "delivery_timeout_ms": 15_000,
        "request_timeout_ms": 10_000,
        "reconnect_backoff_max_ms": 2_000,
        "max_block_ms": 10_000,
        **target.producer_overrides,
    }
    return KafkaProducer(**config)


def topic_configs() -> dict[str, str]:
    return {
        "cleanup.policy": "delete",
        "retention.ms": "-1",  # downstream systems may re-read from the start
        "min.insync.replicas": "1",
        "message.timestamp.type": "CreateTime",
    }


def ensure_topics(target: KafkaTarget) -> list[str]:
    """Create the topics of every aggregate type that are missing; returns those created.
    Partitions are fixed at creation: adding some later would move keys and break order."""
    from kafka import KafkaAdminClient
    from kafka.errors import TopicAlreadyExistsError

    admin = KafkaAdminClient(
        bootstrap_servers=target.bootstrap_servers,
        client_id=f"{target.client_id}-admin",
        request_timeout_ms=10_000,
    )
    try:
        existing = set(admin.list_topics())
        missing = [target.topic(base) for base in TOPICS if target.topic(base) not in existing]
        if missing:
            min_isr = str(min(2, target.replication_factor))
            spec = {
                name: {
                    "num_partitions": target.partitions,
                    "replication_factor": target.replication_factor,
                    "configs": topic_configs() | {"min.insync.replicas": min_isr},
                }
                for name in missing
            }
            with contextlib.suppress(TopicAlreadyExistsError):  # another relay was quicker
                admin.create_topics(spec, wait_for_metadata=True)
        return missing
    finally:
        admin.close()


class KafkaRelay:
    """Publishes the notification log of the database at `conninfo` to `target`."""

    def __init__(
        self,
        conninfo: str,
        target: KafkaTarget,
        *,
        batch_size: int = 500,
        mapper: EnvelopeMapper | None = None,
        observe: RelayObserver | None = None,
    ) -> None:
        self.conninfo = conninfo
        self.target = target
        self.observe = observe
        self.batch_size = batch_size
        self.mapper = mapper or EnvelopeMapper()
        self.stopped = threading.Event()
        self.thread: threading.Thread | None = None
        self.producer: Any = None
        self.last_heartbeat = 0.0
        self.topics_ready = False

    def setup(self) -> None:
        with psycopg.connect(self.conninfo) as conn, conn.cursor() as cur:
            tracking.ensure(cur, NAME)
            head_publisher.setup(conn)
            cur.execute(
                "INSERT INTO kafka_relay_status (name) VALUES (%s) ON CONFLICT DO NOTHING", (NAME,)
            )

    def messages(self, rows: list[tuple[Any, ...]]) -> list[Message]:
        out = []
        for notification_id, _, _, topic, state in rows:
            if not is_published(topic):
                continue
            recorded = self.mapper.decode(bytes(state), topic, notification_id)
            correlation_id = str(recorded.metadata.correlation_id)
            bind_contextvars(
                event_type=topic, position=notification_id, correlation_id=correlation_id
            )
            for index, published in enumerate(to_integrations(recorded)):
                out.append(message_of(recorded, published, self.target, index))
        return out

    def catch_up(self, conn: Connection[Any]) -> int:
        """Publish up to the head, batch after batch, one batch in flight while the next is
        read and mapped: the next batch is sent once the previous one is confirmed (every send
        acknowledged, its position recorded), so no two batches are ever unconfirmed: the order
        is the log's and a relay that dies re-sends at most one batch. What overlaps is the
        producer's sending of one batch and the reading and mapping of the next. `conn` is in
        autocommit mode: nothing is held open while Kafka is slow."""
        total = 0
        in_flight: _Batch | None = None
        position = self._position(conn)
        while not self.stopped.is_set():
            batch = self._read(conn, position)
            if in_flight is not None:
                total += self._confirm(conn, in_flight)
                in_flight = None
            if batch is None:
                break
            self._send(batch)
            in_flight, position = batch, batch.rows[-1][0]
        if in_flight is not None:  # stopped with a batch in flight
            total += self._confirm(conn, in_flight)
        self.publish_heads(conn)
        self.heartbeat(conn)
        return total

    @staticmethod
    def _position(conn: Connection[Any]) -> int:
        row = conn.execute(
            "SELECT position FROM projection_tracking WHERE name = %s", (NAME,)
        ).fetchone()
        assert row is not None, "the relay has no tracking row: call setup()"
        return int(row[0])

    def _read(self, conn: Connection[Any], position: int) -> _Batch | None:
        """The events after `position` (at most a batch), mapped to their messages."""
        started = time.perf_counter()
        rows = conn.execute(SELECT_BATCH, (position, self.batch_size)).fetchall()
        if not rows:
            return None
        messages = self.messages(rows)
        unbind_contextvars(*EVENT_FIELDS)
        return _Batch(position, rows, messages, started)

    def _send(self, batch: _Batch) -> None:
        """Hand the batch's messages to the producer, which sends them in the background."""
        bind_contextvars(batch_from=batch.rows[0][0], batch_to=batch.rows[-1][0])
        if self.producer is None:
            self.producer = make_producer(self.target)
        batch.futures = [
            self.producer.send(m.topic, key=m.key, value=m.value, headers=m.headers)
            for m in batch.messages
        ]
        unbind_contextvars("batch_from", "batch_to")

    def _confirm(self, conn: Connection[Any], batch: _Batch) -> int:
        """Flush (only `batch` is ever queued), check every send of it, raising the first
        error, then record its position."""
        bind_contextvars(batch_from=batch.rows[0][0], batch_to=batch.rows[-1][0])
        self.producer.flush(timeout=FLUSH_TIMEOUT_SECONDS)
        for future in batch.futures:
            future.get(timeout=0)  # raises the send's error, if any
        with conn.transaction():
            moved = conn.execute(
                "UPDATE projection_tracking SET position = %s, updated_at = now()"
                " WHERE name = %s AND position = %s",
                (batch.rows[-1][0], NAME, batch.position),
            ).rowcount
            if moved != 1:
                raise RuntimeError("the relay's position moved under it: is a second relay on?")
            conn.execute(
                "UPDATE kafka_relay_status SET published_total = published_total + %s,"
                " last_published_at = now(), last_success_at = now() WHERE name = %s",
                (len(batch.messages), NAME),
            )
        unbind_contextvars("batch_from", "batch_to")
        if self.observe is not None:
            traced = [
                v.decode() for m in batch.messages for k, v in m.headers if k == "ce_traceparent"
            ]
            seconds = time.perf_counter() - batch.started
            self.observe(len(batch.rows), len(batch.messages), seconds, traced)
        return len(batch.rows)

    def heartbeat(self, conn: Connection[Any]) -> None:
        """Record that a catch-up succeeded (at most every HEARTBEAT_SECONDS when idle)."""
        now = time.monotonic()
        if now - self.last_heartbeat < HEARTBEAT_SECONDS:
            return
        conn.execute(
            "UPDATE kafka_relay_status SET last_success_at = now() WHERE name = %s", (NAME,)
        )
        self.last_heartbeat = now

    def publish_heads(self, conn: Connection[Any]) -> int:
        """Signed tree heads to `xuncha.audit.checkpoint` (projections/head_publisher.py)."""
        if self.producer is None:
            self.producer = make_producer(self.target)
        topic = self.target.topic(AUDIT_CHECKPOINT)
        total = 0
        while (sent := head_publisher.publish(conn, self.producer, topic, self.target.source)) > 0:
            total += sent
        return total

    def record_error(self, conn: Connection[Any], error: BaseException) -> None:
        try:
            conn.execute(
                "UPDATE kafka_relay_status SET last_error = %s, last_error_at = now()"
                " WHERE name = %s",
                (f"{type(error).__name__}: {error}"[:2000], NAME),
            )
        except psycopg.Error:
            log.exception("could not record the relay's error")

    def close_producer(self) -> None:
        if self.producer is not None:
            try:
                self.producer.close(timeout=5)
            except Exception:
                log.exception("closing the Kafka producer failed")
            self.producer = None

    def follower(self, poll_seconds: float = 1.0) -> LogFollower:
        """The relay's loop: the relay lock, woken by each append, publishing each time."""
        return LogFollower(
            self.conninfo,
            name="kafka relay",
            lock=RELAY_LOCK,
            application_name=APP_NAME,
            step=self.step,
            poll_seconds=poll_seconds,
            autocommit=True,  # nothing is held open while Kafka is slow
            on_error=self.batch_failed,
            stopped=self.stopped,
        )

    def step(self, conn: Connection[Any]) -> None:
        """Make sure the topics exist (once, and again after a failure), then catch up."""
        if not self.topics_ready:
            ensure_topics(self.target)
            self.topics_ready = True
        self.catch_up(conn)

    def batch_failed(self, conn: Connection[Any], error: Exception) -> None:
        """Kafka down or a send failed: record it, and retry the batch with a fresh producer."""
        log.warning("kafka relay batch failed (%s); retrying", error)
        self.record_error(conn, error)
        self.close_producer()
        self.topics_ready = False

    def run_forever(self, poll_seconds: float = 1.0) -> None:
        """Take the relay lock (waiting as a standby), make sure the topics exist, then catch
        up and follow live; reconnect after losing the database or Kafka, until stopped
        (`LogFollower`)."""
        self.setup()
        self.topics_ready = False
        try:
            self.follower(poll_seconds).run()
        finally:
            self.close_producer()

    def start_thread(self) -> threading.Thread:
        self.thread = threading.Thread(target=self.run_forever, name="kafka-relay", daemon=True)
        self.thread.start()
        return self.thread

    def stop(self, timeout: float = 15.0) -> None:
        self.stopped.set()
        if self.thread is not None:
            self.thread.join(timeout)


def status(conn: Connection[Any]) -> dict[str, Any]:
    """Position, log head, lag, what was published and the last error."""
    head_row = conn.execute(
        "SELECT coalesce(max(notification_id), 0) FROM stored_events"
    ).fetchone()
    head = int(head_row[0]) if head_row else 0
    exists = conn.execute("SELECT to_regclass('kafka_relay_status') IS NOT NULL").fetchone()
    if not (exists and exists[0]):
        return {"position": 0, "log_head": head, "lag": head, "state": "never ran"}
    row = conn.execute(
        "SELECT t.position, to_jsonb(s) FROM projection_tracking t"
        " LEFT JOIN kafka_relay_status s ON s.name = t.name WHERE t.name = %s",
        (NAME,),
    ).fetchone()
    if row is None:
        return {"position": 0, "log_head": head, "lag": head, "state": "never ran"}
    # As JSON: a status table of an older version lacks the newer columns.
    seen = row[1] or {}

    def at(name: str) -> datetime | None:
        text = seen.get(name)
        return datetime.fromisoformat(text) if text else None

    error_at, success_at = at("last_error_at"), at("last_success_at")
    return {
        "position": int(row[0]),
        "log_head": head,
        "lag": head - int(row[0]),
        "published_total": int(seen.get("published_total") or 0),
        "last_published_at": iso(at("last_published_at")),
        "last_error": seen.get("last_error"),
        "last_error_at": iso(error_at),
        "last_success_at": iso(success_at),
        "failing": bool(error_at and (success_at is None or error_at > success_at)),
    }


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def wait_until_published(conninfo: str, position: int, timeout: float) -> bool:
    """True once the relay's position is at `position` or beyond (tests, benchmarks)."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(conninfo, autocommit=True) as conn:
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT position FROM projection_tracking WHERE name = %s", (NAME,)
            ).fetchone()
            if row and int(row[0]) >= position:
                return True
            time.sleep(0.02)
    return False

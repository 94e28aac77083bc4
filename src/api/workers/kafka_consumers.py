"""Kafka consumers at Xuncha's edge.

* `ResultsConsumer` is the **reference consumer** for the organization department: a consumer
  group that builds its own annual-evaluation table in PostgreSQL from the rectification and
  results topics. It deduplicates on ``ce_id`` and applies each item's facts in stream-version
  order, in one transaction per polled batch, and commits its offsets only after that
  transaction: a crash repeats a batch, whose effects the dedup table absorbs.
* `DispositionsAdapter` is the anti-corruption layer for the discipline commission's messages
  about leads: it validates each message and turns it into a command through a `LeadCommands`
  port; an invalid or unknown message, or one the domain refuses, goes to the dead-letter topic
  with the reason, and the adapter goes on.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

import psycopg
from psycopg import Cursor
from pydantic import ValidationError

from xuncha.api.workers.consumer_health import ConsumerHealth, run_guarded
from xuncha.commands.eventstore import migrate
from xuncha.events.base import Actor, Role
from xuncha.events.integration import (
    CONTENT_TYPE,
    DEAD_LETTER_SUFFIX,
    DISPOSITIONS_TOPIC,
    INBOUND,
    RECTIFICATION_ITEM,
    RESULT,
    SPEC_VERSION,
    TYPES,
    InboundLeadAcknowledgedV1,
    InboundLeadDispositionRecordedV1,
    InboundLeadOutcomeReportedV1,
    InspectionResultSharedV1,
    IntegrationEvent,
    ItemDeadlineChangedV1,
    ItemStatus,
    ItemStatusChangedV1,
    RectificationItemOpenedV1,
)

log = logging.getLogger(__name__)
REQUIRED_HEADERS = ("ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time")


class Rejected(ValueError):
    """A message that cannot be accepted as it is; the reason goes with it to the DLQ."""


def headers_of(record: Any) -> dict[str, str]:
    return {k: (v.decode() if isinstance(v, bytes) else str(v)) for k, v in record.headers or []}


def parse(record: Any, known: dict[str, type[IntegrationEvent]]) -> tuple[dict[str, str], Any]:
    """The CloudEvents headers and the validated payload of a record, or `Rejected`."""
    headers = headers_of(record)
    if missing := [h for h in REQUIRED_HEADERS if not headers.get(h)]:
        raise Rejected(f"missing CloudEvents headers: {missing}")
    if headers["ce_specversion"] != SPEC_VERSION:
        raise Rejected(f"unsupported ce_specversion {headers['ce_specversion']!r}")
    if headers.get("content-type", CONTENT_TYPE).split(";")[0] != CONTENT_TYPE:
        raise Rejected(f"unsupported content-type {headers.get('content-type')!r}")
    try:
        UUID(headers["ce_id"])
    except ValueError:
        raise Rejected("ce_id is not a UUID") from None
    cls = known.get(headers["ce_type"])
    if cls is None:
        raise Rejected(f"unknown ce_type {headers['ce_type']!r}")
    try:
        payload = cls.model_validate(json.loads(record.value))
    except (ValueError, TypeError) as error:  # JSON or pydantic
        detail = error.errors(include_url=False) if isinstance(error, ValidationError) else error
        raise Rejected(f"invalid {headers['ce_type']} payload: {detail}") from None
    return headers, payload


# ---------------------------------------------------------------- the reference consumer
RECOUNT = """
INSERT INTO ae_annual_evaluation AS a (organization_id, year, organization_name, items_total,
    items_closed, items_closed_on_time, completion_rate, results_shared, last_grade)
SELECT %(org)s, %(year)s, coalesce(max(i.organization_name), %(org)s), count(i.item_id),
    count(*) FILTER (WHERE i.status = %(closed)s),
    count(*) FILTER (WHERE i.status = %(closed)s AND i.on_time),
    (count(*) FILTER (WHERE i.status = %(closed)s))::float / nullif(count(i.item_id), 0),
    (SELECT count(*) FROM ae_shared_result r WHERE r.organization_id = %(org)s
        AND r.year = %(year)s),
    (SELECT r.evaluation_grade FROM ae_shared_result r WHERE r.organization_id = %(org)s
        AND r.year = %(year)s ORDER BY r.published_on DESC LIMIT 1)
FROM ae_rectification_item i WHERE i.organization_id = %(org)s AND i.year = %(year)s
ON CONFLICT (organization_id, year) DO UPDATE SET organization_name = excluded.organization_name,
    items_total = excluded.items_total, items_closed = excluded.items_closed,
    items_closed_on_time = excluded.items_closed_on_time,
    completion_rate = excluded.completion_rate, results_shared = excluded.results_shared,
    last_grade = excluded.last_grade
"""


class ResultsConsumer:
    """Builds `ae_annual_evaluation` (per organization and year) from Kafka."""

    def __init__(
        self,
        conninfo: str,
        bootstrap_servers: str,
        *,
        topic_prefix: str = "",
        group_id: str = "xuncha-annual-evaluation",
    ) -> None:
        self.conninfo = conninfo
        self.bootstrap_servers = bootstrap_servers
        self.topics = [f"{topic_prefix}{RECTIFICATION_ITEM}", f"{topic_prefix}{RESULT}"]
        self.group_id = group_id
        self.stopped = threading.Event()
        self.consumer: Any = None

    def setup(self) -> None:
        """Its tables come from the migrations: refuse a database behind the code."""
        migrate.require_current(self.conninfo)

    def open(self) -> Any:
        from kafka import KafkaConsumer

        self.consumer = KafkaConsumer(
            *self.topics,
            bootstrap_servers=self.bootstrap_servers,
            group_id=self.group_id,
            client_id=self.group_id,
            enable_auto_commit=False,  # committed after our own transaction only
            auto_offset_reset="earliest",
        )
        return self.consumer

    def apply(self, cur: Cursor[Any], record: Any) -> tuple[str, int] | None:
        """Apply one record; returns the (organization, year) to recount, if any."""
        try:
            headers, event = parse(record, TYPES)
        except Rejected as error:
            log.warning("skipping a record the contract does not describe: %s", error)
            return None
        cur.execute(
            "INSERT INTO ae_seen_event (ce_id, ce_type) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            (headers["ce_id"], headers["ce_type"]),
        )
        if cur.rowcount == 0:
            return None  # a re-send: already applied
        version = int(headers.get("ce_xunchastreamversion", "0"))
        at = datetime.fromisoformat(headers["ce_time"])
        if isinstance(event, RectificationItemOpenedV1):
            cur.execute(
                "INSERT INTO ae_rectification_item (item_id, inspection_id, organization_id,"
                " organization_name, year, deadline, status, stream_version)"
                " VALUES (%s, %s, %s, %s, %s, %s, 'open', %s) ON CONFLICT DO NOTHING",
                (
                    event.item_id,
                    event.inspection_id,
                    event.organization_id,
                    event.organization_name,
                    at.year,
                    event.deadline,
                    version,
                ),
            )
            item_id = event.item_id
        elif isinstance(event, ItemStatusChangedV1):
            cur.execute(
                "UPDATE ae_rectification_item SET status = %s,"
                " closed_on = coalesce(%s, closed_on), on_time = coalesce(%s, on_time),"
                " stream_version = %s WHERE item_id = %s AND stream_version < %s",
                (
                    event.status.value,
                    event.closed_on,
                    event.on_time,
                    version,
                    event.item_id,
                    version,
                ),
            )
            item_id = event.item_id
        elif isinstance(event, ItemDeadlineChangedV1):
            cur.execute(
                # `<=`: a reclassification's deadline change shares its status's version
                "UPDATE ae_rectification_item SET deadline = %s, stream_version = %s"
                " WHERE item_id = %s AND stream_version <= %s",
                (event.deadline, version, event.item_id, version),
            )
            item_id = event.item_id
        elif isinstance(event, InspectionResultSharedV1):
            cur.execute(
                "INSERT INTO ae_shared_result (result_id, organization_id, year, basis,"
                " evaluation_grade, completion_rate, published_on)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (
                    event.result_id,
                    event.organization_id,
                    event.published_on.year,
                    event.basis,
                    event.evaluation_grade,
                    event.completion_rate,
                    event.published_on,
                ),
            )
            return event.organization_id, event.published_on.year
        else:
            return None
        row = cur.execute(
            "SELECT organization_id, year FROM ae_rectification_item WHERE item_id = %s",
            (item_id,),
        ).fetchone()
        return (str(row[0]), int(row[1])) if row else None

    def apply_batch(self, records: Iterable[Any]) -> int:
        count = 0
        with psycopg.connect(self.conninfo) as conn, conn.transaction(), conn.cursor() as cur:
            touched = set()
            for record in records:
                count += 1
                if (key := self.apply(cur, record)) is not None:
                    touched.add(key)
            for org, year in sorted(touched):
                cur.execute(RECOUNT, {"org": org, "year": year, "closed": ItemStatus.CLOSED})
        return count

    def poll_once(self, timeout_ms: int = 500) -> int:
        batch = self.consumer.poll(timeout_ms=timeout_ms, max_records=500)
        records = [record for records in batch.values() for record in records]
        if not records:
            return 0
        applied = self.apply_batch(records)
        self.consumer.commit()  # only after our transaction committed
        return applied

    def run_forever(self) -> None:
        """Poll until stopped; a fault (broker or database down) is recorded in
        `kafka_consumer_status` and the consumer reopened from its committed offsets."""
        self.setup()
        health = ConsumerHealth(self.conninfo, self.group_id)
        try:
            run_guarded(self.poll_open, self.close, lambda: self.consumer, health, self.stopped)
        finally:
            self.close()

    def poll_open(self) -> int:
        if self.consumer is None:
            self.open()
        return self.poll_once()

    def close(self) -> None:
        if self.consumer is not None:
            self.consumer.close()
            self.consumer = None


# ---------------------------------------------------------------- inbound dispositions
class DomainRefusal(Exception):
    """The domain refused a command built from a valid message (unknown lead, wrong stage)."""


class LeadCommands(Protocol):
    """The write side as the adapter sees it. `key` makes a re-delivered message a no-op."""

    def acknowledge(self, message: InboundLeadAcknowledgedV1, actor: Actor, key: str) -> None: ...

    def record_disposition(
        self, message: InboundLeadDispositionRecordedV1, actor: Actor, key: str
    ) -> None: ...

    def report_outcome(
        self, message: InboundLeadOutcomeReportedV1, actor: Actor, key: str
    ) -> None: ...


class ApplicationLeadCommands:
    """`LeadCommands` on the application service: AcknowledgeLead, RecordLeadDisposition and
    ReportLeadOutcome of `commands.lead`, idempotent by the message's ``ce_id``."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def _execute(self, name: str, body: dict[str, Any], actor: Actor, key: str) -> None:
        import importlib

        from xuncha.commands.errors import DomainError

        cls = getattr(importlib.import_module("xuncha.commands.lead"), name)
        try:
            command = cls.model_validate(body)
        except ValidationError as error:
            raise Rejected(f"{name}: {error.errors(include_url=False)}") from None
        try:
            self.app.execute(command, actor, idempotency_key=f"kafka:{key}")
        except DomainError as error:
            raise DomainRefusal(f"{type(error).__name__}: {error}") from error

    def acknowledge(self, message: InboundLeadAcknowledgedV1, actor: Actor, key: str) -> None:
        self._execute("AcknowledgeLead", message.model_dump(), actor, key)

    def record_disposition(
        self, message: InboundLeadDispositionRecordedV1, actor: Actor, key: str
    ) -> None:
        self._execute("RecordLeadDisposition", message.model_dump(), actor, key)

    def report_outcome(self, message: InboundLeadOutcomeReportedV1, actor: Actor, key: str) -> None:
        self._execute("ReportLeadOutcome", message.model_dump(), actor, key)


class DispositionsAdapter:
    """Consumes the dispositions topic, turns each message into a lead command, dead-letters
    what cannot be applied, and commits offsets after both."""

    def __init__(
        self,
        commands: LeadCommands,
        bootstrap_servers: str,
        *,
        organization_id: str,
        topic_prefix: str = "",
        group_id: str = "xuncha-lead-dispositions",
    ) -> None:
        self.commands = commands
        self.bootstrap_servers = bootstrap_servers
        self.topic = f"{topic_prefix}{DISPOSITIONS_TOPIC}"
        self.dead_letter_topic = self.topic + DEAD_LETTER_SUFFIX
        self.group_id = group_id
        self.actor = Actor(
            user_id="kafka-dispositions",
            role=Role.DISCIPLINE_COMMISSION,
            organization_id=organization_id,
        )
        self.stopped = threading.Event()
        self.consumer: Any = None
        self.producer: Any = None

    def ensure_topics(self, partitions: int = 3, replication_factor: int = 1) -> None:
        from kafka import KafkaAdminClient
        from kafka.errors import TopicAlreadyExistsError

        admin = KafkaAdminClient(bootstrap_servers=self.bootstrap_servers)
        try:
            existing = set(admin.list_topics())
            spec = {
                name: {"num_partitions": partitions, "replication_factor": replication_factor}
                for name in (self.topic, self.dead_letter_topic)
                if name not in existing
            }
            if spec:
                with contextlib.suppress(TopicAlreadyExistsError):
                    admin.create_topics(spec, wait_for_metadata=True)
        finally:
            admin.close()

    def open(self) -> None:
        from kafka import KafkaConsumer, KafkaProducer

        self.consumer = KafkaConsumer(
            self.topic,
            bootstrap_servers=self.bootstrap_servers,
            group_id=self.group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        self.producer = KafkaProducer(
            bootstrap_servers=self.bootstrap_servers, enable_idempotence=True, acks="all"
        )

    def handle(self, record: Any) -> str | None:
        """Apply one message; returns why it was refused, or None."""
        try:
            headers, message = parse(record, INBOUND)
            key = headers["ce_id"]
            if isinstance(message, InboundLeadAcknowledgedV1):
                self.commands.acknowledge(message, self.actor, key)
            elif isinstance(message, InboundLeadDispositionRecordedV1):
                self.commands.record_disposition(message, self.actor, key)
            elif isinstance(message, InboundLeadOutcomeReportedV1):
                self.commands.report_outcome(message, self.actor, key)
        except (Rejected, DomainRefusal) as error:
            return str(error)
        return None

    def dead_letter(self, record: Any, reason: str) -> Any:
        headers = [*(record.headers or [])]
        headers += [
            ("x_dlq_reason", reason[:4000].encode()),
            ("x_dlq_source", f"{record.topic}/{record.partition}/{record.offset}".encode()),
        ]
        return self.producer.send(
            self.dead_letter_topic, key=record.key, value=record.value, headers=headers
        )

    def poll_once(self, timeout_ms: int = 500) -> tuple[int, int]:
        """One poll: (messages applied, messages dead-lettered)."""
        batch = self.consumer.poll(timeout_ms=timeout_ms, max_records=100)
        applied, futures = 0, []
        for records in batch.values():
            for record in records:
                reason = self.handle(record)
                if reason is None:
                    applied += 1
                else:
                    log.warning("dead-lettering %s: %s", record.offset, reason)
                    futures.append(self.dead_letter(record, reason))
        if futures:
            self.producer.flush()
            for future in futures:
                future.get(timeout=0)
        if batch:
            self.consumer.commit()
        return applied, len(futures)

    def run_forever(self, health: ConsumerHealth | None = None) -> None:
        """Poll until stopped; with `health`, faults are recorded and survived."""
        try:
            if health is not None:
                run_guarded(self.poll_open, self.close, lambda: self.consumer, health, self.stopped)
            self.poll_open()
            while not self.stopped.is_set():
                self.poll_once()
        finally:
            self.close()

    def poll_open(self) -> tuple[int, int]:
        if self.consumer is None:
            self.ensure_topics()
            self.open()
        return self.poll_once()

    def close(self) -> None:
        if self.consumer is not None:
            self.consumer.close()
            self.consumer = None
        if self.producer is not None:
            self.producer.close(timeout=5)
            self.producer = None

"""Publishing signed tree heads to Kafka (`xuncha.audit.checkpoint`), as a step of the relay.

Heads are stored v2 checkpoints (`chain_checkpoints` with a tree size); the relay sends those
after the last one it published, flushes, and only then records that position in
`published_heads`: at-least-once, in order (one key, so one partition). Once a head is on
the broker, whoever controls the database can no longer take it back; consumers (an upper
office, `xuncha verify-log --heads-from kafka`) collect them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from psycopg import Connection

from xuncha.events.integration import CONTENT_TYPE, SPEC_VERSION, CheckpointSignedV1

CHANNEL = "kafka"
NAMESPACE = uuid5(NAMESPACE_URL, "urn:xuncha:audit:checkpoint")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class KafkaRecord:
    topic: str
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]


def key_of(key_id: str) -> UUID:
    """The message key of every head signed by one key: one partition, so heads stay in order."""
    return uuid5(NAMESPACE, key_id)


def setup(conn: Connection[Any]) -> None:
    conn.execute(
        "INSERT INTO published_heads (channel) VALUES (%s) ON CONFLICT DO NOTHING", (CHANNEL,)
    )


def _unpublished(conn: Connection[Any]) -> tuple[int, list[tuple[Any, ...]]]:
    row = conn.execute(
        "SELECT position FROM published_heads WHERE channel = %s", (CHANNEL,)
    ).fetchone()
    position = int(row[0]) if row else 0
    rows = conn.execute(
        "SELECT position, link, key_id, signature, signed_at, tree_size, root"
        " FROM chain_checkpoints WHERE position > %s AND tree_size IS NOT NULL"
        " ORDER BY position LIMIT 500",
        (position,),
    ).fetchall()
    return position, rows


def payload(row: tuple[Any, ...]) -> CheckpointSignedV1:
    position, link, key_id, signature, signed_at, size, root = row
    return CheckpointSignedV1(
        format="xuncha.checkpoint.v2",
        position=position,
        link=bytes(link).hex(),
        tree_size=size,
        root=bytes(root).hex(),
        key_id=key_id,
        signature=bytes(signature).hex(),
        signed_at=signed_at,
        timestamp_ms=(signed_at - EPOCH) // timedelta(milliseconds=1),
    )


def record(row: tuple[Any, ...], topic: str, source: str) -> KafkaRecord:
    """The Kafka record of one head: CloudEvents binary mode, like every published event."""
    head = payload(row)
    key = str(key_of(head.key_id))
    headers = {
        "ce_specversion": SPEC_VERSION,
        "ce_id": str(uuid5(NAMESPACE, f"{head.key_id}:{head.position}")),
        "ce_source": source,
        "ce_type": CheckpointSignedV1.ce_type(),
        "ce_subject": key,
        "ce_time": head.signed_at.isoformat(),
        "ce_dataschema": CheckpointSignedV1.schema_id(),
        "content-type": CONTENT_TYPE,
    }
    value = head.model_dump_json().encode()
    return KafkaRecord(topic, key.encode(), value, [(k, v.encode()) for k, v in headers.items()])


def publish(conn: Connection[Any], producer: Any, topic: str, source: str) -> int:
    """Send the heads not yet published, flush, then record the position; returns how many.
    `conn` is in autocommit mode (nothing held open while Kafka is slow)."""
    position, rows = _unpublished(conn)
    if not rows:
        return 0
    records = [record(row, topic, source) for row in rows]
    futures = [producer.send(r.topic, key=r.key, value=r.value, headers=r.headers) for r in records]
    producer.flush()
    for future in futures:
        future.get(timeout=0)  # raises the send's error, if any
    conn.execute(
        "UPDATE published_heads SET position = %s, updated_at = now()"
        " WHERE channel = %s AND position = %s",
        (rows[-1][0], CHANNEL, position),
    )
    return len(rows)

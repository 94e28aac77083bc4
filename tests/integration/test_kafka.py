"""The Kafka relay, the reference consumer and the inbound adapter on a real broker."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg

from tests.support.kafka import LocalBroker, Received, read_all, validate
from tests.support.lifecycle import Lifecycle
from xuncha.api.workers.kafka_consumers import DispositionsAdapter, ResultsConsumer
from xuncha.events.base import Actor
from xuncha.events.integration import (
    DISPOSITIONS_TOPIC,
    TOPICS,
    InboundLeadAcknowledgedV1,
    InboundLeadDispositionRecordedV1,
    InboundLeadOutcomeReportedV1,
    is_published,
)
from xuncha.projections import kafka_relay, tracking
from xuncha.projections.kafka_relay import KafkaRelay, KafkaTarget, wait_until_published


def public_events(conninfo: str) -> list[tuple[str, str, int]]:
    """(event id, stream id, stream version) of every published event in the log, in order."""
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute(
            "SELECT topic, state FROM stored_events ORDER BY notification_id"
        ).fetchall()
    out = []
    for topic, state in rows:
        if is_published(topic):
            meta = json.loads(bytes(state))["metadata"]
            out.append((meta["event_id"], meta["stream_id"], meta["stream_version"]))
    return out


def head(conninfo: str) -> int:
    with psycopg.connect(conninfo) as conn:
        row = conn.execute("SELECT coalesce(max(notification_id), 0) FROM stored_events").fetchone()
    assert row is not None
    return int(row[0])


def topics(prefix: str) -> list[str]:
    return [f"{prefix}{t}" for t in TOPICS]


def check_stream(received: list[Received], expected: list[tuple[str, str, int]]) -> None:
    """Every message valid; published ids == public events; order per key kept; duplicates
    only as re-sends of the same event."""
    for message in received:
        validate(message)
    assert {m.headers["ce_id"] for m in received} == {e for e, _, _ in expected}
    by_key: dict[str, list[int]] = defaultdict(list)
    seen: dict[str, tuple[str, int]] = {}
    for m in sorted(received, key=lambda m: (m.topic, m.partition, m.offset)):
        ce_id, version = m.headers["ce_id"], int(m.headers["ce_xunchastreamversion"])
        if ce_id in seen:
            assert seen[ce_id] == (m.key, version)  # a re-send of the same event
            continue
        seen[ce_id] = (m.key, version)
        by_key[m.key].append(version)
    expected_order: dict[str, list[int]] = defaultdict(list)
    for _, stream_id, version in expected:
        expected_order[stream_id].append(version)
    assert dict(by_key) == dict(expected_order)


def test_commands_through_the_api_arrive_on_the_topics_in_order(
    api: Any, container: Any, kafka_bootstrap: str, topic_prefix: str
) -> None:
    relay = KafkaRelay(
        container.conninfo, KafkaTarget(kafka_bootstrap, topic_prefix=topic_prefix), batch_size=7
    )
    relay.start_thread()
    try:
        life = Lifecycle(api)
        life.to_rectifying()
        life.close_item(life.item_ids[0])
        assert wait_until_published(container.conninfo, head(container.conninfo), 60)
    finally:
        relay.stop()
    expected = public_events(container.conninfo)
    received = read_all(kafka_bootstrap, topics(topic_prefix), len(expected))
    check_stream(received, expected)
    assert len(received) == len(expected)  # no crash: no re-sends
    types = {m.headers["ce_type"] for m in received}
    assert "xuncha.rectification.item_status_changed.v1" in types
    assert "xuncha.inspection.feedback_delivered.v1" in types
    item = [m for m in received if m.key == life.item_ids[0]]
    assert item[0].topic == f"{topic_prefix}xuncha.rectification_item"
    assert [m.payload.get("status") for m in item] == [
        None,
        "in_progress",
        "closure_requested",
        "verified",
        "closed",
    ]
    assert "problem" not in item[0].payload  # minimized: the problem text stays inside
    assert "responsible_leader" not in item[0].payload

    consumer = ResultsConsumer(container.conninfo, kafka_bootstrap, topic_prefix=topic_prefix)
    consumer.setup()
    consumer.open()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            consumer.poll_once()
            with psycopg.connect(container.conninfo) as conn:
                row = conn.execute(
                    "SELECT items_total, items_closed FROM ae_annual_evaluation"
                ).fetchone()
            if row == (1, 1):
                break
    finally:
        consumer.close()
    summary = api.get("/rectification-summary", inspection_id=life.inspection_id)
    with psycopg.connect(container.conninfo) as conn:
        ours = conn.execute(
            "SELECT item_id, status, on_time FROM ae_rectification_item ORDER BY 1"
        ).fetchall()
        ledger = conn.execute(
            "SELECT item_id, status, closed_on_time FROM rm_rectification_item ORDER BY 1"
        ).fetchall()
        evaluation = conn.execute(
            "SELECT organization_id, items_total, items_closed, completion_rate"
            " FROM ae_annual_evaluation"
        ).fetchall()
    assert ours == ledger
    assert evaluation == [("org-water-bureau", 1, 1, 1.0)]
    assert summary  # the shared read model answers for the same inspection


def test_broker_killed_mid_stream_loses_nothing(
    api: Any, container: Any, tmp_path: Path, topic_prefix: str
) -> None:
    broker = LocalBroker(tmp_path / "kafka")
    broker.start()
    relay = KafkaRelay(
        container.conninfo,
        KafkaTarget(broker.bootstrap, topic_prefix=topic_prefix),
        batch_size=5,
    )
    relay.start_thread()
    try:
        lives = [Lifecycle(api) for _ in range(6)]
        for n, life in enumerate(lives):
            if n == 2:
                broker.kill()  # commands keep succeeding while the broker is down
            if n == 4:
                broker.start()
            life.propose_round()
            life.approve_round()
            life.plan_inspection()
        assert wait_until_published(container.conninfo, head(container.conninfo), 150)
        relay.stop()
        expected = public_events(container.conninfo)
        received = read_all(broker.bootstrap, topics(topic_prefix), len(expected))
        check_stream(received, expected)
        with psycopg.connect(container.conninfo) as conn:
            state = kafka_relay.status(conn)
        assert state["lag"] == 0
    finally:
        relay.stop()
        broker.stop()


def start_relay(conninfo: str, bootstrap: str, prefix: str, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "XUNCHA_DATABASE_URL": conninfo,
        "XUNCHA_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "XUNCHA_KAFKA_TOPIC_PREFIX": prefix,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "xuncha.api.cli", "relay", "--batch-size", "400"],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def relay_position(conninfo: str) -> int:
    with psycopg.connect(conninfo) as conn:
        exists = conn.execute("SELECT to_regclass('projection_tracking') IS NOT NULL").fetchone()
        if not (exists and exists[0]):
            return 0
        row = conn.execute(
            "SELECT position FROM projection_tracking WHERE name = 'kafka_relay'"
        ).fetchone()
    return int(row[0]) if row else 0


def test_relay_killed_mid_batch_loses_nothing(
    database_url: str, kafka_bootstrap: str, topic_prefix: str, tmp_path: Path
) -> None:
    from tests.integration.test_runner_kill import seed
    from xuncha.api.database import make_recorder
    from xuncha.commands.eventstore.store import EventStore

    store = EventStore(make_recorder(database_url, pool_size=2))
    try:
        last = seed(store, 400)
    finally:
        store.recorder.datastore.close()
    log = tmp_path / "relay.log"
    first = start_relay(database_url, kafka_bootstrap, topic_prefix, log)
    try:
        deadline = time.monotonic() + 90
        while relay_position(database_url) == 0:
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.01)
        os.kill(first.pid, signal.SIGKILL)
    finally:
        first.wait(10)
    assert relay_position(database_url) < last, "the relay finished before the kill"
    second = start_relay(database_url, kafka_bootstrap, topic_prefix, log)
    try:
        assert wait_until_published(database_url, last, 120), log.read_text()[-3000:]
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(30)
    expected = public_events(database_url)
    received = read_all(kafka_bootstrap, topics(topic_prefix), len(expected), timeout=120)
    check_stream(received, expected)
    env = {**os.environ, "XUNCHA_DATABASE_URL": database_url}
    out = subprocess.run(
        [sys.executable, "-m", "xuncha.api.cli", "relay", "status"],
        env=env,
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    state = json.loads(out[out.index("{") :])
    assert state["lag"] == 0
    assert state["position"] == last


class RecordingLeadCommands:
    """The adapter's port, recording the commands it would issue (the lead aggregate's
    handlers are not in the tree yet)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any, str]] = []

    def acknowledge(self, message: InboundLeadAcknowledgedV1, actor: Actor, key: str) -> None:
        self.calls.append(("acknowledge", message, key))

    def record_disposition(
        self, message: InboundLeadDispositionRecordedV1, actor: Actor, key: str
    ) -> None:
        self.calls.append(("record_disposition", message, key))

    def report_outcome(self, message: InboundLeadOutcomeReportedV1, actor: Actor, key: str) -> None:
        self.calls.append(("report_outcome", message, key))


def test_inbound_dispositions_dead_letter_what_is_invalid(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    from kafka import KafkaProducer

    port = RecordingLeadCommands()
    adapter = DispositionsAdapter(
        port, kafka_bootstrap, organization_id="org-jw", topic_prefix=topic_prefix
    )
    adapter.ensure_topics()
    lead_id, valid_id = str(uuid4()), str(uuid4())

    def headers(ce_type: str, ce_id: str | None = None) -> list[tuple[str, bytes]]:
        values = {
            "ce_specversion": "1.0",
            "ce_id": ce_id or str(uuid4()),
            "ce_source": "urn:jw:case-system",
            "ce_type": ce_type,
            "ce_time": "2026-07-01T08:00:00+08:00",
            "content-type": "application/json",
        }
        return [(k, v.encode()) for k, v in values.items()]

    ack = {
        "lead_id": lead_id,
        "receiver_case_no": "榆纪〔2026〕17号",
        "acknowledged_on": "2026-07-01",
    }
    sent = [
        (headers("gov.jw.lead.acknowledged.v1", valid_id), json.dumps(ack).encode()),
        (headers("gov.jw.lead.acknowledged.v1"), b"{not json"),
        (headers("gov.jw.lead.unknown.v1"), json.dumps(ack).encode()),
        (headers("gov.jw.lead.acknowledged.v1"), json.dumps({"lead_id": "x"}).encode()),
        (headers("gov.jw.lead.acknowledged.v1")[1:], json.dumps(ack).encode()),
    ]
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, enable_idempotence=True, acks="all")
    try:
        for hs, value in sent:
            producer.send(
                f"{topic_prefix}{DISPOSITIONS_TOPIC}", key=lead_id.encode(), value=value, headers=hs
            )
        producer.flush()
    finally:
        producer.close()

    adapter.open()
    applied = dead = 0
    try:
        deadline = time.monotonic() + 30
        while applied + dead < len(sent) and time.monotonic() < deadline:
            a, d = adapter.poll_once()
            applied, dead = applied + a, dead + d
    finally:
        adapter.close()
    assert (applied, dead) == (1, 4)
    assert [(name, key) for name, _, key in port.calls] == [("acknowledge", valid_id)]
    assert port.calls[0][1].receiver_case_no == "榆纪〔2026〕17号"

    letters = read_all(kafka_bootstrap, [adapter.dead_letter_topic], 4)
    reasons = sorted(m.headers["x_dlq_reason"] for m in letters)
    assert len(reasons) == 4
    assert any("unknown ce_type" in r for r in reasons)
    assert any("missing CloudEvents headers" in r for r in reasons)
    assert sum("invalid gov.jw.lead.acknowledged.v1 payload" in r for r in reasons) == 2
    assert all(m.headers["x_dlq_source"].startswith(adapter.topic) for m in letters)


class WatchedProducer:
    """The relay's real producer, watched: at each send, the position of the event sent, the
    relay's recorded position, and whether every send at or before it was acknowledged."""

    def __init__(self, real: Any, conninfo: str) -> None:
        self.real = real
        self.conn = psycopg.connect(conninfo, autocommit=True)
        self.sent: list[tuple[int, Any]] = []  # (position of the event, its future)
        self.seen: list[tuple[int, int, bool]] = []  # (position sent, recorded, acknowledged)

    def send(self, topic: str, **kwargs: Any) -> Any:
        headers = {k: v.decode() for k, v in kwargs["headers"]}
        row = self.conn.execute(
            "SELECT notification_id FROM stored_events"
            " WHERE originator_id = %s AND originator_version = %s",
            (headers["ce_subject"], int(headers["ce_xunchastreamversion"])),
        ).fetchone()
        assert row is not None
        position = int(row[0])
        recorded = tracking.positions(self.conn)[kafka_relay.NAME]
        acknowledged = all(f.is_done and f.succeeded() for p, f in self.sent if p <= recorded)
        self.seen.append((position, recorded, acknowledged))
        future = self.real.send(topic, **kwargs)
        self.sent.append((position, future))
        return future

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def test_the_relay_keeps_one_batch_in_flight_and_records_a_position_once_acknowledged(
    api: Any, container: Any, kafka_bootstrap: str, topic_prefix: str
) -> None:
    Lifecycle(api).to_rectifying()
    target = KafkaTarget(kafka_bootstrap, topic_prefix=topic_prefix)
    kafka_relay.ensure_topics(target)
    relay = KafkaRelay(container.conninfo, target, batch_size=5)
    relay.setup()
    watched = WatchedProducer(kafka_relay.make_producer(target), container.conninfo)
    relay.producer = watched
    try:
        with psycopg.connect(container.conninfo, autocommit=True) as conn:
            relay.catch_up(conn)
            assert tracking.positions(conn)[kafka_relay.NAME] == head(container.conninfo)
            log = [r[0] for r in conn.execute("SELECT notification_id FROM stored_events")]
    finally:
        watched.conn.close()
        relay.close_producer()
    assert len({recorded for _, recorded, _ in watched.seen}) > 3  # several batches
    for sent, recorded, acknowledged in watched.seen:
        # Everything at or before the recorded position was acknowledged by the broker...
        assert acknowledged, (sent, recorded)
        # ...and the event sent is in the batch right after it: one batch in flight at most.
        assert recorded < sent
        assert len([p for p in log if recorded < p <= sent]) <= 5, (sent, recorded)
    expected = public_events(container.conninfo)
    received = read_all(kafka_bootstrap, topics(topic_prefix), len(expected))
    check_stream(received, expected)
    assert len(received) == len(expected)

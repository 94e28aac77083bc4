"""A valid disposition from the discipline commission, arriving on the real broker, updates the
lead through the command layer; a re-delivered message changes nothing."""

from __future__ import annotations

import json
import time
from typing import Any
from uuid import uuid4

from tests.support.api import LEADER, LEADING_GROUP, MEMBER, OFFICE, Api
from tests.support.lifecycle import Lifecycle, day
from xuncha.api.workers.kafka_consumers import ApplicationLeadCommands, DispositionsAdapter
from xuncha.events.integration import DISPOSITIONS_TOPIC

RECEIVER = "city-discipline-commission"  # the default route for city-managed cadres


def transferred_lead(api: Api) -> str:
    life = Lifecycle(api)
    life.to_stationed()
    body = {
        "subject_name": "张某某",
        "subject_position": "副局长",
        "management_level": "city_managed",
        "allegation": "违规收受礼金",
        "sources": [{"kind": "petition", "ref": "petition-1"}],
    }
    lead = str(api.command(f"{life.at}/leads", body, MEMBER, 201)["created_id"])
    api.command(
        f"/leads/{lead}/classify", {"lead_type": "discipline", "meeting_ref": "第5次组务会"}, LEADER
    )
    api.command(f"/leads/{lead}/approve-transfer", {}, LEADING_GROUP)
    life.draft_finding()
    life.review_and_approve_finding(life.finding_ids[0])
    life.withdraw()
    api.command(
        f"/leads/{lead}/transfer", {"package_ref": "移交函", "transferred_on": day(0)}, OFFICE
    )
    return lead


def publish(bootstrap: str, topic: str, key: str, ce_id: str, body: dict[str, Any]) -> None:
    from kafka import KafkaProducer

    headers = {
        "ce_specversion": "1.0",
        "ce_id": ce_id,
        "ce_source": "urn:jw:case-system",
        "ce_type": "gov.jw.lead.acknowledged.v1",
        "ce_time": "2026-07-01T08:00:00Z",
        "content-type": "application/json",
    }
    producer = KafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all")
    try:
        producer.send(
            topic,
            key=key.encode(),
            value=json.dumps(body).encode(),
            headers=[(k, v.encode()) for k, v in headers.items()],
        )
        producer.flush()
    finally:
        producer.close()


def test_a_valid_acknowledgement_updates_the_lead_once(
    api: Api, kafka_bootstrap: str, topic_prefix: str
) -> None:
    lead = transferred_lead(api)
    container = api.client.app.state.container  # type: ignore[attr-defined]
    adapter = DispositionsAdapter(
        ApplicationLeadCommands(container.app),
        kafka_bootstrap,
        organization_id=RECEIVER,
        topic_prefix=topic_prefix,
    )
    adapter.ensure_topics()
    ack = {"lead_id": lead, "receiver_case_no": "榆纪〔2026〕17号", "acknowledged_on": day(0)}
    ce_id = str(uuid4())
    topic = f"{topic_prefix}{DISPOSITIONS_TOPIC}"
    publish(kafka_bootstrap, topic, lead, ce_id, ack)
    publish(kafka_bootstrap, topic, lead, ce_id, ack)  # re-delivered: same ce_id
    adapter.open()
    applied = dead = 0
    try:
        deadline = time.monotonic() + 30
        while applied + dead < 2 and time.monotonic() < deadline:
            a, d = adapter.poll_once()
            applied, dead = applied + a, dead + d
    finally:
        adapter.close()
    assert (applied, dead) == (2, 0)
    api.position = container.store.head()
    row = api.get(f"/leads/{lead}")
    assert (row["status"], row["receiver_organization_id"]) == ("acknowledged", RECEIVER)
    trail = api.get("/audit-trail", stream_id=lead, type="lead.acknowledged")["items"]
    assert len(trail) == 1
    assert trail[0]["actor_organization_id"] == RECEIVER

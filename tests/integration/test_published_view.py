"""A consumer that knows only the published contract sees what the ledger shows.

Every event that moves a rectification item's deadline or status, and every milestone of an
inspection's stage, reaches Kafka: a view folded from the messages alone equals the read
models after the demo data set and a long-term reclassification, an extension and progress on
a long-term item.
"""

from __future__ import annotations

import io
import time
from datetime import date, timedelta
from typing import Any

import psycopg

from tests.integration.test_kafka import head, topics
from tests.support.api import OFFICE, Api, Who
from tests.support.kafka import Received, read_all, validate
from xuncha.api.cli.demo import Progress, load
from xuncha.events.base import Role
from xuncha.events.integration import InspectionStage
from xuncha.events.office_day import office_today
from xuncha.projections.kafka_relay import KafkaRelay, KafkaTarget, wait_until_published
from xuncha.projections.tracking import positions

# A reclassified item stays long-term through progress, a failed verification or a reopening
# (the contract's description of item_status_changed says so); these statuses resume work.
RESUMES_WORK = {"in_progress", "verification_failed", "reopened"}


def item_view(received: list[Received]) -> dict[str, tuple[str, str]]:
    """(deadline, status) per item, from the messages alone, deduplicated on ce_id."""
    view: dict[str, dict[str, Any]] = {}
    seen: set[str] = set()
    for m in sorted(received, key=lambda m: (m.partition, m.offset)):
        if m.headers["ce_id"] in seen or "rectification_item" not in m.topic:
            continue
        seen.add(m.headers["ce_id"])
        kind, p = m.headers["ce_type"], m.payload
        if kind.startswith("xuncha.rectification.item_opened"):
            view[m.key] = {"deadline": p["deadline"], "status": "opened", "long": False}
        elif kind.startswith("xuncha.rectification.item_deadline_changed"):
            view[m.key]["deadline"] = p["deadline"]
        elif kind.startswith("xuncha.rectification.item_status_changed"):
            item = view[m.key]
            item["long"] = item["long"] or p["status"] == "long_term"
            resumed = p["status"] in RESUMES_WORK
            status = "long_term" if resumed and item["long"] else p["status"]
            item["status"] = "in_progress" if status in RESUMES_WORK else status
    return {k: (v["deadline"], v["status"]) for k, v in view.items()}


def stage_view(received: list[Received]) -> dict[str, str]:
    seen: set[str] = set()
    view: dict[str, str] = {}
    for m in sorted(received, key=lambda m: (m.partition, m.offset)):
        stage = m.headers["ce_type"].startswith("xuncha.inspection.stage_changed")
        if stage and m.headers["ce_id"] not in seen:
            seen.add(m.headers["ce_id"])
            view[m.key] = m.payload["stage"]
    return view


def open_item(conninfo: str) -> tuple[str, str, date]:
    """An open item of the demo that is not long-term yet: (item, organization, deadline)."""
    with psycopg.connect(conninfo) as conn:
        row = conn.execute(
            "SELECT item_id::text, organization_id, deadline FROM rm_rectification_item"
            " WHERE status IN ('opened', 'in_progress') AND NOT long_term ORDER BY item_id LIMIT 1"
        ).fetchone()
    assert row is not None
    return row[0], row[1], row[2]


def caught_up(conninfo: str, position: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with psycopg.connect(conninfo) as conn:
            if min(positions(conn).values()) >= position:
                return
        time.sleep(0.2)
    raise AssertionError("the read models did not catch up")


def ledger(conninfo: str) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    with psycopg.connect(conninfo) as conn:
        items = conn.execute(
            "SELECT item_id::text, deadline::text, status FROM rm_rectification_item"
        ).fetchall()
        stages = conn.execute("SELECT inspection_id::text, stage FROM rm_inspection").fetchall()
    return {i: (d, s) for i, d, s in items}, dict(stages)


def test_published_deadlines_statuses_and_stages_equal_the_ledger(
    api: Api, container: Any, kafka_bootstrap: str, topic_prefix: str
) -> None:
    load(container.app, seed=11, progress=Progress(1, out=io.StringIO()))
    caught_up(container.conninfo, container.store.head())
    item, organization, deadline = open_item(container.conninfo)
    at = f"/rectification-items/{item}"
    start = max(deadline, office_today())
    milestones = [
        {"due": (start + timedelta(days=100)).isoformat(), "description": "制度建立"},
        {"due": (start + timedelta(days=400)).isoformat(), "description": "全面完成"},
    ]
    body = {"justification": "需跨年度推进", "milestones": milestones}
    api.command(f"{at}/reclassify-long-term", body, OFFICE)
    liaison = Who("liaison-9", Role.INSPECTED_ORG_LIAISON, organization)
    api.command(f"{at}/progress", {"percent": 40, "note": "推进中"}, liaison)
    caught_up(container.conninfo, container.store.head())

    relay = KafkaRelay(container.conninfo, KafkaTarget(kafka_bootstrap, topic_prefix=topic_prefix))
    relay.start_thread()
    try:
        assert wait_until_published(container.conninfo, head(container.conninfo), 120)
    finally:
        relay.stop()
    received = read_all(kafka_bootstrap, topics(topic_prefix), 1)
    for message in received:
        validate(message)
    items, stages = ledger(container.conninfo)

    assert item_view(received) == items
    assert items[item] == ((start + timedelta(days=400)).isoformat(), "long_term")
    published = {s.value for s in InspectionStage}
    at_milestone = {i: s for i, s in stages.items() if s in published}
    assert at_milestone  # the demo reaches the published milestones
    assert {i: stage_view(received).get(i) for i in at_milestone} == at_milestone

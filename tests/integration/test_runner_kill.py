"""A projection runner process killed (SIGKILL) in the middle of a batch loses nothing and
applies nothing twice: after a restart, the read models equal a fresh rebuild."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg

from xuncha.api.container import read_models
from xuncha.api.database import make_recorder
from xuncha.commands.eventstore.store import EventStore
from xuncha.events import finding as f
from xuncha.events import inspection as i
from xuncha.events import rectification as r
from xuncha.events import round as rd
from xuncha.events.base import Actor, DomainEvent, EventMetadata, RecordedEvent, Role
from xuncha.events.finding import FindingContent
from xuncha.events.values import PolicyRef, RoundType
from xuncha.projections import tracking
from xuncha.projections.runner import APP_NAME, ProjectionRunner

ACTOR = Actor(user_id="seed", role=Role.INSPECTION_OFFICE, organization_id="org-xcb")
POLICY = PolicyRef(jurisdiction_id="yulin", version=0, effective_from=date(1900, 1, 1))
CONTENT = FindingContent(
    title="t",
    facts="f",
    basis="b",
    evidence_refs=["e"],
    responsible_subject="s",
    taxonomy_version="v",
    tags=[],
)


def _streams(n: int) -> list[tuple[str, Any, list[DomainEvent]]]:
    round_id, inspection_id, item_id, finding_id = uuid4(), uuid4(), uuid4(), uuid4()
    org = f"org-{n}"
    return [
        (
            "round",
            round_id,
            [
                rd.RoundProposed(
                    round_id=round_id,
                    jurisdiction_id="yulin",
                    committee="市委",
                    name=f"第{n}轮",
                    round_type=RoundType.REGULAR,
                    topic=None,
                    planned_start=date(2026, 1, 1),
                    planned_end=date(2026, 6, 1),
                ),
                rd.RoundApproved(round_id=round_id),
                rd.RoundTargetAssigned(
                    round_id=round_id, inspection_id=inspection_id, organization_id=org
                ),
            ],
        ),
        (
            "inspection",
            inspection_id,
            [
                i.InspectionPlanned(
                    inspection_id=inspection_id,
                    round_id=round_id,
                    jurisdiction_id="yulin",
                    round_type=RoundType.REGULAR,
                    organization_id=org,
                    organization_name=org,
                    group_name="一组",
                )
            ],
        ),
        (
            "finding",
            finding_id,
            [
                f.FindingDrafted(
                    finding_id=finding_id, inspection_id=inspection_id, content=CONTENT
                ),
                f.FindingApproved(finding_id=finding_id, inspection_id=inspection_id, version=1),
            ],
        ),
        (
            "rectification_item",
            item_id,
            [
                r.RectificationItemOpened(
                    item_id=item_id,
                    inspection_id=inspection_id,
                    round_id=round_id,
                    organization_id=org,
                    organization_name=org,
                    ledger_item_no=1,
                    problem="p",
                    finding_ids=[finding_id],
                    measures="m",
                    responsible_leader="l",
                    responsible_department="d",
                    deadline=date(2026, 9, 1),
                    policy=POLICY,
                    opened_on=date(2026, 3, 2),
                ),
                r.ItemClosureRequested(
                    item_id=item_id,
                    inspection_id=inspection_id,
                    summary="s",
                    evidence_refs=["e"],
                    requested_on=date(2026, 8, 1),
                ),
                r.ItemVerificationFailed(
                    item_id=item_id,
                    inspection_id=inspection_id,
                    verifier_organization_id="org-jw",
                    comments="c",
                    failed_on=date(2026, 8, 2),
                ),
                r.RectificationProgressReported(
                    item_id=item_id,
                    inspection_id=inspection_id,
                    percent=50,
                    note="n",
                    evidence_refs=[],
                ),
            ],
        ),
    ]


def seed(store: EventStore, units: int) -> int:
    now, correlation = datetime.now(UTC), uuid4()
    batch: list[RecordedEvent] = []
    for n in range(units):
        for stream_type, stream_id, events in _streams(n):
            for version, event in enumerate(events, start=1):
                meta = EventMetadata(
                    event_id=uuid4(),
                    stream_id=stream_id,
                    stream_type=stream_type,
                    stream_version=version,
                    occurred_at=now,
                    actor=ACTOR,
                    command="Seed",
                    correlation_id=correlation,
                    causation_id=correlation,
                )
                batch.append(RecordedEvent(metadata=meta, event=event))
        if len(batch) >= 200:
            store.append(batch)
            batch = []
    if batch:
        store.append(batch)
    return store.head()


def snapshot(conninfo: str) -> dict[str, list[tuple[Any, ...]]]:
    with psycopg.connect(conninfo) as conn:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()  # type: ignore[arg-type]
            for projection in read_models()
            for table in projection.tables
        }


def positions(conninfo: str) -> dict[str, int]:
    with psycopg.connect(conninfo) as conn:
        return tracking.positions(conn)


def runner_in_transaction(conninfo: str) -> bool:
    with psycopg.connect(conninfo) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s"
            " AND xact_start IS NOT NULL AND state <> 'idle'",
            (APP_NAME,),
        ).fetchone()
    return bool(row and row[0])


def start_runner(conninfo: str, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "XUNCHA_DATABASE_URL": conninfo}
    return subprocess.Popen(
        [sys.executable, "-m", "xuncha.api.cli", "projections", "run", "--batch-size", "300"],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def wait_until(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.005)


def test_runner_killed_mid_batch_resumes_to_the_same_read_models(
    database_url: str, tmp_path: Path
) -> None:
    store = EventStore(make_recorder(database_url, pool_size=2))
    head = seed(store, 2000)
    log = tmp_path / "runner.log"
    ProjectionRunner(database_url, read_models()).setup()

    first = start_runner(database_url, log)
    try:
        wait_until(
            lambda: (
                sum(positions(database_url).values()) > 0 and runner_in_transaction(database_url)
            ),
            60,
            "the runner to be mid-batch",
        )
        os.kill(first.pid, signal.SIGKILL)
    finally:
        first.wait(10)
    at_kill = positions(database_url)
    assert min(at_kill.values()) < head, f"the runner finished before the kill: {at_kill}"

    second = start_runner(database_url, log)
    try:
        wait_until(
            lambda: set(positions(database_url).values()) == {head},
            120,
            "the restarted runner to catch up",
        )
    finally:
        second.terminate()
        second.wait(10)
    resumed = snapshot(database_url)

    # A fresh rebuild: every read model's tables dropped, created anew (with any reference
    # rows their creation seeds) and fed from position 0.
    with psycopg.connect(database_url) as conn:
        for projection in read_models():
            for table in projection.tables:
                conn.execute(f"DROP TABLE {table} CASCADE")  # type: ignore[arg-type]
        conn.execute("UPDATE projection_tracking SET position = 0")
        conn.commit()
        fresh = ProjectionRunner(database_url, read_models())
        fresh.setup()
        fresh.catch_up(conn)
    rebuilt = snapshot(database_url)

    assert resumed == rebuilt
    assert len(resumed["rm_audit_event"]) == head
    with psycopg.connect(database_url) as conn:
        failures = conn.execute(
            "SELECT DISTINCT verification_failures FROM rm_rectification_item"
        ).fetchall()
    assert failures == [(1,)]  # a counter, incremented exactly once per item
    store.recorder.datastore.close()

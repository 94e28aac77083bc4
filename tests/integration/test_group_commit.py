"""Group commit on a real PostgreSQL: concurrent commands that conflict (the same streams, the
same idempotency keys, If-Match) are written together under the append lock, and each gets its
own outcome; the log stays in order, chained, and holds exactly the successes' events."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.persistence import IntegrityError, StoredEvent
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xuncha.api.database import make_recorder
from xuncha.commands.errors import (
    ConcurrencyConflict,
    IdempotencyKeyReused,
    InvalidTransition,
    RuleViolated,
    VersionMismatch,
)
from xuncha.commands.eventstore import integrity, recorded_time
from xuncha.commands.eventstore.group_commit import PendingAppend
from xuncha.commands.eventstore.store import EventStore, IdempotencyRecord, XunchaRecorder
from xuncha.commands.round import ApproveRound, PlanInspection, ProposeRound
from xuncha.commands.service import Application, CommandResult
from xuncha.events.base import Actor, Role
from xuncha.events.mapper import dumps

OFFICE = Actor(user_id="office-1", role=Role.INSPECTION_OFFICE, organization_id="org-xcb")
COMMITTEE = Actor(user_id="sec-1", role=Role.COMMITTEE, organization_id="org-city-committee")
ROUNDS, ORGANIZATIONS, KEYS = 2, 3, 3
APPROVED = 2  # a round's version once proposed and approved
# What a command of this test may meet besides success; anything else fails the test.
EXPECTED_FAILURES = (
    ConcurrencyConflict,
    VersionMismatch,
    IdempotencyKeyReused,
    InvalidTransition,
    RuleViolated,
)


@pytest.fixture
def recorder(database_url: str) -> Iterator[XunchaRecorder]:
    recorder = make_recorder(database_url, pool_size=16)
    yield recorder
    recorder.datastore.close()


def propose(app: Application, name: str) -> UUID:
    command = ProposeRound(
        jurisdiction_id="yulin",
        committee="中共榆林市委",
        name=name,
        round_type="regular",  # type: ignore[arg-type]
        planned_start=date(2026, 3, 1),
        planned_end=date(2026, 6, 30),
    )
    round_id = UUID(app.execute(command, OFFICE).created_id or "")
    app.execute(ApproveRound(round_id=round_id), COMMITTEE)
    return round_id


@dataclass(frozen=True)
class Request:
    round: int  # which of the example's rounds
    organization: int  # the same organization twice in a round is refused
    key: int | None  # the idempotency key, shared by other requests
    if_match: int | None  # the round's version the client expects


requests = st.lists(
    st.builds(
        Request,
        round=st.integers(0, ROUNDS - 1),
        organization=st.integers(0, ORGANIZATIONS - 1),
        key=st.none() | st.integers(0, KEYS - 1),
        if_match=st.none() | st.sampled_from([APPROVED, APPROVED + 1]),
    ),
    min_size=2,
    max_size=16,
)


def log_rows(conn: psycopg.Connection[Any]) -> list[tuple[int, UUID, int]]:
    query = "SELECT notification_id, originator_id, originator_version FROM stored_events"
    return [(r[0], r[1], r[2]) for r in conn.execute(query + " ORDER BY notification_id")]


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(requests=requests)
def test_concurrent_conflicting_commands_keep_the_log_exact(
    recorder: XunchaRecorder, database_url: str, requests: list[Request]
) -> None:
    app = Application(EventStore(recorder), backoff_seconds=0.001)
    example = uuid4().hex[:8]
    rounds = [propose(app, f"{example} round {n}") for n in range(ROUNDS)]
    with psycopg.connect(database_url) as conn:
        before = len(log_rows(conn))

    outcomes: list[CommandResult | BaseException | None] = [None] * len(requests)
    start = threading.Barrier(len(requests))

    def issue(n: int, request: Request) -> None:
        command = PlanInspection(
            round_id=rounds[request.round],
            organization_id=f"org-{request.organization}",
            organization_name="单位",
            group_name="一组",
        )
        key = None if request.key is None else f"{example}-{request.key}"
        start.wait()
        try:
            outcomes[n] = app.execute(
                command, OFFICE, expected_version=request.if_match, idempotency_key=key
            )
        except BaseException as error:  # judged below
            outcomes[n] = error

    threads = [threading.Thread(target=issue, args=(n, r)) for n, r in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    unexpected = [o for o in outcomes if not isinstance(o, (CommandResult, *EXPECTED_FAILURES))]
    assert unexpected == []
    results = [
        (r, o) for r, o in zip(requests, outcomes, strict=True) if isinstance(o, CommandResult)
    ]
    appended = [o for _, o in results if not o.replayed]

    with psycopg.connect(database_url) as conn:
        rows = log_rows(conn)
        # Exactly the appended commands' events were added: every conflict appended nothing.
        assert len(rows) - before == sum(len(o.events) for o in appended)
        where = {(stream, version): position for position, stream, version in rows}
        for result in appended:
            positions = [where[UUID(e.stream_id), e.stream_version] for e in result.events]
            assert positions == sorted(positions)
            assert result.position == positions[-1]
        # Every stream's versions count 1, 2, 3 ... with no gap and no repeat.
        versions: dict[UUID, list[int]] = {}
        for _, stream, version in rows:
            versions.setdefault(stream, []).append(version)
        assert all(v == list(range(1, len(v) + 1)) for v in versions.values())
        # Each round has one inspection per organization at most, one per appended plan.
        for n, round_id in enumerate(rounds):
            planned = [o for r, o in results if r.round == n and not o.replayed]
            assert len(versions[round_id]) == APPROVED + len(planned)
            organizations = [r.organization for r, o in results if r.round == n and not o.replayed]
            assert len(set(organizations)) == len(organizations)
        # The chain links every event, in order, and recomputes; recorded time never decreases.
        verification = integrity.verify(conn, Ed25519PrivateKey.generate().public_key())
        assert verification.ok, verification.problems
        assert verification.events == len(rows)
        assert verification.head == rows[-1][0]
        assert recorded_time.first_decrease(conn) is None
        slots = conn.execute(
            "SELECT count(*) FROM stored_events WHERE position(%s::bytea in state) > 0",
            (recorded_time.SLOT.encode(),),
        ).fetchone()
        assert slots == (0,)  # every event has its time, none the placeholder
        # One result per idempotency key: every success under a key is that result.
        query = "SELECT scope, result FROM command_idempotency WHERE scope LIKE %s"
        stored = dict(conn.execute(query, (f"{OFFICE.user_id}:{example}-%",)).fetchall())
    by_key: dict[int, list[CommandResult]] = {}
    for request, result in results:
        if request.key is not None:
            by_key.setdefault(request.key, []).append(result)
    assert set(stored) == {f"{OFFICE.user_id}:{example}-{k}" for k in by_key}
    for key, same in by_key.items():
        assert sum(not r.replayed for r in same) <= 1
        first = stored[f"{OFFICE.user_id}:{example}-{key}"]
        for result in same:
            assert (result.stream_id, result.stream_version) == (
                first["stream_id"],
                first["stream_version"],
            )
            assert [e.stream_version for e in result.events] == [
                e["stream_version"] for e in first["events"]
            ]
    keyed = Counter(r.key for r, _ in results if r.key is not None)
    assert all(n >= 1 for n in keyed.values())


def stored(stream: UUID, version: int) -> StoredEvent:
    return StoredEvent(stream, version, "bench.event", b'{"n": %d}' % version)


def test_queued_appends_are_written_together_each_with_its_own_outcome(
    recorder: XunchaRecorder, database_url: str
) -> None:
    """While one append holds the lock, the next three queue; the next writer writes them in
    one transaction: a stream that moved on within the batch, a read stream that moved on and a
    reused idempotency key each fail their own append, and the others commit."""
    a, b, c = uuid4(), uuid4(), uuid4()
    recorder.insert_events([stored(a, 1)])
    batches: list[int] = []
    write = recorder.group_commit._write
    holding, release = threading.Event(), threading.Event()

    def counted(batch: list[PendingAppend]) -> None:
        batches.append(len(batch))
        if len(batches) == 1:
            holding.set()
            release.wait(10)
        write(batch)

    recorder.group_commit._write = counted
    key = IdempotencyRecord("office-1:k", "h", {"first": True})
    twin = IdempotencyRecord("office-1:k", "h", {"first": False})
    appends = {
        "first": ([stored(b, 1)], None, None),
        "next version of a": ([stored(a, 2)], key, None),
        "same version of a": ([stored(a, 2)], None, None),
        "reads a at 1": ([stored(c, 1)], None, {a: 1}),
        "same key": ([stored(b, 2)], twin, None),
        "after b": ([stored(b, 2)], None, {c: 0}),
    }
    outcomes: dict[str, list[int] | BaseException] = {}

    def append(name: str) -> None:
        events, record, reads = appends[name]
        try:
            outcomes[name] = list(
                recorder.insert_events(events, idempotency=record, reads=reads) or []
            )
        except BaseException as error:  # judged below
            outcomes[name] = error

    first = threading.Thread(target=append, args=("first",))
    first.start()
    assert holding.wait(10)
    rest = [threading.Thread(target=append, args=(n,)) for n in list(appends)[1:]]
    for t in rest:  # queued in this order while the first batch holds the writer
        t.start()
        while len(recorder.group_commit._queue) < rest.index(t) + 1:
            threading.Event().wait(0.005)
    release.set()
    for t in [first, *rest]:
        t.join(10)

    assert batches == [1, 5]
    failed = {n for n, o in outcomes.items() if isinstance(o, BaseException)}
    assert failed == {"same version of a", "reads a at 1", "same key"}
    assert all(isinstance(outcomes[n], IntegrityError) for n in failed)
    ids = [outcomes[n] for n in ("first", "next version of a", "after b")]
    assert all(isinstance(i, list) and len(i) == 1 for i in ids)
    assert ids == sorted(ids)  # type: ignore[type-var]
    assert recorder.find_idempotency("office-1:k") == ("h", {"first": True})
    with psycopg.connect(database_url) as conn:
        rows = log_rows(conn)
        links = conn.execute("SELECT count(*) FROM event_chain").fetchone()
    assert [(s, v) for _, s, v in rows] == [(a, 1), (b, 1), (a, 2), (b, 2)]
    assert links == (4,)


def test_a_conflict_raises_concurrency_conflict_and_appends_nothing(
    recorder: XunchaRecorder,
) -> None:
    store, stream = EventStore(recorder), uuid4()
    recorder.insert_events([stored(stream, 1)])
    with pytest.raises(IntegrityError):
        recorder.insert_events([stored(uuid4(), 1), stored(stream, 1)])
    assert [e.originator_version for e in recorder.select_events(stream)] == [1]
    assert store.head() == 1
    assert store.append([]) == []  # nothing to append: nothing is written
    assert store.head() == 1


def test_each_event_gets_the_recorded_time_in_its_slot_and_nowhere_else(
    recorder: XunchaRecorder,
) -> None:
    """The append function writes the time where the envelope's occurred_at is, even when a
    text of the event is the slot's own placeholder."""
    slot = recorded_time.SLOT
    envelope = {
        "data": {"note": slot},
        "metadata": {"occurred_at": "2000-01-01T00:00:00Z", "reason": slot},
        "version": 1,
    }
    plain = {"data": {}, "metadata": {"occurred_at": "2000-01-01T00:00:00Z"}, "version": 1}
    stream = uuid4()
    before = datetime.now(UTC)
    recorder.insert_events(
        [StoredEvent(stream, 1, "t", dumps(envelope)), StoredEvent(stream, 2, "t", dumps(plain))]
    )
    after = datetime.now(UTC)
    first, second = (json.loads(e.state) for e in recorder.select_events(stream))
    assert first["data"]["note"] == slot
    assert first["metadata"]["reason"] == slot
    times = [datetime.fromisoformat(e["metadata"]["occurred_at"]) for e in (first, second)]
    assert before <= times[0] <= times[1] <= after
    assert first["metadata"]["occurred_at"].endswith("Z")

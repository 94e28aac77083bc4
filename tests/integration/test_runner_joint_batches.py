"""Catching up live, one batch serves every read model: one transaction, one lock statement on
their tracking rows and one select of the log per batch, each event decoded once, each read
model given exactly the events after its own position. On real PostgreSQL; the statements are
counted from the client's own protocol trace (libpq `PQtrace`) of the runner's connection."""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psycopg
from psycopg import Cursor
from psycopg.pq import Trace

from tests.support.api import COMMITTEE, OFFICE, Api
from tests.support.bodies import SPECIAL_ROUND
from xuncha.events.base import RecordedEvent
from xuncha.events.mapper import EnvelopeMapper
from xuncha.projections import parking, tracking
from xuncha.projections.base import Projection
from xuncha.projections.runner import ProjectionRunner

ROUND = SPECIAL_ROUND


class Seen:
    """Records every position it applies, in a table (a duplicate would violate its key) and
    in `applied`; handles the `topics` given (all when None); fails on `fails_at`."""

    def __init__(
        self, name: str, topics: set[str] | None = None, fails_at: int | None = None
    ) -> None:
        self.name, self.topics, self.fails_at = name, topics, fails_at
        self.tables: tuple[str, ...] = (f"t_{name}",)
        self.version = 1
        self.applied: list[int] = []
        self.tries = 0

    def create(self, cur: Cursor[Any]) -> None:
        cur.execute(f"CREATE TABLE IF NOT EXISTS t_{self.name} (position bigint PRIMARY KEY)")

    def handles(self, type_name: str) -> bool:
        return self.topics is None or type_name in self.topics

    def apply(self, cur: Cursor[Any], recorded: RecordedEvent) -> None:
        assert recorded.position is not None
        if recorded.position == self.fails_at:
            self.tries += 1
            raise RuntimeError(f"{self.name} cannot apply position {recorded.position}")
        self.applied.append(recorded.position)
        cur.execute(f"INSERT INTO t_{self.name} VALUES (%s)", (recorded.position,))


class SeenInBatches(Seen):
    """The same, applying a whole batch at once (`BatchApplying`)."""

    def __init__(self, name: str, topics: set[str] | None = None) -> None:
        super().__init__(name, topics)
        self.batches: list[list[int]] = []

    def apply_batch(self, cur: Cursor[Any], batch: Sequence[RecordedEvent]) -> None:
        positions = [r.position for r in batch if r.position is not None]
        self.batches.append(positions)
        self.applied.extend(positions)
        with cur.copy(f"COPY t_{self.name} (position) FROM STDIN") as copy:
            for position in positions:
                copy.write_row((position,))


class CountingMapper(EnvelopeMapper):
    def __init__(self) -> None:
        super().__init__()
        self.decoded: Counter[int | None] = Counter()

    def decode(
        self, state: bytes, topic: str, position: int | None = None, *, unseal: bool = False
    ) -> RecordedEvent:
        self.decoded[position] += 1
        return super().decode(state, topic, position, unseal=unseal)


def seed(api: Api, rounds: int) -> tuple[str, int]:
    """`rounds` rounds proposed, then every other one approved: (conninfo, head)."""
    ids = [
        api.command("/rounds", {**ROUND, "name": f"第{n}轮"}, OFFICE, status=201)["created_id"]
        for n in range(rounds)
    ]
    for round_id in ids[::2]:
        api.command(f"/rounds/{round_id}/approve", {}, COMMITTEE)
    conninfo = str(api.client.app.state.container.conninfo)  # type: ignore[attr-defined]
    with psycopg.connect(conninfo) as conn:
        return conninfo, tracking.head(conn)


class Traced:
    """The frontend messages a connection sends while inside the block (libpq's trace)."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn
        self.lines: list[str] = []

    def __enter__(self) -> Traced:
        self.file = Path(tempfile.mkstemp(prefix="runner-trace-")[1])
        # libpq fdopen()s the descriptor and keeps it: give it its own.
        self.conn.pgconn.trace(os.open(self.file, os.O_WRONLY | os.O_APPEND))
        self.conn.pgconn.set_trace_flags(Trace.SUPPRESS_TIMESTAMPS | Trace.REGRESS_MODE)
        return self

    def __exit__(self, *_: object) -> None:
        self.conn.pgconn.untrace()  # flushes
        sent = [line for line in self.file.read_text().splitlines() if line.startswith("F")]
        self.lines = [line for line in sent if "\tParse\t" in line or "\tQuery\t" in line]
        self.file.unlink()

    def count(self, text: str) -> int:
        return sum(text in line for line in self.lines)


def stored(conninfo: str, name: str) -> list[int]:
    with psycopg.connect(conninfo) as conn:
        return [r[0] for r in conn.execute(f"SELECT position FROM t_{name} ORDER BY 1")]


def connect(conninfo: str) -> psycopg.Connection[Any]:
    # No server-side prepared statements: every statement is sent with its text (Parse).
    return psycopg.connect(conninfo, prepare_threshold=None)


def test_a_batch_is_one_transaction_one_lock_and_one_select_for_every_read_model(
    api: Api,
) -> None:
    conninfo, head = seed(api, 8)
    assert head == 12
    models: list[Projection] = [Seen("one"), Seen("two", {"round.approved"}), Seen("three")]
    mapper = CountingMapper()
    observed: list[tuple[str, int]] = []
    runner = ProjectionRunner(
        conninfo,
        models,
        batch_size=5,
        mapper=mapper,
        observe=lambda name, read, seconds: observed.append((name, read)),
    )
    runner.setup()
    with connect(conninfo) as conn:
        with Traced(conn) as traced:
            assert runner.catch_up(conn, outdated=[]) == 3 * head
        # Batches of 5, 5 and 2 events, then one that finds nothing: 4 transactions.
        assert traced.count('"BEGIN"') == 4
        assert traced.count('"COMMIT"') == 4
        assert traced.count("FROM stored_events") == 4
        assert traced.count("FROM projection_tracking") == 4
        assert traced.count("FOR UPDATE") == 4
        assert traced.count("UPDATE projection_tracking") == 3
        # The tracking rows were last written by one and the same transaction.
        rows = conn.execute(
            "SELECT name, position, xmin::text FROM projection_tracking"
            " WHERE name IN ('one', 'two', 'three')"
        ).fetchall()
    assert {(name, position) for name, position, _ in rows} == {
        ("one", head),
        ("two", head),
        ("three", head),
    }
    assert len({xmin for _, _, xmin in rows}) == 1
    # Each event decoded once for all; only those some read model handles.
    assert mapper.decoded == Counter(range(1, head + 1))
    assert observed == [
        *(("one", 5), ("two", 5), ("three", 5)),
        *(("one", 5), ("two", 5), ("three", 5)),
        *(("one", 2), ("two", 2), ("three", 2)),
    ]

    # The trace counts what it should: the same catch-up read model by read model (the path
    # a failed joint batch falls back to) takes a transaction and a select per model and batch.
    with connect(conninfo) as conn:
        conn.execute("TRUNCATE t_one, t_two, t_three")
        conn.execute(
            "UPDATE projection_tracking SET position = 0 WHERE name IN ('one', 'two', 'three')"
        )
        conn.commit()
        with Traced(conn) as traced:
            for model in models:
                runner._catch_up_one(conn, model)
    assert traced.count('"COMMIT"') == 3 * 4
    assert traced.count("FROM stored_events") == 3 * 4


def test_read_models_at_different_positions_each_get_exactly_their_events_once(
    api: Api,
) -> None:
    conninfo, head = seed(api, 8)
    behind = Seen("behind")
    middle = SeenInBatches("middle")
    ahead = Seen("ahead")
    approvals = Seen("approvals", {"round.approved"})
    at_head = Seen("at_head")
    models = [behind, middle, ahead, approvals, at_head]
    mapper = CountingMapper()
    runner = ProjectionRunner(conninfo, models, batch_size=4, mapper=mapper)
    runner.setup()
    start = {"behind": 0, "middle": 3, "ahead": 10, "approvals": 5, "at_head": head}
    with psycopg.connect(conninfo) as conn:
        for name, position in start.items():
            conn.execute(
                "UPDATE projection_tracking SET position = %s WHERE name = %s", (position, name)
            )
        conn.commit()
        topics: dict[int, str] = dict(
            conn.execute("SELECT notification_id, topic FROM stored_events").fetchall()
        )
        runner.catch_up(conn, outdated=[])
        positions = tracking.positions(conn)
        stored = {
            m.name: [r[0] for r in conn.execute(f"SELECT position FROM t_{m.name} ORDER BY 1")]
            for m in models
        }
    approved = [p for p in range(1, head + 1) if topics[p] == "round.approved"]
    assert approved  # the filter has something to leave out
    expected = {
        name: [p for p in range(start[name] + 1, head + 1) if name != "approvals" or p in approved]
        for name in start
    }
    assert {m.name: m.applied for m in models} == expected
    assert stored == expected
    assert all(positions[name] == head for name in start)
    # Batches of 4 from the lowest position: 1-4, 5-8, 9-12; `middle` joins the first for 4.
    # (its single event 4 of the first went through `apply`, as a batch of one does).
    assert middle.batches == [[5, 6, 7, 8], [9, 10, 11, 12]]
    assert mapper.decoded == Counter(range(1, head + 1))


def test_a_poison_event_in_a_joint_batch_parks_in_that_read_model_only(api: Api) -> None:
    conninfo, head = seed(api, 6)
    broken = Seen("broken", fails_at=4)
    healthy = Seen("healthy")
    batched = SeenInBatches("batched")
    runner = ProjectionRunner(
        conninfo, [healthy, broken, batched], retry_attempts=3, retry_backoff_seconds=0
    )
    runner.catch_up_once()  # parked, not raised
    with psycopg.connect(conninfo) as conn:
        positions = tracking.positions(conn)
        parked = parking.listing(conn)
    everything = list(range(1, head + 1))
    assert [positions[n] for n in ("healthy", "broken", "batched")] == [head] * 3
    assert stored(conninfo, "healthy") == everything  # the joint batch's try rolled back
    assert stored(conninfo, "batched") == everything
    assert stored(conninfo, "broken") == [p for p in everything if p != 4]
    assert broken.tries == 1 + 3  # in the joint batch, then 3 tries on its own, then parked
    assert [(p.name, p.position, p.attempts) for p in parked] == [("broken", 4, 3)]

    # The next wake-up is joint again: everyone moves on together.
    api.command("/rounds", {**ROUND, "name": "又一轮"}, OFFICE, status=201)
    assert runner.catch_up_once() == 3
    for name in ("healthy", "broken", "batched"):
        assert stored(conninfo, name)[-1] == head + 1

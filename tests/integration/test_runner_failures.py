"""A read model whose handler fails on an event must not hold back the other read models, nor
the events of its own batch around the failing one: that event is retried, then parked, and the
read model goes on to the head of the log."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import Cursor

from tests.support.api import OFFICE, Api
from tests.support.bodies import SPECIAL_ROUND
from xuncha.events.base import RecordedEvent
from xuncha.projections import parking, tracking
from xuncha.projections.runner import ProjectionRunner

ROUND = SPECIAL_ROUND


class Seen:
    """Remembers every position it applied; fails on the position `fails_at`, if any."""

    def __init__(self, name: str, fails_at: int | None = None) -> None:
        self.name, self.fails_at = name, fails_at
        self.tables = (f"t_{name}",)
        self.version = 1

    def create(self, cur: Cursor[Any]) -> None:
        cur.execute(f"CREATE TABLE IF NOT EXISTS t_{self.name} (position bigint PRIMARY KEY)")

    def handles(self, type_name: str) -> bool:
        return True

    def apply(self, cur: Cursor[Any], recorded: RecordedEvent) -> None:
        if recorded.position == self.fails_at:
            raise RuntimeError(f"{self.name} cannot apply position {recorded.position}")
        cur.execute(f"INSERT INTO t_{self.name} VALUES (%s)", (recorded.position,))


def test_a_failing_read_model_parks_the_event_and_holds_back_neither_the_others_nor_itself(
    api: Api,
) -> None:
    conninfo = api.client.app.state.container.conninfo  # type: ignore[attr-defined]
    for n in range(5):
        api.command("/rounds", {**ROUND, "name": f"第{n}轮"}, OFFICE, status=201)
    broken, healthy = Seen("broken", fails_at=3), Seen("healthy")
    runner = ProjectionRunner(
        conninfo, [broken, healthy], batch_size=500, retry_attempts=3, retry_backoff_seconds=0
    )
    runner.catch_up_once()  # the failure is parked, not raised
    with psycopg.connect(conninfo) as conn:
        positions = tracking.positions(conn)
        applied = {
            name: [r[0] for r in conn.execute(f"SELECT position FROM t_{name} ORDER BY 1")]
            for name in ("broken", "healthy")
        }
        parked = parking.listing(conn)
    assert positions["healthy"] == 5
    assert applied["healthy"] == [1, 2, 3, 4, 5]
    assert positions["broken"] == 5  # past the event it cannot apply, which is parked
    assert applied["broken"] == [1, 2, 4, 5]
    assert [(p.name, p.position, p.attempts) for p in parked] == [("broken", 3, 3)]
    assert "cannot apply position 3" in parked[0].error

"""Read-your-writes: wait, bounded, until read models have reached a log position."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from psycopg_pool import ConnectionPool


def wait_for_position(
    pool: ConnectionPool[Any], names: Iterable[str], position: int, timeout: float
) -> bool:
    """True once every named read model is at `position` or beyond; False after `timeout`."""
    names = list(names)
    deadline = time.monotonic() + timeout
    pause = 0.005
    while True:
        with pool.connection() as conn:
            row = conn.execute(
                "SELECT coalesce(min(position), 0), count(*) FROM projection_tracking"
                " WHERE name = ANY(%s)",
                (names,),
            ).fetchone()
        assert row is not None
        if row[1] == len(names) and row[0] >= position:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(pause)
        pause = min(pause * 2, 0.1)

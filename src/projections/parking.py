"""Parked (poison) events: the dead-letter table of the read side.

An event a read model's handler still fails on after its retries is parked here, in the same
transaction that advances that read model's tracking position past it; `retry` re-applies it.
The table comes from the migrations (commands/eventstore/migrations/).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import Connection, Cursor


@dataclass(frozen=True)
class Parked:
    name: str
    position: int
    event_id: UUID | None
    event_type: str
    error: str
    first_failed_at: datetime
    last_failed_at: datetime
    attempts: int

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "position": self.position,
            "event_id": str(self.event_id) if self.event_id else None,
            "event_type": self.event_type,
            "error": self.error,
            "first_failed_at": self.first_failed_at.isoformat(),
            "last_failed_at": self.last_failed_at.isoformat(),
            "attempts": self.attempts,
        }


def park(
    cur: Cursor[Any],
    name: str,
    position: int,
    event_id: UUID | None,
    event_type: str,
    error: str,
    first_failed_at: datetime,
    attempts: int,
) -> None:
    cur.execute(
        "INSERT INTO projection_parked (name, position, event_id, event_type, error,"
        " first_failed_at, attempts) VALUES (%s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (name, position) DO UPDATE SET error = EXCLUDED.error,"
        " last_failed_at = now(),"
        " attempts = projection_parked.attempts + EXCLUDED.attempts",
        (name, position, event_id, event_type, error, first_failed_at, attempts),
    )


SELECT = (
    "SELECT name, position, event_id, event_type, error, first_failed_at, last_failed_at,"
    " attempts FROM projection_parked"
)


def listing(conn: Connection[Any], name: str | None = None) -> list[Parked]:
    if name is None:
        rows = conn.execute(SELECT + " ORDER BY name, position").fetchall()
    else:
        rows = conn.execute(
            SELECT + " WHERE name = %s ORDER BY position",
            (name,),
        ).fetchall()
    return [Parked(*row) for row in rows]


def counts(conn: Connection[Any]) -> dict[str, int]:
    rows = conn.execute("SELECT name, count(*) FROM projection_parked GROUP BY name").fetchall()
    return {name: int(n) for name, n in rows}

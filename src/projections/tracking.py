"""Tracking positions of read models: one row per projection, written with its effects."""

from __future__ import annotations

from typing import Any

from psycopg import Connection, Cursor

CREATE = """
CREATE TABLE IF NOT EXISTS projection_tracking (
    name text PRIMARY KEY,
    position bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
)"""


def ensure(cur: Cursor[Any], name: str) -> None:
    cur.execute(CREATE)
    cur.execute(
        "INSERT INTO projection_tracking (name) VALUES (%s) ON CONFLICT (name) DO NOTHING", (name,)
    )


def lock_position(cur: Cursor[Any], name: str) -> int:
    """Read the position and lock the row for the rest of the transaction."""
    cur.execute("SELECT position FROM projection_tracking WHERE name = %s FOR UPDATE", (name,))
    row = cur.fetchone()
    assert row is not None, f"projection {name} has no tracking row"
    return int(row[0])


def advance(cur: Cursor[Any], name: str, position: int) -> None:
    cur.execute(
        "UPDATE projection_tracking SET position = %s, updated_at = now() WHERE name = %s",
        (position, name),
    )


def positions(conn: Connection[Any]) -> dict[str, int]:
    rows = conn.execute("SELECT name, position FROM projection_tracking").fetchall()
    return {name: int(position) for name, position in rows}

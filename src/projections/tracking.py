"""Tracking positions of read models: one row per projection, written with its effects."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from psycopg import Connection, Cursor


def ensure(cur: Cursor[Any], name: str, version: int = 1) -> None:
    """The tracking row of `name`, at position 0 and built for `version` unless it exists.
    (The table comes from the migrations, commands/eventstore/migrations/.)"""
    cur.execute(
        "INSERT INTO projection_tracking (name, version) VALUES (%s, %s)"
        " ON CONFLICT (name) DO NOTHING",
        (name, version),
    )


def versions(conn: Connection[Any]) -> dict[str, int]:
    """The version each tracked read model's live tables were built for."""
    rows = conn.execute("SELECT name, version FROM projection_tracking").fetchall()
    return {name: int(version) for name, version in rows}


def set_version(cur: Cursor[Any], name: str, version: int) -> None:
    cur.execute("UPDATE projection_tracking SET version = %s WHERE name = %s", (version, name))


def lock_position(cur: Cursor[Any], name: str) -> int:
    """Read the position and lock the row for the rest of the transaction."""
    cur.execute("SELECT position FROM projection_tracking WHERE name = %s FOR UPDATE", (name,))
    row = cur.fetchone()
    assert row is not None, f"projection {name} has no tracking row"
    return int(row[0])


def lock_positions(cur: Cursor[Any], names: Sequence[str]) -> dict[str, int]:
    """Read the positions of `names` and lock their rows for the rest of the transaction, in
    one statement (in name order, as every other taker of several rows must)."""
    cur.execute(
        "SELECT name, position FROM projection_tracking WHERE name = ANY(%s)"
        " ORDER BY name FOR UPDATE",
        (list(names),),
    )
    found = {name: int(position) for name, position in cur.fetchall()}
    missing = sorted(set(names) - found.keys())
    assert not missing, f"projections {missing} have no tracking row"
    return found


def advance_all(cur: Cursor[Any], names: Sequence[str], position: int) -> None:
    """Move every read model of `names` to `position`, in one statement."""
    cur.execute(
        "UPDATE projection_tracking SET position = %s, updated_at = now() WHERE name = ANY(%s)",
        (position, list(names)),
    )


def advance(cur: Cursor[Any], name: str, position: int) -> None:
    cur.execute(
        "UPDATE projection_tracking SET position = %s, updated_at = now() WHERE name = %s",
        (position, name),
    )


def positions(conn: Connection[Any]) -> dict[str, int]:
    rows = conn.execute("SELECT name, position FROM projection_tracking").fetchall()
    return {name: int(position) for name, position in rows}


def log_exists(conn: Connection[Any]) -> bool:
    row = conn.execute("SELECT to_regclass('stored_events') IS NOT NULL").fetchone()
    return bool(row and row[0])


def head(conn: Connection[Any]) -> int:
    """The position of the last event in the log (0 when empty or not created yet)."""
    if not log_exists(conn):
        return 0
    row = conn.execute("SELECT coalesce(max(notification_id), 0) FROM stored_events").fetchone()
    return int(row[0]) if row else 0


def occurred_at_after(conn: Connection[Any], position: int) -> datetime | None:
    """When the first event after `position` occurred (its envelope's `occurred_at`, set
    when the command recorded it), or None when there is none."""
    row = conn.execute(
        "SELECT state FROM stored_events WHERE notification_id > %s"
        " ORDER BY notification_id LIMIT 1",
        (position,),
    ).fetchone()
    if row is None:
        return None
    try:
        value = json.loads(bytes(row[0]))["metadata"]["occurred_at"]
        return datetime.fromisoformat(value)
    except (ValueError, KeyError, TypeError):  # an undecodable event: lag in events only
        return None


def status(
    conn: Connection[Any], names: Sequence[str], now: datetime | None = None
) -> list[dict[str, Any]]:
    """Per read model: `position`, the log's `head`, `lag` (events after the position),
    `lag_seconds` (now minus the occurred-at of the oldest event not yet applied; 0 when
    caught up), `oldest_unapplied_at` and `parked` events."""
    now = now or datetime.now(UTC)
    tracked = positions(conn)
    exists = conn.execute("SELECT to_regclass('projection_parked') IS NOT NULL").fetchone()
    parked: dict[str, int] = {}
    if exists and exists[0]:
        rows = conn.execute("SELECT name, count(*) FROM projection_parked GROUP BY name")
        parked = {name: int(n) for name, n in rows.fetchall()}
    has_log = log_exists(conn)
    top = head(conn)
    result = []
    for name in names:
        position = tracked.get(name, 0)
        lag = 0
        oldest: datetime | None = None
        if has_log and position < top:
            row = conn.execute(
                "SELECT count(*) FROM stored_events WHERE notification_id > %s", (position,)
            ).fetchone()
            lag = int(row[0]) if row else 0
            oldest = occurred_at_after(conn, position)
        lag_seconds = max(0.0, (now - oldest).total_seconds()) if oldest else 0.0
        result.append(
            {
                "name": name,
                "position": position,
                "head": top,
                "lag": lag,
                "lag_seconds": round(lag_seconds, 3),
                "oldest_unapplied_at": oldest.isoformat() if oldest else None,
                "parked": parked.get(name, 0),
            }
        )
    return result

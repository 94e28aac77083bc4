"""Kafka consumers report their faults: last success, last error and lag, in the database.

`xuncha consume` runs in a process of its own; it records here what `xuncha relay status`,
`/readyz` and `/metrics` show. A failing poll (broker down, database down) is recorded and
the consumer is reopened after a pause, resuming from its committed offsets: nothing is
skipped and the process does not die on a passing fault.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import psycopg

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 5.0


class ConsumerHealth:
    """Writes one consumer group's row of `kafka_consumer_status`."""

    def __init__(self, conninfo: str, name: str) -> None:
        self.conninfo, self.name = conninfo, name
        self.last_heartbeat = 0.0

    def _upsert(self, columns: str, values: tuple[Any, ...]) -> None:
        sets = ", ".join(f"{c} = excluded.{c}" for c in columns.split(", "))
        marks = ", ".join(["%s"] * (len(values) + 1))
        try:
            with psycopg.connect(self.conninfo, autocommit=True, connect_timeout=3) as conn:
                conn.execute(
                    f"INSERT INTO kafka_consumer_status (name, {columns}) VALUES ({marks})"
                    f" ON CONFLICT (name) DO UPDATE SET {sets}",
                    (self.name, *values),
                )
        except psycopg.Error:
            log.warning("could not record the health of consumer %s", self.name, exc_info=True)

    def succeeded(self, consumer: Any) -> None:
        """After a good poll: the time and the lag (at most every HEARTBEAT_SECONDS)."""
        now = time.monotonic()
        if now - self.last_heartbeat >= HEARTBEAT_SECONDS:
            self._upsert("last_success_at, lag", (datetime.now().astimezone(), lag_of(consumer)))
            self.last_heartbeat = now

    def failed(self, error: BaseException) -> None:
        text = f"{type(error).__name__}: {error}"[:2000]
        self._upsert("last_error, last_error_at", (text, datetime.now().astimezone()))
        self.last_heartbeat = 0.0  # the next success is recorded at once


def lag_of(consumer: Any) -> int | None:
    """Messages on the assigned partitions after the consumer's position."""
    try:
        parts = list(consumer.assignment())
        if not parts:
            return 0
        ends = consumer.end_offsets(parts)
        return int(sum(max(0, ends[p] - consumer.position(p)) for p in parts))
    except Exception:  # the lag is best effort: never fail a poll on it
        return None


def run_guarded(
    poll: Callable[[], object],
    reopen: Callable[[], object],
    consumer: Callable[[], Any],
    health: ConsumerHealth,
    stopped: threading.Event,
    pause_seconds: float = 2.0,
) -> None:
    """Poll until stopped; a failing poll is recorded and the consumer reopened."""
    while not stopped.is_set():
        try:
            poll()
            health.succeeded(consumer())
        except Exception as error:
            log.exception("consumer %s failed; reopening", health.name)
            health.failed(error)
            stopped.wait(pause_seconds)
            try:
                reopen()
            except Exception as again:
                health.failed(again)


def status(conn: psycopg.Connection[Any]) -> list[dict[str, Any]]:
    """Every consumer's row, with `failing` when its last error is newer than its success."""
    exists = conn.execute("SELECT to_regclass('kafka_consumer_status') IS NOT NULL").fetchone()
    if not (exists and exists[0]):
        return []
    rows = conn.execute(
        "SELECT name, last_success_at, last_error, last_error_at, lag"
        " FROM kafka_consumer_status ORDER BY name"
    ).fetchall()
    return [
        {
            "name": name,
            "last_success_at": success.isoformat() if success else None,
            "last_error": error,
            "last_error_at": error_at.isoformat() if error_at else None,
            "lag": lag,
            "failing": bool(error_at and (success is None or error_at > success)),
        }
        for name, success, error, error_at, lag in rows
    ]

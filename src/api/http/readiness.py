"""Readiness that answers at once: a background thread checks, `/readyz` reads the result.

A probe must never wait behind request threads or a hanging database. The monitor checks the
database, each read model's lag and the Kafka relay every `ready_refresh_seconds` on its own
connection (bounded by the connect and statement timeouts) and keeps the last result; a
result older than a few refresh periods means the check itself is stuck, which is reported
as the database not answering.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import psycopg

from xuncha.api.settings import Settings
from xuncha.api.workers.consumer_health import status as consumer_status
from xuncha.projections import kafka_relay
from xuncha.projections.tracking import head, positions

log = logging.getLogger(__name__)
# Probe work runs on its own threads: never queued behind the request threads.
PROBE_THREADS = 2


@dataclass(frozen=True)
class Readiness:
    """One check's outcome: `problems` is empty when ready."""

    checked_at: float  # time.monotonic()
    problems: dict[str, str]
    body: dict[str, Any] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return not self.problems


def check(conn: psycopg.Connection[Any], settings: Settings, names: list[str]) -> Readiness:
    """Read models' lag against the bound; the relay when Kafka is configured."""
    top = head(conn)
    tracked = positions(conn)
    lag = {name: top - tracked.get(name, 0) for name in names}
    problems: dict[str, str] = {}
    bound = settings.ready_max_lag_events
    behind = {n: v for n, v in lag.items() if bound and v > bound}
    if behind:
        problems["read_models"] = f"lag beyond {bound} events: " + ", ".join(
            f"{n} ({v})" for n, v in sorted(behind.items())
        )
    relay = kafka_relay.status(conn) if settings.kafka_bootstrap_servers else None
    if relay is not None and relay.get("failing"):
        problems["relay"] = f"failing since {relay['last_error_at']}: {relay['last_error']}"
    body = {
        "log_head": top,
        "read_models": {n: tracked.get(n, 0) for n in names},
        "lag": lag,
        "relay": relay,
        "consumers": consumer_status(conn),  # shown, not a reason for 503: they run apart
    }
    return Readiness(time.monotonic(), problems, body)


class ReadinessMonitor:
    """Refreshes the readiness state in a background thread; `current()` never blocks."""

    def __init__(self, conninfo: str, settings: Settings, names: list[str]) -> None:
        self.conninfo, self.settings, self.names = conninfo, settings, names
        self.state: Readiness | None = None
        self.stopped = threading.Event()
        self.thread: threading.Thread | None = None
        self.conn: psycopg.Connection[Any] | None = None

    def check_once(self) -> Readiness:
        try:
            if self.conn is None or self.conn.closed:
                self.conn = psycopg.connect(
                    self.conninfo,
                    autocommit=True,
                    application_name="xuncha-readiness",
                    **self.settings.timeouts.connection_options(),
                )
            return check(self.conn, self.settings, self.names)
        except psycopg.Error as error:
            self.close_connection()
            detail = f"{type(error).__name__}: {str(error).strip()[:300]}"
            return Readiness(time.monotonic(), {"database": detail})

    def current(self) -> Readiness:
        """The last result; a stale one (the check hangs) reports the database."""
        state = self.state
        stale_after = max(2.0, 3 * self.settings.ready_refresh_seconds)
        if state is None:
            return Readiness(time.monotonic(), {"database": "not checked yet"})
        age = time.monotonic() - state.checked_at
        if age > stale_after:
            return Readiness(state.checked_at, {"database": f"no answer for {age:.1f} s"})
        return state

    def run(self) -> None:
        while not self.stopped.is_set():
            self.state = self.check_once()
            self.stopped.wait(self.settings.ready_refresh_seconds)
        self.close_connection()

    def start(self) -> None:
        self.state = self.check_once()
        self.thread = threading.Thread(target=self.run, name="readiness", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.stopped.set()
        if self.thread is not None:
            self.thread.join(timeout=5)

    def close_connection(self) -> None:
        if self.conn is not None:
            try:
                self.conn.close()
            except psycopg.Error:
                log.debug("closing the readiness connection failed", exc_info=True)
            self.conn = None

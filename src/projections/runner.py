"""The projection runner: catches up in batches, then follows the log via LISTEN/NOTIFY.

Each batch is one transaction per read model: its rows and its tracking position commit
together, so a runner killed mid-batch leaves no partial effect and repeats nothing.
Only one runner works at a time (a PostgreSQL advisory lock); others wait as standbys.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg import Connection

from events.mapper import EnvelopeMapper
from projections import tracking
from projections.base import Projection

log = logging.getLogger(__name__)
RUNNER_LOCK = 0x58554E4348410001  # "XUNCHA" + 1: the projection runner's advisory lock
APP_NAME = "xuncha-projections"
CHANNEL = "stored_events"  # the channel eventsourcing's recorder notifies on each insert
SELECT_BATCH = (
    "SELECT notification_id, originator_id, originator_version, topic, state "
    "FROM stored_events WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
)


class ProjectionRunner:
    """Feeds `projections` from the notification log of the database at `conninfo`."""

    def __init__(
        self,
        conninfo: str,
        projections: Sequence[Projection],
        *,
        batch_size: int = 500,
        mapper: EnvelopeMapper | None = None,
    ) -> None:
        self.conninfo = conninfo
        self.projections = list(projections)
        self.batch_size = batch_size
        self.mapper = mapper or EnvelopeMapper()
        self.stopped = threading.Event()
        self.thread: threading.Thread | None = None

    def setup(self) -> None:
        with psycopg.connect(self.conninfo) as conn, conn.cursor() as cur:
            for projection in self.projections:
                projection.create(cur)
                tracking.ensure(cur, projection.name)

    def run_batch(
        self, conn: Connection[Any], projection: Projection, limit: int | None = None
    ) -> int:
        """Apply the next batch to one read model; returns how many events it read."""
        with conn.transaction(), conn.cursor() as cur:
            position = tracking.lock_position(cur, projection.name)
            cur.execute(SELECT_BATCH, (position, limit or self.batch_size))
            rows = cur.fetchall()
            for notification_id, _, _, topic, state in rows:
                if projection.handles(topic):
                    recorded = self.mapper.decode(bytes(state), topic, notification_id)
                    projection.apply(cur, recorded)
            if rows:
                tracking.advance(cur, projection.name, rows[-1][0])
        return len(rows)

    def catch_up(self, conn: Connection[Any]) -> int:
        """Run batches until every read model has reached the head of the log, or the event
        its handler fails on. A failing read model holds back neither the others nor its own
        events before the failing one; the first failure is raised once all had their turn."""
        total = 0
        failure: Exception | None = None
        for projection in self.projections:
            try:
                total += self._catch_up_one(conn, projection)
            except psycopg.OperationalError:
                raise
            except Exception as error:
                failure = failure or error
        if failure is not None:
            raise failure
        return total

    def _catch_up_one(self, conn: Connection[Any], projection: Projection) -> int:
        total = 0
        try:
            while (read := self.run_batch(conn, projection)) > 0:
                total += read
        except psycopg.OperationalError:
            raise
        except Exception:
            # The batch rolled back whole: apply its events one by one up to the failing one.
            # If that failure was transient, this reaches the head of the log without one.
            while (read := self.run_batch(conn, projection, limit=1)) > 0:
                total += read
        return total

    def catch_up_once(self) -> int:
        """Bring every read model to the head of the log now, in this thread."""
        self.setup()
        with psycopg.connect(self.conninfo, application_name=APP_NAME) as conn:
            return self.catch_up(conn)

    def run_forever(self, poll_seconds: float = 1.0) -> None:
        """Take the runner lock (waiting as a standby), then catch up and follow live;
        reconnect after losing the database, until stopped."""
        self.setup()
        while not self.stopped.is_set():
            try:
                self._follow(poll_seconds)
            except psycopg.OperationalError:
                if self.stopped.is_set():
                    break
                log.exception("projection runner lost the database; reconnecting")
                self.stopped.wait(poll_seconds)

    def _follow(self, poll_seconds: float) -> None:
        with psycopg.connect(self.conninfo, autocommit=True, application_name=APP_NAME) as listen:
            listen.execute("SELECT pg_advisory_lock(%s)", (RUNNER_LOCK,))
            listen.execute(f"LISTEN {CHANNEL}")
            with psycopg.connect(self.conninfo, application_name=APP_NAME) as work:
                while not self.stopped.is_set():
                    try:
                        self.catch_up(work)
                    except psycopg.OperationalError:
                        raise
                    except Exception:  # a failing handler must not stop the runner silently
                        log.exception("projection batch failed; retrying")
                        self.stopped.wait(poll_seconds)
                    for _ in listen.notifies(timeout=poll_seconds, stop_after=1):
                        pass

    def start_thread(self) -> threading.Thread:
        self.thread = threading.Thread(target=self.run_forever, name="projections", daemon=True)
        self.thread.start()
        return self.thread

    def stop(self, timeout: float = 10.0) -> None:
        self.stopped.set()
        if self.thread is not None:
            self.thread.join(timeout)

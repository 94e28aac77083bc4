"""Following the notification log: the one loop that the projection runner, the Kafka relay
and the timers share (`LogFollower`), and reading a few event types after a position
(`follow`) for the memories the timers keep.

`LogFollower` does its `step` whenever there may be something to do: at once after taking its
advisory lock, after each NOTIFY on the recorder's channel (when it listens), and at least
every `poll_seconds`. One follower per lock is active in a database; the others wait for the
lock as standbys (a blocking `pg_advisory_lock` bounded by `lock_timeout`, so a standby takes
over the moment the lock is free and still notices `stop()` within `poll_seconds`). The lock
is held by the session of the lock connection: a follower that dies or loses the database
releases it, and a standby goes on. After losing the database (`psycopg.OperationalError`)
it reconnects after a backoff that starts at `poll_seconds` and doubles up to
`max_backoff_seconds`, reset once it holds the lock again; any other failure of a step is
reported to `on_error` and the step is tried again after `poll_seconds`.

`follow` reads after the last position seen: the log is totally ordered (appends hold the
table lock), so nothing is skipped; a new process starts from position 0 once. The memories
built this way only propose candidates: the aggregate's own rules decide, so a stale or
repeated proposal appends nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

import psycopg
from psycopg import Connection

from xuncha.commands.eventstore.store import EventStore
from xuncha.events.base import DomainEvent, RecordedEvent

log = logging.getLogger(__name__)
BATCH = 500
CHANNEL = "stored_events"  # the channel eventsourcing's recorder notifies on each insert
MAX_BACKOFF_SECONDS = 10.0

Step = Callable[[Connection[Any]], object]
OnError = Callable[[Connection[Any], Exception], None]


def follow(
    store: EventStore,
    after: int,
    types: Iterable[type[DomainEvent]],
    apply: Callable[[RecordedEvent], None],
    batch: int = BATCH,
) -> int:
    """Apply, in log order, every recorded event of `types` after position `after`; return
    the last position read (or `after` when there was none)."""
    topics = [t.type_name for t in types]
    position = after
    while True:
        notes = store.recorder.select_notifications(
            position, batch, topics=topics, inclusive_of_start=False
        )
        for note in notes:
            apply(store.mapper.to_recorded_event(note))
            position = note.id
        if len(notes) < batch:
            return position


class LogFollower:
    """Runs `step(work connection)` as the one active holder of advisory lock `lock` in the
    database at `conninfo`, until `stopped` is set.

    `name` names it in the log, `application_name` its connections (pg_stat_activity);
    `listen` wakes it on each append (else it steps every `poll_seconds` only); `autocommit`
    sets the work connection's mode.
    """

    def __init__(
        self,
        conninfo: str,
        *,
        name: str,
        lock: int,
        application_name: str,
        step: Step,
        poll_seconds: float = 1.0,
        listen: bool = True,
        autocommit: bool = False,
        on_error: OnError | None = None,
        stopped: threading.Event | None = None,
        max_backoff_seconds: float = MAX_BACKOFF_SECONDS,
    ) -> None:
        self.conninfo = conninfo
        self.name = name
        self.lock = lock
        self.application_name = application_name
        self.step = step
        self.poll_seconds = poll_seconds
        self.listen = listen
        self.autocommit = autocommit
        self.on_error = on_error
        self.stopped = stopped if stopped is not None else threading.Event()
        self.max_backoff_seconds = max(max_backoff_seconds, poll_seconds)
        self.active = False  # holding the lock now
        self.reconnects = 0  # times it lost the database (tests, logs)
        self.thread: threading.Thread | None = None

    def run(self) -> None:
        """Follow until stopped, reconnecting with backoff after losing the database."""
        backoff = self.poll_seconds
        while not self.stopped.is_set():
            try:
                if self._session():
                    backoff = self.poll_seconds  # it held the lock: start the backoff anew
            except psycopg.OperationalError:
                self.active = False
                if self.stopped.is_set():
                    break
                self.reconnects += 1
                log.exception("%s lost the database; reconnecting in %.1f s", self.name, backoff)
                self.stopped.wait(backoff)
                backoff = min(backoff * 2, self.max_backoff_seconds)
        self.active = False

    def _session(self) -> bool:
        """One session on the lock connection; True once it held the lock."""
        app = self.application_name
        with psycopg.connect(self.conninfo, autocommit=True, application_name=app) as held:
            if not self._take_lock(held):
                return False
            if self.listen:
                held.execute(f"LISTEN {CHANNEL}")
            with psycopg.connect(
                self.conninfo, autocommit=self.autocommit, application_name=app
            ) as work:
                self.active = True
                try:
                    self._follow(held, work)
                finally:
                    self.active = False
            return True

    def _take_lock(self, held: Connection[Any]) -> bool:
        """Wait as a standby until the lock is ours (True) or the follower is stopped."""
        timeout_ms = max(1, int(self.poll_seconds * 1000))
        held.execute(f"SET lock_timeout = {timeout_ms}")
        while not self.stopped.is_set():
            try:
                held.execute("SELECT pg_advisory_lock(%s)", (self.lock,))
            except psycopg.errors.LockNotAvailable:
                continue  # still a standby: look at `stopped`, then wait again
            held.execute("RESET lock_timeout")
            return True
        return False

    def _follow(self, held: Connection[Any], work: Connection[Any]) -> None:
        while not self.stopped.is_set():
            try:
                self.step(work)
            except psycopg.OperationalError:
                raise
            except Exception as error:  # a failing step must not stop the follower
                if self.on_error is not None:
                    self.on_error(work, error)
                else:
                    log.exception("%s failed; trying again", self.name)
                self.stopped.wait(self.poll_seconds)
                continue
            self._wait(held)

    def _wait(self, held: Connection[Any]) -> None:
        """Until an append is notified (when listening), `poll_seconds` pass, or stop."""
        if self.listen:
            for _ in held.notifies(timeout=self.poll_seconds, stop_after=1):
                pass
        else:
            self.stopped.wait(self.poll_seconds)
            held.execute("SELECT 1")  # still holding the lock: the session is alive

    def start_thread(self, thread_name: str) -> threading.Thread:
        self.thread = threading.Thread(target=self.run, name=thread_name, daemon=True)
        self.thread.start()
        return self.thread

    def stop(self, timeout: float = 10.0) -> None:
        self.stopped.set()
        if self.thread is not None:
            self.thread.join(timeout)

"""The projection runner: catches up in batches, then follows the log via LISTEN/NOTIFY
(the shared loop of `commands.eventstore.log_follower.LogFollower`).

Catching up live, a batch serves every live read model at once (`run_joint_batch`): one
transaction locks all their tracking rows, reads the log once after the lowest of their
positions, decodes each event once, applies to each read model the events after its own
position and advances them all. A read model's rows and its tracking position commit together,
so a runner killed mid-batch leaves no partial effect and repeats nothing. A rebuild's copy
(`Target`) and the fallback after a failed joint batch go one read model at a time (`run_batch`).
Only one runner works at a time (a PostgreSQL advisory lock); others wait as standbys.

An event a read model's handler fails on is retried a few times with backoff, then parked
(`projections.parking`) in the transaction that moves that read model past it; the runner goes on.
A joint batch that fails rolls back whole and that wake-up goes on read model by read model,
where the retries and the parking happen for the failing read model alone.

A read model whose declared `version` differs from the one its live tables were built for (its
tracking row's) is outdated: the runner leaves its live tables as they are (they keep answering
reads, at their last position) and, as the holder of the runner lock, has `upgrade` build the
new version beside them and switch when caught up (`projections.rebuild.rebuild`, given by the
composition root: this module cannot import it).
"""

from __future__ import annotations

import logging
import threading
import time
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import psycopg
from psycopg import Connection, Cursor
from psycopg.sql import SQL, Identifier
from structlog.contextvars import bind_contextvars, unbind_contextvars

from xuncha.commands.eventstore.log_follower import LogFollower
from xuncha.events.base import RecordedEvent
from xuncha.events.mapper import EnvelopeMapper
from xuncha.projections import parking, tracking
from xuncha.projections.base import BatchApplying, Projection

log = logging.getLogger(__name__)
RUNNER_LOCK = 0x58554E4348410001  # "XUNCHA" + 1: the projection runner's advisory lock
APP_NAME = "xuncha-projections"
SELECT_BATCH = (
    "SELECT notification_id, originator_id, originator_version, topic, state "
    "FROM stored_events WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
)
SELECT_BATCH_UPTO = (
    "SELECT notification_id, originator_id, originator_version, topic, state "
    "FROM stored_events WHERE notification_id > %s AND notification_id <= %s"
    " ORDER BY notification_id LIMIT %s"
)
SELECT_ONE = "SELECT topic, state FROM stored_events WHERE notification_id = %s"
PIPELINE_SYNC_EVERY = 50  # events whose statements may be in flight at once
# Events parked by any runner in this process since it started (`/metrics`).
PARKED_TOTAL: dict[str, int] = {}
Progress = Callable[[int], None]  # called with the target's position after each batch
# Hears each batch that read events: read model, events read, seconds (metrics, traces).
BatchObserver = Callable[[str, int, float], None]
# Builds the declared version of an outdated read model beside the live one and switches.
Upgrade = Callable[["ProjectionRunner", Projection], object]
UPGRADE_RETRY_SECONDS = 30.0  # after a failed upgrade, before the next attempt
# Bound to the log lines written while an event is handled (api/logs.py), until the batch
# commits: a failing batch's lines name the event it failed on.
EVENT_FIELDS = ("read_model", "event_type", "position", "correlation_id")


class HandlerFailed(Exception):
    """A read model's handling failed a joint batch (the cause is the handler's error)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"read model {name} failed the joint batch")
        self.name = name


def bind_event(recorded: RecordedEvent, topic: str, position: int) -> None:
    """Bind the event being handled to the lines logged meanwhile (`EVENT_FIELDS`)."""
    correlation_id = str(recorded.metadata.correlation_id)
    bind_contextvars(event_type=topic, position=position, correlation_id=correlation_id)


@dataclass(frozen=True)
class Target:
    """Where a read model is built: the tracking row it advances, the PostgreSQL schema its
    unqualified table names resolve to first (None: the live tables), and the position it
    stops at (None: the head of the log). A rebuild or a verification builds into a scratch
    schema with its own tracking row, beside the live read model."""

    tracking_name: str
    schema: str | None = None
    upto: int | None = None


def use_schema(cur: Cursor[Any], schema: str | None) -> None:
    """Resolve the read model's unqualified names in `schema` first, for this transaction;
    the log, the tracking and the parked tables stay in public."""
    if schema is not None:
        cur.execute(SQL("SET LOCAL search_path TO {}, public").format(Identifier(schema)))


@dataclass(frozen=True)
class RetryResult:
    applied: list[tuple[str, int]]
    still_parked: list[tuple[str, int]]

    def as_json(self) -> dict[str, list[dict[str, Any]]]:
        return {
            "applied": [{"name": n, "position": p} for n, p in self.applied],
            "still_parked": [{"name": n, "position": p} for n, p in self.still_parked],
        }


class ProjectionRunner:
    """Feeds `projections` from the notification log of the database at `conninfo`."""

    def __init__(
        self,
        conninfo: str,
        projections: Sequence[Projection],
        *,
        batch_size: int = 500,
        mapper: EnvelopeMapper | None = None,
        retry_attempts: int = 3,
        retry_backoff_seconds: float = 0.1,
        pipeline: bool = True,
        observe: BatchObserver | None = None,
        upgrade: Upgrade | None = None,
    ) -> None:
        self.conninfo = conninfo
        self.observe = observe
        self.upgrade = upgrade
        self.upgrading: dict[str, threading.Thread] = {}
        self.upgrade_failed_at: dict[str, float] = {}
        self.projections = list(projections)
        self.batch_size = batch_size
        self.retry_attempts = max(1, retry_attempts)
        self.retry_backoff_seconds = retry_backoff_seconds
        self.mapper = mapper or EnvelopeMapper()
        self.pipeline = pipeline
        self.stopped = threading.Event()
        self.thread: threading.Thread | None = None

    def setup(self) -> None:
        """Create each read model's tables and tracking row unless it is outdated (its live
        tables stay as they were built until its new version replaces them)."""
        with psycopg.connect(self.conninfo) as conn, conn.cursor() as cur:
            live = tracking.versions(conn)
            for projection in self.projections:
                if live.get(projection.name, projection.version) != projection.version:
                    continue
                projection.create(cur)
                tracking.ensure(cur, projection.name, projection.version)

    def outdated(self, conn: Connection[Any]) -> list[Projection]:
        """The read models whose live tables were built for another version than declared."""
        with conn.transaction():
            live = tracking.versions(conn)
        return [p for p in self.projections if live.get(p.name, p.version) != p.version]

    def start_upgrades(
        self, conn: Connection[Any], outdated: list[Projection] | None = None
    ) -> list[str]:
        """Start building each outdated read model's new version beside the live one, one
        thread per read model (none while one is running, nor within `UPGRADE_RETRY_SECONDS`
        of a failed attempt); the names started. `outdated` as `self.outdated(conn)` found
        them, read here unless given."""
        started = []
        for projection in self.outdated(conn) if outdated is None else outdated:
            name = projection.name
            running = self.upgrading.get(name)
            failed_at = self.upgrade_failed_at.get(name)
            if self.upgrade is None or (running is not None and running.is_alive()):
                continue
            if failed_at is not None and time.monotonic() - failed_at < UPGRADE_RETRY_SECONDS:
                continue
            thread = threading.Thread(
                target=self._upgrade, args=(projection,), name=f"upgrade-{name}", daemon=True
            )
            self.upgrading[name] = thread
            thread.start()
            started.append(name)
        return started

    def _upgrade(self, projection: Projection) -> None:
        assert self.upgrade is not None
        log.info(
            "read model %s: building version %s beside the live one",
            projection.name,
            projection.version,
        )
        try:
            self.upgrade(self, projection)
        except Exception:
            self.upgrade_failed_at[projection.name] = time.monotonic()
            log.exception("read model %s: the upgrade failed; trying again later", projection.name)
        else:
            self.upgrade_failed_at.pop(projection.name, None)
            log.info("read model %s: switched to version %s", projection.name, projection.version)

    def run_batch(
        self,
        conn: Connection[Any],
        projection: Projection,
        limit: int | None = None,
        target: Target | None = None,
    ) -> int:
        """Apply the next batch to one read model; returns how many events it read."""
        started = time.perf_counter()
        with conn.transaction(), conn.cursor() as cur:
            read = self.apply_next(cur, projection, limit, target)
        unbind_contextvars(*EVENT_FIELDS)
        if read and self.observe is not None:
            self.observe(projection.name, read, time.perf_counter() - started)
        return read

    def decode(self, state: bytes, topic: str, position: int) -> RecordedEvent:
        """Decode the event at `position` and bind it to the lines logged while it is handled."""
        recorded = self.mapper.decode(bytes(state), topic, position)
        bind_event(recorded, topic, position)
        return recorded

    def run_joint_batch(self, conn: Connection[Any], projections: Sequence[Projection]) -> int:
        """Apply the next batch to every read model of `projections` (live ones) in one
        transaction: lock all their tracking rows in one statement, read at most `batch_size`
        events after the lowest of their positions in one select, decode each event once (the
        first time a read model handles it) and apply to each read model the events after its
        own position as `apply_next` would, then advance those that read any to the batch's
        last position. Returns the events read summed over the read models (0: all at the
        head). `observe` hears each read model that read events: its events and its share of
        the batch's seconds (its own handling plus an equal part of the common work)."""
        started = time.perf_counter()
        reads: dict[str, int] = {}
        own: dict[str, float] = {}
        with conn.transaction(), conn.cursor() as cur:
            positions = tracking.lock_positions(cur, [p.name for p in projections])
            cur.execute(SELECT_BATCH, (min(positions.values()), self.batch_size))
            rows = cur.fetchall()
            if not rows:
                return 0
            ids = [row[0] for row in rows]
            decoded: dict[int, RecordedEvent] = {}

            def event(state: bytes, topic: str, position: int) -> RecordedEvent:
                recorded = decoded.get(position)
                if recorded is None:
                    recorded = decoded[position] = self.decode(state, topic, position)
                else:
                    bind_event(recorded, topic, position)
                return recorded

            for projection in projections:
                mine = rows[bisect_right(ids, positions[projection.name]) :]
                if not mine:
                    continue  # ahead of this batch: it joins when the batch reaches it
                began = time.perf_counter()
                bind_contextvars(read_model=projection.name)
                try:
                    self._apply(cur, projection, mine, event)
                except psycopg.OperationalError:
                    raise
                except Exception as error:
                    raise HandlerFailed(projection.name) from error
                own[projection.name] = time.perf_counter() - began
                reads[projection.name] = len(mine)
            tracking.advance_all(cur, list(reads), rows[-1][0])
        unbind_contextvars(*EVENT_FIELDS)
        if self.observe is not None:
            common = max(0.0, time.perf_counter() - started - sum(own.values())) / len(reads)
            for name, read in reads.items():
                self.observe(name, read, own[name] + common)
        return sum(reads.values())

    def apply_next(
        self,
        cur: Cursor[Any],
        projection: Projection,
        limit: int | None = None,
        target: Target | None = None,
    ) -> int:
        """In the caller's transaction: lock the target's tracking row, apply the events after
        its position (at most `limit`, not beyond `target.upto`) and advance it."""
        name = target.tracking_name if target else projection.name
        bind_contextvars(read_model=name)
        use_schema(cur, target.schema if target else None)
        position = tracking.lock_position(cur, name)
        self._select_next(cur, position, limit or self.batch_size, target)
        rows = cur.fetchall()
        if not rows:
            return 0
        self._apply(cur, projection, rows, self.decode, advance=name)
        return len(rows)

    def _apply(
        self,
        cur: Cursor[Any],
        projection: Projection,
        rows: Sequence[tuple[Any, ...]],
        event: Callable[[bytes, str, int], RecordedEvent],
        advance: str | None = None,
    ) -> None:
        """Apply the log `rows` (as `SELECT_BATCH` reads them) that `projection` handles, each
        decoded by `event(state, topic, position)`: as one batch if it is `BatchApplying`,
        else pipelined (unless `self.pipeline` is off); then advance tracking row `advance`,
        if given, to the last row."""
        if isinstance(projection, BatchApplying) and len(rows) > 1:
            projection.apply_batch(
                cur,
                [
                    event(state, topic, notification_id)
                    for notification_id, _, _, topic, state in rows
                    if projection.handles(topic)
                ],
            )
            if advance is not None:
                tracking.advance(cur, advance, rows[-1][0])
            return
        if not self.pipeline or len(rows) == 1:
            for notification_id, _, _, topic, state in rows:
                if projection.handles(topic):
                    projection.apply(cur, event(state, topic, notification_id))
            if advance is not None:
                tracking.advance(cur, advance, rows[-1][0])
            return
        # Pipelined: the handlers' statements go out without waiting for each answer; a sync
        # every PIPELINE_SYNC_EVERY events keeps the unanswered data small (a pipeline holding
        # ~0.6 MB or more can hang with psycopg 3.3 / libpq 18, see docs/architecture.md).
        # An error surfaces at the next sync and rolls the whole batch back, as without.
        with cur.connection.pipeline() as pipeline:
            for i, (notification_id, _, _, topic, state) in enumerate(rows, 1):
                if projection.handles(topic):
                    projection.apply(cur, event(state, topic, notification_id))
                if i % PIPELINE_SYNC_EVERY == 0:
                    pipeline.sync()
            if advance is not None:
                tracking.advance(cur, advance, rows[-1][0])

    @staticmethod
    def _select_next(cur: Cursor[Any], position: int, limit: int, target: Target | None) -> None:
        if target is not None and target.upto is not None:
            cur.execute(SELECT_BATCH_UPTO, (position, target.upto, limit))
        else:
            cur.execute(SELECT_BATCH, (position, limit))

    def catch_up(self, conn: Connection[Any], outdated: list[Projection] | None = None) -> int:
        """Run joint batches (`run_joint_batch`) until every read model has reached the head of
        the log, but for the `outdated` ones (`self.outdated(conn)`, read here unless given);
        returns the events read summed over the read models. If a joint batch fails, it rolls
        back whole and each read model catches up on its own (`_catch_up_one`): an event a
        handler keeps failing on is parked and skipped by that read model only; any other
        failure is raised once all read models had their turn."""
        skipped = {p.name for p in (self.outdated(conn) if outdated is None else outdated)}
        # Outdated ones: their new version is built beside them (`start_upgrades`).
        live = [p for p in self.projections if p.name not in skipped]
        total = 0
        if not live:
            return 0
        failed: str | None = None  # the read model whose handling failed the joint batch
        try:
            while (read := self.run_joint_batch(conn, live)) > 0:
                total += read
            return total
        except psycopg.OperationalError:
            raise
        except Exception as error:
            cause: BaseException = error
            if isinstance(error, HandlerFailed):
                failed, cause = error.name, error.__cause__ or error
            log.warning(
                "a batch of every read model failed (%s: %s); each read model catches up on"
                " its own",
                type(cause).__name__,
                cause,
            )
        failure: Exception | None = None
        for projection in live:
            try:
                # The one that failed the joint batch goes on event by event at once: that
                # batch was its batch attempt.
                one_by_one = projection.name == failed
                total += self._catch_up_one(conn, projection, one_by_one=one_by_one)
            except psycopg.OperationalError:
                raise
            except Exception as error:
                failure = failure or error
        if failure is not None:
            raise failure
        return total

    def _catch_up_one(
        self,
        conn: Connection[Any],
        projection: Projection,
        target: Target | None = None,
        progress: Progress | None = None,
        one_by_one: bool = False,
    ) -> int:
        """Bring one read model (or its `target`) to the head in batches; once a batch fails
        (or from the start if `one_by_one`), event by event, retrying and parking."""
        total = 0
        if not one_by_one:
            try:
                while (read := self.run_batch(conn, projection, target=target)) > 0:
                    total += read
                    if progress is not None:
                        progress(total)
                return total
            except psycopg.OperationalError:
                raise
            except Exception:
                pass
        # The batch rolled back whole: apply its events one by one, retrying a failing one
        # with backoff and parking it if it keeps failing, then go on to the head.
        while (read := self._step(conn, projection, target)) > 0:
            total += read
            if progress is not None:
                progress(total)
        return total

    def catch_up_target(
        self,
        conn: Connection[Any],
        projection: Projection,
        target: Target,
        progress: Progress | None = None,
    ) -> int:
        """Bring one read model's `target` (a scratch copy) to `target.upto` or the head, in
        batches, parking what keeps failing; `progress(events read so far)` after each batch."""
        return self._catch_up_one(conn, projection, target, progress)

    def _step(
        self, conn: Connection[Any], projection: Projection, target: Target | None = None
    ) -> int:
        """Apply the next event to one read model, retried; park it if it keeps failing."""
        first_failed_at: datetime | None = None
        for attempt in range(1, self.retry_attempts + 1):
            try:
                return self.run_batch(conn, projection, limit=1, target=target)
            except psycopg.OperationalError:
                raise
            except Exception as error:
                first_failed_at = first_failed_at or datetime.now(UTC)
                if attempt == self.retry_attempts:
                    return self._park(conn, projection, error, first_failed_at, attempt, target)
                time.sleep(self.retry_backoff_seconds * 2 ** (attempt - 1))
        return 0  # pragma: no cover - the loop always returns

    def _park(
        self,
        conn: Connection[Any],
        projection: Projection,
        error: Exception,
        first_failed_at: datetime,
        attempts: int,
        target: Target | None = None,
    ) -> int:
        """Record the next event as parked and advance past it, in one transaction."""
        name = target.tracking_name if target else projection.name
        with conn.transaction(), conn.cursor() as cur:
            position = tracking.lock_position(cur, name)
            self._select_next(cur, position, 1, target)
            row = cur.fetchone()
            if row is None:
                return 0
            notification_id, _, _, topic, state = row
            correlation_id: UUID | None = None
            try:
                metadata = self.mapper.decode(bytes(state), topic).metadata
                event_id, correlation_id = metadata.event_id, metadata.correlation_id
            except Exception:  # an undecodable event is parked without its id
                event_id = None
            text = f"{type(error).__name__}: {error}"
            parking.park(
                cur,
                name,
                notification_id,
                event_id,
                topic,
                text,
                first_failed_at,
                attempts,
            )
            tracking.advance(cur, name, notification_id)
        PARKED_TOTAL[projection.name] = PARKED_TOTAL.get(projection.name, 0) + 1
        log.error(
            "read model %s parked the event at position %s after %s attempts: %s",
            name,
            notification_id,
            attempts,
            text,
            # Fields of the JSON log line (api/logs.py): join it with the audit trail.
            extra={
                "read_model": name,
                "position": notification_id,
                "event_type": topic,
                "event_id": str(event_id) if event_id else None,
                "correlation_id": str(correlation_id) if correlation_id else None,
            },
        )
        return 1

    def retry_parked(self, name: str | None = None) -> RetryResult:
        """Re-apply the parked events of read model `name` (or of all), in order, each in its
        own transaction with its removal from the parked table; one that fails again stays
        parked with its attempts incremented."""
        self.setup()
        applied: list[tuple[str, int]] = []
        still: list[tuple[str, int]] = []
        by_name = {p.name: p for p in self.projections}
        with psycopg.connect(self.conninfo, application_name=APP_NAME) as conn:
            for parked in parking.listing(conn, name):
                projection = by_name.get(parked.name)
                if projection is None:
                    continue
                try:
                    with conn.transaction(), conn.cursor() as cur:
                        tracking.lock_position(cur, parked.name)  # serialized with the runner
                        cur.execute(
                            "DELETE FROM projection_parked WHERE name = %s AND position = %s",
                            (parked.name, parked.position),
                        )
                        if cur.rowcount == 0:
                            continue  # retried meanwhile by someone else
                        cur.execute(SELECT_ONE, (parked.position,))
                        row = cur.fetchone()
                        assert row is not None, f"no event at position {parked.position}"
                        topic, state = row
                        if projection.handles(topic):
                            projection.apply(
                                cur, self.mapper.decode(bytes(state), topic, parked.position)
                            )
                    applied.append((parked.name, parked.position))
                except psycopg.OperationalError:
                    raise
                except Exception as error:
                    text = f"{type(error).__name__}: {error}"
                    conn.execute(
                        "UPDATE projection_parked SET attempts = attempts + 1, error = %s,"
                        " last_failed_at = now() WHERE name = %s AND position = %s",
                        (text, parked.name, parked.position),
                    )
                    conn.commit()
                    log.error(
                        "read model %s still fails on the parked event at position %s: %s",
                        parked.name,
                        parked.position,
                        text,
                    )
                    still.append((parked.name, parked.position))
        return RetryResult(applied, still)

    def status(self) -> list[dict[str, Any]]:
        """Each read model's position, the log's head, lag in events and in seconds, and
        parked events (`tracking.status`); `version`, the version its live tables were built
        for, and `declared_version`, the code's (they differ while a new version is built)."""
        self.setup()
        with psycopg.connect(self.conninfo, application_name=APP_NAME) as conn:
            rows = tracking.status(conn, [p.name for p in self.projections])
            built = tracking.versions(conn)
        for row, projection in zip(rows, self.projections, strict=True):
            row["version"] = built.get(projection.name, projection.version)
            row["declared_version"] = projection.version
        return rows

    def catch_up_once(self) -> int:
        """Bring every read model to the head of the log now, in this thread."""
        self.setup()
        with psycopg.connect(self.conninfo, application_name=APP_NAME) as conn:
            return self.catch_up(conn)

    def follower(self, poll_seconds: float = 1.0) -> LogFollower:
        """The runner's loop: the runner lock, woken by each append, catching up each time."""
        return LogFollower(
            self.conninfo,
            name="projection runner",
            lock=RUNNER_LOCK,
            application_name=APP_NAME,
            step=self._follow_step,
            poll_seconds=poll_seconds,
            on_error=self._batch_failed,
            stopped=self.stopped,
        )

    def _follow_step(self, conn: Connection[Any]) -> int:
        """As the holder of the runner lock: start the upgrades due, then catch up (one read
        of the tracked versions for both)."""
        outdated = self.outdated(conn)
        self.start_upgrades(conn, outdated)
        return self.catch_up(conn, outdated)

    @staticmethod
    def _batch_failed(_: Connection[Any], error: Exception) -> None:
        log.error("projection batch failed; retrying", exc_info=error)

    def run_forever(self, poll_seconds: float = 1.0) -> None:
        """Take the runner lock (waiting as a standby), then catch up and follow live;
        reconnect after losing the database, until stopped (`LogFollower`)."""
        self.setup()
        self.follower(poll_seconds).run()

    def start_thread(self) -> threading.Thread:
        self.thread = threading.Thread(target=self.run_forever, name="projections", daemon=True)
        self.thread.start()
        return self.thread

    def stop(self, timeout: float = 10.0) -> None:
        self.stopped.set()
        if self.thread is not None:
            self.thread.join(timeout)

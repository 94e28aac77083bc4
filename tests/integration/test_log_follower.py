"""The one log follower of the runner, the relay and the timers: one active holder of its lock,
a standby that takes over and stays stoppable, wake-ups on append, reconnection after losing
the database, and a failing step retried."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from psycopg import Connection

from xuncha.commands.eventstore.log_follower import CHANNEL, LogFollower

LOCK = 0x58554E43484100FF  # a lock of this test only
APP = "xuncha-test-follower"


def eventually(check: Callable[[], bool], timeout: float = 10, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


class Counting:
    """A step that counts its calls and can be made to fail."""

    def __init__(self) -> None:
        self.calls = 0
        self.fail_with: Exception | None = None
        self.errors: list[Exception] = []
        self.woken = threading.Event()

    def step(self, conn: Connection[Any]) -> None:
        conn.execute("SELECT 1")  # the work connection is usable
        self.calls += 1
        self.woken.set()
        if self.fail_with is not None:
            raise self.fail_with

    def on_error(self, _: Connection[Any], error: Exception) -> None:
        self.errors.append(error)


def follower(conninfo: str, step: Counting, **options: Any) -> LogFollower:
    defaults: dict[str, Any] = {"poll_seconds": 0.2}
    return LogFollower(
        conninfo,
        name="test follower",
        lock=LOCK,
        application_name=APP,
        step=step.step,
        on_error=step.on_error,
        **(defaults | options),
    )


def test_one_follower_is_active_and_a_standby_takes_over(database_url: str) -> None:
    steps = [Counting(), Counting()]
    first = follower(database_url, steps[0])
    first.start_thread("first")
    eventually(lambda: first.active, what="the first to take the lock")
    second = follower(database_url, steps[1])
    second.start_thread("second")
    try:
        time.sleep(1.0)  # five polls: the standby keeps waiting for the lock
        assert first.active
        assert not second.active
        assert steps[1].calls == 0
        started = time.monotonic()
        first.stop()
        assert first.thread is not None
        assert not first.thread.is_alive()
        eventually(lambda: second.active and steps[1].calls > 0, what="the standby")
        assert time.monotonic() - started < 2
    finally:
        first.stop()
        second.stop()
    assert second.thread is not None
    assert not second.thread.is_alive()


def test_a_standby_is_stopped_while_it_waits_for_the_lock(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as held:
        held.execute("SELECT pg_advisory_lock(%s)", (LOCK,))
        standby = follower(database_url, Counting())
        thread = standby.start_thread("standby")
        time.sleep(0.5)
        assert not standby.active
        started = time.monotonic()
        standby.stop(timeout=5)
        assert not thread.is_alive()
        assert time.monotonic() - started < 1.0  # within about one poll


def test_an_append_wakes_a_listening_follower_before_its_poll(database_url: str) -> None:
    step = Counting()
    listening = follower(database_url, step, poll_seconds=5)
    listening.start_thread("listening")
    try:
        eventually(lambda: step.calls == 1, what="the first step")
        step.woken.clear()
        time.sleep(0.2)  # it waits on LISTEN now
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("SELECT pg_notify(%s, '1')", (CHANNEL,))
        assert step.woken.wait(2), "the notification did not wake the follower"
        assert step.calls == 2
    finally:
        listening.stop(timeout=10)


def test_a_follower_that_does_not_listen_steps_every_poll(database_url: str) -> None:
    step = Counting()
    timed = follower(database_url, step, listen=False, poll_seconds=0.1)
    timed.start_thread("timed")
    try:
        eventually(lambda: step.calls >= 5, what="five steps")
    finally:
        timed.stop()


@pytest.mark.parametrize("listen", [True, False])
def test_a_follower_reconnects_after_losing_the_database(database_url: str, listen: bool) -> None:
    step = Counting()
    lost = follower(database_url, step, listen=listen)
    lost.start_thread("lost")
    try:
        eventually(lambda: lost.active and step.calls > 0, what="the first step")
        with psycopg.connect(database_url, autocommit=True) as conn:
            ended = conn.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE application_name = %s",
                (APP,),
            ).fetchone()
        assert ended == (2,)  # its lock connection and its work connection
        eventually(lambda: lost.reconnects == 1, what="the loss to be seen")
        before = step.calls
        eventually(lambda: lost.active and step.calls > before, what="the reconnection")
        with psycopg.connect(database_url, autocommit=True) as conn:
            holders = conn.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND ((classid::bigint << 32) | objid::bigint) = %s",
                (LOCK,),
            ).fetchone()
        assert holders == (1,)  # the lock was taken again
    finally:
        lost.stop()


def test_a_failing_step_is_reported_and_tried_again(database_url: str) -> None:
    step = Counting()
    step.fail_with = RuntimeError("the broker is away")
    failing = follower(database_url, step, poll_seconds=0.1)
    failing.start_thread("failing")
    try:
        eventually(lambda: len(step.errors) >= 3, what="three failed steps")
        assert all(str(e) == "the broker is away" for e in step.errors)
        assert failing.reconnects == 0
        assert failing.active
        step.fail_with = None
        failed = len(step.errors)
        calls = step.calls
        eventually(lambda: step.calls > calls + 2, what="steps after the failure")
        assert len(step.errors) <= failed + 1
    finally:
        failing.stop()

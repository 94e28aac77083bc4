"""The clock of `xuncha serve` ticks the timers the composition root built, on the one log
follower: at once after taking its lock, then every interval; one process ticks at a time,
and a standby takes over when it stops; a failing tick does not stop it."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from xuncha.api.workers.clock import ClockThread
from xuncha.commands.timers.base import Timers


class CountingTimer:
    name = "counting"

    def __init__(self, fail: bool = False) -> None:
        self.ticks: list[datetime] = []
        self.fail = fail

    def tick(self, now: datetime) -> int:
        self.ticks.append(now)
        if self.fail:
            raise RuntimeError("the tick failed")
        return 0


def eventually(check: Callable[[], bool], timeout: float = 10, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def test_one_clock_ticks_and_a_standby_takes_over(database_url: str) -> None:
    timers = [CountingTimer(), CountingTimer()]
    clocks = [ClockThread(database_url, Timers([t]), interval=0.2) for t in timers]
    clocks[0].start()
    eventually(lambda: len(timers[0].ticks) >= 1, what="the first tick")
    clocks[1].start()
    try:
        eventually(lambda: len(timers[0].ticks) >= 6, what="ticks every interval")
        assert timers[1].ticks == []  # the second waits as a standby
        assert clocks[0].follower.active
        assert not clocks[1].follower.active
        first, last = timers[0].ticks[0], timers[0].ticks[-1]
        assert timedelta(0) < last - first < timedelta(seconds=10)
        assert all(t.tzinfo is UTC for t in timers[0].ticks)
        clocks[0].stop()
        stopped_at = len(timers[0].ticks)
        eventually(lambda: len(timers[1].ticks) >= 2, what="the standby to tick")
        assert len(timers[0].ticks) == stopped_at
    finally:
        clocks[0].stop()
        clocks[1].stop()


def test_a_failing_tick_is_tried_again_next_interval(database_url: str) -> None:
    failing = CountingTimer(fail=True)
    clock = ClockThread(database_url, Timers([failing]), interval=0.1)
    clock.start()
    try:
        eventually(lambda: len(failing.ticks) >= 3, what="three ticks despite failures")
        assert clock.follower.active
        assert clock.follower.reconnects == 0
    finally:
        clock.stop()

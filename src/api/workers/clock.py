"""Ticks the timers (`commands.timers`) periodically, in a thread: the one log follower
(`commands.eventstore.log_follower.LogFollower`) without LISTEN, stepping every interval.

Only one process ticks at a time (the clock's advisory lock); another `xuncha serve` waits as
a standby and takes over if this one stops or loses the database. The first tick comes as soon
as the lock is taken (what fell due while no clock ran is flagged at once), then one every
interval. A failing tick is logged, not fatal: the next interval tries again.
"""

from __future__ import annotations

import logging
from typing import Any

from psycopg import Connection

from xuncha.commands.eventstore.log_follower import LogFollower
from xuncha.commands.service import utc_now
from xuncha.commands.timers.base import Timers

log = logging.getLogger(__name__)
CLOCK_LOCK = 0x58554E4348410003  # "XUNCHA" + 3: the clock's advisory lock
APP_NAME = "xuncha-clock"


class ClockThread:
    """Ticks `timers` every `interval` seconds until stopped."""

    def __init__(self, conninfo: str, timers: Timers, interval: float) -> None:
        self.timers = timers
        self.interval = interval
        self.follower = LogFollower(
            conninfo,
            name="clock",
            lock=CLOCK_LOCK,
            application_name=APP_NAME,
            step=self.tick,
            poll_seconds=interval,
            listen=False,  # driven by time, not by appends
            autocommit=True,
            on_error=self._tick_failed,
        )

    def tick(self, _: Connection[Any]) -> None:
        issued = self.timers.tick(utc_now())
        if any(issued.values()):
            log.info("clock issued %s", issued)

    @staticmethod
    def _tick_failed(_: Connection[Any], error: Exception) -> None:
        log.error("clock tick failed; trying again next interval", exc_info=error)

    def start(self) -> None:
        self.follower.start_thread("clock")

    def stop(self) -> None:
        self.follower.stop(self.interval + 5)  # never started when the timers are off

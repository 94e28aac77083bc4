"""Runs the time-driven process managers of `commands.clock` periodically, in a thread."""

from __future__ import annotations

import logging
import threading

from xuncha.commands.service import Application, utc_now
from xuncha.commands.timers.base import run_ticks

log = logging.getLogger(__name__)


class ClockThread:
    """Ticks every `interval` seconds until stopped; a failing tick is logged, not fatal."""

    def __init__(self, app: Application, interval: float) -> None:
        self.app = app
        self.interval = interval
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="clock", daemon=True)

    def _run(self) -> None:
        while not self.stopped.wait(self.interval):
            try:
                issued = run_ticks(self.app, utc_now())
                if any(issued.values()):
                    log.info("clock issued %s", issued)
            except Exception:
                log.exception("clock tick failed; trying again next interval")

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopped.set()
        if self.thread.is_alive():  # never started when the timers are off
            self.thread.join(self.interval + 5)

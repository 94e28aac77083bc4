"""The end of `xuncha serve`: every background part stopped in order, each step bounded.

After uvicorn has stopped taking requests and given in-flight ones the grace period, the
timers, the checkpoint signer, the relay and the runner stop, the pools close and the
embedded PostgreSQL stops. One failing step must not leave the later ones undone (an
embedded PostgreSQL left running would hold the data directory), so each is logged and the
next one runs.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import NoReturn

log = logging.getLogger("xuncha.shutdown")


def stop_all(steps: list[tuple[str, Callable[[], object]]]) -> None:
    """Run each (name, stop) in order; log how long each took and any failure."""
    for name, stop in steps:
        started = time.monotonic()
        try:
            stop()
        except Exception:
            log.exception("stopping %s failed; going on", name)
        log.info("stopped %s in %.2f s", name, time.monotonic() - started)
    left = [
        t.name
        for t in threading.enumerate()
        if not t.daemon and t is not threading.current_thread()
    ]
    if left:
        log.info("threads the interpreter waits for at exit: %s", ", ".join(left))


def exit_now(code: int) -> NoReturn:
    """Leave without the interpreter's finalization. Everything that holds state has been
    stopped and closed by then; finalization after a SIGTERM under load was measured taking
    up to 5 s more (in C, no Python frame), which a process manager counts against the
    grace period."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)

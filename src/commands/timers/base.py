"""Process managers driven by time (timers): overdue leads, three-colour deadline warnings.

A tick looks for deadlines that have passed by `now` and issues commands as the system actor;
the commands' own rules make a repeated tick append nothing new. `xuncha serve` ticks
periodically; `xuncha clock tick` ticks once (with `--now` to replay a moment).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from xuncha.events.base import Actor, Role

if TYPE_CHECKING:
    from xuncha.commands.service import Application

SYSTEM_ACTOR = Actor(user_id="system:clock", role=Role.SYSTEM, organization_id="system")

Tick = Callable[["Application", datetime], int]
TICKS: dict[str, Tick] = {}


def tick(name: str) -> Callable[[Tick], Tick]:
    """Register a time-driven process manager; it returns how many commands it issued."""

    def register(fn: Tick) -> Tick:
        if name in TICKS:
            raise ValueError(f"a tick named {name!r} exists already")
        TICKS[name] = fn
        return fn

    return register


def run_ticks(app: Application, now: datetime) -> dict[str, int]:
    """Run every timer as of `now`: its commands are decided with `now` as the time."""
    at_now = app.at(now)
    return {name: fn(at_now, now) for name, fn in TICKS.items()}

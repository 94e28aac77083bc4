"""What the timers share: the system actor they act as, and the set of them one process runs.

A timer is a process manager driven by time: a tick looks for deadlines that have passed by
`now` and issues commands through `Application` as the system actor, deciding as of `now`;
the commands' own rules make a repeated tick append nothing new. The composition root
(`api/container.py`) builds the timers with the application; `xuncha serve` ticks them
periodically (`api/workers/clock.py`), `xuncha clock tick` once (with `--now` to replay a
moment).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Protocol

from xuncha.events.base import Actor, Role

SYSTEM_ACTOR = Actor(user_id="system:clock", role=Role.SYSTEM, organization_id="system")


class Timer(Protocol):
    """A time-driven process manager: `tick(now)` returns how many commands it issued."""

    @property
    def name(self) -> str: ...

    def tick(self, now: datetime) -> int: ...


class Timers:
    """The timers of one process, by name, in the order they tick."""

    def __init__(self, timers: Iterable[Timer]) -> None:
        self.timers: dict[str, Timer] = {}
        for timer in timers:
            if timer.name in self.timers:
                raise ValueError(f"a timer named {timer.name!r} exists already")
            self.timers[timer.name] = timer

    def __getitem__(self, name: str) -> Timer:
        return self.timers[name]

    def __iter__(self) -> Iterator[Timer]:
        return iter(self.timers.values())

    def tick(self, now: datetime) -> dict[str, int]:
        """Run every timer as of `now`: its commands are decided with `now` as the time."""
        return {name: timer.tick(now) for name, timer in self.timers.items()}

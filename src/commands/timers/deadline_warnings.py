"""The three-colour timer (三色预警): for every item not closed, the first day a colour is due
(`rectification.next_warning_day`), followed from the notification log (`ItemDeadlines`), and
the process manager that raises the colours due (`DeadlineWarnings`).

A tick then proposes only the items whose day has come, so its cost follows what is due, not
the size of the log: the log is read once per process from position 0 and afterwards only
the item events appended since the last tick. The item's own rule (`raise_warnings`) decides
on each proposal.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from xuncha.commands import rectification
from xuncha.commands.base import Context
from xuncha.commands.errors import DomainError
from xuncha.commands.eventstore.log_follower import follow
from xuncha.commands.eventstore.store import EventStore
from xuncha.commands.rectification import RECTIFICATION_ITEM, ItemState, evolve, next_warning_day
from xuncha.commands.service import Application
from xuncha.commands.timers.base import SYSTEM_ACTOR
from xuncha.commands.unit_of_work import UnitOfWork
from xuncha.events import rectification as events
from xuncha.events.base import RecordedEvent
from xuncha.events.office_day import office_date
from xuncha.events.policy import PolicyParameters
from xuncha.events.values import PolicyRef
from xuncha.events.vocabulary import RectificationItemStatus

# Events that open or close an item, move its deadline or raise a colour: all that
# `next_warning_day` reads (status, deadline, the colour raised, the policy).
WATCHED = (
    events.RectificationItemOpened,
    events.RectificationItemClosed,
    events.RectificationItemReopened,
    events.ItemReclassifiedLongTerm,
    events.ItemDeadlineExtended,
    events.ItemDeadlineApproaching,
    events.ItemOverdue,
)

PolicyOf = Callable[[PolicyRef], PolicyParameters]


@dataclass
class ItemDeadlines:
    """Items not closed with the state the colours depend on, and the day each wakes up."""

    position: int = 0
    items: dict[UUID, ItemState] = field(default_factory=dict)
    wake: dict[UUID, date] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _policies: dict[tuple[str, int], PolicyParameters] = field(default_factory=dict)

    def catch_up(self, store: EventStore, policy_of: PolicyOf) -> None:
        def on(recorded: RecordedEvent) -> None:
            event: Any = recorded.event  # one of WATCHED: each names its item
            prior = self.items.get(event.item_id)
            if prior is None and not isinstance(event, events.RectificationItemOpened):
                # A closed item comes back (reopened): its state up to this event.
                version = recorded.metadata.stream_version - 1
                history = store.load(event.item_id, up_to_version=version)
                prior = RECTIFICATION_ITEM.fold(r.event for r in history)
            self.apply(event, policy_of, prior)

        self.position = follow(store, self.position, WATCHED, on)

    def apply(self, event: Any, policy_of: PolicyOf, prior: ItemState | None = None) -> None:
        """Follow one watched event; `prior` is the item's state before it when not kept."""
        state = evolve(self.items.get(event.item_id, prior), event)
        if state is None:
            return
        assert state.policy is not None  # every item is opened under a policy version
        day = next_warning_day(state, self._pinned(state.policy, policy_of))
        if day is None:
            self.wake.pop(event.item_id, None)
        else:
            self.wake[event.item_id] = day
        if state.status == RectificationItemStatus.CLOSED:
            self.items.pop(event.item_id, None)  # closed items are not kept
        else:
            self.items[event.item_id] = state

    def due(self, today: date) -> list[UUID]:
        """Items with a colour due on `today`, in id order."""
        return sorted(item for item, day in self.wake.items() if day <= today)

    def _pinned(self, ref: PolicyRef, policy_of: PolicyOf) -> PolicyParameters:
        key = (ref.jurisdiction_id, ref.version)  # a pinned version never changes
        if key not in self._policies:
            self._policies[key] = policy_of(ref)
        return self._policies[key]


class DeadlineWarnings:
    """The process manager: proposes the items whose next colour is due today and lets each
    item's rule (`raise_warnings`) decide, through `app` as the system actor, so a repeated
    tick appends nothing."""

    name = "rectification_deadline_warnings"

    def __init__(self, app: Application) -> None:
        self.app = app
        self.deadlines = ItemDeadlines()

    def tick(self, now: datetime) -> int:
        store, at_now = self.app.store, self.app.at(now)  # decides as of `now`
        deadlines = self.deadlines

        def policy_of(ref: PolicyRef) -> PolicyParameters:
            return UnitOfWork(store, Context(now, SYSTEM_ACTOR)).pinned_policy(ref)

        with deadlines.lock:
            deadlines.catch_up(store, policy_of)
            issued = 0
            for item_id in deadlines.due(office_date(now)):
                try:
                    command = rectification.RaiseDeadlineWarnings(item_id=item_id)
                    at_now.execute(command, SYSTEM_ACTOR)
                except DomainError:
                    continue  # nothing due after all, or a concurrent change: the next tick decides
                issued += 1
            deadlines.catch_up(store, policy_of)
            return issued

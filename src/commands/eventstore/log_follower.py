"""Following the notification log for a few event types: what the timers keep in memory
(running lead clocks, items' next warning days) instead of scanning every stream on a tick.

The log is totally ordered (appends hold the table lock), so reading after the last position
seen skips nothing; a new process starts from position 0 once. The caches built this way only
propose candidates: the aggregate's own rules decide, so a stale or repeated proposal appends
nothing, and two processes ticking at once conflict on the stream version and one gives way.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar
from weakref import WeakKeyDictionary

from xuncha.commands.eventstore.store import EventStore
from xuncha.events.base import DomainEvent, RecordedEvent

BATCH = 500


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


M = TypeVar("M")


class PerStore(Generic[M]):
    """One memory per event store (tests and tools build several in one process), made on
    first use."""

    def __init__(self, make: Callable[[], M]) -> None:
        self.make = make
        self.memories: WeakKeyDictionary[EventStore, M] = WeakKeyDictionary()
        self.lock = threading.Lock()

    def of(self, store: EventStore) -> M:
        with self.lock:
            if store not in self.memories:
                self.memories[store] = self.make()
            return self.memories[store]

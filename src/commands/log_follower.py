"""Following the notification log for a few event types: what the timers keep in memory
(running lead clocks, items' next warning days) instead of scanning every stream on a tick.

The log is totally ordered (appends hold the table lock), so reading after the last position
seen skips nothing; a new process starts from position 0 once. The caches built this way only
propose candidates: the aggregate's own rules decide, so a stale or repeated proposal appends
nothing, and two processes ticking at once conflict on the stream version and one gives way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from commands.store import EventStore
from events.base import DomainEvent, RecordedEvent

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

"""Group commit: concurrent appends of one process share one transaction under the append lock.

Appends are serialized by the append lock (commit order is notification order), so with many
clients most of an append's time is spent waiting for that lock, and the holder spends much of
its own time waiting for its Python thread to run again between round trips. Group commit
makes the wait useful: a caller queues its prepared append; whoever finds no writer busy
becomes the writer, takes everything queued at that moment (up to a size cap) and writes it in
one transaction, each append in its own subtransaction so that one append's conflict fails that
append alone; the others wait for their own outcome. A writer never waits for more work to
arrive, so a single client writes at once and is not slowed by batching.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent


@dataclass(eq=False)
class PendingAppend:
    """One caller's append, and once written, its outcome: notification ids or an error."""

    events: Sequence[StoredEvent]
    idempotency: Any  # IdempotencyRecord | None (store.py)
    reads: Mapping[UUID, int]
    size: int = 0
    params: tuple[Any, ...] = ()  # what the writer sends for it, prepared by the caller
    ids: list[int] | None = None
    error: BaseException | None = None
    done: bool = field(default=False)

    def succeed(self, ids: list[int]) -> None:
        self.ids, self.done = ids, True

    def fail(self, error: BaseException) -> None:
        self.error, self.done = error, True


class GroupCommit:
    """Queues appends and lets one caller at a time write what is queued with `write`.

    `write(batch)` writes the batch in one transaction and settles each append (`succeed` or
    `fail`); if it raises, every append of the batch not yet settled fails with that error.
    A batch holds appends in the order they were queued, at most `max_bytes` of events (but
    always at least one append).
    """

    def __init__(self, write: Callable[[list[PendingAppend]], None], max_bytes: int) -> None:
        self._write = write
        self._max_bytes = max_bytes
        self._changed = threading.Condition()
        self._queue: list[PendingAppend] = []
        self._writing = False

    def submit(self, append: PendingAppend) -> list[int]:
        """Queue `append` and return its notification ids once committed (or raise its error)."""
        with self._changed:
            self._queue.append(append)
        while True:
            with self._changed:
                while not append.done and self._writing:
                    self._changed.wait()
                if append.done:
                    break
                self._writing = True
                batch = self._take()
            try:
                self._write(batch)
            except BaseException as error:
                for pending in batch:
                    if not pending.done:
                        pending.fail(error)
            finally:
                for pending in batch:
                    if not pending.done:  # a writer that settles nothing is a bug: say so
                        pending.fail(RuntimeError("the append was written without an outcome"))
                with self._changed:
                    self._writing = False
                    self._changed.notify_all()
        if append.error is not None:
            raise _own(append.error)
        assert append.ids is not None
        return append.ids

    def _take(self) -> list[PendingAppend]:
        """The oldest queued appends, up to the size cap (at least one)."""
        size, count = 0, 0
        for pending in self._queue:
            if count and size + pending.size > self._max_bytes:
                break
            size, count = size + pending.size, count + 1
        batch, self._queue = self._queue[:count], self._queue[count:]
        return batch


def _own(error: BaseException) -> BaseException:
    """A copy of a batch's error for one caller (with the same cause, which the HTTP layer
    reads), so that threads raising the same failure do not share one traceback."""
    try:
        mine = copy.copy(error)
    except Exception:  # an error that cannot be copied is raised as it is
        return error
    mine.__cause__, mine.__context__ = error.__cause__, error.__context__
    return mine

"""What a read model is: its tables, the events it handles, and how it applies one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

from psycopg import Cursor

from xuncha.events.base import RecordedEvent


class Projection(Protocol):
    """A read model. `apply` turns one event into SQL on the runner's transaction; the runner
    records the position in the same transaction, so each event takes effect exactly once.

    `version` is the version of its tables and handlers: raise it whenever a change needs the
    read model rebuilt from the log (a new table or column, a handler that writes differently).
    The runner then builds the new version beside the live one and switches when caught up
    (`ProjectionRunner.start_upgrades`, docs/operations.md)."""

    name: str
    version: int
    tables: tuple[str, ...]

    def create(self, cur: Cursor[Any]) -> None: ...

    def handles(self, type_name: str) -> bool: ...

    def apply(self, cur: Cursor[Any], recorded: RecordedEvent) -> None: ...


@runtime_checkable
class BatchApplying(Protocol):
    """A read model that can also apply a whole batch at once (set-wise SQL, COPY). The
    runner hands it the batch's handled events in log order, in the batch's transaction;
    the effect must equal applying them one by one with `apply`, which the runner still
    uses for single events (retries, parked events)."""

    def apply_batch(self, cur: Cursor[Any], batch: Sequence[RecordedEvent]) -> None: ...

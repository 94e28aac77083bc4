"""What a read model is: its tables, the events it handles, and how it applies one."""

from __future__ import annotations

from typing import Any, Protocol

from psycopg import Cursor

from events.base import RecordedEvent


class Projection(Protocol):
    """A read model. `apply` turns one event into SQL on the runner's transaction; the runner
    records the position in the same transaction, so each event takes effect exactly once."""

    name: str
    tables: tuple[str, ...]

    def create(self, cur: Cursor[Any]) -> None: ...

    def handles(self, type_name: str) -> bool: ...

    def apply(self, cur: Cursor[Any], recorded: RecordedEvent) -> None: ...

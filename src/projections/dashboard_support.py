"""What the dashboard read models share: finding an event's entry in a class table, marking a
record created in error, and the ORDER BY of a checked sort key."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, TypeVar

from psycopg import Cursor

from xuncha.events.correction import EventRecordedInError

T = TypeVar("T")


def class_entry(table: Mapping[type[Any], T], event: object) -> T | None:
    """The table's entry for the event's class or the nearest class it derives from, so a
    subclass of an event class (a variant an upcaster or reader returns) is not skipped."""
    for cls in type(event).__mro__:
        if cls in table:
            return table[cls]
    return None


def mark_in_error(
    cur: Cursor[Any], creations: Mapping[str, tuple[str, str]], e: EventRecordedInError
) -> None:
    """A record whose creating event was recorded in error no longer counts: `creations` maps
    the type of a creating event to the (table, key column) of the record it created."""
    if e.event_type in creations:
        table, key = creations[e.event_type]
        cur.execute(
            f"UPDATE {table} SET in_error = true WHERE {key} = %s",  # fixed names
            (e.stream_id,),
        )


def order_by(sort: str, allowed: Collection[str], tiebreak: str, *, text: str = "name") -> str:
    """ORDER BY for `sort` (`key` ascending, `-key` descending), nulls last, then `tiebreak`;
    a key not in `allowed` is refused (the caller has checked it already: no column name
    comes from a request as such). The `text` column is ordered by code point (COLLATE "C"),
    whatever the database's collation."""
    descending = sort.startswith("-")
    column = sort.lstrip("-")
    if column not in allowed:
        raise KeyError(column)
    if column == text:
        column = f'{column} COLLATE "C"'
    return f"{column} {'DESC' if descending else 'ASC'} NULLS LAST, {tiebreak}"

"""Recorded time: an event's envelope `occurred_at` is the moment it was stored, taken under
the append lock, so it never decreases along the log (`xuncha verify-log` checks it).

The moment a decision considered (a timer ticking "as of" another moment, a date a fact
happened) belongs to the event's payload, never to its recorded time: `GET /history/{id}/
state?at=T` folds the events recorded by T, and would show a state that no longer held if a
later event carried an earlier time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from eventsourcing.persistence import StoredEvent
from psycopg import Connection
from psycopg.sql import SQL, Composable, Composed, Identifier, Literal

from xuncha.events.mapper import dumps

# The recorded time of a row of the events table (UTF-8 JSON envelope); only ever an argument
# of `SQL.format`, so its braces are literal.
RECORDED_AT = SQL("(convert_from(state, 'UTF8')::jsonb #>> '{metadata,occurred_at}')::timestamptz")


def recording_time_statement(schema: str, events_table: str) -> Composed:
    """Now by the database's clock, or the last stored event's time if that is later (a clock
    stepped back): run under the append lock, so every append is at or after the one before."""
    return SQL(
        "SELECT greatest(clock_timestamp(), (SELECT {at} FROM {events}"
        " ORDER BY notification_id DESC LIMIT 1)) AS recorded_at"
    ).format(at=RECORDED_AT, events=Identifier(schema, events_table))


# What `time_slot` writes where the recorded time goes; the append function overwrites it with
# the time in the same width: YYYY-MM-DDTHH:MM:SS.ffffffZ (UTC, always six digits).
SLOT = "0000-00-00T00:00:00.000000Z"
OTHER_SLOT = "1111-11-11T11:11:11.111111Z"
SLOT_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'  # to_char's, for the time in the slot's width


def recorded_at_text(at: Composable) -> Composed:
    """SQL of the recorded time `at` (a timestamptz expression) as the slot's UTF-8 bytes."""
    return SQL("convert_to(to_char({} AT TIME ZONE 'UTC', {}), 'UTF8')").format(
        at, Literal(SLOT_FORMAT)
    )


def time_slot(stored: StoredEvent) -> tuple[StoredEvent, int | None]:
    """The stored event with `SLOT` as its recorded time, and the 1-based byte position of the
    slot in its state, for the append function to write the time into under the append lock
    (one round trip: the time need not come back to Python first). A row without an
    envelope is stored as given (position None)."""
    envelope = json.loads(stored.state)
    if not isinstance(envelope, dict) or "metadata" not in envelope:
        return stored, None
    envelope["metadata"]["occurred_at"] = SLOT
    state = dumps(envelope)
    marker = SLOT.encode()
    if state.count(marker) != 1:  # the same text elsewhere (a reason quoting it): compare
        envelope["metadata"]["occurred_at"] = OTHER_SLOT
        other = dumps(envelope)
        at = next(k for k, (a, b) in enumerate(zip(state, other, strict=True)) if a != b)
    else:
        at = state.index(marker)
    return replace(stored, state=state), at + 1


def stamped(stored: StoredEvent, at: datetime) -> StoredEvent:
    """The stored event with `at` as its recorded time (sealed fields are untouched: their
    associated data does not include the time). A row without an envelope (the recorder
    used bare, as the library's own tests do) is stored as given."""
    envelope = json.loads(stored.state)
    if not isinstance(envelope, dict) or "metadata" not in envelope:
        return stored
    envelope["metadata"]["occurred_at"] = at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return replace(stored, state=dumps(envelope))


@dataclass(frozen=True)
class TimeDecrease:
    """The first event recorded before the event ahead of it in the log."""

    position: int
    recorded_at: datetime
    previous_position: int
    previous_recorded_at: datetime


def first_decrease(
    conn: Connection[Any], *, events_table: str = "stored_events", schema: str = "public"
) -> TimeDecrease | None:
    """The first position whose recorded time is earlier than its predecessor's, or None.
    Rows that are not readable envelopes are passed over: the hash chain names edited bytes."""
    query = SQL("SELECT notification_id, state FROM {} ORDER BY notification_id").format(
        Identifier(schema, events_table)
    )
    previous: tuple[int, datetime] | None = None
    with conn.transaction(), conn.cursor(name="xuncha_recorded_times") as cur:
        cur.itersize = 2000
        cur.execute(query)
        for position, state in cur:
            at = _recorded_at(bytes(state or b""))
            if at is None:
                continue
            if previous is not None and at < previous[1]:
                return TimeDecrease(position, at, *previous)
            previous = (position, at)
    return None


def _recorded_at(state: bytes) -> datetime | None:
    try:
        return datetime.fromisoformat(json.loads(state)["metadata"]["occurred_at"])
    except (ValueError, TypeError, KeyError):
        return None

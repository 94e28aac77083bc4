"""Given / when / then for the pure decide functions, in the spirit of Commanded's
`assert_events`:

    state = given(INSPECTION, *stationed())                    # fold the history
    then(station_group(state, cmd, ctx), [GroupStationed(...)]) # exact events, in order
    with refused(InvalidTransition, "station the group"):      # or the refusal
        station_group(state, cmd, ctx)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import pytest

from xuncha.commands.base import Aggregate
from xuncha.commands.errors import DomainError
from xuncha.events.base import DomainEvent

S = TypeVar("S")


def given(aggregate: Aggregate[S], *events: DomainEvent) -> S:
    """The state of `aggregate` after `events`; they must start its stream."""
    state = aggregate.fold(events)
    assert state is not None, f"the given events do not start a {aggregate.name} stream"
    return state


def shown(events: Iterable[DomainEvent]) -> list[tuple[str, dict[str, Any]]]:
    """Events as (type name, JSON data): what the store would record, and a readable diff."""
    return [(e.type_name, e.model_dump(mode="json")) for e in events]


def then(produced: Sequence[DomainEvent], expected: Sequence[DomainEvent]) -> None:
    """The decision produced exactly `expected`, in order, with the same classes and data."""
    assert shown(produced) == shown(expected)
    assert [type(e) for e in produced] == [type(e) for e in expected]


@contextmanager
def refused(error: type[DomainError], *words: str) -> Iterator[None]:
    """The block raises exactly `error`, with a message holding every one of `words`."""
    with pytest.raises(DomainError) as caught:
        yield
    raised = caught.value
    assert type(raised) is error, (
        f"expected {error.__name__}, got {type(raised).__name__}: {raised}"
    )
    missing = [w for w in words if w.lower() not in raised.message.lower()]
    assert not missing, f"{missing} not in the message {raised.message!r}"

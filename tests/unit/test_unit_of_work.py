"""Within one command, an id of one kind of record is never taken for another kind."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from tests.unit.builders import ROUND_PROPOSED
from xuncha.commands.base import Context
from xuncha.commands.finding import FINDING
from xuncha.commands.round import ROUND
from xuncha.commands.unit_of_work import UnitOfWork
from xuncha.events.base import Actor, Role

ACTOR = Actor(user_id="u", role=Role.INSPECTION_OFFICE, organization_id="o")


class MemoryStore:
    """Only `load` is needed: a stream that already holds a proposed round."""

    def __init__(self, events: list[object]) -> None:
        self.events = events

    def load(self, stream_id: object) -> list[object]:
        return self.events


def test_a_round_id_is_not_found_as_a_finding_even_after_it_was_loaded() -> None:
    from xuncha.events.base import EventMetadata, RecordedEvent

    stream_id = ROUND_PROPOSED.round_id
    meta = EventMetadata(
        event_id=uuid4(),
        stream_id=stream_id,
        stream_type="round",
        stream_version=1,
        occurred_at=datetime.now(UTC),
        actor=ACTOR,
        command="ProposeRound",
        correlation_id=uuid4(),
        causation_id=uuid4(),
    )
    store = MemoryStore([RecordedEvent(metadata=meta, event=ROUND_PROPOSED)])
    uow = UnitOfWork(store, Context(datetime.now(UTC), ACTOR))  # type: ignore[arg-type]
    assert uow.find(ROUND, stream_id) is not None
    assert uow.find(FINDING, stream_id) is None

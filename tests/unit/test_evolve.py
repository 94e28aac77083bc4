"""Every aggregate's evolve is total: any sequence of any registered events folds without
raising, and a state exists exactly when the stream's first event has been seen."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given as for_all
from hypothesis import strategies as st

from commands.base import Aggregate
from commands.feedback import FEEDBACK, FeedbackState
from commands.finding import FINDING, FindingState
from commands.inspection import INSPECTION, InspectionState
from commands.policy import POLICY, PolicyBook
from commands.rectification import RECTIFICATION_ITEM, ItemState
from commands.round import ROUND, RoundState
from events.base import DomainEvent
from events.feedback import FeedbackOpinionDrafted
from events.finding import FindingDrafted
from events.inspection import InspectionClosed, InspectionPlanned
from events.policy import PolicyVersionPublished
from events.rectification import RectificationItemOpened
from events.registry import REGISTRY
from events.round import RoundProposed
from tests.unit.builders import (
    INSPECTION_ID,
    TODAY,
    every_event,
    rectification_report_accepted,
)

EVENTS = every_event()
AGGREGATES: list[tuple[Aggregate[Any], type[DomainEvent], type]] = [
    (ROUND, RoundProposed, RoundState),
    (INSPECTION, InspectionPlanned, InspectionState),
    (FINDING, FindingDrafted, FindingState),
    (FEEDBACK, FeedbackOpinionDrafted, FeedbackState),
    (RECTIFICATION_ITEM, RectificationItemOpened, ItemState),
    (POLICY, PolicyVersionPublished, PolicyBook),
]


def test_the_event_pool_holds_every_registered_event_type() -> None:
    assert {type(e) for e in EVENTS} == set(REGISTRY)


@pytest.mark.parametrize(
    ("aggregate", "first", "state_type"), AGGREGATES, ids=[a.name for a, _, _ in AGGREGATES]
)
@for_all(events=st.lists(st.sampled_from(EVENTS), max_size=40))
def test_evolve_never_raises(
    aggregate: Aggregate[Any], first: type[DomainEvent], state_type: type, events: list[DomainEvent]
) -> None:
    state = aggregate.fold(events)
    assert (state is None) == (not any(isinstance(e, first) for e in events))
    assert state is None or isinstance(state, state_type)


def test_evolve_of_the_whole_lifecycle_ends_closed_and_ignores_other_streams() -> None:
    closed = InspectionClosed(inspection_id=INSPECTION_ID, closed_on=TODAY)
    state = INSPECTION.fold([*rectification_report_accepted(), closed])
    assert state is not None
    assert state.stage == "closed"
    others = [e for e in EVENTS if not type(e).type_name.startswith("inspection.")]
    assert INSPECTION.fold(others, state) == state

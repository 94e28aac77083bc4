"""Every aggregate's evolve is total: any sequence of any registered events folds without
raising, and a state exists exactly when the stream's first event has been seen."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given as for_all
from hypothesis import strategies as st

from tests.unit.builders import (
    INSPECTION_ID,
    TODAY,
    every_event,
    rectification_report_accepted,
)
from xuncha.commands.base import Aggregate
from xuncha.commands.feedback import FEEDBACK, FeedbackState
from xuncha.commands.finding import FINDING, FindingState
from xuncha.commands.inspection import INSPECTION, InspectionState
from xuncha.commands.policy import POLICY, PolicyBook
from xuncha.commands.rectification import RECTIFICATION_ITEM, ItemState
from xuncha.commands.round import ROUND, RoundState
from xuncha.events.base import DomainEvent
from xuncha.events.feedback import FeedbackOpinionDrafted
from xuncha.events.finding import FindingDrafted
from xuncha.events.inspection import InspectionClosed, InspectionPlanned
from xuncha.events.policy import PolicyVersionPublished
from xuncha.events.rectification import RectificationItemOpened
from xuncha.events.registry import REGISTRY
from xuncha.events.round import RoundProposed

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

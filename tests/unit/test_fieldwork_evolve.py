"""The evolve functions of fieldwork, petition, interview, immediate rectification and group
management are total and ignore other streams' events."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given as for_all
from hypothesis import strategies as st

from tests.unit.builders import every_event
from tests.unit.fieldwork_builders import every_fieldwork_event
from xuncha.commands.base import Aggregate
from xuncha.commands.fieldwork import FIELDWORK, FieldworkState
from xuncha.commands.immediate_rectification import IMMEDIATE_RECTIFICATION, ImmediateState
from xuncha.commands.interview import INTERVIEW, InterviewState
from xuncha.commands.management import GROUP_MANAGEMENT, ManagementState
from xuncha.commands.petition import PETITION, PetitionState
from xuncha.events.registry import REGISTRY

MINE = every_fieldwork_event()
POOL = [*MINE, *every_event()]
PREFIXES = ("fieldwork", "petition", "interview", "management", "immediate_rectification")
AGGREGATES: list[tuple[Aggregate[Any], str, type]] = [
    (FIELDWORK, "fieldwork.", FieldworkState),
    (PETITION, "petition.registered", PetitionState),
    (INTERVIEW, "interview.conducted", InterviewState),
    (IMMEDIATE_RECTIFICATION, "immediate_rectification.requested", ImmediateState),
    (GROUP_MANAGEMENT, "management.", ManagementState),
]


def test_the_pool_holds_every_event_type_of_this_area() -> None:
    mine = {c for c in REGISTRY if c.type_name.split(".")[0] in PREFIXES}
    assert {type(e) for e in MINE} == mine


@pytest.mark.parametrize(
    ("aggregate", "starts", "state_type"), AGGREGATES, ids=[a.name for a, _, _ in AGGREGATES]
)
@for_all(events=st.lists(st.sampled_from(POOL), max_size=40))
def test_evolve_never_raises(
    aggregate: Aggregate[Any], starts: str, state_type: type, events: list[Any]
) -> None:
    state = aggregate.fold(events)
    assert (state is None) == (not any(e.type_name.startswith(starts) for e in events))
    assert state is None or isinstance(state, state_type)

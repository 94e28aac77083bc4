"""The stage tables of the read models (`projections.stages`) against the aggregates: every
event that moves a round's or an inspection's stage in its `evolve` moves it the same way in
the read models, and every read model showing a stage receives every such event."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from tests.contract.examples import example_of
from xuncha.commands import inspection, round
from xuncha.events import REGISTRY
from xuncha.events.base import DomainEvent
from xuncha.events.inspection import InspectionPlanned
from xuncha.events.round import RoundProposed
from xuncha.projections.inspection_overview import InspectionOverview
from xuncha.projections.lead_dashboard import LeadDashboard
from xuncha.projections.round_dashboard import RoundDashboard
from xuncha.projections.stages import (
    INSPECTION_STAGE_TYPES,
    ROUND_STAGE_TYPES,
    inspection_stage,
    round_stage,
)


def instance(cls: type[DomainEvent]) -> DomainEvent:
    return cls.model_validate(example_of(cls))


def events_of(prefix: str) -> list[type[DomainEvent]]:
    """The stream's events after its creation (creations insert the record with its stage)."""
    creations = (InspectionPlanned, RoundProposed)
    return [c for c in REGISTRY if c.type_name.startswith(prefix) and c not in creations]


@pytest.mark.parametrize("cls", events_of("inspection."), ids=lambda c: c.type_name)
def test_read_models_follow_every_inspection_stage_change(cls: type[DomainEvent]) -> None:
    planned = inspection.evolve(None, instance(InspectionPlanned))
    assert planned is not None
    # From a stage no event leads to, so every stage-setting event shows as a change.
    before = replace(planned, stage="before")
    after = inspection.evolve(before, instance(cls))
    assert after is not None
    moved = after.stage if after.stage != before.stage else None
    assert inspection_stage(instance(cls)) == moved


@pytest.mark.parametrize("cls", events_of("round."), ids=lambda c: c.type_name)
def test_read_models_follow_every_round_stage_change(cls: type[DomainEvent]) -> None:
    proposed = round.evolve(None, instance(RoundProposed))
    assert proposed is not None
    before = replace(proposed, stage="before")
    after = round.evolve(before, instance(cls))
    assert after is not None
    shown = round_stage(instance(cls))
    if after.stage != before.stage:
        assert shown == after.stage
    else:  # the read models add one stage of their own: the mobilization (动员部署会)
        assert shown in (None, "mobilized")


@pytest.mark.parametrize(
    ("projection", "types"),
    [
        (InspectionOverview(), ROUND_STAGE_TYPES | INSPECTION_STAGE_TYPES),
        (RoundDashboard(), ROUND_STAGE_TYPES | INSPECTION_STAGE_TYPES),
        (LeadDashboard(), ROUND_STAGE_TYPES),
    ],
    ids=lambda p: getattr(p, "name", ""),
)
def test_every_read_model_showing_a_stage_receives_its_events(
    projection: Any, types: frozenset[str]
) -> None:
    assert sorted(t for t in types if not projection.handles(t)) == []

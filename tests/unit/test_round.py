"""Round (第N轮巡察): propose → approve → plan inspections (one per target) → close."""

from __future__ import annotations

from datetime import date

import pytest

from tests.unit.builders import (
    COMMITTEE,
    INSPECTION_ID,
    JURISDICTION,
    OTHER_INSPECTION_ID,
    OTHER_ORG,
    ROUND_ID,
    ROUND_PROPOSED,
    TARGET_ORG,
    ctx,
    round_approved,
    round_with_target,
    uid,
)
from tests.unit.gwt import given, refused, then
from xuncha.commands import round as round_
from xuncha.commands.errors import InvalidTransition, RuleViolated
from xuncha.commands.inspection.preparation import plan
from xuncha.commands.round import ROUND, ApproveRound, CloseRound, PlanInspection, ProposeRound
from xuncha.events.base import DomainEvent, Role
from xuncha.events.inspection import InspectionPlanned
from xuncha.events.round import (
    RoundApproved,
    RoundClosed,
    RoundLeadsCleared,
    RoundProposed,
    RoundTargetAssigned,
)
from xuncha.events.values import RoundType

PROPOSE = ProposeRound(
    jurisdiction_id=JURISDICTION,
    committee="中共榆林市委",
    name="2026年第一轮巡察",
    round_type=RoundType.REGULAR,
    planned_start=date(2026, 1, 1),
    planned_end=date(2026, 12, 31),
)
APPROVE = ApproveRound(round_id=ROUND_ID)
CLOSE = CloseRound(round_id=ROUND_ID)


def closed_with(leads_closed: int) -> list[DomainEvent]:
    """见底清零 is recorded with the closure, before it."""
    return [
        RoundLeadsCleared(round_id=ROUND_ID, leads_closed=leads_closed),
        RoundClosed(round_id=ROUND_ID),
    ]


def plan_inspection(organization_id: str = TARGET_ORG) -> PlanInspection:
    return PlanInspection(
        round_id=ROUND_ID,
        organization_id=organization_id,
        organization_name="市水务局党组",
        group_name="第一巡察组",
    )


def test_propose_records_the_round() -> None:
    then(round_.propose(PROPOSE, ROUND_ID), [ROUND_PROPOSED])


def test_propose_on_a_single_day_is_accepted() -> None:
    one_day = PROPOSE.model_copy(update={"planned_end": PROPOSE.planned_start})
    assert len(round_.propose(one_day, ROUND_ID)) == 1


def test_propose_with_start_after_end_is_refused() -> None:
    backwards = PROPOSE.model_copy(update={"planned_end": date(2025, 12, 31)})
    with refused(RuleViolated, "planned_start", "planned_end"):
        round_.propose(backwards, ROUND_ID)


def test_approve_a_proposed_round() -> None:
    state = given(ROUND, ROUND_PROPOSED)
    then(round_.approve(state, APPROVE, ctx(COMMITTEE)), [RoundApproved(round_id=ROUND_ID)])


def test_approve_twice_is_refused() -> None:
    state = given(ROUND, *round_approved())
    with refused(InvalidTransition, "approve the round", "'approved'"):
        round_.approve(state, APPROVE, ctx(COMMITTEE))


def test_approve_is_for_the_committee_or_the_leading_group_only() -> None:
    assert ApproveRound.allowed_roles == {Role.COMMITTEE, Role.LEADING_GROUP}
    assert ProposeRound.allowed_roles == {Role.INSPECTION_OFFICE}


def test_plan_inspection_assigns_the_target() -> None:
    state = given(ROUND, *round_approved())
    then(
        round_.assign_target(state, plan_inspection(), INSPECTION_ID),
        [
            RoundTargetAssigned(
                round_id=ROUND_ID, inspection_id=INSPECTION_ID, organization_id=TARGET_ORG
            )
        ],
    )


def test_plan_inspection_starts_the_inspection_stream_from_the_round() -> None:
    then(
        plan(
            given(ROUND, ROUND_PROPOSED, RoundApproved(round_id=ROUND_ID)),
            INSPECTION_ID,
            PlanInspection(
                round_id=ROUND_ID,
                organization_id=TARGET_ORG,
                organization_name="市水务局党组",
                group_name="第一巡察组",
            ),
        ),
        [
            InspectionPlanned(
                inspection_id=INSPECTION_ID,
                round_id=ROUND_ID,
                jurisdiction_id=JURISDICTION,
                round_type=RoundType.REGULAR,
                organization_id=TARGET_ORG,
                organization_name="市水务局党组",
                group_name="第一巡察组",
            )
        ],
    )


def test_plan_inspection_of_another_organization_is_accepted() -> None:
    state = given(ROUND, *round_with_target())
    then(
        round_.assign_target(state, plan_inspection(OTHER_ORG), OTHER_INSPECTION_ID),
        [
            RoundTargetAssigned(
                round_id=ROUND_ID, inspection_id=OTHER_INSPECTION_ID, organization_id=OTHER_ORG
            )
        ],
    )


def test_plan_inspection_of_the_same_organization_twice_is_refused() -> None:
    state = given(ROUND, *round_with_target())
    with refused(RuleViolated, TARGET_ORG, "already a target", str(INSPECTION_ID)):
        round_.assign_target(state, plan_inspection(), OTHER_INSPECTION_ID)


def test_plan_inspection_in_a_proposed_round_is_refused() -> None:
    state = given(ROUND, ROUND_PROPOSED)
    with refused(InvalidTransition, "plan an inspection", "'proposed'"):
        round_.assign_target(state, plan_inspection(), INSPECTION_ID)


def test_plan_inspection_in_a_closed_round_is_refused() -> None:
    state = given(ROUND, *round_approved(), RoundClosed(round_id=ROUND_ID))
    with refused(InvalidTransition, "plan an inspection", "'closed'"):
        round_.assign_target(state, plan_inspection(), INSPECTION_ID)


def test_close_with_every_inspection_closed() -> None:
    state = given(ROUND, *round_with_target())
    stages = {INSPECTION_ID: "closed", OTHER_INSPECTION_ID: "closed"}
    then(round_.close(state, CLOSE, stages), closed_with(0))


def test_close_without_inspections_is_accepted() -> None:
    state = given(ROUND, *round_approved())
    then(round_.close(state, CLOSE, {}), closed_with(0))


@pytest.mark.parametrize("open_stage", ["planned", "stationed", "rectification_report_accepted"])
def test_close_with_an_open_inspection_is_refused(open_stage: str) -> None:
    state = given(ROUND, *round_with_target())
    stages = {INSPECTION_ID: "closed", OTHER_INSPECTION_ID: open_stage}
    with refused(InvalidTransition, "1 inspection(s) not closed", str(OTHER_INSPECTION_ID)):
        round_.close(state, CLOSE, stages)


def test_close_lists_every_open_inspection() -> None:
    state = given(ROUND, *round_with_target())
    stages = {uid(91): "stationed", uid(92): "planned"}
    with refused(InvalidTransition, "2 inspection(s)", str(uid(91)), str(uid(92))):
        round_.close(state, CLOSE, stages)


def test_close_a_proposed_round_is_refused() -> None:
    state = given(ROUND, ROUND_PROPOSED)
    with refused(InvalidTransition, "close the round", "'proposed'"):
        round_.close(state, CLOSE, {})


def test_close_twice_is_refused() -> None:
    state = given(ROUND, *round_approved(), RoundClosed(round_id=ROUND_ID))
    with refused(InvalidTransition, "close the round", "'closed'"):
        round_.close(state, CLOSE, {})


def test_propose_a_special_round_without_a_topic_is_refused() -> None:
    cmd = ProposeRound(
        jurisdiction_id="yulin",
        committee="市委",
        name="扶贫专项",
        round_type=RoundType.SPECIAL,
        planned_start=date(2026, 1, 1),
        planned_end=date(2026, 3, 1),
    )
    with refused(RuleViolated, "special round", "topic"):
        round_.propose(cmd, ROUND_ID)
    with refused(RuleViolated, "topic"):
        round_.propose(cmd.model_copy(update={"topic": "   "}), ROUND_ID)
    [event] = round_.propose(cmd.model_copy(update={"topic": "脱贫攻坚"}), ROUND_ID)
    assert isinstance(event, RoundProposed)
    assert event.topic == "脱贫攻坚"

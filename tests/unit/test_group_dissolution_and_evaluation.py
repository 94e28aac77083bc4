"""A group is dissolved after fieldwork; then the office evaluates its members' service (鉴定),
sent to their employers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from tests.unit.builders import (
    GROUP_ID,
    INSPECTION_ID,
    OFFICE,
    TODAY,
    ctx,
    feedback_delivered,
    stationed,
    withdrawn,
)
from tests.unit.group_builders import formed, profile
from tests.unit.gwt import given, refused, then
from xuncha.commands import group, pool
from xuncha.commands.errors import InvalidTransition, NotFound, RuleViolated
from xuncha.commands.group import INSPECTION_GROUP, GroupState
from xuncha.commands.inspection import INSPECTION, InspectionState
from xuncha.events.base import DomainEvent
from xuncha.events.group import GroupDissolved
from xuncha.events.inspection import InspectionCancelled, InspectionSuspended
from xuncha.events.pool import ServiceEvaluationIssued, ServiceGrade

DISSOLVED_ON = date(2026, 6, 1)
SERVED = ["deputy-1", "leader-1", "member-1", "member-2"]


def a_group() -> GroupState:
    return given(INSPECTION_GROUP, *formed())


def dissolve(day: date = DISSOLVED_ON) -> group.DissolveGroup:
    return group.DissolveGroup(group_id=GROUP_ID, dissolved_on=day)


def inspection(*history: DomainEvent) -> dict[object, InspectionState | None]:
    return {INSPECTION_ID: given(INSPECTION, *history)}


@pytest.mark.parametrize("history", [withdrawn, feedback_delivered])
def test_the_office_dissolves_a_group_whose_inspections_are_past_fieldwork(
    history: Callable[[], list[DomainEvent]],
) -> None:
    state = a_group()
    served = sorted(p.user_id for p in state.people())
    events = group.dissolve_group(state, dissolve(), ctx(OFFICE), inspection(*history()))
    then(
        events,
        [GroupDissolved(group_id=GROUP_ID, dissolved_on=DISSOLVED_ON, served_user_ids=served)],
    )
    after = INSPECTION_GROUP.fold(events, state)
    assert after is not None
    assert after.stage == "dissolved"
    with refused(InvalidTransition, "dissolved already"):
        group.dissolve_group(after, dissolve(), ctx(OFFICE), inspection(*withdrawn()))


def test_a_group_in_fieldwork_is_not_dissolved() -> None:
    with refused(InvalidTransition, "not past fieldwork"):
        group.dissolve_group(a_group(), dissolve(), ctx(OFFICE), inspection(*stationed()))
    suspended = InspectionSuspended(
        inspection_id=INSPECTION_ID, reason="暂停", suspended_from="stationed"
    )
    with refused(InvalidTransition, "not past fieldwork"):
        group.dissolve_group(
            a_group(), dissolve(), ctx(OFFICE), inspection(*stationed(), suspended)
        )


def test_a_group_whose_inspection_is_cancelled_or_suspended_after_fieldwork_is_dissolved() -> None:
    cancelled = InspectionCancelled(
        inspection_id=INSPECTION_ID, reason="机构撤并", cancelled_from="stationed"
    )
    suspended = InspectionSuspended(
        inspection_id=INSPECTION_ID, reason="暂停", suspended_from="withdrawn"
    )
    for history in ([*stationed(), cancelled], [*withdrawn(), suspended]):
        events = group.dissolve_group(a_group(), dissolve(), ctx(OFFICE), inspection(*history))
        assert [e.type_name for e in events] == ["group.dissolved"]


def test_a_dissolution_in_the_future_is_refused() -> None:
    with refused(RuleViolated, "dissolved_on"):
        group.dissolve_group(
            a_group(), dissolve(date(2027, 1, 1)), ctx(OFFICE), inspection(*withdrawn())
        )


# Service evaluation (鉴定) -----------------------------------------------------------------


def member(user_id: str = "member-1") -> pool.PoolMemberState:
    cmd = pool.NominatePoolMember(
        jurisdiction_id="yulin", profile=profile(user_id), nominating_organization="org-audit"
    )
    return given(pool.POOL_MEMBER, *pool.nominate(None, cmd, ctx(OFFICE))[0])


def evaluate(state: pool.PoolMemberState, **changes: object) -> pool.IssueServiceEvaluation:
    body: dict[str, object] = {
        "member_id": state.member_id,
        "group_id": GROUP_ID,
        "grade": ServiceGrade.EXCELLENT,
        "text": "工作认真，发现问题线索多",
        "issued_on": TODAY,
        **changes,
    }
    return pool.IssueServiceEvaluation.model_validate(body)


def test_the_office_evaluates_a_member_who_served_in_a_dissolved_group() -> None:
    state = member()
    events = pool.issue_service_evaluation(
        state, evaluate(state), ctx(OFFICE), "dissolved", frozenset(SERVED)
    )
    then(
        events,
        [
            ServiceEvaluationIssued(
                member_id=state.member_id,
                user_id="member-1",
                group_id=GROUP_ID,
                grade=ServiceGrade.EXCELLENT,
                text="工作认真，发现问题线索多",
                sent_to=state.profile.employer_organization,
                issued_on=TODAY,
            )
        ],
    )
    after = pool.POOL_MEMBER.fold(events, state)
    assert after is not None
    with refused(InvalidTransition, "evaluated already"):
        pool.issue_service_evaluation(
            after, evaluate(after), ctx(OFFICE), "dissolved", frozenset(SERVED)
        )


def test_service_is_evaluated_only_in_a_dissolved_group_one_served_in() -> None:
    state = member()
    with refused(NotFound, "does not exist"):
        pool.issue_service_evaluation(state, evaluate(state), ctx(OFFICE), None, frozenset())
    with refused(InvalidTransition, "evaluate service in the group", "'formed'"):
        pool.issue_service_evaluation(state, evaluate(state), ctx(OFFICE), "formed", frozenset())
    stranger = member("p-9")
    with refused(RuleViolated, "did not serve"):
        pool.issue_service_evaluation(
            stranger, evaluate(stranger), ctx(OFFICE), "dissolved", frozenset(SERVED)
        )
    with refused(RuleViolated, "issued_on"):
        pool.issue_service_evaluation(
            state,
            evaluate(state, issued_on=date(2027, 1, 1)),
            ctx(OFFICE),
            "dissolved",
            frozenset(SERVED),
        )


def test_every_grade_is_accepted() -> None:
    assert {g.value for g in ServiceGrade} == {
        "excellent",
        "competent",
        "basically_competent",
        "incompetent",
    }

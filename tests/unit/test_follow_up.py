"""FollowUp: return visits with sample checks and a satisfaction survey, the evaluation after
the policy's delay, re-rectification orders, accountability, and the look-back (回头看)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.unit.builders import (
    DELIVERED_ON,
    INSPECTION_ID,
    ITEM_1,
    ITEM_2,
    OFFICE,
    ROUND_ID,
    TODAY,
    actor,
    ctx,
    feedback_delivered,
    rectification_report_accepted,
    rectifying,
    uid,
)
from tests.unit.builders_followup import FOLLOW_UP_ID, LOOKBACK_ID, attr, visit
from tests.unit.gwt import given, refused, then
from xuncha.commands import follow_up
from xuncha.commands.dates import add_months
from xuncha.commands.errors import InvalidTransition, RuleViolated
from xuncha.commands.follow_up import (
    FOLLOW_UP,
    EvaluateRectification,
    ImposeAccountability,
    LaunchLookback,
    OrderReRectification,
    RecordReturnVisit,
    SatisfactionSurvey,
    ScheduleReturnVisit,
)
from xuncha.commands.inspection import INSPECTION
from xuncha.commands.round import ROUND
from xuncha.events.base import Role
from xuncha.events.follow_up import (
    CheckedItem,
    CheckResult,
    Grade,
    Indicator,
    LookbackInspectionLaunched,
    LookbackLinked,
    RectificationEvaluated,
    ReturnVisitConducted,
    ReturnVisitScheduled,
    SatisfactionSurveyRecorded,
    VisitMethod,
)
from xuncha.events.policy import PolicyParameters
from xuncha.events.round import RoundApproved, RoundProposed
from xuncha.events.values import RoundType

RECTIFYING = given(INSPECTION, *rectifying())
ACCEPTED = given(INSPECTION, *rectification_report_accepted())
STRANGER = uid(99)
SCHEDULE = ScheduleReturnVisit(
    inspection_id=INSPECTION_ID,
    planned_on=TODAY,
    methods=[VisitMethod.LISTEN, VisitMethod.CHECK],
    item_ids=[ITEM_1],
)


def test_schedule_and_record_a_return_visit_with_a_survey() -> None:
    scheduled = follow_up.schedule_visit(None, SCHEDULE, ctx(OFFICE), RECTIFYING)
    then(
        scheduled,
        [
            ReturnVisitScheduled(
                follow_up_id=FOLLOW_UP_ID,
                inspection_id=INSPECTION_ID,
                visit_no=1,
                planned_on=TODAY,
                methods=[VisitMethod.LISTEN, VisitMethod.CHECK],
                item_ids=[ITEM_1],
            )
        ],
    )
    record = RecordReturnVisit(
        inspection_id=INSPECTION_ID,
        visit_no=1,
        conducted_on=TODAY,
        checked_items=[CheckedItem(item_id=ITEM_1, result=CheckResult.PAPER_RECTIFICATION)],
        survey=SatisfactionSurvey(
            respondents=20, satisfied=15, basically_satisfied=3, dissatisfied=2
        ),
    )
    state = given(FOLLOW_UP, *scheduled)
    then(
        follow_up.record_visit(state, record, ctx(OFFICE), RECTIFYING),
        [
            ReturnVisitConducted(
                follow_up_id=FOLLOW_UP_ID,
                inspection_id=INSPECTION_ID,
                visit_no=1,
                conducted_on=TODAY,
                checked_items=record.checked_items,
                notes="",
            ),
            SatisfactionSurveyRecorded(
                follow_up_id=FOLLOW_UP_ID,
                inspection_id=INSPECTION_ID,
                visit_no=1,
                respondents=20,
                satisfied=15,
                basically_satisfied=3,
                dissatisfied=2,
            ),
        ],
    )
    bad = record.model_copy(
        update={
            "survey": SatisfactionSurvey(
                respondents=2, satisfied=2, basically_satisfied=1, dissatisfied=0
            )
        }
    )
    with refused(RuleViolated, "exceed its respondents"):
        follow_up.record_visit(state, bad, ctx(OFFICE), RECTIFYING)


def test_visits_need_a_plan_items_of_this_inspection_and_are_recorded_once() -> None:
    with refused(InvalidTransition, "'feedback_delivered'"):
        follow_up.schedule_visit(
            None, SCHEDULE, ctx(OFFICE), given(INSPECTION, *feedback_delivered())
        )
    stray = SCHEDULE.model_copy(update={"item_ids": [STRANGER]})
    with refused(RuleViolated, str(STRANGER), "not rectification items"):
        follow_up.schedule_visit(None, stray, ctx(OFFICE), RECTIFYING)
    record = RecordReturnVisit(inspection_id=INSPECTION_ID, visit_no=1, conducted_on=TODAY)
    with refused(InvalidTransition, "not scheduled"):
        follow_up.record_visit(None, record, ctx(OFFICE), RECTIFYING)
    with refused(InvalidTransition, "already recorded"):
        follow_up.record_visit(
            given(FOLLOW_UP, *visit(CheckResult.CONFIRMED)), record, ctx(OFFICE), RECTIFYING
        )
    state = given(FOLLOW_UP, *visit(CheckResult.CONFIRMED))
    assert follow_up.schedule_visit(state, SCHEDULE, ctx(OFFICE), RECTIFYING)[0].visit_no == 2  # type: ignore[attr-defined]


EVALUATE = EvaluateRectification(
    inspection_id=INSPECTION_ID,
    evaluated_on=TODAY,
    score=91.5,
    grade=Grade.EXCELLENT,
    indicators=[Indicator(name="问题整改", score=28, max_score=30)],
    evaluators=["巡察办", "市纪委监委", "市委组织部"],
)


def test_evaluation_after_the_policy_delay() -> None:
    quick = PolicyParameters(evaluation_delay_months=1)
    then(
        follow_up.evaluate(None, EVALUATE, ctx(OFFICE), ACCEPTED, quick),
        [
            RectificationEvaluated(
                follow_up_id=FOLLOW_UP_ID,
                inspection_id=INSPECTION_ID,
                evaluation_no=1,
                evaluated_on=TODAY,
                score=91.5,
                grade=Grade.EXCELLENT,
                indicators=EVALUATE.indicators,
                evaluators=EVALUATE.evaluators,
                earliest_on=add_months(DELIVERED_ON, 1),
            )
        ],
    )
    with refused(RuleViolated, "can be evaluated from 2026-11-15", "6 months"):
        follow_up.evaluate(None, EVALUATE, ctx(OFFICE), ACCEPTED, PolicyParameters())


def test_evaluation_needs_an_accepted_report_and_sane_indicators() -> None:
    quick = PolicyParameters(evaluation_delay_months=0)
    with refused(InvalidTransition, "evaluate", "'rectifying'"):
        follow_up.evaluate(None, EVALUATE, ctx(OFFICE), RECTIFYING, quick)
    wild = EVALUATE.model_copy(update={"indicators": [Indicator(name="x", score=40, max_score=30)]})
    with refused(RuleViolated, "outside 0..30"):
        follow_up.evaluate(None, wild, ctx(OFFICE), ACCEPTED, quick)


def test_re_rectification_and_accountability() -> None:
    order = OrderReRectification(
        inspection_id=INSPECTION_ID,
        item_ids=[ITEM_1],
        justification="纸面整改",
        due=date(2026, 8, 31),
    )
    [ordered] = follow_up.order_re_rectification(None, order, ctx(OFFICE), RECTIFYING)
    assert attr(ordered, "order_no") == 1
    with refused(RuleViolated, "due after today"):
        follow_up.order_re_rectification(
            None, order.model_copy(update={"due": TODAY}), ctx(OFFICE), RECTIFYING
        )
    duty = ImposeAccountability(
        inspection_id=INSPECTION_ID,
        subject="局长",
        form="诫勉谈话",
        justification="虚假整改",
        item_ids=[ITEM_1, ITEM_2],
        decided_on=TODAY,
    )
    dc = actor("dc-1", Role.DISCIPLINE_COMMISSION, "org-jw")
    assert len(follow_up.impose_accountability(None, duty, ctx(dc), RECTIFYING)) == 1
    assert ImposeAccountability.allowed_roles == {Role.LEADING_GROUP, Role.DISCIPLINE_COMMISSION}


# Look-back ----------------------------------------------------------------------------------


def lookback_round(kind: RoundType = RoundType.LOOKBACK):  # type: ignore[no-untyped-def]
    proposed = RoundProposed(
        round_id=uid(5),
        jurisdiction_id="yulin",
        committee="中共榆林市委",
        name="巡察回头看",
        round_type=kind,
        planned_start=date(2026, 1, 1),
        planned_end=date(2026, 12, 31),
        topic=None,
    )
    return given(ROUND, proposed, RoundApproved(round_id=uid(5)))


LOOK = LaunchLookback(
    round_id=uid(5), lookback_of_inspection_id=INSPECTION_ID, group_name="第二巡察组"
)


def test_lookback_links_the_new_inspection_and_records_the_launch() -> None:
    link, launched = follow_up.launch_lookback(LOOK, lookback_round(), ACCEPTED, LOOKBACK_ID)
    then(
        link,
        [
            LookbackLinked(
                inspection_id=LOOKBACK_ID,
                lookback_of_inspection_id=INSPECTION_ID,
                provincial_feedback_refs=[],
            )
        ],
    )
    then(
        launched,
        [
            LookbackInspectionLaunched(
                follow_up_id=FOLLOW_UP_ID,
                inspection_id=INSPECTION_ID,
                lookback_inspection_id=LOOKBACK_ID,
                round_id=uid(5),
            )
        ],
    )
    target = follow_up.lookback_target(LOOK, ACCEPTED)
    assert (target.organization_id, target.round_id) == ("org-water-bureau", uid(5))


def test_lookback_of_provincial_feedback_items_only() -> None:
    cmd = LaunchLookback(
        round_id=uid(5),
        provincial_feedback_refs=["省委第三巡视组反馈问题 3"],
        organization_id="org-x",
        organization_name="某局",
        group_name="第二巡察组",
    )
    link, launched = follow_up.launch_lookback(cmd, lookback_round(), None, LOOKBACK_ID)
    assert launched == []
    assert attr(link[0], "provincial_feedback_refs") == ["省委第三巡视组反馈问题 3"]


@pytest.mark.parametrize(
    ("cmd", "words"),
    [
        (
            LaunchLookback(
                round_id=uid(5), group_name="g", organization_id="o", organization_name="n"
            ),
            ["earlier inspection or to provincial"],
        ),
        (
            LaunchLookback(
                round_id=uid(5),
                group_name="g",
                provincial_feedback_refs=["a", "a"],
                organization_id="o",
                organization_name="n",
            ),
            ["unique"],
        ),
    ],
)
def test_lookback_without_a_link_or_with_duplicates_is_refused(
    cmd: LaunchLookback, words: list[str]
) -> None:
    with refused(RuleViolated, *words):
        follow_up.launch_lookback(cmd, lookback_round(), None, LOOKBACK_ID)


def test_lookback_needs_a_lookback_round_and_a_rectified_inspection() -> None:
    with refused(RuleViolated, "look-back round", "regular"):
        follow_up.launch_lookback(LOOK, lookback_round(RoundType.REGULAR), ACCEPTED, LOOKBACK_ID)
    with refused(InvalidTransition, "look back", "'feedback_delivered'"):
        follow_up.launch_lookback(
            LOOK, lookback_round(), given(INSPECTION, *feedback_delivered()), LOOKBACK_ID
        )
    with refused(InvalidTransition, "does not exist"):
        follow_up.launch_lookback(LOOK, lookback_round(), None, LOOKBACK_ID)
    with refused(RuleViolated, "name the organization"):
        follow_up.lookback_target(
            LaunchLookback(round_id=uid(5), group_name="g", provincial_feedback_refs=["r"]), None
        )
    assert LaunchLookback.allowed_roles == {Role.COMMITTEE}
    assert uid(5) != ROUND_ID

"""Inspection side-exits (suspend, resume, cancel), the round's 报备 and mobilization, the
report's fact check and results-use decision, and 见底清零 recorded at the round's closure."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from tests.unit.builders import (
    APPROVED_ON,
    COMMITTEE,
    INSPECTION_ID,
    LEADER,
    OFFICE,
    OTHER_INSPECTION_ID,
    OTHER_LEADER,
    ROUND_ID,
    STATIONING_DATE,
    TODAY,
    actor,
    announced,
    ctx,
    feedback_delivered,
    office_reviewed,
    planned,
    rectification_report_accepted,
    report_approved,
    report_drafted,
    round_approved,
    round_with_target,
    stationed,
    withdrawn,
)
from tests.unit.gwt import given, refused, then
from xuncha.commands import round as round_
from xuncha.commands.errors import InvalidTransition, NotPermitted, RuleViolated
from xuncha.commands.inspection import INSPECTION, report, side_exit
from xuncha.commands.inspection.preparation import StationGroup, station_group
from xuncha.commands.inspection.report import (
    DecideResultsUse,
    ExchangeViewsOnFacts,
    ReviewReportByOffice,
)
from xuncha.commands.inspection.side_exit import (
    CancelInspection,
    ResumeInspection,
    SuspendInspection,
)
from xuncha.commands.round import ROUND, CloseRound, FileRoundPlanWithUpperOffice, MobilizeRound
from xuncha.events.base import DomainEvent, Role
from xuncha.events.inspection import (
    FactualViewsExchanged,
    InspectionCancelled,
    InspectionResumed,
    InspectionSuspended,
    ResultsUse,
    ResultsUseDecided,
)
from xuncha.events.round import (
    RoundClosed,
    RoundLeadsCleared,
    RoundMobilized,
    RoundPlanFiledWithUpperOffice,
)

LEADING_GROUP = actor("lg-1", Role.LEADING_GROUP, "org-lg")
SUSPEND = SuspendInspection(inspection_id=INSPECTION_ID, why="被巡察单位机构改革")
RESUME = ResumeInspection(inspection_id=INSPECTION_ID)
CANCEL = CancelInspection(inspection_id=INSPECTION_ID, why="被巡察单位撤销")


def suspended_while_announced() -> list[DomainEvent]:
    return [
        *announced(),
        InspectionSuspended(
            inspection_id=INSPECTION_ID, reason=SUSPEND.why, suspended_from="announced"
        ),
    ]


# Suspend ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("history", "stage"),
    [(planned, "planned"), (stationed, "stationed"), (feedback_delivered, "feedback_delivered")],
)
def test_suspend_records_the_stage_it_left(
    history: Callable[[], list[DomainEvent]], stage: str
) -> None:
    state = given(INSPECTION, *history())
    then(
        side_exit.suspend(state, SUSPEND, ctx(OFFICE)),
        [
            InspectionSuspended(
                inspection_id=INSPECTION_ID, reason=SUSPEND.why, suspended_from=stage
            )
        ],
    )


def test_suspended_inspection_is_at_stage_suspended_and_remembers_where_it_was() -> None:
    state = given(INSPECTION, *suspended_while_announced())
    assert (state.stage, state.suspended_from) == ("suspended", "announced")


def test_suspend_a_closed_inspection_is_refused() -> None:
    from xuncha.events.inspection import InspectionClosed

    state = given(
        INSPECTION,
        *rectification_report_accepted(),
        InspectionClosed(inspection_id=INSPECTION_ID, closed_on=TODAY),
    )
    with refused(InvalidTransition, "suspend the inspection", "'closed'"):
        side_exit.suspend(state, SUSPEND, ctx(OFFICE))


def test_suspend_twice_is_refused() -> None:
    state = given(INSPECTION, *suspended_while_announced())
    with refused(InvalidTransition, "suspend the inspection", "'suspended'"):
        side_exit.suspend(state, SUSPEND, ctx(LEADING_GROUP))


def test_suspend_needs_a_reason() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        SuspendInspection(inspection_id=INSPECTION_ID, why="  ")


def test_who_may_suspend_resume_and_cancel() -> None:
    assert SuspendInspection.allowed_roles == {Role.INSPECTION_OFFICE, Role.LEADING_GROUP}
    assert ResumeInspection.allowed_roles == {Role.INSPECTION_OFFICE, Role.LEADING_GROUP}
    assert CancelInspection.allowed_roles == {Role.COMMITTEE, Role.LEADING_GROUP}


def test_while_suspended_other_inspection_commands_are_refused() -> None:
    state = given(INSPECTION, *suspended_while_announced())
    with refused(InvalidTransition, "station the group", "'suspended'"):
        station_group(
            state,
            StationGroup(inspection_id=INSPECTION_ID, stationed_on=STATIONING_DATE),
            ctx(LEADER),
        )


# Resume -------------------------------------------------------------------------------------


def test_resume_goes_back_to_the_stage_left() -> None:
    state = given(INSPECTION, *suspended_while_announced())
    events = side_exit.resume(state, RESUME, ctx(OFFICE))
    then(events, [InspectionResumed(inspection_id=INSPECTION_ID, resumed_to="announced")])
    resumed = given(INSPECTION, *suspended_while_announced(), *events)
    assert (resumed.stage, resumed.suspended_from) == ("announced", None)
    # and the workflow goes on from there
    stationing = StationGroup(inspection_id=INSPECTION_ID, stationed_on=STATIONING_DATE)
    assert station_group(resumed, stationing, ctx(LEADER, date(2026, 3, 20)))


def test_resume_an_inspection_not_suspended_is_refused() -> None:
    state = given(INSPECTION, *stationed())
    with refused(InvalidTransition, "resume the inspection", "'stationed'"):
        side_exit.resume(state, RESUME, ctx(OFFICE))


# Cancel -------------------------------------------------------------------------------------


@pytest.mark.parametrize("history", [planned, withdrawn, report_approved])
def test_cancel_before_feedback(history: Callable[[], list[DomainEvent]]) -> None:
    state = given(INSPECTION, *history())
    then(
        side_exit.cancel(state, CANCEL, ctx(COMMITTEE)),
        [
            InspectionCancelled(
                inspection_id=INSPECTION_ID, reason=CANCEL.why, cancelled_from=state.stage
            )
        ],
    )


def test_cancel_a_suspended_inspection_records_the_stage_it_left() -> None:
    state = given(INSPECTION, *suspended_while_announced())
    then(
        side_exit.cancel(state, CANCEL, ctx(LEADING_GROUP)),
        [
            InspectionCancelled(
                inspection_id=INSPECTION_ID, reason=CANCEL.why, cancelled_from="announced"
            )
        ],
    )


def test_cancel_after_feedback_is_refused() -> None:
    state = given(INSPECTION, *feedback_delivered())
    with refused(InvalidTransition, "cannot cancel", "after feedback"):
        side_exit.cancel(state, CANCEL, ctx(COMMITTEE))


def test_cancel_a_suspended_inspection_that_had_delivered_feedback_is_refused() -> None:
    state = given(
        INSPECTION,
        *feedback_delivered(),
        InspectionSuspended(
            inspection_id=INSPECTION_ID, reason="r", suspended_from="feedback_delivered"
        ),
    )
    with refused(InvalidTransition, "after feedback", "feedback_delivered"):
        side_exit.cancel(state, CANCEL, ctx(COMMITTEE))


def test_cancelled_is_terminal() -> None:
    cancelled = InspectionCancelled(
        inspection_id=INSPECTION_ID, reason=CANCEL.why, cancelled_from="announced"
    )
    state = given(INSPECTION, *announced(), cancelled)
    assert state.stage == "cancelled"
    with refused(InvalidTransition, "cancel the inspection", "'cancelled'"):
        side_exit.cancel(state, CANCEL, ctx(COMMITTEE))
    with refused(InvalidTransition, "suspend the inspection", "'cancelled'"):
        side_exit.suspend(state, SUSPEND, ctx(OFFICE))
    with refused(InvalidTransition, "resume the inspection", "'cancelled'"):
        side_exit.resume(state, RESUME, ctx(OFFICE))


# The round: 报备, mobilization, closure over cancelled inspections, 见底清零 ------------------

FILE = FileRoundPlanWithUpperOffice(
    round_id=ROUND_ID, upper_office="省委巡视办", filed_on=date(2026, 1, 10)
)
MOBILIZE = MobilizeRound(round_id=ROUND_ID, meeting_on=date(2026, 1, 15))


def test_file_the_approved_plan_with_the_upper_office() -> None:
    state = given(ROUND, *round_approved())
    then(
        round_.file_plan_with_upper_office(state, FILE, ctx(OFFICE)),
        [
            RoundPlanFiledWithUpperOffice(
                round_id=ROUND_ID, upper_office="省委巡视办", filed_on=date(2026, 1, 10)
            )
        ],
    )


def test_file_the_plan_before_approval_or_twice_is_refused() -> None:
    from tests.unit.builders import ROUND_PROPOSED

    with refused(InvalidTransition, "file the round's work plan", "'proposed'"):
        round_.file_plan_with_upper_office(given(ROUND, ROUND_PROPOSED), FILE, ctx(OFFICE))
    filed = round_.file_plan_with_upper_office(given(ROUND, *round_approved()), FILE, ctx(OFFICE))
    with refused(InvalidTransition, "already filed", "省委巡视办"):
        round_.file_plan_with_upper_office(
            given(ROUND, *round_approved(), *filed), FILE, ctx(OFFICE)
        )


def test_file_the_plan_on_a_future_day_is_refused() -> None:
    later = FILE.model_copy(update={"filed_on": date(2026, 7, 1)})
    with refused(RuleViolated, "filed_on", "future"):
        round_.file_plan_with_upper_office(given(ROUND, *round_approved()), later, ctx(OFFICE))


def test_mobilize_the_approved_round() -> None:
    state = given(ROUND, *round_approved())
    events = round_.mobilize(state, MOBILIZE, ctx(OFFICE))
    then(events, [RoundMobilized(round_id=ROUND_ID, meeting_on=date(2026, 1, 15))])
    mobilized = given(ROUND, *round_approved(), *events)
    assert (mobilized.stage, mobilized.mobilized_on) == ("approved", date(2026, 1, 15))
    with refused(InvalidTransition, "already mobilized"):
        round_.mobilize(mobilized, MOBILIZE, ctx(OFFICE))


def test_mobilize_before_approval_is_refused() -> None:
    from tests.unit.builders import ROUND_PROPOSED

    with refused(InvalidTransition, "mobilize the round", "'proposed'"):
        round_.mobilize(given(ROUND, ROUND_PROPOSED), MOBILIZE, ctx(OFFICE))


def test_close_treats_a_cancelled_inspection_like_a_closed_one_and_clears_leads() -> None:
    state = given(ROUND, *round_with_target())
    stages = {INSPECTION_ID: "closed", OTHER_INSPECTION_ID: "cancelled"}
    then(
        round_.close(state, CloseRound(round_id=ROUND_ID), stages, {}, 3),
        [
            RoundLeadsCleared(round_id=ROUND_ID, leads_closed=3),
            RoundClosed(round_id=ROUND_ID),
        ],
    )


def test_close_with_a_suspended_inspection_is_refused() -> None:
    state = given(ROUND, *round_with_target())
    with refused(InvalidTransition, "1 inspection(s) not closed", str(INSPECTION_ID)):
        round_.close(state, CloseRound(round_id=ROUND_ID), {INSPECTION_ID: "suspended"})


# Report: fact check (optional) and the results-use decision ---------------------------------

EXCHANGE = ExchangeViewsOnFacts(
    inspection_id=INSPECTION_ID,
    report_version=1,
    exchanged_on=date(2026, 4, 20),
    principal_name="王书记",
    views="对第二项事实无异议",
)
USES = [ResultsUse(addressee="组织部", use="干部考察任用参考")]
DECIDE = DecideResultsUse(
    inspection_id=INSPECTION_ID, decided_on=APPROVED_ON, meeting="市委常委会", decisions=USES
)


@pytest.mark.parametrize("history", [report_drafted, office_reviewed])
def test_exchange_views_on_facts_while_the_report_is_drafted_or_reviewed(
    history: Callable[[], list[DomainEvent]],
) -> None:
    state = given(INSPECTION, *history())
    then(
        report.exchange_views(state, EXCHANGE, ctx(LEADER)),
        [
            FactualViewsExchanged(
                inspection_id=INSPECTION_ID,
                report_version=1,
                exchanged_on=date(2026, 4, 20),
                principal_name="王书记",
                views="对第二项事实无异议",
            )
        ],
    )
    # optional: nothing about the stage changes
    assert (
        given(INSPECTION, *history(), *report.exchange_views(state, EXCHANGE, ctx(LEADER))).stage
        == state.stage
    )


def test_exchange_views_before_the_draft_or_after_approval_is_refused() -> None:
    with refused(InvalidTransition, "exchange views on the facts", "'withdrawn'"):
        report.exchange_views(given(INSPECTION, *withdrawn()), EXCHANGE, ctx(LEADER))
    with refused(InvalidTransition, "exchange views on the facts", "'report_approved'"):
        report.exchange_views(given(INSPECTION, *report_approved()), EXCHANGE, ctx(LEADER))


def test_exchange_views_only_by_this_inspections_leader_on_the_current_version() -> None:
    state = given(INSPECTION, *report_drafted())
    with refused(NotPermitted, "group leader"):
        report.exchange_views(state, EXCHANGE, ctx(OTHER_LEADER))
    with refused(InvalidTransition, "report version 2"):
        report.exchange_views(state, EXCHANGE.model_copy(update={"report_version": 2}), ctx(LEADER))


def test_decide_results_use_after_approval() -> None:
    for history in (report_approved, feedback_delivered):
        state = given(INSPECTION, *history())
        then(
            report.decide_results_use(state, DECIDE, ctx(COMMITTEE)),
            [
                ResultsUseDecided(
                    inspection_id=INSPECTION_ID,
                    report_version=1,
                    decided_on=APPROVED_ON,
                    meeting="市委常委会",
                    decisions=USES,
                )
            ],
        )


def test_decide_results_use_before_approval_is_refused() -> None:
    state = given(INSPECTION, *office_reviewed())
    with refused(InvalidTransition, "decide how the results are used", "'report_office_reviewed'"):
        report.decide_results_use(state, DECIDE, ctx(COMMITTEE))


def test_decide_results_use_before_the_approval_date_is_refused() -> None:
    state = given(INSPECTION, *report_approved())
    early = DECIDE.model_copy(update={"decided_on": date(2026, 5, 1)})
    with refused(RuleViolated, "decided_on", "approval"):
        report.decide_results_use(state, early, ctx(COMMITTEE))


def test_decide_results_use_needs_a_decision() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        DecideResultsUse(
            inspection_id=INSPECTION_ID, decided_on=APPROVED_ON, meeting="m", decisions=[]
        )


def test_while_suspended_report_commands_are_refused() -> None:
    suspension = InspectionSuspended(
        inspection_id=INSPECTION_ID, reason="r", suspended_from="report_drafted"
    )
    state = given(INSPECTION, *report_drafted(), suspension)
    review = ReviewReportByOffice(inspection_id=INSPECTION_ID, report_version=1)
    with refused(InvalidTransition, "review the report", "'suspended'"):
        report.review_by_office(state, review)
    with refused(InvalidTransition, "exchange views", "'suspended'"):
        report.exchange_views(state, EXCHANGE, ctx(LEADER))


# Work on a suspended or cancelled inspection -----------------------------------------------


def _paused(kind: str) -> list[DomainEvent]:
    left = InspectionSuspended(inspection_id=INSPECTION_ID, reason="r", suspended_from="stationed")
    if kind == "suspended":
        return [*stationed(), left]
    return [
        *stationed(),
        InspectionCancelled(inspection_id=INSPECTION_ID, reason="r", cancelled_from="stationed"),
    ]


@pytest.mark.parametrize("kind", ["suspended", "cancelled"])
def test_no_lead_is_registered_on_a_paused_or_cancelled_inspection(kind: str) -> None:
    from xuncha.commands.lead import RegisterLead, register

    cmd = RegisterLead.model_validate(
        {
            "inspection_id": str(INSPECTION_ID),
            "subject_name": "某某",
            "subject_position": "副局长",
            "management_level": "city_managed",
            "allegation": "a",
            "sources": [{"kind": "petition", "ref": "p"}],
        }
    )
    with refused(InvalidTransition, kind):
        register(given(INSPECTION, *_paused(kind)), cmd, ctx(LEADER), OTHER_INSPECTION_ID)

"""整改 on the inspection: the plan (covers the ledger, deadlines within policy), its acceptance
(opens one item per plan item), the written report against the recorded due date, closing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from tests.unit.builders import (
    DEFAULT_REF,
    DELIVERED_ON,
    FINDING_1,
    FINDING_2,
    INSPECTION_ID,
    ITEM_1,
    ITEM_2,
    ITEM_DEADLINE,
    OFFICE,
    OTHER_PRINCIPAL,
    PLAN_ACCEPTED_ON,
    PLAN_ITEMS,
    PLAN_SUBMITTED_ON,
    PRINCIPAL,
    REF_V1,
    ROUND_ID,
    TARGET_ORG,
    TODAY,
    WRITTEN_REPORT_DUE,
    ctx,
    feedback_delivered,
    feedback_stream_delivered,
    plan_submitted,
    rectification_report_accepted,
    rectification_report_submitted,
    rectifying,
    report_approved,
)
from tests.unit.gwt import given, refused, then
from xuncha.commands.errors import InvalidTransition, NotPermitted, RuleViolated
from xuncha.commands.feedback import FEEDBACK
from xuncha.commands.inspection import INSPECTION, InspectionState, plan
from xuncha.commands.inspection.plan import (
    AcceptRectificationPlan,
    AcceptRectificationReport,
    CloseInspection,
    ReturnRectificationPlan,
    ReturnRectificationReport,
    SubmitRectificationPlan,
    SubmitRectificationReport,
    item_id_for,
)
from xuncha.commands.rectification import RECTIFICATION_ITEM
from xuncha.events.base import DomainEvent, Role
from xuncha.events.inspection import (
    InspectionClosed,
    InspectionFeedbackDelivered,
    RectificationPlanAccepted,
    RectificationPlanReturned,
    RectificationPlanSubmitted,
    RectificationReportAccepted,
    RectificationReportReturned,
    RectificationReportSubmitted,
)
from xuncha.events.policy import PolicyParameters
from xuncha.events.rectification import RectificationItemOpened
from xuncha.events.values import PlanItem

History = Callable[[], list[DomainEvent]]
DEFAULTS = PolicyParameters()
SUBMIT = SubmitRectificationPlan(inspection_id=INSPECTION_ID, items=PLAN_ITEMS)
RETURNED = RectificationPlanReturned(
    inspection_id=INSPECTION_ID, plan_version=1, comments="细化措施"
)


def inspection(history: History) -> InspectionState:
    return given(INSPECTION, *history())


def item(ledger_item_no: int, deadline: date = ITEM_DEADLINE, **changes: Any) -> PlanItem:
    fields: dict[str, Any] = {
        "ledger_item_no": ledger_item_no,
        "measures": f"措施 {ledger_item_no}",
        "responsible_leader": "局长",
        "responsible_department": "财务科",
        "deadline": deadline,
    }
    return PlanItem(**{**fields, **changes})


def submit(*items: PlanItem) -> SubmitRectificationPlan:
    return SubmitRectificationPlan(inspection_id=INSPECTION_ID, items=list(items))


# Submit the plan ---------------------------------------------------------------------------------


def test_submit_plan_covering_every_ledger_item() -> None:
    then(
        plan.submit_plan(inspection(feedback_delivered), SUBMIT, ctx(PRINCIPAL), DEFAULTS),
        [
            RectificationPlanSubmitted(
                inspection_id=INSPECTION_ID, plan_version=1, items=PLAN_ITEMS, submitted_on=TODAY
            )
        ],
    )


def test_submit_plan_with_several_items_for_one_problem_is_accepted() -> None:
    cmd = submit(item(1), item(1, measures="建立采购审查制度"), item(2))
    [event] = plan.submit_plan(inspection(feedback_delivered), cmd, ctx(PRINCIPAL), DEFAULTS)
    assert isinstance(event, RectificationPlanSubmitted)
    assert len(event.items) == 3


def test_submit_plan_after_a_return_is_the_next_version() -> None:
    state = inspection(lambda: [*plan_submitted(), RETURNED])
    [event] = plan.submit_plan(state, SUBMIT, ctx(PRINCIPAL), DEFAULTS)
    assert isinstance(event, RectificationPlanSubmitted)
    assert event.plan_version == 2


@pytest.mark.parametrize(
    ("history", "stage"),
    [
        (report_approved, "report_approved"),
        (plan_submitted, "plan_submitted"),
        (rectifying, "rectifying"),
    ],
)
def test_submit_plan_outside_feedback_or_a_return_is_refused(history: History, stage: str) -> None:
    with refused(InvalidTransition, "submit the plan", f"'{stage}'"):
        plan.submit_plan(inspection(history), SUBMIT, ctx(PRINCIPAL), DEFAULTS)


def test_submit_plan_for_another_organization_is_refused() -> None:
    with refused(NotPermitted, "only the inspected organization's principal"):
        plan.submit_plan(inspection(feedback_delivered), SUBMIT, ctx(OTHER_PRINCIPAL), DEFAULTS)


def test_submit_plan_leaving_a_ledger_item_uncovered_is_refused() -> None:
    with refused(RuleViolated, "ledger items [2] have no plan item"):
        plan.submit_plan(inspection(feedback_delivered), submit(item(1)), ctx(PRINCIPAL), DEFAULTS)


def test_submit_plan_citing_a_ledger_item_the_feedback_lacks_is_refused() -> None:
    cmd = submit(item(1), item(2), item(3))
    with refused(RuleViolated, "ledger items [3]", "the feedback does not have"):
        plan.submit_plan(inspection(feedback_delivered), cmd, ctx(PRINCIPAL), DEFAULTS)


@pytest.mark.parametrize("deadline", [DELIVERED_ON, date(2026, 5, 1)], ids=["same-day", "before"])
def test_submit_plan_with_a_deadline_not_after_the_feedback_is_refused(deadline: date) -> None:
    cmd = submit(item(1), item(2, deadline))
    with refused(RuleViolated, f"deadline {deadline}", "ledger problem 2", "after the feedback"):
        plan.submit_plan(inspection(feedback_delivered), cmd, ctx(PRINCIPAL), DEFAULTS)


def test_submit_plan_with_deadlines_up_to_the_default_maximum_is_accepted() -> None:
    cmd = submit(item(1, date(2026, 5, 16)), item(2, date(2027, 5, 15)))  # 12 months
    assert len(plan.submit_plan(inspection(feedback_delivered), cmd, ctx(PRINCIPAL), DEFAULTS)) == 1


def test_submit_plan_with_a_deadline_beyond_the_default_maximum_is_refused() -> None:
    cmd = submit(item(1), item(2, date(2027, 5, 16)))
    with refused(RuleViolated, "2027-05-16", "by 2027-05-15"):
        plan.submit_plan(inspection(feedback_delivered), cmd, ctx(PRINCIPAL), DEFAULTS)


def test_submit_plan_deadline_maximum_comes_from_the_policy() -> None:
    six = PolicyParameters(item_deadline_max_months=6)
    state = inspection(feedback_delivered)
    accepted = submit(item(1), item(2, date(2026, 11, 15)))
    assert len(plan.submit_plan(state, accepted, ctx(PRINCIPAL), six)) == 1
    with refused(RuleViolated, "by 2026-11-15"):
        plan.submit_plan(state, submit(item(1), item(2, date(2026, 11, 16))), ctx(PRINCIPAL), six)


# Review the plan ---------------------------------------------------------------------------------


def test_return_plan_of_the_submitted_version() -> None:
    cmd = ReturnRectificationPlan(inspection_id=INSPECTION_ID, plan_version=1, comments="细化措施")
    then(plan.return_plan(inspection(plan_submitted), cmd), [RETURNED])


def test_return_plan_before_submission_is_refused() -> None:
    cmd = ReturnRectificationPlan(inspection_id=INSPECTION_ID, plan_version=1, comments="细化措施")
    with refused(InvalidTransition, "review the rectification plan", "'feedback_delivered'"):
        plan.return_plan(inspection(feedback_delivered), cmd)


def test_return_plan_of_a_stale_version_is_refused() -> None:
    resubmitted = RectificationPlanSubmitted(
        inspection_id=INSPECTION_ID, plan_version=2, items=PLAN_ITEMS, submitted_on=TODAY
    )
    state = given(INSPECTION, *plan_submitted(), RETURNED, resubmitted)
    cmd = ReturnRectificationPlan(inspection_id=INSPECTION_ID, plan_version=1, comments="细化措施")
    with refused(InvalidTransition, "plan version 1 is not the submitted one (v2)"):
        plan.return_plan(state, cmd)


def opened(
    item_id: Any, no: int, problem: str, finding: Any, on: date = TODAY
) -> RectificationItemOpened:
    return RectificationItemOpened(
        item_id=item_id,
        inspection_id=INSPECTION_ID,
        round_id=ROUND_ID,
        organization_id=TARGET_ORG,
        organization_name="市水务局党组",
        ledger_item_no=no,
        problem=problem,
        finding_ids=[finding],
        measures=f"措施 {no}",
        responsible_leader="局长",
        responsible_department="财务科",
        deadline=ITEM_DEADLINE,
        policy=DEFAULT_REF,
        opened_on=on,
    )


def test_accept_plan_opens_one_item_per_plan_item_under_the_feedback_policy() -> None:
    ledger = given(FEEDBACK, *feedback_stream_delivered())
    cmd = AcceptRectificationPlan(inspection_id=INSPECTION_ID, plan_version=1)
    accepted, items = plan.accept_plan(inspection(plan_submitted), cmd, ctx(OFFICE), ledger)
    first, second = item_id_for(INSPECTION_ID, 1, 1), item_id_for(INSPECTION_ID, 1, 2)
    then(
        accepted,
        [
            RectificationPlanAccepted(
                inspection_id=INSPECTION_ID,
                plan_version=1,
                item_ids=[first, second],
                accepted_on=TODAY,
            )
        ],
    )
    assert list(items) == [first, second]
    then(items[first], [opened(first, 1, "违规拆分采购", FINDING_1)])
    then(items[second], [opened(second, 2, "三重一大决策不规范", FINDING_2)])


def test_accept_plan_items_carry_the_policy_version_that_started_the_clock() -> None:
    clocks = InspectionFeedbackDelivered(
        inspection_id=INSPECTION_ID,
        delivered_on=DELIVERED_ON,
        ledger_item_nos=[1, 2],
        plan_due=date(2026, 5, 30),
        written_report_due=date(2026, 8, 15),
        policy=REF_V1,
    )
    submitted = RectificationPlanSubmitted(
        inspection_id=INSPECTION_ID, plan_version=1, items=PLAN_ITEMS, submitted_on=DELIVERED_ON
    )
    state = given(INSPECTION, *report_approved(), clocks, submitted)
    cmd = AcceptRectificationPlan(inspection_id=INSPECTION_ID, plan_version=1)
    feedback = given(FEEDBACK, *feedback_stream_delivered())
    _, items = plan.accept_plan(state, cmd, ctx(OFFICE), feedback)
    policies = {
        e.policy
        for events in items.values()
        for e in events
        if isinstance(e, RectificationItemOpened)
    }
    assert policies == {REF_V1}


def test_accept_plan_item_ids_depend_on_the_plan_version() -> None:
    assert item_id_for(INSPECTION_ID, 1, 1) == item_id_for(INSPECTION_ID, 1, 1)
    assert item_id_for(INSPECTION_ID, 2, 1) != item_id_for(INSPECTION_ID, 1, 1)
    assert item_id_for(INSPECTION_ID, 1, 2) != item_id_for(INSPECTION_ID, 1, 1)


def test_accept_plan_of_a_stale_version_is_refused() -> None:
    cmd = AcceptRectificationPlan(inspection_id=INSPECTION_ID, plan_version=2)
    with refused(InvalidTransition, "plan version 2 is not the submitted one (v1)"):
        plan.accept_plan(
            inspection(plan_submitted),
            cmd,
            ctx(OFFICE),
            given(FEEDBACK, *feedback_stream_delivered()),
        )


def test_accept_plan_after_a_return_is_refused() -> None:
    cmd = AcceptRectificationPlan(inspection_id=INSPECTION_ID, plan_version=1)
    with refused(InvalidTransition, "review the rectification plan", "'plan_returned'"):
        plan.accept_plan(
            inspection(lambda: [*plan_submitted(), RETURNED]),
            cmd,
            ctx(OFFICE),
            given(FEEDBACK, *feedback_stream_delivered()),
        )


# Dates of the plan's submission and acceptance -----------------------------------------------
# The feedback was delivered on DELIVERED_ON (2026-05-15), the plan submitted on
# PLAN_SUBMITTED_ON (2026-05-25); today is TODAY (2026-06-30).


def accept_on(day: date | None, history: History = plan_submitted) -> Any:
    cmd = AcceptRectificationPlan(inspection_id=INSPECTION_ID, plan_version=1, accepted_on=day)
    feedback = given(FEEDBACK, *feedback_stream_delivered())
    return plan.accept_plan(inspection(history), cmd, ctx(OFFICE), feedback)


def opening_days(decision: Any) -> set[date]:
    accepted, items = decision
    days = {e.accepted_on for e in accepted if isinstance(e, RectificationPlanAccepted)}
    return days | {
        e.opened_on for events in items.values() for e in events if hasattr(e, "opened_on")
    }


def test_accept_plan_without_a_day_accepts_and_opens_today() -> None:
    assert opening_days(accept_on(None)) == {TODAY}


def test_accept_plan_on_a_past_day_keeps_it_for_the_acceptance_and_every_item() -> None:
    accepted, items = accept_on(PLAN_SUBMITTED_ON + timedelta(days=3))
    assert len(items) == 2
    assert opening_days((accepted, items)) == {date(2026, 5, 28)}
    # The items' state opens on that day: their later steps cannot precede it.
    first = given(RECTIFICATION_ITEM, *next(iter(items.values())))
    assert (first.opened_on, first.last_step_on) == (date(2026, 5, 28), date(2026, 5, 28))


def test_accept_plan_on_the_day_of_its_submission_is_allowed() -> None:
    assert opening_days(accept_on(PLAN_SUBMITTED_ON)) == {PLAN_SUBMITTED_ON}


def test_accept_plan_in_the_future_is_refused() -> None:
    with refused(RuleViolated, "accepted_on (2026-07-01) cannot be in the future", "2026-06-30"):
        accept_on(TODAY + timedelta(days=1))


def test_accept_plan_before_its_submission_is_refused() -> None:
    with refused(RuleViolated, "cannot precede the plan's submission (2026-05-25)"):
        accept_on(PLAN_SUBMITTED_ON - timedelta(days=1))


def test_accept_plan_before_the_feedback_is_refused() -> None:
    with refused(RuleViolated, "cannot precede the feedback (2026-05-15)"):
        accept_on(DELIVERED_ON - timedelta(days=1))


def test_accept_a_resubmitted_plan_before_the_new_version_was_submitted_is_refused() -> None:
    resubmitted = RectificationPlanSubmitted(
        inspection_id=INSPECTION_ID, plan_version=2, items=PLAN_ITEMS, submitted_on=TODAY
    )
    cmd = AcceptRectificationPlan(
        inspection_id=INSPECTION_ID, plan_version=2, accepted_on=PLAN_SUBMITTED_ON
    )
    state = given(INSPECTION, *plan_submitted(), RETURNED, resubmitted)
    feedback = given(FEEDBACK, *feedback_stream_delivered())
    with refused(RuleViolated, f"cannot precede the plan's submission ({TODAY})"):
        plan.accept_plan(state, cmd, ctx(OFFICE), feedback)


def test_submit_plan_on_a_past_day_keeps_it_and_not_before_the_feedback() -> None:
    dated = SUBMIT.model_copy(update={"submitted_on": DELIVERED_ON})
    [event] = plan.submit_plan(inspection(feedback_delivered), dated, ctx(PRINCIPAL), DEFAULTS)
    assert isinstance(event, RectificationPlanSubmitted)
    assert event.submitted_on == DELIVERED_ON
    early = SUBMIT.model_copy(update={"submitted_on": DELIVERED_ON - timedelta(days=1)})
    with refused(RuleViolated, "submitted_on (2026-05-14) cannot precede the feedback"):
        plan.submit_plan(inspection(feedback_delivered), early, ctx(PRINCIPAL), DEFAULTS)
    future = SUBMIT.model_copy(update={"submitted_on": TODAY + timedelta(days=1)})
    with refused(RuleViolated, "cannot be in the future"):
        plan.submit_plan(inspection(feedback_delivered), future, ctx(PRINCIPAL), DEFAULTS)


def test_the_written_report_cannot_precede_the_plans_acceptance() -> None:
    early = SubmitRectificationReport(
        inspection_id=INSPECTION_ID,
        organization_report="整改情况报告",
        principal_report="组织落实情况报告",
        submitted_on=PLAN_ACCEPTED_ON - timedelta(days=1),
    )
    with refused(RuleViolated, "cannot precede the plan's acceptance (2026-06-01)"):
        plan.submit_report(inspection(rectifying), early, ctx(PRINCIPAL))


# The written rectification report ------------------------------------------------------------


def report(submitted_on: date = TODAY) -> SubmitRectificationReport:
    return SubmitRectificationReport(
        inspection_id=INSPECTION_ID,
        organization_report="整改情况报告",
        principal_report="组织落实情况报告",
        submitted_on=submitted_on,
    )


def test_submit_report_records_the_due_date_started_at_feedback() -> None:
    then(
        plan.submit_report(inspection(rectifying), report(), ctx(PRINCIPAL)),
        [
            RectificationReportSubmitted(
                inspection_id=INSPECTION_ID,
                report_no=1,
                organization_report="整改情况报告",
                principal_report="组织落实情况报告",
                submitted_on=TODAY,
                due=WRITTEN_REPORT_DUE,
                on_time=True,
            )
        ],
    )


@pytest.mark.parametrize(
    ("submitted_on", "on_time"),
    [(WRITTEN_REPORT_DUE, True), (date(2026, 7, 16), False)],
    ids=["on-the-due-date", "a-day-late"],
)
def test_submit_report_records_whether_it_is_on_time(submitted_on: date, on_time: bool) -> None:
    [event] = plan.submit_report(
        inspection(rectifying), report(submitted_on), ctx(PRINCIPAL, date(2026, 7, 20))
    )
    assert isinstance(event, RectificationReportSubmitted)
    assert event.on_time is on_time


def test_submit_report_uses_the_due_date_of_the_policy_that_started_the_clock() -> None:
    clocks = InspectionFeedbackDelivered(
        inspection_id=INSPECTION_ID,
        delivered_on=DELIVERED_ON,
        ledger_item_nos=[1, 2],
        plan_due=date(2026, 6, 14),
        written_report_due=date(2026, 8, 15),  # written_report_months=3 in policy v1
        policy=REF_V1,
    )
    history = [*report_approved(), clocks, *rectifying()[-2:]]  # + plan submitted, accepted
    [event] = plan.submit_report(
        given(INSPECTION, *history), report(date(2026, 8, 1)), ctx(PRINCIPAL, date(2026, 8, 1))
    )
    assert isinstance(event, RectificationReportSubmitted)
    assert (event.due, event.on_time) == (date(2026, 8, 15), True)


def test_submit_report_after_a_return_is_the_next_number() -> None:
    returned = RectificationReportReturned(
        inspection_id=INSPECTION_ID, report_no=1, comments="补充"
    )
    state = given(INSPECTION, *rectification_report_submitted(), returned)
    [event] = plan.submit_report(state, report(), ctx(PRINCIPAL))
    assert isinstance(event, RectificationReportSubmitted)
    assert event.report_no == 2


@pytest.mark.parametrize(
    ("history", "stage"),
    [
        (plan_submitted, "plan_submitted"),
        (rectification_report_submitted, "rectification_report_submitted"),
    ],
)
def test_submit_report_outside_rectification_is_refused(history: History, stage: str) -> None:
    with refused(InvalidTransition, "submit the rectification report", f"'{stage}'"):
        plan.submit_report(inspection(history), report(), ctx(PRINCIPAL))


def test_submit_report_for_another_organization_is_refused() -> None:
    with refused(NotPermitted, "only the inspected organization's principal"):
        plan.submit_report(inspection(rectifying), report(), ctx(OTHER_PRINCIPAL))


def test_submit_report_dated_in_the_future_is_refused() -> None:
    with refused(RuleViolated, "submitted_on", "future"):
        plan.submit_report(inspection(rectifying), report(), ctx(PRINCIPAL, date(2026, 6, 29)))


def test_submit_report_dated_before_the_feedback_is_refused() -> None:
    with refused(RuleViolated, "submitted_on cannot precede the feedback"):
        plan.submit_report(inspection(rectifying), report(date(2026, 5, 14)), ctx(PRINCIPAL))


def test_return_report_of_the_submitted_number() -> None:
    cmd = ReturnRectificationReport(inspection_id=INSPECTION_ID, report_no=1, comments="补充")
    then(
        plan.return_report(inspection(rectification_report_submitted), cmd),
        [RectificationReportReturned(inspection_id=INSPECTION_ID, report_no=1, comments="补充")],
    )


def test_accept_report_of_the_submitted_number() -> None:
    cmd = AcceptRectificationReport(inspection_id=INSPECTION_ID, report_no=1)
    then(
        plan.accept_report(inspection(rectification_report_submitted), cmd),
        [RectificationReportAccepted(inspection_id=INSPECTION_ID, report_no=1)],
    )


def test_accept_report_before_one_is_submitted_is_refused() -> None:
    cmd = AcceptRectificationReport(inspection_id=INSPECTION_ID, report_no=1)
    with refused(InvalidTransition, "review the rectification report", "'rectifying'"):
        plan.accept_report(inspection(rectifying), cmd)


@pytest.mark.parametrize("report_no", [2, 3])
def test_review_report_of_another_number_is_refused(report_no: int) -> None:
    state = inspection(rectification_report_submitted)
    words = f"rectification report {report_no} is not the submitted one (no. 1)"
    with refused(InvalidTransition, words):
        plan.accept_report(
            state, AcceptRectificationReport(inspection_id=INSPECTION_ID, report_no=report_no)
        )
    with refused(InvalidTransition, words):
        cmd = ReturnRectificationReport(
            inspection_id=INSPECTION_ID, report_no=report_no, comments="补充"
        )
        plan.return_report(state, cmd)


# Close the inspection ------------------------------------------------------------------------

CLOSE = CloseInspection(inspection_id=INSPECTION_ID)


def test_close_with_every_item_closed() -> None:
    statuses = {ITEM_1: "closed", ITEM_2: "closed"}
    then(
        plan.close(inspection(rectification_report_accepted), CLOSE, ctx(OFFICE), statuses),
        [InspectionClosed(inspection_id=INSPECTION_ID, closed_on=TODAY)],
    )


@pytest.mark.parametrize("status", ["opened", "in_progress", "closure_requested", "verified"])
def test_close_with_an_item_not_closed_is_refused(status: str) -> None:
    statuses = {ITEM_1: "closed", ITEM_2: status}
    with refused(InvalidTransition, "1 rectification item(s) are not closed", str(ITEM_2)):
        plan.close(inspection(rectification_report_accepted), CLOSE, ctx(OFFICE), statuses)


def test_close_before_the_rectification_report_is_accepted_is_refused() -> None:
    statuses = {ITEM_1: "closed", ITEM_2: "closed"}
    with refused(InvalidTransition, "close the inspection", "'rectification_report_submitted'"):
        plan.close(inspection(rectification_report_submitted), CLOSE, ctx(OFFICE), statuses)


def test_rectification_roles() -> None:
    office = {Role.INSPECTION_OFFICE}
    assert SubmitRectificationPlan.allowed_roles == {Role.INSPECTED_ORG_PRINCIPAL}
    assert SubmitRectificationReport.allowed_roles == {Role.INSPECTED_ORG_PRINCIPAL}
    assert AcceptRectificationPlan.allowed_roles == office
    assert ReturnRectificationPlan.allowed_roles == office
    assert AcceptRectificationReport.allowed_roles == office
    assert CloseInspection.allowed_roles == office

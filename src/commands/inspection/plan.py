"""整改 on the inspection's stream: the rectification plan, the written rectification report,
and closing the inspection."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import Field

from xuncha.commands import consequences
from xuncha.commands.base import (
    Context,
    require,
    require_actor,
    require_not_future,
    require_stage,
)
from xuncha.commands.dates import add_months
from xuncha.commands.decision import CommandWarning, Decision
from xuncha.commands.errors import InvalidTransition
from xuncha.commands.feedback import FeedbackState
from xuncha.commands.inspection import InspectionCommand, InspectionState
from xuncha.commands.round import OFFICE
from xuncha.events.base import DomainEvent, Role
from xuncha.events.inspection import (
    InspectionClosed,
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
from xuncha.events.vocabulary import InspectionStage, RectificationItemStatus

PRINCIPAL = frozenset({Role.INSPECTED_ORG_PRINCIPAL})


class SubmitRectificationPlan(InspectionCommand):
    """整改方案: every ledger problem gets at least one item with leader, department, deadline."""

    allowed_roles: ClassVar[frozenset[Role]] = PRINCIPAL
    items: list[PlanItem] = Field(min_length=1, max_length=200)
    submitted_on: date | None = Field(
        default=None,
        description="the day the plan was submitted, if not today; not in the future, not "
        "before the feedback was delivered",
    )


class PlanStep(InspectionCommand):
    plan_version: int = Field(ge=1)


class ReturnRectificationPlan(PlanStep):
    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    comments: str = Field(min_length=1, max_length=10000)


class AcceptRectificationPlan(PlanStep):
    """Accepting the plan opens one rectification item per plan item, on `accepted_on`."""

    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    accepted_on: date | None = Field(
        default=None,
        description="the day the plan was accepted and its items opened, if not today; not in "
        "the future, not before the plan's submission (`submitted_on`) nor the feedback",
    )


class SubmitRectificationReport(InspectionCommand):
    """整改情况报告 and the principal's 组织落实情况报告, due after feedback per policy."""

    allowed_roles: ClassVar[frozenset[Role]] = PRINCIPAL
    organization_report: str = Field(min_length=1, max_length=30000)
    principal_report: str = Field(min_length=1, max_length=30000)
    submitted_on: date


class RectificationReportStep(InspectionCommand):
    report_no: int = Field(ge=1)


class ReturnRectificationReport(RectificationReportStep):
    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    comments: str = Field(min_length=1, max_length=10000)


class AcceptRectificationReport(RectificationReportStep):
    allowed_roles: ClassVar[frozenset[Role]] = OFFICE


class CloseInspection(InspectionCommand):
    allowed_roles: ClassVar[frozenset[Role]] = OFFICE


def item_id_for(inspection_id: UUID, plan_version: int, index: int) -> UUID:
    return uuid5(NAMESPACE_URL, f"xuncha:rectification-item:{inspection_id}:{plan_version}:{index}")


def _principal_of(state: InspectionState, ctx: Context) -> None:
    require_actor(
        ctx.actor.organization_id == state.organization_id,
        "only the inspected organization's principal submits its rectification",
    )


def submit_plan(
    state: InspectionState, cmd: SubmitRectificationPlan, ctx: Context, params: PolicyParameters
) -> list[DomainEvent]:
    require_stage(
        state.stage,
        [InspectionStage.FEEDBACK_DELIVERED, InspectionStage.PLAN_RETURNED],
        "submit the plan",
    )
    _principal_of(state, ctx)
    assert state.delivered_on is not None
    submitted_on = cmd.submitted_on or ctx.today
    require_not_future(submitted_on, ctx, "submitted_on")
    require(
        submitted_on >= state.delivered_on,
        f"submitted_on ({submitted_on}) cannot precede the feedback ({state.delivered_on})",
    )
    covered = {item.ledger_item_no for item in cmd.items}
    unknown = sorted(covered - set(state.ledger_item_nos))
    require(not unknown, f"plan items cite ledger items {unknown} that the feedback does not have")
    missing = sorted(set(state.ledger_item_nos) - covered)
    require(not missing, f"ledger items {missing} have no plan item; every problem needs one")
    latest = add_months(state.delivered_on, params.item_deadline_max_months)
    for item in cmd.items:
        require(
            state.delivered_on < item.deadline <= latest,
            f"the deadline {item.deadline} of the item for ledger problem {item.ledger_item_no} "
            f"must fall after the feedback ({state.delivered_on}) and by {latest}",
        )
    submitted = RectificationPlanSubmitted(
        inspection_id=state.inspection_id,
        plan_version=state.plan_version + 1,
        items=cmd.items,
        submitted_on=submitted_on,
    )
    return Decision([submitted], passed_deadlines(cmd.items, ctx.today))


def passed_deadlines(items: Sequence[PlanItem], today: date) -> list[CommandWarning]:
    """A plan entered after the fact may have items already past their deadline: accepted,
    they open overdue. Said at submission and at acceptance, not refused."""
    late = sorted({item.ledger_item_no for item in items if item.deadline < today})
    return [consequences.plan_item_deadline_passed(late, today)] if late else []


def _same_plan(state: InspectionState, cmd: PlanStep) -> None:
    require_stage(state.stage, [InspectionStage.PLAN_SUBMITTED], "review the rectification plan")
    if cmd.plan_version != state.plan_version:
        raise InvalidTransition(
            f"plan version {cmd.plan_version} is not the submitted one (v{state.plan_version})"
        )


def return_plan(state: InspectionState, cmd: ReturnRectificationPlan) -> list[DomainEvent]:
    _same_plan(state, cmd)
    return [
        RectificationPlanReturned(
            inspection_id=state.inspection_id,
            plan_version=cmd.plan_version,
            comments=cmd.comments,
        )
    ]


def accepting_day(state: InspectionState, cmd: AcceptRectificationPlan, ctx: Context) -> date:
    """The day of the acceptance, which opens the items: `accepted_on`, or today; not in the
    future, not before the feedback nor the submission of the plan accepted."""
    accepted_on = cmd.accepted_on or ctx.today
    require_not_future(accepted_on, ctx, "accepted_on")
    assert state.delivered_on is not None
    require(
        accepted_on >= state.delivered_on,
        f"accepted_on ({accepted_on}) cannot precede the feedback ({state.delivered_on})",
    )
    submitted_on = state.plan_submitted_on
    require(
        submitted_on is None or accepted_on >= submitted_on,
        f"accepted_on ({accepted_on}) cannot precede the plan's submission ({submitted_on})",
    )
    return accepted_on


def accept_plan(
    state: InspectionState, cmd: AcceptRectificationPlan, ctx: Context, feedback: FeedbackState
) -> tuple[list[DomainEvent], dict[UUID, list[DomainEvent]]]:
    """The inspection's acceptance, and one `item_opened` per plan item, each its own stream,
    all dated `accepted_on` (today when omitted)."""
    _same_plan(state, cmd)
    assert state.rectification_policy is not None
    accepted_on = accepting_day(state, cmd, ctx)
    problems = {item.item_no: item for item in feedback.ledger}
    opened: dict[UUID, list[DomainEvent]] = {}
    for index, item in enumerate(state.plan_items, start=1):
        item_id = item_id_for(state.inspection_id, cmd.plan_version, index)
        ledger = problems[item.ledger_item_no]
        opened[item_id] = [
            RectificationItemOpened(
                item_id=item_id,
                inspection_id=state.inspection_id,
                round_id=state.round_id,
                organization_id=state.organization_id,
                organization_name=state.organization_name,
                ledger_item_no=item.ledger_item_no,
                problem=ledger.problem,
                finding_ids=ledger.finding_ids,
                measures=item.measures,
                responsible_leader=item.responsible_leader,
                responsible_department=item.responsible_department,
                deadline=item.deadline,
                policy=state.rectification_policy,
                opened_on=accepted_on,
            )
        ]
    accepted = RectificationPlanAccepted(
        inspection_id=state.inspection_id,
        plan_version=cmd.plan_version,
        item_ids=list(opened),
        accepted_on=accepted_on,
    )
    return [accepted], opened


def submit_report(
    state: InspectionState, cmd: SubmitRectificationReport, ctx: Context
) -> list[DomainEvent]:
    require_stage(
        state.stage,
        [InspectionStage.RECTIFYING, InspectionStage.RECTIFICATION_REPORT_RETURNED],
        "submit the rectification report",
    )
    _principal_of(state, ctx)
    require_not_future(cmd.submitted_on, ctx, "submitted_on")
    assert state.written_report_due is not None
    assert state.delivered_on is not None
    require(cmd.submitted_on >= state.delivered_on, "submitted_on cannot precede the feedback")
    require(
        state.plan_accepted_on is None or cmd.submitted_on >= state.plan_accepted_on,
        f"submitted_on ({cmd.submitted_on}) cannot precede the plan's acceptance "
        f"({state.plan_accepted_on})",
    )
    return [
        RectificationReportSubmitted(
            inspection_id=state.inspection_id,
            report_no=state.rectification_report_no + 1,
            organization_report=cmd.organization_report,
            principal_report=cmd.principal_report,
            submitted_on=cmd.submitted_on,
            due=state.written_report_due,
            on_time=cmd.submitted_on <= state.written_report_due,
        )
    ]


def _same_report(state: InspectionState, cmd: RectificationReportStep) -> None:
    require_stage(
        state.stage,
        [InspectionStage.RECTIFICATION_REPORT_SUBMITTED],
        "review the rectification report",
    )
    if cmd.report_no != state.rectification_report_no:
        raise InvalidTransition(
            f"rectification report {cmd.report_no} is not the submitted one "
            f"(no. {state.rectification_report_no})"
        )


def return_report(state: InspectionState, cmd: ReturnRectificationReport) -> list[DomainEvent]:
    _same_report(state, cmd)
    return [
        RectificationReportReturned(
            inspection_id=state.inspection_id, report_no=cmd.report_no, comments=cmd.comments
        )
    ]


def accept_report(state: InspectionState, cmd: AcceptRectificationReport) -> list[DomainEvent]:
    _same_report(state, cmd)
    return [RectificationReportAccepted(inspection_id=state.inspection_id, report_no=cmd.report_no)]


def close(
    state: InspectionState, cmd: CloseInspection, ctx: Context, item_statuses: Mapping[UUID, str]
) -> list[DomainEvent]:
    require_stage(
        state.stage, [InspectionStage.RECTIFICATION_REPORT_ACCEPTED], "close the inspection"
    )
    still_open = sorted(
        str(i) for i, status in item_statuses.items() if status != RectificationItemStatus.CLOSED
    )
    if still_open:
        raise InvalidTransition(
            f"{len(still_open)} rectification item(s) are not closed (销号): "
            + ", ".join(still_open)
        )
    return [InspectionClosed(inspection_id=state.inspection_id, closed_on=ctx.today)]

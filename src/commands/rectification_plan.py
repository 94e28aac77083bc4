"""整改: the rectification plan, the written rectification report, and closing the inspection."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import Field

from commands.base import Context, require, require_actor, require_not_future, require_stage
from commands.dates import add_months
from commands.errors import InvalidTransition
from commands.feedback import FeedbackState
from commands.inspection import InspectionState
from commands.preparation import InspectionCommand
from commands.round import OFFICE
from events.base import DomainEvent, Role
from events.inspection import (
    InspectionClosed,
    RectificationPlanAccepted,
    RectificationPlanReturned,
    RectificationPlanSubmitted,
    RectificationReportAccepted,
    RectificationReportReturned,
    RectificationReportSubmitted,
)
from events.policy import PolicyParameters
from events.rectification import RectificationItemOpened
from events.values import PlanItem

PRINCIPAL = frozenset({Role.INSPECTED_ORG_PRINCIPAL})


class SubmitRectificationPlan(InspectionCommand):
    """整改方案: every ledger problem gets at least one item with leader, department, deadline."""

    allowed_roles: ClassVar[frozenset[Role]] = PRINCIPAL
    items: list[PlanItem] = Field(min_length=1, max_length=200)


class PlanStep(InspectionCommand):
    plan_version: int = Field(ge=1)


class ReturnRectificationPlan(PlanStep):
    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    comments: str = Field(min_length=1, max_length=10000)


class AcceptRectificationPlan(PlanStep):
    allowed_roles: ClassVar[frozenset[Role]] = OFFICE


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
    require_stage(state.stage, ["feedback_delivered", "plan_returned"], "submit the plan")
    _principal_of(state, ctx)
    assert state.delivered_on is not None
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
    return [
        RectificationPlanSubmitted(
            inspection_id=state.inspection_id,
            plan_version=state.plan_version + 1,
            items=cmd.items,
        )
    ]


def _same_plan(state: InspectionState, cmd: PlanStep) -> None:
    require_stage(state.stage, ["plan_submitted"], "review the rectification plan")
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


def accept_plan(
    state: InspectionState, cmd: AcceptRectificationPlan, feedback: FeedbackState
) -> tuple[list[DomainEvent], dict[UUID, list[DomainEvent]]]:
    """The inspection's acceptance, and one `item_opened` per plan item, each its own stream."""
    _same_plan(state, cmd)
    assert state.rectification_policy is not None
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
            )
        ]
    accepted = RectificationPlanAccepted(
        inspection_id=state.inspection_id,
        plan_version=cmd.plan_version,
        item_ids=list(opened),
    )
    return [accepted], opened


def submit_report(
    state: InspectionState, cmd: SubmitRectificationReport, ctx: Context
) -> list[DomainEvent]:
    require_stage(
        state.stage,
        ["rectifying", "rectification_report_returned"],
        "submit the rectification report",
    )
    _principal_of(state, ctx)
    require_not_future(cmd.submitted_on, ctx, "submitted_on")
    assert state.written_report_due is not None
    assert state.delivered_on is not None
    require(cmd.submitted_on >= state.delivered_on, "submitted_on cannot precede the feedback")
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
        state.stage, ["rectification_report_submitted"], "review the rectification report"
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
    require_stage(state.stage, ["rectification_report_accepted"], "close the inspection")
    still_open = sorted(str(i) for i, status in item_statuses.items() if status != "closed")
    if still_open:
        raise InvalidTransition(
            f"{len(still_open)} rectification item(s) are not closed (销号): "
            + ", ".join(still_open)
        )
    return [InspectionClosed(inspection_id=state.inspection_id, closed_on=ctx.today)]

"""Handlers of the first lifecycle: round, inspection, finding, report, feedback, rectification."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from xuncha.commands import (
    feedback,
    finding,
    policy,
    preparation,
    rectification,
    reference,
    report,
    round,
    side_exit,
)
from xuncha.commands import rectification_plan as plan
from xuncha.commands.errors import NotFound
from xuncha.commands.feedback import FEEDBACK, feedback_stream_id
from xuncha.commands.finding import FINDING
from xuncha.commands.inspection import INSPECTION, InspectionState
from xuncha.commands.lead import LEAD
from xuncha.commands.rectification import CLOSURE_DAY, RECTIFICATION_ITEM, closure_day_stream_id
from xuncha.commands.registry import Handler, handles, register_all
from xuncha.commands.round import ROUND
from xuncha.commands.unit_of_work import UnitOfWork


def _inspection(uow: UnitOfWork, inspection_id: UUID) -> InspectionState:
    return uow.get(INSPECTION, inspection_id, "inspection")


def _on_inspection(decide: Callable[..., Any], *extra: str) -> Handler:
    """A handler for commands that touch only their inspection: decide(state, cmd[, ctx])."""

    def handler(uow: UnitOfWork, cmd: Any) -> None:
        state = _inspection(uow, cmd.inspection_id)
        args = [uow.ctx] if "ctx" in extra else []
        uow.record(INSPECTION, cmd.inspection_id, decide(state, cmd, *args))

    return handler


def _on_item(decide: Callable[..., Any]) -> Handler:
    def handler(uow: UnitOfWork, cmd: Any) -> None:
        state = uow.get(RECTIFICATION_ITEM, cmd.item_id, "rectification item")
        uow.record(RECTIFICATION_ITEM, cmd.item_id, decide(state, cmd, uow.ctx))

    return handler


def _on_finding(decide: Callable[..., Any]) -> Handler:
    def handler(uow: UnitOfWork, cmd: Any) -> None:
        state = uow.get(FINDING, cmd.finding_id, "finding")
        inspection = _inspection(uow, state.inspection_id)
        uow.record(FINDING, cmd.finding_id, decide(state, cmd, uow.ctx, inspection))

    return handler


@handles(policy.PublishPolicyVersion)
def publish_policy(uow: UnitOfWork, cmd: policy.PublishPolicyVersion) -> None:
    stream_id = policy.policy_stream_id(cmd.jurisdiction_id)
    book = uow.find(policy.POLICY, stream_id)
    uow.record(policy.POLICY, stream_id, policy.publish_version(book, cmd, uow.ctx))


@handles(round.ProposeRound)
def propose_round(uow: UnitOfWork, cmd: round.ProposeRound) -> UUID:
    round_id = uow.new_id()
    uow.record(ROUND, round_id, round.propose(cmd, round_id))
    return round_id


@handles(round.ApproveRound)
def approve_round(uow: UnitOfWork, cmd: round.ApproveRound) -> None:
    state = uow.get(ROUND, cmd.round_id, "round")
    uow.record(ROUND, cmd.round_id, round.approve(state, cmd, uow.ctx))


@handles(round.PlanInspection)
def plan_inspection(uow: UnitOfWork, cmd: round.PlanInspection) -> UUID:
    state = uow.get(ROUND, cmd.round_id, "round")
    # Registries are optional: a jurisdiction that keeps one only inspects what it lists.
    registry_id = cmd.organization_jurisdiction_id or state.jurisdiction_id
    registry = uow.find(reference.JURISDICTION, reference.jurisdiction_stream_id(registry_id))
    if registry is None and cmd.organization_jurisdiction_id is not None:
        raise NotFound(f"jurisdiction {registry_id} is not registered")
    if registry is not None:
        reference.require_target(
            state.round_type, state.jurisdiction_id, registry, cmd.organization_id
        )
    inspection_id = uow.new_id()
    uow.record(ROUND, cmd.round_id, round.assign_target(state, cmd, inspection_id))
    uow.record(
        INSPECTION,
        inspection_id,
        preparation.plan(state, inspection_id, cmd),
    )
    return inspection_id


@handles(round.CloseRound)
def close_round(uow: UnitOfWork, cmd: round.CloseRound) -> None:
    state = uow.get(ROUND, cmd.round_id, "round")
    inspections = [_inspection(uow, i) for i in state.inspections.values()]
    stages = {i.inspection_id: i.stage for i in inspections}
    leads = [uow.get(LEAD, lead_id, "lead") for i in inspections for lead_id in i.lead_ids]
    open_leads = {lead.lead_id: lead.describe() for lead in leads if lead.is_open}
    closed = len(leads) - len(open_leads)
    uow.record(ROUND, cmd.round_id, round.close(state, cmd, stages, open_leads, closed))


def _on_round(decide: Callable[..., Any]) -> Handler:
    def handler(uow: UnitOfWork, cmd: Any) -> None:
        state = uow.get(ROUND, cmd.round_id, "round")
        uow.record(ROUND, cmd.round_id, decide(state, cmd, uow.ctx))

    return handler


# AuthorizeGroup (one authorization of a formed group) is handled in handlers/group.py.


@handles(preparation.IssueInspectionNotice)
def issue_notice(uow: UnitOfWork, cmd: preparation.IssueInspectionNotice) -> None:
    state = _inspection(uow, cmd.inspection_id)
    in_force = uow.policy(state.jurisdiction_id, cmd.notice_date)
    events = preparation.issue_notice(state, cmd, uow.ctx, in_force)
    uow.record(INSPECTION, cmd.inspection_id, events)


register_all(
    {
        preparation.PublishInspectionAnnouncement: _on_inspection(
            preparation.publish_announcement, "ctx"
        ),
        preparation.StationGroup: _on_inspection(preparation.station_group, "ctx"),
        preparation.EndStationing: _on_inspection(preparation.end_stationing, "ctx"),
        report.ReviewReportByOffice: _on_inspection(report.review_by_office),
        report.ReturnReportForRevision: _on_inspection(report.return_for_revision),
        report.DeliberateReport: _on_inspection(report.deliberate),
        report.ApproveReport: _on_inspection(report.approve, "ctx"),
        report.ExchangeViewsOnFacts: _on_inspection(report.exchange_views, "ctx"),
        report.DecideResultsUse: _on_inspection(report.decide_results_use, "ctx"),
        side_exit.SuspendInspection: _on_inspection(side_exit.suspend, "ctx"),
        side_exit.ResumeInspection: _on_inspection(side_exit.resume, "ctx"),
        side_exit.CancelInspection: _on_inspection(side_exit.cancel, "ctx"),
        round.FileRoundPlanWithUpperOffice: _on_round(round.file_plan_with_upper_office),
        round.MobilizeRound: _on_round(round.mobilize),
        plan.ReturnRectificationPlan: _on_inspection(plan.return_plan),
        plan.SubmitRectificationReport: _on_inspection(plan.submit_report, "ctx"),
        plan.ReturnRectificationReport: _on_inspection(plan.return_report),
        plan.AcceptRectificationReport: _on_inspection(plan.accept_report),
        finding.ReviewFinding: _on_finding(finding.review),
        finding.ReturnFinding: _on_finding(finding.return_),
        finding.ApproveFinding: _on_finding(finding.approve),
        finding.AmendFinding: _on_finding(finding.amend),
        rectification.ReportItemProgress: _on_item(rectification.report_progress),
        rectification.RequestItemClosure: _on_item(rectification.request_closure),
        rectification.VerifyItem: _on_item(rectification.verify),
        rectification.FailItemVerification: _on_item(rectification.fail_verification),
    }
)


@handles(rectification.CloseItem)
def close_item(uow: UnitOfWork, cmd: rectification.CloseItem) -> None:
    """销号 with the closure warnings. The opening day is the item's `opened_on`, the day the
    plan was accepted (a v1 `rectification.item_opened`, undated, is read with the day it was
    recorded). Thresholds are those of the policy in force on the closing day."""
    state = uow.get(RECTIFICATION_ITEM, cmd.item_id, "rectification item")
    opened = state.opened_on
    assert opened is not None  # every opening is dated (v1 through its upcaster)
    assert state.policy is not None  # every item is opened under a policy version
    closed_on = rectification.closing_day(cmd, uow.ctx)
    _, params = uow.policy(state.policy.jurisdiction_id, closed_on)
    day_id = closure_day_stream_id(state.organization_id, closed_on)
    day = uow.find(CLOSURE_DAY, day_id)
    done = rectification.close_and_check(state, cmd, uow.ctx, params, opened, day)
    uow.record(RECTIFICATION_ITEM, cmd.item_id, done.on_item)
    uow.record(CLOSURE_DAY, day_id, done.on_day)


@handles(finding.DraftFinding)
def draft_finding(uow: UnitOfWork, cmd: finding.DraftFinding) -> UUID:
    inspection = _inspection(uow, cmd.inspection_id)
    finding_id = uow.new_id()
    uow.record(FINDING, finding_id, finding.draft(inspection, cmd, uow.ctx, finding_id))
    uow.record(INSPECTION, cmd.inspection_id, finding.register(inspection, finding_id, uow.ctx))
    return finding_id


@handles(report.DraftInspectionReport)
def draft_report(uow: UnitOfWork, cmd: report.DraftInspectionReport) -> None:
    state = _inspection(uow, cmd.inspection_id)
    findings = {i: f for i in set(cmd.finding_ids) if (f := uow.find(FINDING, i)) is not None}
    uow.record(INSPECTION, cmd.inspection_id, report.draft(state, cmd, uow.ctx, findings))


@handles(feedback.DraftFeedbackOpinion)
def draft_feedback(uow: UnitOfWork, cmd: feedback.DraftFeedbackOpinion) -> None:
    inspection = _inspection(uow, cmd.inspection_id)
    stream_id = feedback_stream_id(cmd.inspection_id)
    state = uow.find(FEEDBACK, stream_id)
    uow.record(FEEDBACK, stream_id, feedback.draft_opinion(state, cmd, uow.ctx, inspection))


@handles(feedback.DeliverFeedback)
def deliver_feedback(uow: UnitOfWork, cmd: feedback.DeliverFeedback) -> None:
    inspection = _inspection(uow, cmd.inspection_id)
    stream_id = feedback_stream_id(cmd.inspection_id)
    state = uow.find(FEEDBACK, stream_id)
    in_force = uow.policy(inspection.jurisdiction_id, cmd.delivered_on)
    on_feedback, on_inspection = feedback.deliver(state, inspection, cmd, uow.ctx, in_force)
    uow.record(FEEDBACK, stream_id, on_feedback)
    uow.record(INSPECTION, cmd.inspection_id, on_inspection)


@handles(plan.SubmitRectificationPlan)
def submit_plan(uow: UnitOfWork, cmd: plan.SubmitRectificationPlan) -> None:
    state = _inspection(uow, cmd.inspection_id)
    # The plan is checked under the policy version the feedback's clock started with.
    ref = state.rectification_policy
    params = uow.pinned_policy(ref) if ref else uow.policy(state.jurisdiction_id, uow.ctx.today)[1]
    uow.record(INSPECTION, cmd.inspection_id, plan.submit_plan(state, cmd, uow.ctx, params))


@handles(plan.AcceptRectificationPlan)
def accept_plan(uow: UnitOfWork, cmd: plan.AcceptRectificationPlan) -> None:
    state = _inspection(uow, cmd.inspection_id)
    ledger = uow.get(FEEDBACK, feedback_stream_id(cmd.inspection_id), "feedback")
    accepted, items = plan.accept_plan(state, cmd, uow.ctx, ledger)
    uow.warn(*plan.passed_deadlines(state.plan_items, uow.ctx.today))
    uow.record(INSPECTION, cmd.inspection_id, accepted)
    for item_id, events in items.items():
        uow.record(RECTIFICATION_ITEM, item_id, events)


@handles(plan.CloseInspection)
def close_inspection(uow: UnitOfWork, cmd: plan.CloseInspection) -> None:
    state = _inspection(uow, cmd.inspection_id)
    statuses = {
        i: uow.get(RECTIFICATION_ITEM, i, "rectification item").status for i in state.item_ids
    }
    uow.record(INSPECTION, cmd.inspection_id, plan.close(state, cmd, uow.ctx, statuses))

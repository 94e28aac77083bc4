"""Handlers of the inspection's own stream: preparation (authorization, notice, announcement,
stationing), the report, side exits, and the rectification plan and report up to closing."""

from __future__ import annotations

from xuncha.commands.feedback import FEEDBACK, feedback_stream_id
from xuncha.commands.finding import FINDING
from xuncha.commands.group import INSPECTION_GROUP, LEADERSHIP_REGISTER, register_stream_id
from xuncha.commands.handling import Registered, on
from xuncha.commands.inspection import INSPECTION, plan, preparation, report, side_exit
from xuncha.commands.inspection.handling import inspection_of, on_inspection, on_inspection_ctx
from xuncha.commands.rectification import RECTIFICATION_ITEM
from xuncha.commands.unit_of_work import UnitOfWork

# Preparation ---------------------------------------------------------------------------------


def authorize(uow: UnitOfWork, cmd: preparation.AuthorizeGroup) -> None:
    state = inspection_of(uow, cmd.inspection_id)
    group = uow.get(INSPECTION_GROUP, cmd.group_id, "inspection group")
    in_force = uow.policy(state.jurisdiction_id, cmd.window_start)
    done = preparation.authorize_group(state, group, cmd, in_force)
    uow.record(INSPECTION, cmd.inspection_id, done.on_inspection)
    uow.record(INSPECTION_GROUP, cmd.group_id, done.on_group)
    register = register_stream_id(group.jurisdiction_id)
    uow.find(LEADERSHIP_REGISTER, register)  # loaded so the append knows its version
    uow.record(LEADERSHIP_REGISTER, register, done.on_register)


def issue_notice(uow: UnitOfWork, cmd: preparation.IssueInspectionNotice) -> None:
    state = inspection_of(uow, cmd.inspection_id)
    in_force = uow.policy(state.jurisdiction_id, cmd.notice_date)
    events = preparation.issue_notice(state, cmd, uow.ctx, in_force)
    uow.record(INSPECTION, cmd.inspection_id, events)


# The report ----------------------------------------------------------------------------------


def draft_report(uow: UnitOfWork, cmd: report.DraftInspectionReport) -> None:
    state = inspection_of(uow, cmd.inspection_id)
    findings = {i: f for i in set(cmd.finding_ids) if (f := uow.find(FINDING, i)) is not None}
    uow.record(INSPECTION, cmd.inspection_id, report.draft(state, cmd, uow.ctx, findings))


# The rectification plan and report, and closing ----------------------------------------------


def submit_plan(uow: UnitOfWork, cmd: plan.SubmitRectificationPlan) -> None:
    state = inspection_of(uow, cmd.inspection_id)
    # The plan is checked under the policy version the feedback's clock started with.
    ref = state.rectification_policy
    params = uow.pinned_policy(ref) if ref else uow.policy(state.jurisdiction_id, uow.ctx.today)[1]
    uow.record(INSPECTION, cmd.inspection_id, plan.submit_plan(state, cmd, uow.ctx, params))


def accept_plan(uow: UnitOfWork, cmd: plan.AcceptRectificationPlan) -> None:
    state = inspection_of(uow, cmd.inspection_id)
    ledger = uow.get(FEEDBACK, feedback_stream_id(cmd.inspection_id), "feedback")
    accepted, items = plan.accept_plan(state, cmd, uow.ctx, ledger)
    uow.warn(*plan.passed_deadlines(state.plan_items, uow.ctx.today))
    uow.record(INSPECTION, cmd.inspection_id, accepted)
    for item_id, events in items.items():
        uow.record(RECTIFICATION_ITEM, item_id, events)


def close_inspection(uow: UnitOfWork, cmd: plan.CloseInspection) -> None:
    state = inspection_of(uow, cmd.inspection_id)
    statuses = {
        i: uow.get(RECTIFICATION_ITEM, i, "rectification item").status for i in state.item_ids
    }
    uow.record(INSPECTION, cmd.inspection_id, plan.close(state, cmd, uow.ctx, statuses))


HANDLERS: tuple[Registered, ...] = (
    on(preparation.AuthorizeGroup, authorize),
    on(preparation.IssueInspectionNotice, issue_notice),
    on(
        preparation.PublishInspectionAnnouncement,
        on_inspection_ctx(preparation.publish_announcement),
    ),
    on(preparation.StationGroup, on_inspection_ctx(preparation.station_group)),
    on(preparation.EndStationing, on_inspection_ctx(preparation.end_stationing)),
    on(report.DraftInspectionReport, draft_report),
    on(report.ReviewReportByOffice, on_inspection(report.review_by_office)),
    on(report.ReturnReportForRevision, on_inspection(report.return_for_revision)),
    on(report.DeliberateReport, on_inspection(report.deliberate)),
    on(report.ApproveReport, on_inspection_ctx(report.approve)),
    on(report.ExchangeViewsOnFacts, on_inspection_ctx(report.exchange_views)),
    on(report.DecideResultsUse, on_inspection_ctx(report.decide_results_use)),
    on(side_exit.SuspendInspection, on_inspection_ctx(side_exit.suspend)),
    on(side_exit.ResumeInspection, on_inspection_ctx(side_exit.resume)),
    on(side_exit.CancelInspection, on_inspection_ctx(side_exit.cancel)),
    on(plan.SubmitRectificationPlan, submit_plan),
    on(plan.ReturnRectificationPlan, on_inspection(plan.return_plan)),
    on(plan.AcceptRectificationPlan, accept_plan),
    on(plan.SubmitRectificationReport, on_inspection_ctx(plan.submit_report)),
    on(plan.ReturnRectificationReport, on_inspection(plan.return_report)),
    on(plan.AcceptRectificationReport, on_inspection(plan.accept_report)),
    on(plan.CloseInspection, close_inspection),
)

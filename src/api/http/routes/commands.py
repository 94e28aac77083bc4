"""The command endpoints, named after the domain's actions, grouped by area."""

from __future__ import annotations

from fastapi import APIRouter

from xuncha.api.http.routes.factory import CommandSpec, add_command, add_commands
from xuncha.commands import (
    feedback,
    finding,
    policy,
    preparation,
    rectification,
    report,
    round,
    side_exit,
)
from xuncha.commands import rectification_plan as plan
from xuncha.commands.base import Command

# Records kept per inspection: their commands answer this Location (`{id}`: the inspection).
INSPECTION = "/inspections/{id}"


def planning() -> APIRouter:
    r = APIRouter(tags=["planning"])
    add_command(
        r,
        "/policy-versions",
        policy.PublishPolicyVersion,
        summary="Publish a policy version for a jurisdiction",
    )
    add_command(
        r, "/rounds", round.ProposeRound, created="/rounds/{id}", summary="Propose a round (巡察办)"
    )
    add_command(
        r,
        "/rounds/{round_id}/approve",
        round.ApproveRound,
        path_param="round_id",
        summary="Approve a round",
    )
    add_command(
        r,
        "/rounds/{round_id}/inspections",
        round.PlanInspection,
        path_param="round_id",
        created="/inspections/{id}",
        summary="Plan an inspection: assign a target organization to a group",
    )
    add_command(
        r,
        "/rounds/{round_id}/close",
        round.CloseRound,
        path_param="round_id",
        summary="Close a round (all its inspections closed or cancelled, leads cleared)",
    )
    round_specs: list[CommandSpec] = [
        (
            "/file-plan-with-upper-office",
            round.FileRoundPlanWithUpperOffice,
            "File the round's work plan with the upper office (报备)",
        ),
        ("/mobilize", round.MobilizeRound, "Mobilize the round (动员部署会)"),
    ]
    add_commands(r, round_specs, prefix="/rounds/{round_id}", path_param="round_id")
    side_exits: list[CommandSpec] = [
        ("/suspend", side_exit.SuspendInspection, "Suspend an inspection (side-exit)"),
        ("/resume", side_exit.ResumeInspection, "Resume a suspended inspection"),
        ("/cancel", side_exit.CancelInspection, "Cancel an inspection before feedback"),
    ]
    add_commands(r, side_exits, prefix="/inspections/{inspection_id}", path_param="inspection_id")
    return r


def fieldwork() -> APIRouter:
    r = APIRouter(prefix="/inspections/{inspection_id}", tags=["preparation and fieldwork"])
    specs: list[CommandSpec] = [
        ("/authorize-group", preparation.AuthorizeGroup, "Authorize the group (一次一授权)"),
        ("/issue-notice", preparation.IssueInspectionNotice, "Issue the inspection notice"),
        (
            "/publish-announcement",
            preparation.PublishInspectionAnnouncement,
            "Publish the announcement (巡察公告)",
        ),
        ("/station-group", preparation.StationGroup, "Station the group (进驻)"),
        ("/end-stationing", preparation.EndStationing, "End the stationing (撤离)"),
    ]
    add_commands(r, specs, path_param="inspection_id")
    add_command(
        r,
        "/findings",
        finding.DraftFinding,
        path_param="inspection_id",
        created="/findings/{id}",
        summary="Draft a finding (问题底稿)",
    )
    return r


def findings() -> APIRouter:
    r = APIRouter(prefix="/findings/{finding_id}", tags=["findings"])
    specs: list[CommandSpec] = [
        ("/review", finding.ReviewFinding, "Review a finding in the group meeting (组务会)"),
        ("/return", finding.ReturnFinding, "Return a finding for amendment"),
        ("/approve", finding.ApproveFinding, "Approve (sign) a finding: group leader only"),
        ("/amend", finding.AmendFinding, "Amend a finding (a new version)"),
    ]
    add_commands(r, specs, path_param="finding_id")
    return r


def reporting() -> APIRouter:
    r = APIRouter(prefix="/inspections/{inspection_id}", tags=["report and feedback"])
    # (path, command, summary, the record it writes, kept per inspection, if any)
    specs: list[tuple[str, type[Command], str, str | None]] = [
        ("/report", report.DraftInspectionReport, "Draft the inspection report", "/report"),
        (
            "/report/review-by-office",
            report.ReviewReportByOffice,
            "Office review (巡察办审核)",
            None,
        ),
        (
            "/report/return-for-revision",
            report.ReturnReportForRevision,
            "Return the report for revision",
            None,
        ),
        ("/report/deliberate", report.DeliberateReport, "Leading-group deliberation", None),
        ("/report/approve", report.ApproveReport, "Committee approval (审定)", None),
        (
            "/report/exchange-views-on-facts",
            report.ExchangeViewsOnFacts,
            "Exchange views on the facts with the principal (optional)",
            None,
        ),
        (
            "/report/decide-results-use",
            report.DecideResultsUse,
            "Decide how the results are used (成果运用)",
            None,
        ),
        (
            "/feedback/opinion",
            feedback.DraftFeedbackOpinion,
            "Draft the feedback opinion and problem ledger (问题台账)",
            "/feedback",
        ),
        (
            "/feedback/deliver",
            feedback.DeliverFeedback,
            "Deliver feedback (starts the clocks)",
            None,
        ),
    ]
    for path, command, summary, record in specs:
        location = INSPECTION + record if record else None
        add_command(r, path, command, path_param="inspection_id", record=location, summary=summary)
    return r


def rectifying() -> APIRouter:
    r = APIRouter(tags=["rectification"])
    add_command(
        r,
        "/inspections/{inspection_id}/rectification-plan",
        plan.SubmitRectificationPlan,
        path_param="inspection_id",
        record=INSPECTION + "/rectification-plan",
        summary="Submit the rectification plan",
    )
    specs: list[CommandSpec] = [
        ("/rectification-plan/return", plan.ReturnRectificationPlan, "Return the plan"),
        (
            "/rectification-plan/accept",
            plan.AcceptRectificationPlan,
            "Accept the plan: opens one ledger item per plan item, on `accepted_on`",
        ),
        (
            "/rectification-report",
            plan.SubmitRectificationReport,
            "Submit the written rectification report (整改情况报告)",
        ),
        (
            "/rectification-report/return",
            plan.ReturnRectificationReport,
            "Return the rectification report",
        ),
        (
            "/rectification-report/accept",
            plan.AcceptRectificationReport,
            "Accept the rectification report",
        ),
        ("/close", plan.CloseInspection, "Close the inspection (all items closed)"),
    ]
    add_commands(r, specs, prefix="/inspections/{inspection_id}", path_param="inspection_id")
    item_specs: list[CommandSpec] = [
        ("/progress", rectification.ReportItemProgress, "Report progress on an item"),
        ("/request-closure", rectification.RequestItemClosure, "Request closure, with evidence"),
        ("/verify", rectification.VerifyItem, "Verify an item (not the rectifying org)"),
        (
            "/fail-verification",
            rectification.FailItemVerification,
            "Fail verification: back to in progress",
        ),
        ("/close", rectification.CloseItem, "Close an item (销号) after verification"),
    ]
    add_commands(r, item_specs, prefix="/rectification-items/{item_id}", path_param="item_id")
    return r


def routers() -> list[APIRouter]:
    return [planning(), fieldwork(), findings(), reporting(), rectifying()]

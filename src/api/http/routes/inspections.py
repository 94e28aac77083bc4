"""The command endpoints of the inspection's own stream (`commands/inspection`): side exits,
preparation, the report, and the rectification plan and report up to closing."""

from __future__ import annotations

from fastapi import APIRouter

from xuncha.api.http.routes.factory import CommandSpec, add_command, add_commands
from xuncha.commands.base import Command
from xuncha.commands.inspection import plan, preparation, report, side_exit

# Records kept per inspection: their commands answer this Location (`{id}`: the inspection).
INSPECTION = "/inspections/{id}"


def side_exits() -> APIRouter:
    r = APIRouter(tags=["planning"])
    specs: list[CommandSpec] = [
        ("/suspend", side_exit.SuspendInspection, "Suspend an inspection (side-exit)"),
        ("/resume", side_exit.ResumeInspection, "Resume a suspended inspection"),
        ("/cancel", side_exit.CancelInspection, "Cancel an inspection before feedback"),
    ]
    add_commands(r, specs, prefix="/inspections/{inspection_id}", path_param="inspection_id")
    return r


def preparing() -> APIRouter:
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
    return r


def routers() -> list[APIRouter]:
    return [side_exits(), preparing(), reporting(), rectifying()]

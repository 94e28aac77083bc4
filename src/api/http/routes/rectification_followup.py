"""Command endpoints of feedback (joint team, 双反馈, 抄告, acknowledgement, disclosure), the
rectification as a whole and item by item, the follow-up, and the use of results."""

from __future__ import annotations

from fastapi import APIRouter

from xuncha.api.http.routes.factory import CommandSpec, add_command, add_commands
from xuncha.commands import feedback, follow_up, rectification, results
from xuncha.commands.rectification import programme as plan


def feedback_routes() -> APIRouter:
    r = APIRouter(prefix="/inspections/{inspection_id}/feedback", tags=["report and feedback"])
    specs: list[CommandSpec] = [
        ("/joint-team", feedback.FormJointFeedbackTeam, "Form the joint feedback team (联合反馈)"),
        ("/one-to-one", feedback.HoldOneToOneFeedback, "Brief the principal one to one (双反馈)"),
        ("/copies", feedback.SendCopyNotices, "Send copy notices (四抄告)"),
        ("/acknowledge", feedback.AcknowledgeFeedback, "Acknowledge the feedback (principal)"),
        ("/publish", feedback.PublishFeedbackSummary, "Publish the feedback summary"),
    ]
    add_commands(r, specs, path_param="inspection_id")
    return r


def programme_routes() -> APIRouter:
    r = APIRouter(prefix="/inspections/{inspection_id}/rectification", tags=["rectification"])
    specs: list[CommandSpec] = [
        (
            "/taskforce",
            plan.EstablishRectificationTaskforce,
            "Establish the rectification taskforce",
        ),
        (
            "/life-meeting",
            plan.HoldRectificationLifeMeeting,
            "Record the special democratic life meeting (专题民主生活会)",
        ),
        ("/disclose", plan.DiscloseRectification, "Disclose the rectification (党内/社会公开)"),
        (
            "/end-centralized",
            plan.EndCentralizedRectification,
            "End the centralized rectification period (集中整改)",
        ),
        (
            "/start-continuous",
            plan.StartContinuousRectification,
            "Start continuous rectification (持续整改)",
        ),
        ("/summarize", plan.SummarizeRectification, "Summarize the rectification (整改总结)"),
    ]
    add_commands(r, specs, path_param="inspection_id")
    return r


def item_routes() -> APIRouter:
    r = APIRouter(prefix="/rectification-items/{item_id}", tags=["rectification"])
    specs: list[CommandSpec] = [
        (
            "/reclassify-long-term",
            rectification.ReclassifyItemAsLongTerm,
            "Reclassify as long-term (持续整改), with milestones",
        ),
        ("/extend-deadline", rectification.ExtendItemDeadline, "Extend the deadline (approved)"),
        ("/reopen", rectification.ReopenItem, "Reopen after a return visit found it false"),
        (
            "/supervision-notice",
            rectification.IssueSupervisionNotice,
            "Issue a supervision notice (督办单)",
        ),
        (
            "/accountability-talk",
            rectification.HoldAccountabilityTalk,
            "Hold an accountability talk (约谈)",
        ),
    ]
    add_commands(r, specs, path_param="item_id")
    return r


def follow_up_routes() -> APIRouter:
    r = APIRouter(prefix="/inspections/{inspection_id}/follow-up", tags=["follow-up"])
    specs: list[CommandSpec] = [
        ("/return-visits", follow_up.ScheduleReturnVisit, "Schedule a return visit (回访)"),
        ("/return-visits/record", follow_up.RecordReturnVisit, "Record a return visit"),
        ("/evaluate", follow_up.EvaluateRectification, "Evaluate the rectification (整改评估)"),
        ("/re-rectification", follow_up.OrderReRectification, "Order re-rectification"),
        ("/accountability", follow_up.ImposeAccountability, "Impose accountability (问责)"),
    ]
    add_commands(r, specs, path_param="inspection_id")
    return r


def lookback_routes() -> APIRouter:
    r = APIRouter(tags=["follow-up"])
    add_command(
        r,
        "/rounds/{round_id}/lookbacks",
        follow_up.LaunchLookback,
        path_param="round_id",
        created="/inspections/{id}",
        summary="Launch a look-back inspection (回头看), linked to what it looks back at",
    )
    return r


def results_routes() -> APIRouter:
    r = APIRouter(tags=["results and education"])
    add_command(
        r,
        "/inspections/{inspection_id}/shared-results",
        results.PublishSharedResult,
        path_param="inspection_id",
        summary="Share the inspection's result (结果共享), minimized",
    )
    creating: list[CommandSpec] = [
        ("/warning-bulletins", results.IssueWarningBulletin, "Issue a warning bulletin (通报)"),
        ("/confession-books", results.CompileConfessionBook, "Compile a confession book (忏悔录)"),
        (
            "/warning-study-sessions",
            results.HoldWarningStudySession,
            "Record a warning study session",
        ),
        (
            "/sector-rectifications",
            results.RecommendSectorRectification,
            "Recommend sector rectification (行业整顿)",
        ),
    ]
    for path, command, summary in creating:
        add_command(r, path, command, created="/education-records/{id}", summary=summary)
    add_commands(
        r,
        [
            ("/entries", results.AddConfessionEntry, "Add a confession entry"),
            ("/publish", results.PublishConfessionBook, "Publish the confession book"),
        ],
        prefix="/confession-books/{record_id}",
        path_param="record_id",
    )
    return r


def routers() -> list[APIRouter]:
    return [
        feedback_routes(),
        programme_routes(),
        item_routes(),
        follow_up_routes(),
        lookback_routes(),
        results_routes(),
    ]

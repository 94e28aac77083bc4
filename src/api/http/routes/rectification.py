"""The command endpoints of the rectification (`commands/rectification`): the items' progress,
closure, verification and 销号, the programme as a whole, and the items' escalations."""

from __future__ import annotations

from fastapi import APIRouter

from xuncha.api.http.routes.factory import CommandSpec, add_commands
from xuncha.commands import rectification
from xuncha.commands.rectification import programme as plan


def rectifying() -> APIRouter:
    r = APIRouter(tags=["rectification"])
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


def routers() -> list[APIRouter]:
    return [rectifying(), programme_routes(), item_routes()]

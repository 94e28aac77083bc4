"""The command endpoints of the feedback (`commands/feedback`): the opinion and its delivery,
the joint team, 双反馈, 抄告, acknowledgement and summary."""

from __future__ import annotations

from fastapi import APIRouter

from xuncha.api.http.routes.factory import CommandSpec, add_command, add_commands
from xuncha.commands import feedback
from xuncha.commands.base import Command

# Records kept per inspection: their commands answer this Location (`{id}`: the inspection).
INSPECTION = "/inspections/{id}"


def reporting() -> APIRouter:
    r = APIRouter(prefix="/inspections/{inspection_id}", tags=["report and feedback"])
    # (path, command, summary, the record it writes, kept per inspection, if any)
    specs: list[tuple[str, type[Command], str, str | None]] = [
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


def routers() -> list[APIRouter]:
    return [reporting(), feedback_routes()]

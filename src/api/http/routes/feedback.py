"""The command endpoints of the feedback (`commands/feedback`): the opinion and its delivery;
the joint team, 双反馈, 抄告, acknowledgement and summary are in `rectification_followup`."""

from __future__ import annotations

from fastapi import APIRouter

from xuncha.api.http.routes.factory import add_command
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


def routers() -> list[APIRouter]:
    return [reporting()]

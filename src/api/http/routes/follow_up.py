"""The command endpoints of the follow-up (`commands/follow_up`): return visits, evaluation,
re-rectification, accountability, and look-back inspections."""

from __future__ import annotations

from fastapi import APIRouter

from xuncha.api.http.routes.factory import CommandSpec, add_command, add_commands
from xuncha.commands import follow_up


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


def routers() -> list[APIRouter]:
    return [follow_up_routes(), lookback_routes()]

"""The command endpoints of the round (`commands/round`)."""

from __future__ import annotations

from fastapi import APIRouter

from xuncha.api.http.routes.factory import CommandSpec, add_command, add_commands
from xuncha.commands import round


def planning() -> APIRouter:
    r = APIRouter(tags=["planning"])
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
    return r


def routers() -> list[APIRouter]:
    return [planning()]

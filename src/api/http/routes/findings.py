"""The command endpoints of the finding (`commands/finding`)."""

from __future__ import annotations

from fastapi import APIRouter

from xuncha.api.http.routes.factory import CommandSpec, add_command, add_commands
from xuncha.commands import finding


def drafting() -> APIRouter:
    r = APIRouter(prefix="/inspections/{inspection_id}", tags=["preparation and fieldwork"])
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


def routers() -> list[APIRouter]:
    return [drafting(), findings()]

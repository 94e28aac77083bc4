"""Command endpoints of inspection groups (`commands/group`) and cross-inspection arrangements
(`commands/cross`)."""

from __future__ import annotations

from fastapi import APIRouter

from xuncha.api.http.routes.factory import CommandSpec, add_command, add_commands
from xuncha.commands import cross, group


def groups() -> APIRouter:
    r = APIRouter(tags=["inspection groups"])
    add_command(
        r,
        "/groups",
        group.ProposeGroupLeadership,
        created="/groups/{id}",
        summary="Propose a group's leader and deputies (巡察办 with 组织部)",
    )
    specs: list[CommandSpec] = [
        (
            "/recusal-declaration",
            group.SubmitRecusalDeclaration,
            "Declare one's own ties (回避申请书)",
        ),
        ("/clear-recusal", group.ClearRecusal, "Clear declarations without conflicts"),
        ("/recuse-member", group.RecuseMember, "Recuse a person (回避)"),
        ("/form", group.FormInspectionGroup, "Form the group: members, structure, balance"),
        ("/pledge", group.SignConfidentialityPledge, "Sign the confidentiality pledge (保密承诺)"),
        ("/training", group.RecordPreStationingTraining, "Record pre-stationing training"),
        ("/second-inspector", group.SecondInspector, "Second an inspector (市县联动)"),
        ("/dissolve", group.DissolveGroup, "Dissolve the group after fieldwork (office)"),
    ]
    add_commands(r, specs, prefix="/groups/{group_id}", path_param="group_id")
    add_command(
        r,
        "/rounds/{round_id}/cross-arrangement",
        cross.ArrangeCrossInspection,
        path_param="round_id",
        summary="Arrange a cross round's pairs A→B (交叉互巡)",
    )
    return r


def routers() -> list[APIRouter]:
    return [groups()]

"""The command endpoints of petitions (`commands/petition`), the signature of an interview
record (`commands/interview`) and the completion of an immediate rectification
(`commands/immediate_rectification`); they are registered with the fieldwork records
(`routes/fieldwork.py`)."""

from __future__ import annotations

from fastapi import APIRouter

from xuncha.api.http.routes.factory import add_command
from xuncha.commands import immediate_rectification as ir
from xuncha.commands import interview as iv
from xuncha.commands import petition as pt
from xuncha.commands.base import Command


def petitions() -> APIRouter:
    r = APIRouter(tags=["petitions and interviews"])
    specs: list[tuple[str, type[Command], str]] = [
        ("/triage", pt.TriagePetition, "Triage a petition in a group meeting"),
        ("/forward", pt.ForwardPetition, "Forward an out-of-scope petition to a department"),
        (
            "/acknowledge-forward",
            pt.AcknowledgePetitionForward,
            "Acknowledge a forwarded petition (receiving department)",
        ),
        ("/link-finding", pt.LinkPetitionToFinding, "Link an in-scope petition to a finding"),
        ("/link-lead", pt.LinkPetitionToLead, "Link an in-scope petition to a lead (问题线索)"),
        ("/close-no-action", pt.ClosePetitionNoAction, "Close an in-scope petition without action"),
    ]
    for path, command, summary in specs:
        add_command(
            r, "/petitions/{petition_id}" + path, command, path_param="petition_id", summary=summary
        )
    add_command(
        r,
        "/interviews/{interview_id}/sign",
        iv.SignInterviewRecord,
        path_param="interview_id",
        summary="Record the interviewee's signature",
    )
    add_command(
        r,
        "/immediate-rectifications/{item_id}/complete",
        ir.CompleteImmediateRectification,
        path_param="item_id",
        summary="Complete an immediate rectification (still listed in the ledger)",
    )
    return r


def routers() -> list[APIRouter]:
    return [petitions()]

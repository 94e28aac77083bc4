"""The command endpoints of the rectification item's first steps (`commands/rectification`):
progress, closure, verification, 销号; the escalations are in `rectification_followup`."""

from __future__ import annotations

from fastapi import APIRouter

from xuncha.api.http.routes.factory import CommandSpec, add_commands
from xuncha.commands import rectification


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


def routers() -> list[APIRouter]:
    return [rectifying()]

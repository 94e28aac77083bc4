"""The command endpoint of the policy book (`commands/policy`)."""

from __future__ import annotations

from fastapi import APIRouter

from xuncha.api.http.routes.factory import add_command
from xuncha.commands import policy


def planning() -> APIRouter:
    r = APIRouter(tags=["planning"])
    add_command(
        r,
        "/policy-versions",
        policy.PublishPolicyVersion,
        summary="Publish a policy version for a jurisdiction",
    )
    return r


def routers() -> list[APIRouter]:
    return [planning()]

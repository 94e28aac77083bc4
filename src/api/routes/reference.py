"""Reference data: jurisdictions, their organization registries, term coverage plans."""

from __future__ import annotations

from fastapi import APIRouter

from api.routes.factory import add_command
from commands import reference as ref
from commands.base import Command


def routers() -> list[APIRouter]:
    r = APIRouter(tags=["reference data"])
    specs: list[tuple[str, type[Command], str]] = [
        ("/jurisdictions", ref.RegisterJurisdiction, "Register a city, county or district"),
        (
            "/jurisdictions/organizations",
            ref.RegisterOrganization,
            "Register a Party organization in its jurisdiction's registry",
        ),
        (
            "/jurisdictions/organizations/rename",
            ref.RenameOrganization,
            "Rename a registered organization",
        ),
        (
            "/jurisdictions/organizations/deregister",
            ref.DeregisterOrganization,
            "Deregister an abolished or merged organization",
        ),
        ("/coverage-plans", ref.DraftTermCoveragePlan, "Draft the term coverage plan (届内全覆盖)"),
        (
            "/coverage-plans/approve",
            ref.ApproveTermCoveragePlan,
            "Approve the term coverage plan: every registered organization once per term",
        ),
    ]
    for path, command, summary in specs:
        add_command(r, path, command, summary=summary)
    return [r]

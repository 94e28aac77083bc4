"""Reference data: jurisdictions, their organization registries, term coverage plans."""

from __future__ import annotations

from fastapi import APIRouter

from xuncha.api.http.routes.factory import CommandSpec, add_command, add_commands
from xuncha.commands import correction
from xuncha.commands import reference as ref


def routers() -> list[APIRouter]:
    r = APIRouter(tags=["reference data"])
    specs: list[CommandSpec] = [
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
    add_commands(r, specs)
    corrections = APIRouter(tags=["corrections"])
    add_command(
        corrections,
        "/streams/{stream_id}/events-recorded-in-error",
        correction.RecordEventInError,
        path_param="stream_id",
        summary="Record an event as recorded in error (office, with reason and approver)",
    )
    return [r, corrections]

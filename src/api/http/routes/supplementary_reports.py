"""Supplementary reports: special reports, the lead report, the cadre-selection report."""

from __future__ import annotations

from fastapi import APIRouter

from xuncha.api.http.routes.factory import CommandSpec, add_command, add_commands
from xuncha.commands import supplementary_report as sup


def routers() -> list[APIRouter]:
    r = APIRouter(tags=["report and feedback"])
    add_command(
        r,
        "/inspections/{inspection_id}/supplementary-reports",
        sup.DraftSupplementaryReport,
        path_param="inspection_id",
        created="/supplementary-reports/{id}",
        summary="Draft a special, lead or cadre-selection report",
    )
    specs: list[CommandSpec] = [
        ("/redraft", sup.RedraftSupplementaryReport, "Redraft a returned report"),
        ("/review-by-office", sup.ReviewSupplementaryReport, "Office review"),
        ("/return", sup.ReturnSupplementaryReport, "Return for revision"),
        ("/approve", sup.ApproveSupplementaryReport, "Approve: the version is frozen"),
    ]
    add_commands(r, specs, prefix="/supplementary-reports/{report_id}", path_param="report_id")
    return [r]

"""The command endpoints of the use of results (`commands/results`): shared results, warning
bulletins, confession books, warning study sessions, sector rectification."""

from __future__ import annotations

from fastapi import APIRouter

from xuncha.api.http.routes.factory import CommandSpec, add_command, add_commands
from xuncha.commands import results


def results_routes() -> APIRouter:
    r = APIRouter(tags=["results and education"])
    add_command(
        r,
        "/inspections/{inspection_id}/shared-results",
        results.PublishSharedResult,
        path_param="inspection_id",
        summary="Share the inspection's result (结果共享), minimized",
    )
    creating: list[CommandSpec] = [
        ("/warning-bulletins", results.IssueWarningBulletin, "Issue a warning bulletin (通报)"),
        ("/confession-books", results.CompileConfessionBook, "Compile a confession book (忏悔录)"),
        (
            "/warning-study-sessions",
            results.HoldWarningStudySession,
            "Record a warning study session",
        ),
        (
            "/sector-rectifications",
            results.RecommendSectorRectification,
            "Recommend sector rectification (行业整顿)",
        ),
    ]
    for path, command, summary in creating:
        add_command(r, path, command, created="/education-records/{id}", summary=summary)
    add_commands(
        r,
        [
            ("/entries", results.AddConfessionEntry, "Add a confession entry"),
            ("/publish", results.PublishConfessionBook, "Publish the confession book"),
        ],
        prefix="/confession-books/{record_id}",
        path_param="record_id",
    )
    return r


def routers() -> list[APIRouter]:
    return [results_routes()]

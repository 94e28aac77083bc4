"""Endpoints of preparation and fieldwork records (`commands/fieldwork`), the registration of
petitions, interviews and immediate rectifications, and the queries of the fieldwork register
(which also lists the management records, `routes/management.py`, and the petitions,
interviews and immediate rectifications, `routes/petitions.py`)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from xuncha.api.http.access import GROUP, GROUP_INSPECTORS, INSPECTED, OVERSIGHT, Scope, readable_by
from xuncha.api.http.deps import ReadConnection, consistent_read
from xuncha.api.http.routes.factory import add_command
from xuncha.api.http.schemas.common import Page, answer
from xuncha.api.http.schemas.fieldwork import (
    FieldworkRecord,
    ImmediateRectification,
    Interview,
    Petition,
)
from xuncha.commands import fieldwork as fw
from xuncha.commands import immediate_rectification as ir
from xuncha.commands import interview as iv
from xuncha.commands import petition as pt
from xuncha.commands.base import Command
from xuncha.events.base import Role
from xuncha.events.vocabulary import PetitionStatus
from xuncha.projections import fieldwork_register

REGISTER = Depends(consistent_read("fieldwork_register"))
INSPECTION = "/inspections/{inspection_id}"

FIELDWORK: list[tuple[str, type[Command], str]] = [
    ("/briefings", fw.RequestPreInspectionBriefing, "Request a pre-inspection briefing"),
    ("/briefings/receive", fw.RecordBriefingReceived, "Record a briefing received"),
    (
        "/pre-inspection-analysis",
        fw.RecordPreInspectionAnalysis,
        "Record the pre-inspection analysis (三个重点)",
    ),
    ("/work-plan", fw.SubmitGroupWorkPlan, "Submit the group work plan"),
    ("/work-plan/approve", fw.ApproveGroupWorkPlan, "Approve the group work plan"),
    (
        "/temporary-party-branch",
        fw.EstablishTemporaryPartyBranch,
        "Establish the temporary Party branch",
    ),
    ("/mobilization-meeting", fw.HoldMobilizationMeeting, "Hold the mobilization meeting (动员会)"),
    ("/surveys", fw.DistributeSurvey, "Distribute a survey (测评表/问卷)"),
    ("/surveys/results", fw.RecordSurveyResults, "Record survey aggregates (raw data sealed)"),
    ("/work-reports", fw.HearWorkReport, "Hear a work report (听取汇报)"),
    ("/documents/request", fw.RequestDocuments, "Request documents (调阅)"),
    ("/documents/receive", fw.ReceiveDocuments, "Receive documents into custody"),
    ("/documents/return", fw.ReturnDocuments, "Return documents from custody"),
    (
        "/documents/close-custody",
        fw.CloseDocumentCustody,
        "Close the custody ledger (all documents returned)",
    ),
    ("/site-visits", fw.ConductSiteVisit, "Conduct a site visit (e.g. 四不两直)"),
    ("/special-checks", fw.RunSpecialCheck, "Record a special check"),
    ("/group-meetings", fw.HoldGroupMeeting, "Hold a group meeting (组务会)"),
    ("/interim-reports", fw.SubmitInterimReport, "Submit an interim report (边汇报)"),
    ("/interim-bulletins", fw.IssueInterimBulletin, "Issue an interim bulletin (边通报)"),
    (
        "/system-improvements",
        fw.RecommendSystemImprovement,
        "Recommend a system improvement (边完善制度)",
    ),
]

# Commands that create a record of their own (answered 201 with its id and Location).
CREATING = frozenset(
    {
        "/briefings",
        "/surveys",
        "/documents/request",
        "/site-visits",
        "/special-checks",
        "/group-meetings",
    }
)
FIELDWORK_RECORD = "/fieldwork-records/{id}"


def fieldwork() -> APIRouter:
    r = APIRouter(prefix=INSPECTION, tags=["fieldwork records"])
    for path, command, summary in FIELDWORK:
        created = FIELDWORK_RECORD if path in CREATING else None
        add_command(r, path, command, path_param="inspection_id", created=created, summary=summary)
    add_command(
        r,
        "/petitions",
        pt.RegisterPetition,
        path_param="inspection_id",
        created="/petitions/{id}",
        summary="Register a petition (identity and content sealed)",
    )
    add_command(
        r,
        "/interviews",
        iv.ConductInterview,
        path_param="inspection_id",
        created="/interviews/{id}",
        summary="Record an individual talk (≥2 inspectors; sealed)",
    )
    add_command(
        r,
        "/immediate-rectifications",
        ir.RequestImmediateRectification,
        path_param="inspection_id",
        created="/immediate-rectifications/{id}",
        summary="Request an immediate rectification (立行立改)",
    )
    return r


Limit = Annotated[int, Query(ge=1, le=500, description="Page size")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Rows to skip")]


# Fieldwork records are the group's working papers: the bodies overseeing the work and the
# group itself (outside experts only the records and immediate rectifications, within their
# inspections). The inspected organization and its supervising department read only the
# immediate rectifications (立行立改) asked of it.
RECORDS = readable_by(*OVERSIGHT, *GROUP)
SEALED_REGISTERS = readable_by(*OVERSIGHT, *GROUP_INSPECTORS)
IMMEDIATE = readable_by(*OVERSIGHT, *GROUP, *INSPECTED, Role.SUPERVISING_DEPARTMENT)
SCOPE_NOTE = "404 for an inspection outside the reader's scope, as for an unknown one."


def queries() -> APIRouter:
    r = APIRouter(prefix=INSPECTION, tags=["queries"])

    @r.get(
        "/fieldwork-records",
        dependencies=[RECORDS, REGISTER],
        summary="Fieldwork and management records (public data)",
        description=SCOPE_NOTE,
    )
    def list_records(
        inspection_id: UUID,
        conn: ReadConnection,
        scope: Scope,
        type: str | None = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Page[FieldworkRecord]:
        scope.require_inspection(conn, inspection_id)
        found = fieldwork_register.records(conn, inspection_id, type, limit, offset)
        return answer(Page[FieldworkRecord], found)

    @r.get(
        "/petitions",
        dependencies=[SEALED_REGISTERS, REGISTER],
        summary="Petitions by status (no identities, no contents)",
        description=SCOPE_NOTE,
    )
    def list_petitions(
        inspection_id: UUID,
        conn: ReadConnection,
        scope: Scope,
        status: PetitionStatus | None = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Page[Petition]:
        scope.require_inspection(conn, inspection_id)
        found = fieldwork_register.petitions(conn, inspection_id, status, limit, offset)
        return answer(Page[Petition], found)

    @r.get(
        "/interviews",
        dependencies=[SEALED_REGISTERS, REGISTER],
        summary="Interviews and whether their records are signed",
        description=SCOPE_NOTE,
    )
    def list_interviews(
        inspection_id: UUID,
        conn: ReadConnection,
        scope: Scope,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Page[Interview]:
        scope.require_inspection(conn, inspection_id)
        found = fieldwork_register.interviews(conn, inspection_id, limit, offset)
        return answer(Page[Interview], found)

    @r.get(
        "/immediate-rectifications",
        dependencies=[IMMEDIATE, REGISTER],
        summary="Immediate rectifications (立行立改)",
        description=SCOPE_NOTE,
    )
    def list_immediate(
        inspection_id: UUID,
        conn: ReadConnection,
        scope: Scope,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Page[ImmediateRectification]:
        scope.require_inspection(conn, inspection_id)
        found = fieldwork_register.immediate_rectifications(conn, inspection_id, limit, offset)
        return answer(Page[ImmediateRectification], found)

    return r


def routers() -> list[APIRouter]:
    return [fieldwork(), queries()]

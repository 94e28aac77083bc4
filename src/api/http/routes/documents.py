"""Office files: the ledgers as .xlsx (`/…/*.xlsx`, `/exports/*.xlsx`), the documents an
inspection office files as .docx, and the import of a 三清单/整改台账 workbook.

Each file is read through the query and the reader's scope of the GET it mirrors (same
`readable_by`, same 404 outside scope); every spreadsheet export is recorded as
`audit.export_performed`. See docs/documents.md.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from xuncha.api.exports import documents, plan_import, service
from xuncha.api.exports.docx_writer import MEDIA_TYPE as DOCX
from xuncha.api.exports.ledger_import import MAX_FILE_BYTES
from xuncha.api.exports.xlsx import MEDIA_TYPE, stream_file
from xuncha.api.http.access import ReadScope, Scope, command_route
from xuncha.api.http.deps import ContainerDep, CurrentActor, ReadConnection, consistent_read
from xuncha.api.http.errors import FileRefused
from xuncha.api.http.routes import aggregate_records as records
from xuncha.api.http.routes import leads as lead_routes
from xuncha.api.http.routes import queries
from xuncha.api.http.routes import records as shared_routes
from xuncha.api.http.routes.factory import CommandResponse
from xuncha.commands.inspection.plan import SubmitRectificationPlan
from xuncha.events.export import ExportChannel
from xuncha.events.office_day import office_today
from xuncha.events.vocabulary import LeadStage, RectificationItemStatus

# A file answer: its body is the file itself.
BINARY = {"type": "string", "format": "binary"}

LangParam = Annotated[
    Literal["zh", "en"], Query(description="Headers and labels in Chinese (zh) or English (en)")
]
Justification = Annotated[
    str, Query(max_length=2000, pattern=r"^[^\x00]*$", description="Why (recorded with it)")
]
TEXT = r"^[^\x00]*$"
XLSX_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {"content": {MEDIA_TYPE: {"schema": BINARY}}, "description": "The workbook"}
}
RECORDED = (
    " Recorded as `audit.export_performed` (who, what, filters, the read model's log position, "
    "row count); the headers `X-Export-Id`, `X-Export-Rows` and `X-Export-Up-To-Position` say "
    "the same. Headers in Chinese (`lang=en`: English); see docs/documents.md."
)


def _xlsx(
    container: Any,
    scope: ReadScope,
    build: Callable[[], service.Ledger],
    lang: str,
    justification: str,
) -> StreamingResponse:
    done = service.produce(
        container.app,
        scope.actor,
        build(),
        lang="en" if lang == "en" else "zh",
        channel=ExportChannel.HTTP,
        justification=justification,
    )
    return StreamingResponse(
        stream_file(done.path),
        media_type=MEDIA_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{done.filename}"',
            "X-Export-Id": str(done.export_id),
            "X-Export-Rows": str(done.rows),
            "X-Export-Up-To-Position": str(done.position),
        },
    )


def record_spreadsheets() -> APIRouter:
    """One inspection's records as workbooks: the problem ledger, the plan's three lists."""
    r = APIRouter(tags=["documents"])

    @r.get(
        "/inspections/{inspection_id}/feedback/problem-ledger.xlsx",
        dependencies=[records.RECTIFICATION_READERS, records.wait_for(records.FEEDBACK)],
        summary="The feedback's problem ledger (问题台账) as .xlsx",
        description="Read like `GET /inspections/{id}/feedback`." + RECORDED,
        response_class=StreamingResponse,
        responses=XLSX_ANSWER,
    )
    def problem_ledger(
        inspection_id: UUID,
        container: ContainerDep,
        conn: ReadConnection,
        scope: Scope,
        lang: LangParam = "zh",
        justification: Justification = "",
    ) -> StreamingResponse:
        build = partial(service.problem_ledger, conn, scope, inspection_id)
        return _xlsx(container, scope, build, lang, justification)

    @r.get(
        "/inspections/{inspection_id}/rectification-plan/three-lists.xlsx",
        dependencies=[records.RECTIFICATION_READERS, records.wait_for(records.PLANS)],
        summary="The plan's 三清单 as .xlsx (before a plan: the template to fill in)",
        description="Read like `GET /inspections/{id}/rectification-plan`; one row per item of "
        "the latest plan version, in the layout `POST …/rectification-plan/import` reads."
        + RECORDED,
        response_class=StreamingResponse,
        responses=XLSX_ANSWER,
    )
    def three_lists(
        inspection_id: UUID,
        container: ContainerDep,
        conn: ReadConnection,
        scope: Scope,
        lang: LangParam = "zh",
        justification: Justification = "",
    ) -> StreamingResponse:
        build = partial(service.three_lists, conn, scope, inspection_id)
        return _xlsx(container, scope, build, lang, justification)

    return r


def register_spreadsheets() -> APIRouter:
    """The registers as workbooks, filtered like their lists: items, leads, shared results."""
    r = APIRouter(tags=["documents"])

    @r.get(
        "/exports/rectification-ledger.xlsx",
        dependencies=[queries.ITEMS, queries.LEDGER],
        summary="The rectification ledger (整改台账) as .xlsx, filtered like /rectification-items",
        description="Every item in the reader's scope matching the filters." + RECORDED,
        response_class=StreamingResponse,
        responses=XLSX_ANSWER,
    )
    def rectification_ledger(
        container: ContainerDep,
        conn: ReadConnection,
        scope: Scope,
        inspection_id: UUID | None = None,
        organization_id: Annotated[str | None, Query(max_length=64, pattern=TEXT)] = None,
        round_id: UUID | None = None,
        status: RectificationItemStatus | None = None,
        overdue: bool | None = None,
        as_of: queries.AsOf = None,
        lang: LangParam = "zh",
        justification: Justification = "",
    ) -> StreamingResponse:
        f = service.LedgerFilters(inspection_id, organization_id, round_id, status, overdue, as_of)
        today = office_today()
        build = partial(service.rectification, conn, scope, f, today)
        return _xlsx(container, scope, build, lang, justification)

    @r.get(
        "/exports/leads.xlsx",
        dependencies=[lead_routes.READERS, lead_routes.REGISTER],
        summary="The lead register (问题线索台账) as .xlsx, filtered like /leads",
        description="A receiving authority gets the leads transferred to it; a group's people "
        "those of their inspections." + RECORDED,
        response_class=StreamingResponse,
        responses=XLSX_ANSWER,
    )
    def leads(
        container: ContainerDep,
        conn: ReadConnection,
        scope: Scope,
        inspection_id: UUID | None = None,
        round_id: UUID | None = None,
        status: LeadStage | None = None,
        open: bool | None = None,
        lang: LangParam = "zh",
        justification: Justification = "",
    ) -> StreamingResponse:
        f = service.LeadFilters(inspection_id, round_id, status, open)
        build = partial(service.leads, conn, scope, f)
        return _xlsx(container, scope, build, lang, justification)

    @r.get(
        "/exports/shared-results.xlsx",
        dependencies=[shared_routes.SHARED_READERS, shared_routes.SHARED],
        summary="The shared-results record (结果共享) of a year as .xlsx",
        description="Read like `GET /shared-results`: an inspected organization gets its own "
        "records, a supervising department those of the organizations it supervises." + RECORDED,
        response_class=StreamingResponse,
        responses=XLSX_ANSWER,
    )
    def shared_results(
        container: ContainerDep,
        conn: ReadConnection,
        scope: Scope,
        year: Annotated[int, Query(ge=1900, le=9999)],
        organization_id: Annotated[str | None, Query(max_length=64, pattern=TEXT)] = None,
        lang: LangParam = "zh",
        justification: Justification = "",
    ) -> StreamingResponse:
        build = partial(service.shared, conn, scope, year, organization_id)
        return _xlsx(container, scope, build, lang, justification)

    return r


class ImportedItemOut(BaseModel):
    row: int = Field(description="The sheet row it came from")
    ledger_item_no: int
    measures: str
    responsible_leader: str
    responsible_department: str
    deadline: date


class ImportOut(BaseModel):
    """What the import appended (or, with `dry_run`, would append)."""

    sha256: str = Field(description="The file's SHA-256: the import's idempotency key")
    dry_run: bool
    already_imported: bool = Field(description="This file was imported before: nothing new")
    items: list[ImportedItemOut]
    would_append: list[str] = Field(description="Dry run: the event types it would append")
    result: CommandResponse | None = Field(description="The command's answer (not dry)")


IMPORT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
            MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}
IMPORT_DESCRIPTION = (
    "Upload a 三清单/整改台账 workbook (.xlsx) as `multipart/form-data` (field `file`) or as "
    "the raw body. The whole file is checked first; every problem is listed in `errors` "
    "with its row, column and what is wrong in Chinese (`zh`) and English (`en`), and nothing "
    "is appended (422). Encrypted, legacy .xls or macro-carrying files: 415; oversized files, "
    "sheets or zip bombs: 413. The rows become the items of one `SubmitRectificationPlan` "
    "with all its rules; the same file imported twice appends once. Layout and template: "
    "docs/documents.md."
)


async def _upload(request: Request) -> bytes:
    kind = request.headers.get("content-type", "")
    if kind.startswith("multipart/form-data"):
        try:
            form = await request.form(max_files=1, max_fields=5)
        except Exception as error:  # a malformed multipart body
            raise FileRefused(
                400, "malformed_upload", f"malformed multipart body: {error}"
            ) from None
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise FileRefused(422, "no_file", "the form has no `file` part holding the workbook")
        return await upload.read(MAX_FILE_BYTES + 1)
    return await request.body()


def imports() -> APIRouter:
    r = APIRouter(
        tags=["rectification", "documents"],
        route_class=command_route(
            SubmitRectificationPlan.allowed_roles,
            "import a plan",
            SubmitRectificationPlan.__name__,
        ),
    )

    @r.post(
        "/inspections/{inspection_id}/rectification-plan/import",
        summary="Import a 三清单/整改台账 workbook as the rectification plan",
        description=IMPORT_DESCRIPTION,
        openapi_extra=IMPORT_BODY,
        responses={
            413: {"description": "File, sheet or inflated size too large"},
            415: {"description": "Encrypted, legacy .xls or macro-carrying workbook"},
        },
    )
    async def import_plan(
        inspection_id: UUID,
        request: Request,
        response: Response,
        actor: CurrentActor,
        container: ContainerDep,
        dry_run: Annotated[bool, Query(description="Check and decide; append nothing")] = False,
    ) -> ImportOut:
        data = await _upload(request)
        done = await run_in_threadpool(
            plan_import.import_plan, container.app, actor, inspection_id, data, dry_run=dry_run
        )
        if done.result is not None:
            response.headers["X-Xuncha-Position"] = str(done.result.position)
            response.headers["Location"] = f"/inspections/{inspection_id}/rectification-plan"
        return ImportOut.model_validate(plan_import.as_json(done))

    return r


DOCX_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {"content": {DOCX: {"schema": BINARY}}, "description": "The document"}
}
FOOTER = (
    " The footer states the record, the read model's log position and the content hash "
    "(SHA-256 of the record's JSON answer in canonical form; also in `X-Content-Hash` and "
    "`X-Record-Position`). Layout: GB/T 9704 (docs/documents.md)."
)
OVERVIEW = Depends(consistent_read("inspection_overview"))


def _docx(done: documents.Generated) -> Response:
    return Response(
        done.content,
        media_type=DOCX,
        headers={
            "Content-Disposition": f'attachment; filename="{done.filename}"',
            "X-Content-Hash": done.content_hash,
            "X-Record-Position": str(done.position),
        },
    )


def word() -> APIRouter:
    r = APIRouter(tags=["documents"])

    @r.get(
        "/findings/{finding_id}/approval-form.docx",
        dependencies=[records.WORKING_PAPERS, records.wait_for(records.FINDINGS), OVERVIEW],
        summary="The finding's 问题底稿审批单 (.docx)",
        description="Read like `GET /findings/{id}`." + FOOTER,
        response_class=Response,
        responses=DOCX_ANSWER,
    )
    def approval_form(finding_id: UUID, conn: ReadConnection, scope: Scope) -> Response:
        return _docx(documents.approval_form(conn, scope, finding_id))

    @r.get(
        "/inspections/{inspection_id}/feedback/opinion.docx",
        dependencies=[records.RECTIFICATION_READERS, records.wait_for(records.FEEDBACK), OVERVIEW],
        summary="The 反馈意见 with its problem ledger as a table (.docx)",
        description="Read like `GET /inspections/{id}/feedback`." + FOOTER,
        response_class=Response,
        responses=DOCX_ANSWER,
    )
    def feedback_opinion(inspection_id: UUID, conn: ReadConnection, scope: Scope) -> Response:
        return _docx(documents.feedback_opinion(conn, scope, inspection_id))

    @r.get(
        "/inspections/{inspection_id}/rectification-plan/three-lists.docx",
        dependencies=[records.RECTIFICATION_READERS, records.wait_for(records.PLANS), OVERVIEW],
        summary="The plan's 三清单 (.docx)",
        description="Read like `GET /inspections/{id}/rectification-plan`." + FOOTER,
        response_class=Response,
        responses=DOCX_ANSWER,
    )
    def three_lists_docx(inspection_id: UUID, conn: ReadConnection, scope: Scope) -> Response:
        return _docx(documents.three_lists(conn, scope, inspection_id))

    @r.get(
        "/inspections/{inspection_id}/rectification-plan/report-skeleton.docx",
        dependencies=[
            records.RECTIFICATION_READERS,
            records.wait_for(records.PLANS),
            queries.LEDGER,
            OVERVIEW,
        ],
        summary="A rectification report (整改情况报告) skeleton filled from the ledger (.docx)",
        description="The plan as `GET /inspections/{id}/rectification-plan` and its items as "
        "`GET /rectification-items?inspection_id=…` answer them for this reader; the sections "
        "to write are marked 【此处填写】. The content hash covers "
        '`{"plan": …, "items": …}`.' + FOOTER,
        response_class=Response,
        responses=DOCX_ANSWER,
    )
    def report_skeleton(
        inspection_id: UUID,
        conn: ReadConnection,
        scope: Scope,
        as_of: queries.AsOf = None,
    ) -> Response:
        today = as_of or office_today()
        return _docx(documents.report_skeleton(conn, scope, inspection_id, today))

    return r


def routers() -> list[APIRouter]:
    return [record_spreadsheets(), register_spreadsheets(), imports(), word()]

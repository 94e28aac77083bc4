"""Office files: the ledgers as .xlsx (`/…/*.xlsx`, `/exports/*.xlsx`), the documents an
inspection office files as .docx, and the import of a 三清单/整改台账 workbook.

Each file is read through the query and the reader's scope of the GET it mirrors (same
`readable_by`, same 404 outside scope); every spreadsheet export is recorded as
`audit.export_performed`. See docs/documents.md.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from api.access import ReadScope, Scope
from api.deps import ContainerDep, ReadConnection
from api.exports import service
from api.exports.xlsx import MEDIA_TYPE, stream_file
from api.routes import aggregate_records as records
from api.routes import leads as lead_routes
from api.routes import queries
from api.routes import records as shared_routes
from events.export import ExportChannel
from events.vocabulary import LeadStage, RectificationItemStatus

LangParam = Annotated[
    Literal["zh", "en"], Query(description="Headers and labels in Chinese (zh) or English (en)")
]
Justification = Annotated[
    str, Query(max_length=2000, pattern=r"^[^\x00]*$", description="Why (recorded with it)")
]
TEXT = r"^[^\x00]*$"
XLSX_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {"content": {MEDIA_TYPE: {}}, "description": "The workbook"}
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
        container.store,
        scope.actor,
        container.app.clock,
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


def spreadsheets() -> APIRouter:
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
        build = lambda: service.problem_ledger(conn, scope, inspection_id)  # noqa: E731
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
        build = lambda: service.three_lists(conn, scope, inspection_id)  # noqa: E731
        return _xlsx(container, scope, build, lang, justification)

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
        today = datetime.now(UTC).date()
        build = lambda: service.rectification(conn, scope, f, today)  # noqa: E731
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
        build = lambda: service.leads(conn, scope, f)  # noqa: E731
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
        build = lambda: service.shared(conn, scope, year, organization_id)  # noqa: E731
        return _xlsx(container, scope, build, lang, justification)

    return r


def routers() -> list[APIRouter]:
    return [spreadsheets()]

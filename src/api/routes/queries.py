"""Query endpoints: they read only read models, never the event store."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response

from api.deps import CurrentActor, ReadConnection, consistent_read
from commands.errors import NotFound
from projections import inspection_overview, rectification_ledger

router = APIRouter(tags=["queries"])
Limit = Annotated[int, Query(ge=1, le=500, description="Page size")]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
AsOf = Annotated[date | None, Query(description="Reference day for overdue (default: today)")]
OVERVIEW = Depends(consistent_read("inspection_overview"))
LEDGER = Depends(consistent_read("rectification_ledger"))


def _found(row: dict[str, Any] | None, what: str, response: Response) -> dict[str, Any]:
    if row is None:
        raise NotFound(f"{what} does not exist (or the read model has not seen it yet)")
    response.headers["ETag"] = f'"{row["stream_version"]}"'
    return row


def _today(as_of: date | None) -> date:
    return as_of or datetime.now(UTC).date()


@router.get("/rounds", dependencies=[OVERVIEW], summary="Rounds, newest first")
def list_rounds(
    conn: ReadConnection, _: CurrentActor, limit: Limit = 50, offset: Offset = 0
) -> list[dict[str, Any]]:
    return inspection_overview.list_rounds(conn, limit, offset)


@router.get("/rounds/{round_id}", dependencies=[OVERVIEW], summary="One round")
def get_round(
    round_id: UUID, conn: ReadConnection, _: CurrentActor, response: Response
) -> dict[str, Any]:
    return _found(inspection_overview.get_round(conn, round_id), f"round {round_id}", response)


@router.get("/inspections", dependencies=[OVERVIEW], summary="Inspection overview")
def list_inspections(
    conn: ReadConnection,
    _: CurrentActor,
    round_id: UUID | None = None,
    stage: str | None = None,
    organization_id: str | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    return inspection_overview.list_inspections(
        conn,
        round_id=round_id,
        stage=stage,
        organization_id=organization_id,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/inspections/{inspection_id}",
    dependencies=[OVERVIEW],
    summary="One inspection: stage, dates, counts",
)
def get_inspection(
    inspection_id: UUID, conn: ReadConnection, _: CurrentActor, response: Response
) -> dict[str, Any]:
    row = inspection_overview.get_inspection(conn, inspection_id)
    return _found(row, f"inspection {inspection_id}", response)


@router.get(
    "/rectification-items", dependencies=[LEDGER], summary="The rectification ledger (整改台账)"
)
def list_items(
    conn: ReadConnection,
    _: CurrentActor,
    inspection_id: UUID | None = None,
    organization_id: str | None = None,
    round_id: UUID | None = None,
    status: str | None = None,
    overdue: bool | None = None,
    as_of: AsOf = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    return rectification_ledger.list_items(
        conn,
        inspection_id=inspection_id,
        organization_id=organization_id,
        round_id=round_id,
        status=status,
        overdue=overdue,
        as_of=_today(as_of),
        limit=limit,
        offset=offset,
    )


@router.get(
    "/rectification-items/{item_id}", dependencies=[LEDGER], summary="One rectification item"
)
def get_item(
    item_id: UUID,
    conn: ReadConnection,
    _: CurrentActor,
    response: Response,
    as_of: AsOf = None,
) -> dict[str, Any]:
    row = rectification_ledger.get_item(conn, item_id, _today(as_of))
    return _found(row, f"rectification item {item_id}", response)


@router.get(
    "/rectification-summary",
    dependencies=[LEDGER],
    summary="Completion rate (整改完成率), on-time and overdue counts",
)
def rectification_summary(
    conn: ReadConnection,
    _: CurrentActor,
    inspection_id: UUID | None = None,
    organization_id: str | None = None,
    round_id: UUID | None = None,
    as_of: AsOf = None,
) -> dict[str, Any]:
    return rectification_ledger.summary(
        conn,
        inspection_id=inspection_id,
        organization_id=organization_id,
        round_id=round_id,
        as_of=_today(as_of),
    )

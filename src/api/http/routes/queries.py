"""Query endpoints: they read only read models, never the event store.

Each names the roles that may read it and narrows what it shows to the reader's scope
(`api/http/access.py`; docs/security.md, "Roles and scoping").
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BeforeValidator

from xuncha.api.http.access import (
    AUTHORITIES,
    GROUP,
    GROUP_INSPECTORS,
    INSPECTED,
    OVERSIGHT,
    Scope,
    readable_by,
)
from xuncha.api.http.deps import ReadConnection, consistent_read
from xuncha.api.http.schemas.common import Page, answer
from xuncha.api.http.schemas.queries import (
    Inspection,
    RectificationItem,
    RectificationSummary,
    Round,
)
from xuncha.commands.errors import NotFound
from xuncha.events.base import Role
from xuncha.events.office_day import office_today
from xuncha.events.vocabulary import InspectionStage, RectificationItemStatus
from xuncha.projections import inspection_overview, rectification_ledger

router = APIRouter(tags=["queries"])
Limit = Annotated[int, Query(ge=1, le=500, description="Page size")]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


def _iso_day(value: Any) -> Any:
    """Only `YYYY-MM-DD`, as the OpenAPI `date` format says: pydantic would read a number as a
    Unix time."""
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("as_of is a day written YYYY-MM-DD")
    return value


AsOf = Annotated[
    date | None,
    BeforeValidator(_iso_day),
    Query(description="Reference day for overdue, YYYY-MM-DD (default: today)"),
]
OVERVIEW = Depends(consistent_read("inspection_overview"))
LEDGER = Depends(consistent_read("rectification_ledger"))

# Rounds are the committee's plans: the bodies running and overseeing the work, and dashboards.
ROUNDS = readable_by(*OVERSIGHT, *AUTHORITIES, Role.DASHBOARD_READER)
# Inspections: also the group (its own), the inspected organization (its own) and the
# supervising department (the organizations it supervises).
INSPECTIONS = readable_by(
    *OVERSIGHT,
    *AUTHORITIES,
    Role.DASHBOARD_READER,
    *GROUP,
    *INSPECTED,
    Role.SUPERVISING_DEPARTMENT,
)
# The ledger: as inspections, without outside experts (they take no part in rectification).
ITEMS = readable_by(
    *OVERSIGHT,
    *AUTHORITIES,
    Role.DASHBOARD_READER,
    *GROUP_INSPECTORS,
    *INSPECTED,
    Role.SUPERVISING_DEPARTMENT,
)


def _etag(row: dict[str, Any], response: Response) -> dict[str, Any]:
    response.headers["ETag"] = f'"{row["stream_version"]}"'
    return row


def _today(as_of: date | None) -> date:
    return as_of or office_today()


@router.get(
    "/rounds",
    dependencies=[ROUNDS, OVERVIEW],
    summary="Rounds, newest first",
    description="Readers: committee, leading group, office, auditor, discipline commission, "
    "organization department, dashboard reader.",
)
def list_rounds(conn: ReadConnection, limit: Limit = 50, offset: Offset = 0) -> Page[Round]:
    return answer(Page[Round], inspection_overview.list_rounds(conn, limit, offset))


@router.get("/rounds/{round_id}", dependencies=[ROUNDS, OVERVIEW], summary="One round")
def get_round(round_id: UUID, conn: ReadConnection, response: Response) -> Round:
    row = inspection_overview.get_round(conn, round_id)
    if row is None:
        raise NotFound(f"round {round_id} does not exist (or the read model has not seen it yet)")
    return answer(Round, _etag(row, response))


@router.get(
    "/inspections",
    dependencies=[INSPECTIONS, OVERVIEW],
    summary="Inspection overview",
    description="Filtered to the reader's scope: a group's people see the inspections their "
    "group is authorized for, an inspected organization its own, a supervising department "
    "those of the organizations it supervises.",
)
def list_inspections(
    conn: ReadConnection,
    scope: Scope,
    round_id: UUID | None = None,
    stage: InspectionStage | None = None,
    organization_id: str | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[Inspection]:
    found = inspection_overview.list_inspections(
        conn,
        round_id=round_id,
        stage=stage,
        organization_id=organization_id,
        limit=limit,
        offset=offset,
        inspection_ids=scope.inspection_ids,
        organization_ids=scope.organization_ids,
    )
    return answer(Page[Inspection], found)


@router.get(
    "/inspections/{inspection_id}",
    dependencies=[INSPECTIONS, OVERVIEW],
    summary="One inspection: stage, dates, counts",
    description="404 for an inspection outside the reader's scope, as for an unknown one.",
)
def get_inspection(
    inspection_id: UUID, conn: ReadConnection, scope: Scope, response: Response
) -> Inspection:
    row = inspection_overview.get_inspection(conn, inspection_id)
    return answer(Inspection, _etag(scope.visible(row, f"inspection {inspection_id}"), response))


@router.get(
    "/rectification-items",
    dependencies=[ITEMS, LEDGER],
    summary="The rectification ledger (整改台账)",
    description="Filtered to the reader's scope (see `/inspections`).",
)
def list_items(
    conn: ReadConnection,
    scope: Scope,
    inspection_id: UUID | None = None,
    organization_id: str | None = None,
    round_id: UUID | None = None,
    status: RectificationItemStatus | None = None,
    overdue: bool | None = None,
    as_of: AsOf = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[RectificationItem]:
    found = rectification_ledger.list_items(
        conn,
        inspection_id=inspection_id,
        organization_id=organization_id,
        round_id=round_id,
        status=status,
        overdue=overdue,
        as_of=_today(as_of),
        limit=limit,
        offset=offset,
        inspection_ids=scope.inspection_ids,
        organization_ids=scope.organization_ids,
    )
    return answer(Page[RectificationItem], found)


@router.get(
    "/rectification-items/{item_id}",
    dependencies=[ITEMS, LEDGER],
    summary="One rectification item",
    description="404 for an item outside the reader's scope, as for an unknown one.",
)
def get_item(
    item_id: UUID,
    conn: ReadConnection,
    scope: Scope,
    response: Response,
    as_of: AsOf = None,
) -> RectificationItem:
    row = rectification_ledger.get_item(conn, item_id, _today(as_of))
    visible = scope.visible(row, f"rectification item {item_id}")
    return answer(RectificationItem, _etag(visible, response))


@router.get(
    "/rectification-summary",
    dependencies=[ITEMS, LEDGER],
    summary="Completion rate (整改完成率), on-time and overdue counts",
    description="Counts only the items in the reader's scope.",
)
def rectification_summary(
    conn: ReadConnection,
    scope: Scope,
    inspection_id: UUID | None = None,
    organization_id: str | None = None,
    round_id: UUID | None = None,
    as_of: AsOf = None,
) -> RectificationSummary:
    found = rectification_ledger.summary(
        conn,
        inspection_id=inspection_id,
        organization_id=organization_id,
        round_id=round_id,
        as_of=_today(as_of),
        inspection_ids=scope.inspection_ids,
        organization_ids=scope.organization_ids,
    )
    return answer(RectificationSummary, found)

"""Record queries: term coverage (届内全覆盖), shared results for annual evaluation (结果共享)
and the inspector record (巡察干部档案). They read only their read models."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query

from xuncha.api.http.access import AUTHORITIES, GROUP, INSPECTED, OVERSIGHT, Scope, readable_by
from xuncha.api.http.deps import ReadConnection, consistent_read
from xuncha.api.http.schemas.common import Page, answer
from xuncha.api.http.schemas.records import (
    InspectorFigures,
    InspectorRecord,
    SharedResult,
    Term,
    TermDetail,
)
from xuncha.commands.errors import NotFound
from xuncha.events import vocabulary
from xuncha.events.base import Role
from xuncha.projections import inspector_record, shared_results, term_coverage

# PostgreSQL text cannot hold U+0000: such an identifier can name nothing, so it is a 422.
TEXT = r"^[^\x00]+$"
Limit = Annotated[int, Query(ge=1, le=500, description="Page size")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Rows to skip")]
Year = Annotated[int, Path(ge=1900, le=9999, description="Year of publication of the share")]
COVERAGE = Depends(consistent_read("term_coverage"))
SHARED = Depends(consistent_read("shared_results"))
INSPECTORS = Depends(consistent_read("inspector_record"))

COVERAGE_READERS = readable_by(*OVERSIGHT, Role.DASHBOARD_READER)
SHARED_READERS = readable_by(*OVERSIGHT, *AUTHORITIES, *INSPECTED)
RECORD_READERS = readable_by(
    Role.INSPECTION_OFFICE, Role.ORGANIZATION_DEPARTMENT, Role.AUDITOR, *GROUP
)
ROSTER_READERS = readable_by(Role.INSPECTION_OFFICE, Role.ORGANIZATION_DEPARTMENT, Role.AUDITOR)

CoverageSort = Literal[
    "plan_order", "organization_id", "organization_name", "status", "stationed_on"
]
CoverageStatus = vocabulary.CoverageStatus
SharedSort = Literal[
    "organization",
    "year",
    "-year",
    "published_on",
    "-published_on",
    "completion_rate",
    "-completion_rate",
    "findings_total",
    "-findings_total",
]
Grade = vocabulary.EvaluationGrade
InspectorSort = Literal[
    "name",
    "user_id",
    "rounds_served",
    "-rounds_served",
    "commendations",
    "-commendations",
    "penalties",
    "-penalties",
]
PoolStatus = vocabulary.PoolMemberStatus

COVERAGE_FIGURES = """
* **planned**: organizations in the term's coverage plan (the last draft).
* **inspected**: an inspection of the organization, in a round of the plan's jurisdiction (or
  of its parent city: cross, escalated and linked rounds), stationed its group (进驻) on a day
  within the term, and was not cancelled.
* **scheduled**: not inspected; such an inspection, not cancelled and not yet stationed, is
  planned in a round whose planned period overlaps the term.
* **deregistered**: not inspected and since removed from the registry (no longer due).
* **due**: the rest of the plan.
* **coverage_rate** = inspected / (planned − deregistered), 4 decimals, null when nothing is
  left to inspect.
"""

SHARED_FIGURES = """
One record per inspection (one organization in one round) and year of publication: the last
result the inspection office shared that year (`results.inspection_result_shared`).

* **findings_total / findings_by_category**: the approved report's findings, counted once /
  by category (a finding with several tags counts under each), each tag mapped from its
  taxonomy version onto the current taxonomy (四个落实) as on the round dashboard.
* **rectification**: items from the accepted plan when shared; **completion_rate** = closed /
  total (long-term 持续整改 items stay in the denominator); null before any item.
* **leads**: counts only (transferred, disposed, open), as shared; null if not given.
* **evaluation_grade**: the latest rectification evaluation's grade when shared;
  **evaluation**: the latest evaluation done by the end of the record's year, with its score.
* **responsible_leaders**: 责任领导 names, only where the jurisdiction's policy allowed sharing
  them (`share_responsible_leaders`); null otherwise.

The inspected organization's principal and liaison read only their organization's records.
"""

INSPECTOR_FIGURES = """
* **services**: each group the person was named to, with role (leader, deputy, member),
  seconded direction (市县联动) and status: `recused`, `appointed` (group not yet authorized),
  `serving` (authorized, not dissolved), `served` (listed at dissolution), `not_served`.
* **rounds_served**: distinct rounds of services `serving` or `served`; **as_leader /
  as_deputy / as_member** count those services by role.
* **service_evaluations** (鉴定), **training** (with hours where recorded), **recusals**
  (groups the person was recused from), **commendations / penalties / accountability**.
* Recusal declarations show only the kinds of conflict found, never the declared ties.
"""


def coverage() -> APIRouter:
    r = APIRouter(prefix="/coverage", tags=["records"])

    @r.get(
        "/terms",
        dependencies=[COVERAGE_READERS, COVERAGE],
        summary="Term coverage plans (届内全覆盖) with their coverage figures",
        description=COVERAGE_FIGURES,
    )
    def list_terms(
        conn: ReadConnection,
        jurisdiction_id: Annotated[str | None, Query(max_length=64, pattern=TEXT)] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[Term]:
        found = term_coverage.list_terms(
            conn, jurisdiction_id=jurisdiction_id, limit=limit, offset=offset
        )
        return answer(Page[Term], found)

    @r.get(
        "/terms/{term_id}",
        dependencies=[COVERAGE_READERS, COVERAGE],
        summary="One term's coverage: figures and each planned organization's status",
        description="`term_id` is `<jurisdiction_id>:<term>` (the plan id).\n" + COVERAGE_FIGURES,
    )
    def get_term(
        term_id: Annotated[str, Path(max_length=200, pattern=TEXT)],
        conn: ReadConnection,
        status: CoverageStatus | None = None,
        sort: CoverageSort = "plan_order",
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> TermDetail:
        term = term_coverage.get_term(conn, term_id)
        if term is None:
            raise NotFound(f"term coverage plan {term_id} does not exist")
        term["organizations"] = term_coverage.list_organizations(
            conn, term_id, status=status, sort=sort, limit=limit, offset=offset
        )
        return answer(TermDetail, term)

    return r


def shared() -> APIRouter:
    r = APIRouter(prefix="/shared-results", tags=["records"])

    def _scoped(scope: Any, organization_id: str | None) -> tuple[bool, str | None]:
        """An inspected organization reads only its own records."""
        if scope.organization_ids is None:
            return True, organization_id
        own = sorted(scope.organization_ids)
        if organization_id is None and len(own) == 1:
            return True, own[0]
        return organization_id in scope.organization_ids, organization_id

    @r.get(
        "",
        dependencies=[SHARED_READERS, SHARED],
        summary="Shared results for annual evaluation (结果共享), per organization, year, round",
        description=SHARED_FIGURES,
    )
    def list_results(
        conn: ReadConnection,
        scope: Scope,
        organization_id: Annotated[str | None, Query(max_length=64, pattern=TEXT)] = None,
        year: Annotated[int | None, Query(ge=1900, le=9999)] = None,
        round_id: UUID | None = None,
        evaluation_grade: Grade | None = None,
        sort: SharedSort = "organization",
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Page[SharedResult]:
        allowed, organization_id = _scoped(scope, organization_id)
        if not allowed:
            return Page[SharedResult](items=[], total=0, limit=limit, offset=offset)
        found = shared_results.list_results(
            conn,
            organization_id=organization_id,
            year=year,
            round_id=round_id,
            evaluation_grade=evaluation_grade,
            sort=sort,
            limit=limit,
            offset=offset,
        )
        return answer(Page[SharedResult], found)

    @r.get(
        "/{organization_id}/{year}",
        dependencies=[SHARED_READERS, SHARED],
        summary="One organization's shared results of one year (one record per round)",
        description=SHARED_FIGURES,
    )
    def organization_year(
        organization_id: Annotated[str, Path(max_length=64, pattern=TEXT)],
        year: Year,
        conn: ReadConnection,
        scope: Scope,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Page[SharedResult]:
        missing = NotFound(f"no shared result of {organization_id} in {year}")
        allowed, _ = _scoped(scope, organization_id)
        if not allowed:
            raise missing
        found = shared_results.list_results(
            conn,
            organization_id=organization_id,
            year=year,
            round_id=None,
            evaluation_grade=None,
            sort="published_on",
            limit=limit,
            offset=offset,
        )
        if not found["total"]:
            raise missing
        return answer(Page[SharedResult], found)

    return r


def inspectors() -> APIRouter:
    r = APIRouter(prefix="/inspectors", tags=["records"])

    @r.get(
        "",
        dependencies=[ROSTER_READERS, INSPECTORS],
        summary="Inspectors (talent pool and group members) with their record's figures",
        description=INSPECTOR_FIGURES,
    )
    def list_inspectors(
        conn: ReadConnection,
        jurisdiction_id: Annotated[str | None, Query(max_length=64, pattern=TEXT)] = None,
        pool_status: PoolStatus | None = None,
        external: bool | None = None,
        min_rounds_served: Annotated[int | None, Query(ge=0, le=10_000)] = None,
        sort: InspectorSort = "name",
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Page[InspectorFigures]:
        found = inspector_record.list_inspectors(
            conn,
            jurisdiction_id=jurisdiction_id,
            pool_status=pool_status,
            external=external,
            min_rounds_served=min_rounds_served,
            sort=sort,
            limit=limit,
            offset=offset,
        )
        return answer(Page[InspectorFigures], found)

    @r.get(
        "/{person_id}/record",
        dependencies=[RECORD_READERS, INSPECTORS],
        summary="One inspector's record (巡察干部档案): service, evaluations, training, "
        "recusals, rewards and penalties",
        description="`person_id` is the person's user id. Inspectors read only their own "
        "record.\n" + INSPECTOR_FIGURES,
    )
    def record(
        person_id: Annotated[str, Path(max_length=64, pattern=TEXT)],
        conn: ReadConnection,
        scope: Scope,
    ) -> InspectorRecord:
        own = scope.actor.role not in GROUP or scope.actor.user_id == person_id
        row = inspector_record.get_record(conn, person_id) if own else None
        if row is None:
            raise NotFound(f"inspector {person_id} has no record")
        return answer(InspectorRecord, row)

    return r


def routers() -> list[APIRouter]:
    return [coverage(), shared(), inspectors()]

"""Dashboards: the round, rectification and lead figures leaders look at. Each reads only its
own read model (`projections/round_dashboard.py`, `rectification_dashboard.py`,
`lead_dashboard.py`); the definitions of the figures are in docs/read-models.md and in each
endpoint's description."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from pydantic import BeforeValidator

from xuncha.api.http.access import AUTHORITIES, OVERSIGHT, Scope, readable_by
from xuncha.api.http.deps import CurrentActor, ReadConnection, consistent_read
from xuncha.api.http.schemas.common import Page, answer
from xuncha.api.http.schemas.dashboards import (
    LeadDashboard,
    RectificationDashboard,
    RectificationTrend,
    RoundDashboard,
    RoundRow,
)
from xuncha.commands.errors import NotFound
from xuncha.commands.lead import RECEIVERS
from xuncha.events.base import Role
from xuncha.events.office_day import office_today
from xuncha.events.vocabulary import InspectionStage, RoundStage
from xuncha.projections import (
    lead_dashboard,
    rectification_dashboard,
    rectification_ledger,
    round_dashboard,
)

# Dashboards show aggregates: the oversight bodies, dashboard readers and the organization
# department read them all; the discipline commission reads the lead dashboard.
DASHBOARD_READERS = (*OVERSIGHT, Role.DASHBOARD_READER, Role.ORGANIZATION_DEPARTMENT)
# A supervising department (业务主管单位) supervises the rectification of the organizations the
# registry places under it: it reads the rectification dashboard of those only.
RECTIFICATION_READERS = (*DASHBOARD_READERS, Role.SUPERVISING_DEPARTMENT)
LEAD_READERS = (*OVERSIGHT, Role.DASHBOARD_READER, *AUTHORITIES)

# PostgreSQL text cannot hold U+0000: such a filter value can match nothing, so it is a 422.
TEXT = r"^[^\x00]+$"
Limit = Annotated[int, Query(ge=1, le=500, description="Page size")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Rows to skip")]


def _iso_day(value: Any) -> Any:
    """Only `YYYY-MM-DD`: a number would otherwise be read as a Unix time."""
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("as_of is a day written YYYY-MM-DD")
    return value


AsOf = Annotated[
    date | None,
    BeforeValidator(_iso_day),
    Query(
        description="Reference day for overdue and aging, YYYY-MM-DD (default: the offices' "
        "today, China Standard Time)"
    ),
]


def _sort(keys: tuple[str, ...] | list[str] | dict[str, str], default: str) -> Any:
    """A `sort` parameter: one of `keys`, `-key` for descending; anything else is a 422."""
    names = list(keys)
    return Query(
        default,
        pattern=f"^-?({'|'.join(names)})$",
        description=f"Sort key, `-` prefix for descending: {', '.join(names)}",
    )


ROUND_SORT = _sort(round_dashboard.ROUND_SORTS, "-planned_start")
GROUP_SORT = _sort(round_dashboard.GROUP_SORTS, "group_name")
RECT_SORT = _sort(rectification_dashboard.SORTS, "key")
LEAD_ROUND_SORT = _sort(lead_dashboard.ROUND_SORTS, "-open")

ROUNDS_DESCRIPTION = """
Per round, summed over its inspections: `inspections`, `petitions_received` (every registered
petition), `petitions_in_scope` (assessed in scope), `petitions_forwarded` (forwarded to another
department), `interviews_held`, `interview_records_signed`, `findings` (drafted, any status),
`findings_approved` (signed by the group leader, current version), `leads`, `leads_open` (not
closed). Filter by round `stage`; page with `limit`/`offset`.
"""

ROUND_DESCRIPTION = """
The round's `totals` and, per inspection group (a page of `groups`), its inspections with their
stage, and the counts of `GET /dashboards/rounds`, plus:

* `stages`: inspections per stage (see docs/read-models.md for the stages);
* `findings_by_category`: a finding counts once under each of its tags (`untagged` when it has
  none), mapped from the taxonomy version it was written under to the current taxonomy
  (`current_taxonomy`, 四个落实) by the one mapping shared results use too; a tag without a
  mapping counts under its own name. `recorded_as` lists the (taxonomy version, tag) pairs
  behind each category;
* `leads_by_state`: leads per state (`registered` … `closed`);
* each inspection's `stages`: the timeline of the stages it entered, in order, from `planned`
  to `closed` (a suspension and resumption, a return for revision each as it happened), each
  with `entered_on` and `dated_by` (vocabulary `stage_dated_by`): `fact` when the event states
  the day (notice, announcement, stationing, withdrawal, report approval, feedback delivery,
  rectification report, closure), `recorded` when it states none (authorization, report
  drafting, reviews, deliberation, plan steps, suspension…): then the office day (China
  Standard Time) it was recorded. A history entered late can thus show a `recorded` day after
  a later `fact` day.

Filter the inspections by `group_name` or `stage`; sort groups by `sort`.
"""

RECT_DESCRIPTION = """
Rectification items grouped by `group_by`: `organization`, `leader` (责任领导, per organization:
one row per organization and leader) or `supervising_department` (业务主管单位 from the
jurisdiction registry, null when unregistered). The group is named by `key`. Each group has,
and `totals` has for everything in the filter:

* `completion_rate` (整改完成率) = closed ÷ total; long-term (持续整改) items stay in the
  denominator; `completion_rate_excluding_long_term` = closed ÷ (total − long-term); null when
  the denominator is 0;
* `on_time_rate` (按期完成率) = closed on or before the deadline in force ÷ (closed + open items
  whose deadline is before `as_of`); open items not yet due count in neither;
* aging of open items as of `as_of`: `not_overdue` (deadline on or after `as_of`),
  `overdue_1_30`, `overdue_31_90`, `overdue_91_180`, `overdue_over_180` days (`as_of` −
  deadline); `overdue` is their sum beyond `not_overdue`;
* `green`/`yellow`/`red`: the clock's last three-colour warning against the current deadline;
* `reopened` (items reopened at least once), `reopens` (all reopenings), `reopen_rate` =
  reopened ÷ total, `long_term` (open long-term items), `extended`.

A supervising department (业务主管单位) sees only the organizations the registry places under it.
"""

LEAD_DESCRIPTION = """
Leads (问题线索) in the filter:

* `disposal_rate` (线索处置率) = `disposed` ÷ `transferred`: transferred leads with a
  disposition recorded (any 处置方式, 暂存待查 included) or an outcome reported, over leads
  handed to a receiving authority; null when none was transferred;
* `acknowledgement`: lag = acknowledged_on − transferred_on in days over acknowledged leads:
  `average_days`, `p50_days` (median), `max_days`; `open_unacknowledged` = transferred, not
  acknowledged, not closed;
* `dispositions`: disposed leads by their latest category; `four_forms`: by their latest
  四种形态 level (1–4, `none` without one);
* `rounds`: open and closed leads per round (every round; with `inspection_id`, the rounds
  with leads in the filter); `cleared` (见底清零) when none is open, or it has none.

A receiving authority (纪委监委, 组织部) sees only the leads transferred to its organization.
"""


def _today(as_of: date | None) -> date:
    return as_of or office_today()


def _router() -> APIRouter:
    return APIRouter(prefix="/dashboards", tags=["dashboards"])


def round_routes() -> APIRouter:
    """The round dashboard: the rounds, and one round per group and inspection."""
    r = _router()
    rounds = [readable_by(*DASHBOARD_READERS), Depends(consistent_read("round_dashboard"))]

    @r.get(
        "/rounds",
        dependencies=rounds,
        summary="Rounds with their petition, interview, finding and lead counts",
        description=ROUNDS_DESCRIPTION,
    )
    def list_rounds(
        conn: ReadConnection,
        stage: RoundStage | None = None,
        sort: str = ROUND_SORT,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[RoundRow]:
        found = round_dashboard.list_rounds(
            conn, stage=stage, sort=sort, limit=limit, offset=offset
        )
        return answer(Page[RoundRow], found)

    @r.get(
        "/rounds/{round_id}",
        dependencies=rounds,
        summary="Round dashboard: per group, stages, petitions, interviews, findings, leads",
        description=ROUND_DESCRIPTION,
    )
    def get_round(
        round_id: UUID,
        conn: ReadConnection,
        group_name: Annotated[str | None, Query(max_length=200, pattern=TEXT)] = None,
        stage: InspectionStage | None = None,
        sort: str = GROUP_SORT,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> RoundDashboard:
        found = round_dashboard.round_dashboard(
            conn,
            round_id,
            group_name=group_name,
            stage=stage,
            sort=sort,
            limit=limit,
            offset=offset,
        )
        if found is None:
            raise NotFound(f"round {round_id} does not exist (or the read model has not seen it)")
        return answer(RoundDashboard, found)

    return r


def rectification_routes() -> APIRouter:
    """The rectification dashboard and its monthly trend."""
    r = _router()

    @r.get(
        "/rectification",
        dependencies=[
            readable_by(*RECTIFICATION_READERS),
            Depends(consistent_read("rectification_dashboard")),
        ],
        summary="Rectification dashboard: completion and on-time rates, aging, colours",
        description=RECT_DESCRIPTION,
    )
    def rectification(
        conn: ReadConnection,
        scope: Scope,
        group_by: Literal["organization", "leader", "supervising_department"] = "organization",
        as_of: AsOf = None,
        round_id: UUID | None = None,
        inspection_id: UUID | None = None,
        organization_id: Annotated[str | None, Query(max_length=64, pattern=TEXT)] = None,
        responsible_leader: Annotated[str | None, Query(max_length=200, pattern=TEXT)] = None,
        supervising_department: Annotated[str | None, Query(max_length=200, pattern=TEXT)] = None,
        sort: str = RECT_SORT,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> RectificationDashboard:
        found = rectification_dashboard.dashboard(
            conn,
            group_by=group_by,
            as_of=_today(as_of),
            round_id=round_id,
            inspection_id=inspection_id,
            organization_id=organization_id,
            responsible_leader=responsible_leader,
            supervising_department=supervising_department,
            sort=sort,
            limit=limit,
            offset=offset,
            organization_scope=scope.organization_ids,
        )
        return answer(RectificationDashboard, found)

    @r.get(
        "/rectification/trend",
        dependencies=[
            readable_by(*RECTIFICATION_READERS),
            Depends(consistent_read("rectification_ledger")),
        ],
        summary="Rectification items opened and closed per month (the overview's trend)",
        description="Per month, oldest first, the last `months` months that have any: items "
        "`opened` (month of `opened_on`, the day the plan was accepted: its `accepted_on`, which "
        "may be earlier than the day it was recorded) and `closed` (month of the current "
        "`closed_on`; "
        "a reopened item counts again only when closed again); `totals` sums the months shown. "
        "Scoped like "
        "`/dashboards/rectification`.",
    )
    def rectification_trend(
        conn: ReadConnection,
        scope: Scope,
        months: Annotated[int, Query(ge=1, le=120, description="Months shown")] = 24,
    ) -> RectificationTrend:
        rows = rectification_ledger.monthly_trend(
            conn,
            months=months,
            inspection_ids=scope.inspection_ids,
            organization_ids=scope.organization_ids,
        )
        totals = {k: sum(row[k] for row in rows) for k in ("opened", "closed")}
        return answer(RectificationTrend, {"totals": totals, "months": rows})

    return r


def lead_routes() -> APIRouter:
    """The lead dashboard."""
    r = _router()

    @r.get(
        "/leads",
        dependencies=[readable_by(*LEAD_READERS), Depends(consistent_read("lead_dashboard"))],
        summary="Lead dashboard: disposal rate, acknowledgement lag, 四种形态, 见底清零",
        description=LEAD_DESCRIPTION,
    )
    def leads(
        conn: ReadConnection,
        actor: CurrentActor,
        round_id: UUID | None = None,
        inspection_id: UUID | None = None,
        sort: str = LEAD_ROUND_SORT,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> LeadDashboard:
        receiver = actor.organization_id if actor.role in RECEIVERS else None
        found = lead_dashboard.dashboard(
            conn,
            round_id=round_id,
            inspection_id=inspection_id,
            receiver_organization_id=receiver,
            sort=sort,
            limit=limit,
            offset=offset,
        )
        return answer(LeadDashboard, found)

    return r


def routers() -> list[APIRouter]:
    return [round_routes(), rectification_routes(), lead_routes()]

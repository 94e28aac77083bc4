"""Answers of `api/http/routes/dashboards.py`. Every dashboard puts its figures under `totals` and
its rows in a page named after what they are (`groups`, `rounds`); the definitions of the
figures are in docs/read-models.md."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import Field

from xuncha.api.http.schemas.common import Answer, Page
from xuncha.events.vocabulary import (
    Disposition,
    FourForms,
    InspectionStage,
    LeadStage,
    RoundStage,
    RoundType,
    StageDating,
)

StageCounts = dict[InspectionStage, int]


class Counts(Answer):
    """The round dashboard's counts, summed over the inspections of a round or group."""

    petitions_received: int = Field(description="Every registered petition")
    petitions_in_scope: int = Field(description="Petitions assessed in scope")
    petitions_forwarded: int = Field(description="Petitions forwarded to another department")
    interviews_held: int
    interview_records_signed: int
    findings: int = Field(description="Findings drafted (any status)")
    findings_approved: int = Field(description="Signed by the group leader, current version")
    leads: int
    leads_open: int = Field(description="Leads not closed")


class RoundRow(Counts):
    """A round with its counts summed over its inspections."""

    round_id: UUID
    name: str
    jurisdiction_id: str
    round_type: RoundType
    stage: RoundStage
    planned_start: date
    inspections: int


class RoundHead(Answer):
    """The round the dashboard is about."""

    round_id: UUID
    jurisdiction_id: str
    name: str
    round_type: RoundType
    stage: RoundStage
    planned_start: date


class RecordedAs(Answer):
    """A (taxonomy version, tag) pair counted under a category."""

    taxonomy_version: str = Field(description="The taxonomy the finding was written under")
    category: str = Field(description="The tag as recorded under that taxonomy version")
    findings: int


class CategoryCount(Answer):
    """Findings under one category of the current taxonomy (四个落实)."""

    category: str = Field(description="Mapped category, or the tag itself when unmapped")
    findings: int = Field(description="Findings (a finding counts once under each tag)")
    approved: int = Field(description="Of those, approved")
    recorded_as: list[RecordedAs]


class StageEntered(Answer):
    """A stage an inspection entered, and the day it did."""

    stage: InspectionStage
    entered_on: date = Field(description="The day the stage was entered (see `dated_by`)")
    dated_by: StageDating = Field(
        description="`fact`: the date the event states (stationed on, approved on…);"
        " `recorded`: the event states none, so the office day (China Standard Time) it was"
        " recorded"
    )


class InspectionLine(Counts):
    """One inspection of a group."""

    inspection_id: UUID
    organization_id: str
    organization_name: str
    stage: InspectionStage
    stationed_on: date | None
    withdrawn_on: date | None = Field(description="The group is on site between the two days")
    stages: list[StageEntered] = Field(
        description="Every stage the inspection entered, in the order it entered them, from"
        " `planned` on: a suspension and resumption, a return for revision, each as it happened"
    )


class RoundFigures(Counts):
    """Figures of a round or of one of its groups."""

    inspections: int
    stages: StageCounts = Field(description="Inspections per stage")
    findings_by_category: list[CategoryCount]
    leads_by_state: dict[LeadStage, int] = Field(description="Leads per state")


class RoundTotals(RoundFigures):
    """The round's figures."""

    groups: int = Field(description="Inspection groups in the filter")


class GroupRow(RoundFigures):
    """An inspection group with its inspections of the round."""

    group_id: UUID | None = Field(description="null for a group known only by name")
    group_name: str
    inspections_detail: list[InspectionLine]


class RoundDashboard(Answer):
    """The round dashboard."""

    round: RoundHead
    current_taxonomy: str = Field(description="The taxonomy version categories are mapped to")
    totals: RoundTotals
    groups: Page[GroupRow]


class RectificationFigures(Answer):
    """Rectification figures of a group of items, or of everything in the filter."""

    total: int
    closed: int
    closed_on_time: int
    overdue: int = Field(description="Open, deadline before `as_of`")
    not_overdue: int = Field(description="Open, deadline on or after `as_of`")
    overdue_1_30: int = Field(description="Open, `as_of` − deadline of 1-30 days")
    overdue_31_90: int
    overdue_91_180: int
    overdue_over_180: int
    green: int
    yellow: int
    red: int
    reopened: int = Field(description="Items reopened at least once")
    reopens: int = Field(description="All reopenings")
    long_term: int = Field(description="Open long-term (持续整改) items")
    extended: int
    completion_rate: float | None = Field(
        description="整改完成率 = closed ÷ total (long-term items stay in the denominator); "
        "null when total is 0"
    )
    completion_rate_excluding_long_term: float | None = Field(
        description="closed ÷ (total − long_term); null when 0"
    )
    on_time_rate: float | None = Field(
        description="按期完成率 = closed on time ÷ (closed + overdue); null when nothing was due"
    )
    reopen_rate: float | None = Field(description="reopened ÷ total; null when total is 0")


class RectificationGroup(RectificationFigures):
    """One group of items: an organization, a 责任领导 of an organization, or a 业务主管单位."""

    key: str | None = Field(
        description="The organization id, the leader's name or the supervising department "
        "(null: organizations without one)"
    )
    organization_id: str | None = Field(
        default=None, description="With `group_by` organization or leader"
    )
    organization_name: str | None = Field(
        default=None, description="With `group_by` organization or leader"
    )
    organizations: int | None = Field(
        default=None, description="With `group_by` supervising_department: organizations"
    )


class RectificationDashboard(Answer):
    """The rectification dashboard."""

    as_of: date = Field(description="Reference day for overdue and aging")
    group_by: Literal["organization", "leader", "supervising_department"]
    totals: RectificationFigures
    groups: Page[RectificationGroup]


class Acknowledgement(Answer):
    """Acknowledgement lag = acknowledged_on − transferred_on, in days."""

    acknowledged: int
    open_unacknowledged: int = Field(description="Transferred, not acknowledged, not closed")
    average_days: float | None = Field(description="2 decimals; null without acknowledgements")
    p50_days: float | None = Field(description="Median (interpolated)")
    max_days: int | None


class LeadTotals(Answer):
    """Figures of the leads in the filter."""

    total: int
    open: int = Field(description="Not closed")
    cleared: bool = Field(description="见底清零: no open lead")
    transferred: int = Field(description="Handed to a receiving authority")
    disposed: int = Field(description="Transferred, with a disposition or an outcome")
    disposal_rate: float | None = Field(
        description="线索处置率 = disposed ÷ transferred, 4 decimals; null when none transferred"
    )
    acknowledgement: Acknowledgement
    dispositions: dict[Disposition, int] = Field(description="Disposed leads by latest 处置方式")
    four_forms: dict[FourForms, int] = Field(
        description="Disposed leads by latest 四种形态 level (`1`-`4`, `none`)"
    )


class LeadRound(Answer):
    """A round with its open and closed leads."""

    round_id: UUID
    name: str
    planned_start: date
    stage: RoundStage
    total: int
    open: int
    closed: int
    cleared: bool = Field(description="见底清零: no open lead (or none at all)")


class LeadDashboard(Answer):
    """The lead dashboard."""

    totals: LeadTotals
    rounds: Page[LeadRound]


class MonthCounts(Answer):
    """Rectification items opened and closed in one month."""

    month: str = Field(description="YYYY-MM")
    opened: int = Field(
        description="Items opened in the month: their `opened_on`, the day the plan was accepted"
    )
    closed: int = Field(description="Items whose current closure (销号) falls in the month")


class TrendTotals(Answer):
    """The months shown, summed."""

    opened: int
    closed: int


class RectificationTrend(Answer):
    """Monthly trend of rectification items, oldest month first."""

    totals: TrendTotals = Field(description="Sums over `months`")
    months: list[MonthCounts]

"""Answers of `api/http/routes/records.py`: term coverage (届内全覆盖), shared results
(结果共享) and the inspector record (巡察干部档案). The figures are defined in
docs/read-models.md."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import Field

from xuncha.api.http.schemas.common import Answer, Page
from xuncha.events.pool import ExpertCategory
from xuncha.events.vocabulary import (
    CoverageStatus,
    EvaluationGrade,
    GroupRole,
    PoolMemberStatus,
    RecusalKind,
    SanctionKind,
    ServiceGrade,
    ServiceStatus,
)

IN_ERROR = "Why the event behind this entry was recorded in error; null when it stands"


class CoverageFigures(Answer):
    """A term's coverage figures."""

    planned: int = Field(description="Organizations in the term's coverage plan (last draft)")
    inspected: int = Field(description="Stationed (进驻) within the term, not cancelled")
    scheduled: int = Field(description="Not inspected; an inspection is planned in the term")
    due: int = Field(description="The rest of the plan")
    deregistered: int = Field(description="Not inspected and since deregistered")
    feedback_delivered: int = Field(description="Inspected and given feedback")
    coverage_rate: float | None = Field(
        description="inspected ÷ (planned − deregistered), 4 decimals; null when nothing is "
        "left to inspect"
    )


class Term(CoverageFigures):
    """A term coverage plan (`term_id` = `<jurisdiction_id>:<term>`) with its figures."""

    term_id: str
    jurisdiction_id: str
    term: str
    term_start: date
    term_end: date
    approved: bool = Field(description="The committee approved the plan")
    drafts: int = Field(description="Drafts of the plan (a redraft replaces the list)")


class PlannedOrganization(Answer):
    """One organization of a term's plan and its coverage status."""

    plan_id: str
    organization_id: str
    position: int = Field(description="Order in the plan")
    organization_name: str
    organization_type: str | None
    active: bool = Field(description="Still in the registry")
    status: CoverageStatus
    inspection_id: UUID | None = Field(description="The earliest inspection that covered it")
    round_id: UUID | None
    stationed_on: date | None
    feedback_delivered_on: date | None
    closed_on: date | None
    inspections: int | None = Field(description="Inspections that covered it in the term")
    scheduled_inspection_id: UUID | None
    scheduled_round_id: UUID | None


class TermDetail(Term):
    """A term with a page of its planned organizations."""

    organizations: Page[PlannedOrganization]


class SharedRectification(Answer):
    """Rectification as shared: counts of the plan's items."""

    items_total: int = Field(description="Items of the accepted plan")
    items_closed: int = Field(description="Items closed (销号)")
    items_long_term: int = Field(description="Long-term (持续整改) items, not closed")
    items_reopened: int
    items_extended: int
    completion_rate: float | None = Field(
        description="items_closed ÷ items_total (long-term items stay in the denominator)"
    )


class SharedLeads(Answer):
    """Lead counts as shared (never names or allegations)."""

    transferred: int
    disposed: int
    open: int


class SharedEvaluation(Answer):
    """The latest rectification evaluation done by the end of the record's year."""

    evaluation_no: int
    evaluated_on: date
    score: float
    grade: EvaluationGrade


class SharedResult(Answer):
    """What the office shared for one inspection in one year (its last share that year)."""

    organization_id: str
    organization_name: str
    year: int = Field(description="Year of `published_on`")
    round_id: UUID
    inspection_id: UUID
    result_id: UUID
    sequence: int = Field(description="The inspection's share number (the last one counts)")
    basis: Literal["report_approved", "evaluated"]
    published_on: date
    findings_total: int = Field(description="Findings of the approved report")
    findings_by_category: dict[str, int] = Field(
        description="Findings per tag (a finding with several tags counts under each)"
    )
    rectification: SharedRectification | None = Field(description="null before the plan")
    leads: SharedLeads | None = Field(description="null when not given")
    evaluation_grade: EvaluationGrade | None = Field(
        description="The latest evaluation's grade when shared"
    )
    evaluation: SharedEvaluation | None
    responsible_leaders: list[str] | None = Field(
        description="责任领导 names, only where the policy allowed sharing them"
    )
    recorded_in_error: str | None = Field(description=IN_ERROR)


class InspectorFigures(Answer):
    """A person in the talent pool or named to a group, with their record's figures."""

    user_id: str
    name: str | None
    member_id: UUID | None = Field(description="Talent-pool member id")
    jurisdiction_id: str | None
    employer_organization: str | None
    external: bool = Field(description="An outside expert")
    expert_category: ExpertCategory | None
    pool_status: PoolMemberStatus | None
    rounds_served: int = Field(description="Distinct rounds of services serving or served")
    as_leader: int
    as_deputy: int
    as_member: int
    evaluations: int = Field(description="Service evaluations (鉴定) that stand")
    trainings: int
    training_hours: int
    recusals: int = Field(description="Recusals (回避) from a group")
    commendations: int
    penalties: int
    accountability: int


class ServiceInspection(Answer):
    """An inspection the group was authorized for."""

    inspection_id: UUID
    organization_id: str
    window_start: date | None
    window_end: date | None


class Service(Answer):
    """One group the person was named to."""

    user_id: str
    group_id: UUID
    group_name: str
    round_id: UUID
    jurisdiction_id: str
    role: GroupRole
    external: bool
    seconded: str | None = Field(description="Seconded direction (市县联动)")
    status: ServiceStatus
    dissolved_on: date | None
    inspections: list[ServiceInspection]


class ServiceEvaluation(Answer):
    """鉴定 written for the person at the end of a service."""

    group_id: UUID
    member_id: UUID
    grade: ServiceGrade
    text: str
    sent_to: str
    issued_on: date
    recorded_in_error: str | None = Field(description=IN_ERROR)


class Training(Answer):
    """Training: the group's before stationing, or 巡前集中学习/外出培训/跟班学习."""

    kind: str
    title: str
    provider: str | None
    completed_on: date
    hours: int | None
    group_id: UUID | None
    inspection_id: UUID | None
    recorded_in_error: str | None = Field(description=IN_ERROR)


class RecusalEntry(Answer):
    """A declaration, clearance or recusal; only the kinds of conflict, never the ties."""

    kind: RecusalKind
    group_id: UUID | None
    inspection_id: UUID | None
    on_day: date | None
    conflict_kinds: list[str] | None
    reason: str | None
    recorded_in_error: str | None = Field(description=IN_ERROR)


class Sanction(Answer):
    """A commendation, penalty or accountability decision."""

    kind: SanctionKind
    inspection_id: UUID
    measure: str | None
    reason: str
    decided_on: date
    recorded_in_error: str | None = Field(description=IN_ERROR)


class InspectorRecord(InspectorFigures):
    """巡察干部档案: the figures and every entry behind them."""

    services: list[Service]
    service_evaluations: list[ServiceEvaluation]
    training: list[Training]
    recusal_history: list[RecusalEntry]
    rewards_and_penalties: list[Sanction]

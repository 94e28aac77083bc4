"""Response models of the pool, fieldwork and education records behind each id
(`routes/aggregate_records.py`); the shared parts are in `routes/record_models.py`."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import Field, JsonValue

from xuncha.api.http.routes.record_models import SEALED, STREAM_VERSION, Corrected, Sealed
from xuncha.api.http.schemas.common import FREE_FORM, View
from xuncha.events.vocabulary import (
    EducationRecordKind,
    EducationRecordStatus,
    ImmediateRectificationStatus,
    PetitionStatus,
    PoolMemberStatus,
    ServiceGrade,
)

# Talent pool --------------------------------------------------------------------------------


class ProfileOut(View):
    user_id: str
    name: str
    specialties: list[str]
    seniority_years: int
    birth_year: int
    gender: str
    temperament: str
    home_jurisdiction: str
    employer_organization: str


class StatusChangeOut(View):
    status: PoolMemberStatus
    reason: str | None
    at: datetime


class ServiceEvaluationOut(View):
    user_id: str
    group_id: UUID
    grade: ServiceGrade
    text: str
    sent_to: str
    issued_on: date


class PoolMemberOut(Corrected):
    """A member of the talent pool (人才库); declared ties to organizations are not shown."""

    member_id: UUID
    jurisdiction_id: str
    profile: ProfileOut
    external: bool = Field(description="An outside expert (外聘专家)")
    expert_category: str | None
    nominating_organization: str | None
    status: PoolMemberStatus = Field(description="nominated, admitted, suspended or removed")
    status_changes: list[StatusChangeOut]
    service_evaluations: list[ServiceEvaluationOut]
    stream_version: int = Field(description=STREAM_VERSION)


class DrawCandidateOut(View):
    member_id: UUID
    user_id: str
    specialties: list[str]
    external: bool
    home_jurisdiction: str
    organizations: list[str] = Field(description="Organizations the candidate is tied to")


class DrawFiltersOut(View):
    specialties_any: list[str]
    include_external: bool
    exclude_organizations: list[str]
    exclude_home_jurisdictions: list[str]
    exclude_user_ids: list[str]


class DrawOut(Corrected):
    """A random draw from the pool: re-derive it with `xuncha draw verify <id>`."""

    draw_id: UUID
    jurisdiction_id: str
    round_id: UUID | None
    group_id: UUID | None
    purpose: str
    candidates: list[DrawCandidateOut] = Field(description="The candidate set drawn from")
    filters: DrawFiltersOut
    count: int = Field(description="How many were to be drawn")
    seed: str
    algorithm: str
    algorithm_version: int
    drawn: list[UUID] = Field(description="The result: member ids drawn, in order")
    digest: str
    drawn_at: datetime
    drawn_by: str
    stream_version: int = Field(description=STREAM_VERSION)


# Fieldwork ----------------------------------------------------------------------------------


class PetitionOut(View):
    """A petition (信访件) without the petitioner's identity or the content (sealed)."""

    petition_id: UUID
    inspection_id: UUID
    channel: str
    received_on: date
    anonymous: bool
    status: PetitionStatus
    in_scope: bool | None
    forwarded_to: str | None
    forwarded_on: date | None
    acknowledged_on: date | None
    finding_ids: list[UUID]
    lead_ids: list[UUID]
    petitioner: Sealed = Field(SEALED, description="Sealed: read through /sealed-records")
    content: Sealed = Field(SEALED, description="Sealed: read through /sealed-records")
    stream_version: int = Field(description=STREAM_VERSION)


class InterviewOut(View):
    """An individual talk (个别谈话) without the interviewee or the record (sealed)."""

    interview_id: UUID
    inspection_id: UUID
    interviewers: list[str]
    category: str
    conducted_on: date
    signed: bool
    signed_on: date | None
    interviewee: Sealed = Field(SEALED, description="Sealed: read through /sealed-records")
    record: Sealed = Field(SEALED, description="Sealed: read through /sealed-records")
    stream_version: int = Field(description=STREAM_VERSION)


class ImmediateRectificationOut(View):
    """An immediate rectification (立行立改)."""

    item_id: UUID
    inspection_id: UUID
    organization_id: str
    problem: str
    measures: str
    finding_id: UUID | None
    requested_on: date
    status: ImmediateRectificationStatus = Field(description="requested or completed")
    completed_on: date | None
    outcome: str | None
    stream_version: int = Field(description=STREAM_VERSION)


class FieldworkEventOut(View):
    position: int
    type: str
    occurred_at: datetime
    actor_user_id: str
    data: dict[str, JsonValue] = Field(
        description="Public payload (sealed fields: [sealed]). Free-form: the fields of the "
        "event type named beside it, which differ from one type to another",
        json_schema_extra=FREE_FORM,
    )


class FieldworkRecordOut(View):
    """A fieldwork or management record: a briefing, survey, document request, site visit,
    special check, group meeting, leave or instruction, with its events."""

    record_id: UUID
    inspection_id: UUID
    kind: str = Field(description="The type of the event that created it")
    events: list[FieldworkEventOut]


# Warning education --------------------------------------------------------------------------


class ConfessionEntryOut(View):
    entry_no: int
    subject_label: str
    text: str
    case_ref: str


class EducationRecordOut(Corrected):
    """A warning bulletin, confession book, warning study session or sector rectification
    recommendation; fields that do not apply to its kind are null."""

    record_id: UUID
    kind: EducationRecordKind = Field(
        description="bulletin, confession_book, study_session, sector_rectification"
    )
    status: EducationRecordStatus = Field(
        description="recorded; a confession book: compiled or published"
    )
    title: str | None = None
    case_summaries: list[str] | None = None
    audience: str | None = None
    issued_on: date | None = None
    organization_id: str | None = None
    held_on: date | None = None
    participants: int | None = None
    materials: list[str] | None = None
    sector: str | None = None
    recipient_department: str | None = None
    problems: str | None = None
    inspection_ids: list[UUID] | None = None
    recommended_on: date | None = None
    entries: list[ConfessionEntryOut] = Field(description="A confession book's entries")
    published_on: date | None
    recorded_at: datetime
    recorded_by: str
    stream_version: int = Field(description=STREAM_VERSION)

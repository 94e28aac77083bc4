"""Events of an inspection's preparation and fieldwork records (准备 and 进驻), and of its
"1+5" measures while inspecting (边汇报, 立行立改, 边通报, 边完善制度).

They live on a per-inspection `fieldwork` stream (its id derived from the inspection's), so
the `inspection` stream keeps only the lifecycle stages (DOMAIN.md §3.2). Immediate
rectifications (立行立改) are their own `immediate_rectification` streams, one per matter.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import UUID

from xuncha.events.base import Contract, DomainEvent
from xuncha.events.registry import event


class ReceivedDocument(Contract):
    """One document taken into the group's custody (交接手续)."""

    doc_no: str
    title: str
    copies: int


class SurveyFigure(Contract):
    """One aggregate of an anonymous survey: how many answered an option, and their share."""

    item: str
    count: int
    share_percent: int


# Preparation (准备) --------------------------------------------------------------------------


@event("fieldwork.briefing_requested")
class BriefingRequested(DomainEvent):
    """分析研判: a department is asked for what it knows about the target (2015 Art. 21)."""

    inspection_id: UUID
    briefing_id: UUID
    provider: str
    subject: str
    requested_on: date


@event("fieldwork.briefing_received")
class BriefingReceived(DomainEvent):
    """The department's briefing; its content is classified and kept sealed."""

    sealed_fields: ClassVar[frozenset[str]] = frozenset({"content"})
    inspection_id: UUID
    briefing_id: UUID
    provider: str
    classification: str
    received_on: date
    content: str


@event("fieldwork.pre_inspection_analysis_recorded")
class PreInspectionAnalysisRecorded(DomainEvent):
    """三个重点: key persons, key matters and key problems, tagged with a focus taxonomy."""

    sealed_fields: ClassVar[frozenset[str]] = frozenset({"key_persons"})
    inspection_id: UUID
    analysis_no: int
    focus_areas: list[str]
    key_persons: list[str]
    key_matters: list[str]
    key_problems: list[str]
    taxonomy_version: str


class WorkPlanContent(Contract):
    """巡察组工作方案: focus, methods (interviews, documents, sites), schedule, 分工."""

    focus: str
    interview_list: list[str]
    document_list: list[str]
    sites: list[str]
    schedule: str
    division_of_labor: str


@event("fieldwork.group_work_plan_submitted")
class GroupWorkPlanSubmitted(DomainEvent):
    inspection_id: UUID
    plan_version: int
    content: WorkPlanContent


@event("fieldwork.group_work_plan_approved")
class GroupWorkPlanApproved(DomainEvent):
    inspection_id: UUID
    plan_version: int


@event("fieldwork.temporary_party_branch_established")
class TemporaryPartyBranchEstablished(DomainEvent):
    """临时党支部 of the group."""

    inspection_id: UUID
    secretary_user_id: str
    member_user_ids: list[str]
    established_on: date


# Fieldwork (进驻) ----------------------------------------------------------------------------


@event("fieldwork.mobilization_meeting_held")
class MobilizationMeetingHeld(DomainEvent):
    """动员会: the principal presides; the group leader speaks."""

    inspection_id: UUID
    held_on: date
    presided_by: str
    attendees: list[str]
    speeches: list[str]


@event("fieldwork.survey_distributed")
class SurveyDistributed(DomainEvent):
    """测评表/问卷 handed out."""

    inspection_id: UUID
    survey_id: UUID
    instrument: str
    distributed: int
    distributed_on: date


@event("fieldwork.survey_results_recorded")
class SurveyResultsRecorded(DomainEvent):
    """Aggregates of anonymous answers; the raw answers stay sealed in the store."""

    sealed_fields: ClassVar[frozenset[str]] = frozenset({"raw_data"})
    inspection_id: UUID
    survey_id: UUID
    responses: int
    aggregates: list[SurveyFigure]
    raw_data: str
    recorded_on: date


@event("fieldwork.work_report_heard")
class WorkReportHeard(DomainEvent):
    """听取汇报: from the principal, or a 专题汇报 by discipline or organization staff."""

    inspection_id: UUID
    heard_on: date
    reporter_kind: str
    reporter: str
    summary: str
    self_identified_problem_share: int | None
    below_norm: bool


@event("fieldwork.documents_requested")
class DocumentsRequested(DomainEvent):
    inspection_id: UUID
    request_id: UUID
    items: list[str]
    requested_on: date


@event("fieldwork.documents_received")
class DocumentsReceived(DomainEvent):
    """Documents enter the group's custody ledger."""

    inspection_id: UUID
    request_id: UUID
    documents: list[ReceivedDocument]
    received_on: date
    handed_over_by: str


@event("fieldwork.documents_returned")
class DocumentsReturned(DomainEvent):
    inspection_id: UUID
    doc_nos: list[str]
    returned_on: date
    received_back_by: str


@event("fieldwork.document_custody_closed")
class DocumentCustodyClosed(DomainEvent):
    """Every document received has been returned; no more documents are taken in."""

    inspection_id: UUID
    closed_on: date
    documents_returned: int


@event("fieldwork.site_visit_conducted")
class SiteVisitConducted(DomainEvent):
    """深入调研: a visit, e.g. 四不两直 or 下沉 to a subordinate unit."""

    inspection_id: UUID
    visit_id: UUID
    site: str
    method: str
    visited_on: date
    visitors: list[str]
    notes: str


@event("fieldwork.special_check_completed")
class SpecialCheckCompleted(DomainEvent):
    inspection_id: UUID
    check_id: UUID
    subject: str
    conducted_by: list[str]
    summary: str
    completed_on: date


@event("fieldwork.group_meeting_held")
class GroupMeetingHeld(DomainEvent):
    """组务会: decisions on findings, petitions and leads reference its `meeting_id`."""

    inspection_id: UUID
    meeting_id: UUID
    meeting_no: int
    held_on: date
    agenda: list[str]
    decisions: list[str]
    attendees: list[str]


# "1+5" while inspecting ----------------------------------------------------------------------


@event("fieldwork.interim_report_submitted")
class InterimReportSubmitted(DomainEvent):
    """边汇报 to the leading group; serious matters are flagged for immediate report."""

    inspection_id: UUID
    report_no: int
    submitted_on: date
    summary: str
    serious_matters: list[str]
    immediate: bool


@event("fieldwork.interim_bulletin_issued")
class InterimBulletinIssued(DomainEvent):
    """边通报 by the leading group."""

    inspection_id: UUID
    bulletin_no: int
    issued_on: date
    audience: str
    content: str


@event("fieldwork.system_improvement_recommended")
class SystemImprovementRecommended(DomainEvent):
    """边完善制度: addressed to the inspected organization or its supervising department."""

    inspection_id: UUID
    recommendation_no: int
    addressee_kind: str
    addressee_organization_id: str
    recommendation: str
    recommended_on: date


@event("immediate_rectification.requested")
class ImmediateRectificationRequested(DomainEvent):
    """立行立改: fixed at once during fieldwork, yet still listed in the report and ledger."""

    item_id: UUID
    inspection_id: UUID
    organization_id: str
    problem: str
    measures: str
    finding_id: UUID | None
    requested_on: date


@event("immediate_rectification.completed")
class ImmediateRectificationCompleted(DomainEvent):
    item_id: UUID
    inspection_id: UUID
    completed_on: date
    outcome: str
    evidence_refs: list[str]

"""成果运用: the shared result record (an integration event with a minimized payload) and the
warning-education outputs (通报, 忏悔录, 警示教育, 行业整顿)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID

from xuncha.events.base import Contract, DomainEvent
from xuncha.events.registry import event, upcaster


class ShareBasis(StrEnum):
    REPORT_APPROVED = "report_approved"
    EVALUATED = "evaluated"


class TagCountV1(Contract):
    """Version 1 of `findings_by_tag`: without the taxonomy the tag belongs to."""

    tag: str
    count: int


class TagCount(Contract):
    """Findings counted under one tag of one taxonomy version (a finding counts under each of
    its tags); None: shared by v1, which did not keep the version."""

    taxonomy_version: str | None
    tag: str
    count: int


class RectificationStatus(Contract):
    items_total: int
    items_closed: int
    items_long_term: int
    items_reopened: int
    items_extended: int
    completion_rate: float | None


class LeadsSummary(Contract):
    """Counts only: no names, no allegations."""

    transferred: int
    disposed: int
    open: int


class InspectionResultSharedV1(DomainEvent):
    """Version 1, with tags counted without their taxonomy version; read through the
    upcaster."""

    result_id: UUID
    sequence: int
    basis: ShareBasis
    inspection_id: UUID
    round_id: UUID
    organization_id: str
    organization_name: str
    findings_total: int
    findings_by_tag: list[TagCountV1]
    rectification: RectificationStatus | None
    leads: LeadsSummary | None
    evaluation_grade: str | None
    responsible_leaders: list[str] | None
    published_on: date


@upcaster("results.inspection_result_shared", 1, legacy_model=InspectionResultSharedV1)
def _shared_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    tags = [{**t, "taxonomy_version": None} for t in data["findings_by_tag"]]
    return {**data, "findings_by_tag": tags}


@event("results.inspection_result_shared", version=2)
class InspectionResultShared(DomainEvent):
    """结果共享: for 组织部 (考核, 干部考察, 评先评优), 纪委 and 考核办. Minimized: counts, rates
    and the evaluation grade; responsible leaders only when the policy allows. v2 counts each
    tag with its taxonomy version, so figures by category map it onto the current taxonomy."""

    result_id: UUID
    sequence: int
    basis: ShareBasis
    inspection_id: UUID
    round_id: UUID
    organization_id: str
    organization_name: str
    findings_total: int
    findings_by_tag: list[TagCount]
    rectification: RectificationStatus | None
    leads: LeadsSummary | None
    evaluation_grade: str | None
    responsible_leaders: list[str] | None
    published_on: date


@event("education.warning_bulletin_issued")
class WarningBulletinIssued(DomainEvent):
    """典型案例通报, de-identified."""

    record_id: UUID
    title: str
    case_summaries: list[str]
    audience: str
    issued_on: date


@event("education.confession_book_compiled")
class ConfessionBookCompiled(DomainEvent):
    record_id: UUID
    title: str


@event("education.confession_entry_added")
class ConfessionEntryAdded(DomainEvent):
    record_id: UUID
    entry_no: int
    subject_label: str
    text: str
    case_ref: str


@event("education.confession_book_published")
class ConfessionBookPublished(DomainEvent):
    """《忏悔录》."""

    record_id: UUID
    entries: int
    published_on: date


@event("education.warning_study_session_held")
class WarningStudySessionHeld(DomainEvent):
    record_id: UUID
    organization_id: str
    held_on: date
    participants: int
    materials: list[str]


@event("education.sector_rectification_recommended")
class SectorRectificationRecommended(DomainEvent):
    """行业整顿 / 专项治理 recommended to a line department."""

    record_id: UUID
    sector: str
    recipient_department: str
    problems: str
    inspection_ids: list[UUID]
    recommended_on: date

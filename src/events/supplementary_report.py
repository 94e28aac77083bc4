"""Supplementary reports beside the inspection report: special reports (专题报告) on general or
systemic problems, the lead report (问题线索报告) and the cadre-selection check report
(选人用人专项检查报告). Their texts are sealed: they stay in the event store."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from xuncha.events.base import DomainEvent
from xuncha.events.registry import event


class SupplementaryKind(StrEnum):
    SPECIAL = "special"  # 专题报告
    LEAD = "lead"  # 问题线索报告
    CADRE_SELECTION = "cadre_selection"  # 选人用人检查报告


@event("supplementary_report.drafted")
class SupplementaryReportDrafted(DomainEvent):
    sealed_fields: ClassVar[frozenset[str]] = frozenset({"content"})

    report_id: UUID
    inspection_id: UUID
    kind: SupplementaryKind
    version: int
    topic: str
    addressees: list[str]
    content: str
    content_hash: str


@event("supplementary_report.reviewed_by_office")
class SupplementaryReportReviewed(DomainEvent):
    report_id: UUID
    inspection_id: UUID
    version: int
    comments: str


@event("supplementary_report.returned")
class SupplementaryReportReturned(DomainEvent):
    report_id: UUID
    inspection_id: UUID
    version: int
    comments: str


@event("supplementary_report.approved")
class SupplementaryReportApproved(DomainEvent):
    """Approved and frozen: the content hash of the approved version is recorded."""

    report_id: UUID
    inspection_id: UUID
    version: int
    content_hash: str
    approved_on: date

"""Events of a finding (问题底稿): one problem, one working paper (一事一稿)."""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from xuncha.events.base import Contract, DomainEvent
from xuncha.events.registry import event


class FindingContent(Contract):
    """现象—定性—责任: facts, the rule breached, evidence and who is responsible."""

    title: str
    facts: str
    basis: str
    evidence_refs: list[str]
    responsible_subject: str
    taxonomy_version: str
    tags: list[str]


@event("finding.drafted")
class FindingDrafted(DomainEvent):
    finding_id: UUID
    inspection_id: UUID
    content: FindingContent


@event("finding.reviewed")
class FindingReviewed(DomainEvent):
    """The group meeting (组务会) reviewed this version."""

    finding_id: UUID
    inspection_id: UUID
    version: int
    meeting_ref: str
    opinion: str


@event("finding.returned")
class FindingReturned(DomainEvent):
    finding_id: UUID
    inspection_id: UUID
    version: int
    comments: str


@event("finding.approved")
class FindingApproved(DomainEvent):
    """The group leader signed this version (组长签字)."""

    finding_id: UUID
    inspection_id: UUID
    version: int


@event("finding.amended")
class FindingAmended(DomainEvent):
    """A new version replaces the content; it needs review and approval again."""

    finding_id: UUID
    inspection_id: UUID
    version: int
    content: FindingContent


class ReviewReason(StrEnum):
    DRAFTER_RECUSED = "drafter_recused"  # 回避 found after the group's authorization


@event("finding.review_required")
class FindingReviewRequired(DomainEvent):
    """The finding must be reviewed and signed again (DOMAIN.md §6.1 inv. 1): its drafter was
    recused after the group's authorization. A reviewed or approved version goes back to
    drafted; a finding in an approved (frozen) report never gets this event."""

    finding_id: UUID
    inspection_id: UUID
    version: int
    reason: ReviewReason
    drafter_user_id: str
    group_id: UUID

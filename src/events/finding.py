"""Events of a finding (问题底稿): one problem, one working paper (一事一稿)."""

from __future__ import annotations

from uuid import UUID

from events.base import Contract, DomainEvent
from events.registry import event


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

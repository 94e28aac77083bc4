"""Events of a rectification item (整改台账条目), from opening to closure (销号)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from events.base import DomainEvent
from events.registry import event
from events.values import PolicyRef


@event("rectification.item_opened")
class RectificationItemOpened(DomainEvent):
    item_id: UUID
    inspection_id: UUID
    round_id: UUID
    organization_id: str
    organization_name: str
    ledger_item_no: int
    problem: str
    finding_ids: list[UUID]
    measures: str
    responsible_leader: str
    responsible_department: str
    deadline: date
    policy: PolicyRef


@event("rectification.progress_reported")
class RectificationProgressReported(DomainEvent):
    item_id: UUID
    inspection_id: UUID
    percent: int
    note: str
    evidence_refs: list[str]


@event("rectification.closure_requested")
class ItemClosureRequested(DomainEvent):
    item_id: UUID
    inspection_id: UUID
    summary: str
    evidence_refs: list[str]


@event("rectification.item_verified")
class ItemVerified(DomainEvent):
    """A party other than the rectifying organization checked the evidence."""

    item_id: UUID
    inspection_id: UUID
    verifier_organization_id: str
    note: str


@event("rectification.verification_failed")
class ItemVerificationFailed(DomainEvent):
    item_id: UUID
    inspection_id: UUID
    verifier_organization_id: str
    comments: str


@event("rectification.item_closed")
class RectificationItemClosed(DomainEvent):
    """销号: closed against the ledger, after verification."""

    item_id: UUID
    inspection_id: UUID
    closed_on: date
    on_time: bool

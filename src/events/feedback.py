"""Events of the feedback (反馈) to an inspected organization, with its problem ledger."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from events.base import DomainEvent
from events.registry import event
from events.values import LedgerItem


@event("feedback.opinion_drafted")
class FeedbackOpinionDrafted(DomainEvent):
    """反馈意见 with the 问题台账; a later draft replaces an earlier one until delivery."""

    feedback_id: UUID
    inspection_id: UUID
    draft_no: int
    opinion: str
    ledger: list[LedgerItem]


@event("feedback.delivered")
class FeedbackDelivered(DomainEvent):
    feedback_id: UUID
    inspection_id: UUID
    draft_no: int
    delivered_on: date
    attendees: list[str]

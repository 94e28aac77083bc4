"""Events of a round of inspection (第N轮巡察)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from events.base import DomainEvent
from events.registry import event
from events.values import RoundType


@event("round.proposed")
class RoundProposed(DomainEvent):
    round_id: UUID
    jurisdiction_id: str
    committee: str
    name: str
    round_type: RoundType
    planned_start: date
    planned_end: date


@event("round.approved")
class RoundApproved(DomainEvent):
    round_id: UUID


@event("round.target_assigned")
class RoundTargetAssigned(DomainEvent):
    """A target organization was assigned to a group of this round (one inspection)."""

    round_id: UUID
    inspection_id: UUID
    organization_id: str


@event("round.closed")
class RoundClosed(DomainEvent):
    round_id: UUID

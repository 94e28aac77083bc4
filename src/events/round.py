"""Events of a round of inspection (第N轮巡察)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from xuncha.events.base import DomainEvent
from xuncha.events.registry import event, upcaster
from xuncha.events.values import RoundType


class RoundProposedV1(DomainEvent):
    """Version 1, without a topic; read through the upcaster."""

    round_id: UUID
    jurisdiction_id: str
    committee: str
    name: str
    round_type: RoundType
    planned_start: date
    planned_end: date


@event("round.proposed", version=2)
class RoundProposed(DomainEvent):
    """v2 adds the topic of special rounds (e.g. poverty alleviation, anti-gang work)."""

    round_id: UUID
    jurisdiction_id: str
    committee: str
    name: str
    round_type: RoundType
    topic: str | None
    planned_start: date
    planned_end: date


@upcaster("round.proposed", 1, legacy_model=RoundProposedV1)
def _proposed_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "topic": None}


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


@event("round.plan_filed_with_upper_office")
class RoundPlanFiledWithUpperOffice(DomainEvent):
    """The round's work plan (工作方案) was filed with the upper inspection office (报备)."""

    round_id: UUID
    upper_office: str
    filed_on: date


@event("round.mobilized")
class RoundMobilized(DomainEvent):
    """The round's mobilization meeting (动员部署会) was held."""

    round_id: UUID
    meeting_on: date


@event("round.leads_cleared")
class RoundLeadsCleared(DomainEvent):
    """见底清零: every lead of the round's inspections is closed (recorded as the round closes)."""

    round_id: UUID
    leads_closed: int

"""Events of a jurisdiction's policy profile: versioned, effective-dated parameters."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from events.base import Contract, DomainEvent
from events.registry import event


class PolicyParameters(Contract):
    """Deadlines and thresholds that differ by jurisdiction (DOMAIN.md §6.3).

    Defaults: the written rectification report is due 2 months after feedback (2015 Regulation
    Art. 27); the others are common local practice and meant to be overridden.
    """

    notice_lead_days: int = Field(default=10, ge=0, le=90)
    group_size_min: int = Field(default=5, ge=1, le=50)
    group_size_max: int = Field(default=8, ge=1, le=50)
    deputies_min: int = Field(default=1, ge=0, le=10)
    deputies_max: int = Field(default=2, ge=0, le=10)
    plan_due_days: int = Field(default=30, ge=1, le=180)
    written_report_months: int = Field(default=2, ge=1, le=12)
    item_deadline_max_months: int = Field(default=12, ge=1, le=60)
    warn_green_days: int = Field(default=20, ge=0, le=365)
    warn_yellow_days: int = Field(default=10, ge=0, le=365)


@event("policy.version_published")
class PolicyVersionPublished(DomainEvent):
    jurisdiction_id: str
    version: int
    effective_from: date
    parameters: PolicyParameters

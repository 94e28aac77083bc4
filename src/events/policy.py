"""Events of a jurisdiction's policy profile: versioned, effective-dated parameters."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field

from events.base import Contract, DomainEvent
from events.registry import event, upcaster


class PolicyParametersV1(Contract):
    """The parameters of `policy.version_published` v1, read through the upcaster."""

    notice_lead_days: int
    group_size_min: int
    group_size_max: int
    deputies_min: int
    deputies_max: int
    plan_due_days: int
    written_report_months: int
    item_deadline_max_months: int
    warn_green_days: int
    warn_yellow_days: int


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
    # Fieldwork (v2): departments asked for pre-inspection briefings (2015 Art. 21).
    briefing_providers: list[str] = Field(
        default_factory=lambda: [
            "discipline",
            "organization",
            "audit",
            "petitions",
            "political_legal",
            "finance",
        ],
        min_length=1,
        max_length=30,
    )
    interviewers_min: int = Field(default=2, ge=1, le=10)  # below 2 still means 2 (inv. 7)
    site_visit_methods: list[str] = Field(
        default_factory=lambda: ["四不两直", "实地走访", "下沉调研", "座谈", "暗访"],
        min_length=1,
        max_length=30,
    )
    survey_min_responses: int = Field(default=5, ge=1, le=10000)
    work_report_problem_share_min: int = Field(default=70, ge=0, le=100)
    temp_branch_secretary_is_leader: bool = True
    other_management_systems: list[str] = Field(
        default_factory=lambda: ["廉洁自律"], min_length=1, max_length=20
    )


class PolicyVersionPublishedV1(DomainEvent):
    """Version 1, before the fieldwork parameters; read through the upcaster."""

    jurisdiction_id: str
    version: int
    effective_from: date
    parameters: PolicyParametersV1


@event("policy.version_published", version=2)
class PolicyVersionPublished(DomainEvent):
    jurisdiction_id: str
    version: int
    effective_from: date
    parameters: PolicyParameters


@upcaster("policy.version_published", 1, legacy_model=PolicyVersionPublishedV1)
def _policy_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """v2 adds parameters; a v1 version keeps its values and takes the defaults of the rest."""
    defaults = PolicyParameters().model_dump(mode="json")
    return {**data, "parameters": {**defaults, **data["parameters"]}}

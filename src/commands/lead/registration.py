"""Registering a lead (group members) and classifying it (the group leader, 组务会)."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from pydantic import Field

from xuncha.commands.base import (
    Command,
    Context,
    require,
    require_stage,
)
from xuncha.commands.errors import InvalidTransition
from xuncha.commands.inspection import (
    INACTIVE_STAGES,
    InspectionState,
    require_group_member,
    require_leader,
)
from xuncha.commands.lead.state import REGISTRARS, LeadCommand, LeadState
from xuncha.events.base import DomainEvent, Role
from xuncha.events.lead import (
    CadreLevel,
    FastTrack,
    InspectionLeadRegistered,
    LeadClassified,
    LeadRegistered,
    LeadType,
    SourceRef,
    Urgency,
)
from xuncha.events.vocabulary import InspectionStage, LeadStage


class RegisterLead(Command):
    """登记问题线索: a lead is about a person (general shortcomings are findings, not leads)."""

    target: ClassVar[str | None] = "inspection_id"
    allowed_roles: ClassVar[frozenset[Role]] = REGISTRARS
    inspection_id: UUID
    subject_name: str = Field(min_length=1, max_length=100, description="The person (sealed)")
    subject_position: str = Field(min_length=1, max_length=200, description="职务 (sealed)")
    management_level: CadreLevel = Field(description="干部管理权限: decides the receiver")
    allegation: str = Field(min_length=1, max_length=20000, description="反映的问题 (sealed)")
    sources: list[SourceRef] = Field(min_length=1, max_length=100)


class ClassifyLead(LeadCommand):
    """组务会 classifies the lead; fast track (八项规定/四风) only for discipline leads."""

    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.GROUP_LEADER})
    lead_type: LeadType
    urgency: Urgency = Urgency.NORMAL
    fast_track: FastTrack | None = None
    meeting_ref: str = Field(min_length=1, max_length=200)


def register(
    inspection: InspectionState, cmd: RegisterLead, ctx: Context, lead_id: UUID
) -> tuple[list[DomainEvent], list[DomainEvent]]:
    """Returns the lead's events and the inspection's (it keeps the list of its leads)."""
    if inspection.stationed_on is None or inspection.stage in INACTIVE_STAGES:
        raise InvalidTransition(
            f"cannot register a lead while the inspection's stage is '{inspection.stage}'; "
            "leads are registered from stationing (进驻) on, while the inspection is active"
        )
    require_group_member(inspection, ctx)
    keys = [(s.kind, s.ref) for s in cmd.sources]
    require(len(set(keys)) == len(keys), "the same source is cited twice")
    registered = LeadRegistered(
        lead_id=lead_id,
        inspection_id=inspection.inspection_id,
        round_id=inspection.round_id,
        jurisdiction_id=inspection.jurisdiction_id,
        organization_id=inspection.organization_id,
        subject_name=cmd.subject_name,
        subject_position=cmd.subject_position,
        management_level=cmd.management_level,
        allegation=cmd.allegation,
        sources=cmd.sources,
        during_fieldwork=inspection.stage == InspectionStage.STATIONED,
    )
    on_inspection = InspectionLeadRegistered(
        inspection_id=inspection.inspection_id, lead_id=lead_id
    )
    return [registered], [on_inspection]


def classify(
    state: LeadState, cmd: ClassifyLead, ctx: Context, inspection: InspectionState
) -> list[DomainEvent]:
    require_stage(state.stage, [LeadStage.REGISTERED, LeadStage.CLASSIFIED], "classify the lead")
    require_leader(inspection, ctx)
    require(
        cmd.fast_track is None or cmd.lead_type == LeadType.DISCIPLINE,
        "only discipline leads (违纪违法: 八项规定/四风) can be fast-tracked",
    )
    return [
        LeadClassified(
            lead_id=state.lead_id,
            inspection_id=state.inspection_id,
            lead_type=cmd.lead_type,
            urgency=cmd.urgency,
            fast_track=cmd.fast_track,
            meeting_ref=cmd.meeting_ref,
        )
    ]

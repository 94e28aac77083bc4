"""Fieldwork records of the preparation and the stationing: briefings, the pre-inspection
analysis, the group work plan, the temporary Party branch, the mobilization meeting."""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from xuncha.commands.base import (
    Context,
    require,
    require_not_future,
    require_stage,
)
from xuncha.commands.errors import InvalidTransition, NotFound
from xuncha.commands.fieldwork.state import (
    GROUP,
    LEADER_ONLY,
    LEADERS,
    OFFICE,
    PREPARATION_STAGES,
    FieldworkCommand,
    FieldworkState,
    LongText,
    Text,
    require_group_people,
    require_in_scope,
    require_unique,
)
from xuncha.commands.inspection import (
    InspectionState,
    require_group_member,
    require_leader,
)
from xuncha.events.base import Contract, DomainEvent, Role
from xuncha.events.fieldwork import (
    BriefingReceived,
    BriefingRequested,
    GroupWorkPlanApproved,
    GroupWorkPlanSubmitted,
    MobilizationMeetingHeld,
    PreInspectionAnalysisRecorded,
    TemporaryPartyBranchEstablished,
    WorkPlanContent,
)
from xuncha.events.policy import PolicyParameters


class RequestPreInspectionBriefing(FieldworkCommand):
    """分析研判: ask a configured department (纪委/组织/审计/信访/政法/财政) for a briefing."""

    allowed_roles: ClassVar[frozenset[Role]] = OFFICE | LEADERS
    provider: str = Field(min_length=1, max_length=64)
    subject: str = Text
    requested_on: date


class RecordBriefingReceived(FieldworkCommand):
    allowed_roles: ClassVar[frozenset[Role]] = OFFICE | LEADERS
    briefing_id: UUID
    classification: str = Field(min_length=1, max_length=40)
    received_on: date
    content: str = LongText


class RecordPreInspectionAnalysis(FieldworkCommand):
    """三个重点: key persons, matters and problems, tagged with the focus taxonomy version."""

    allowed_roles: ClassVar[frozenset[Role]] = LEADERS
    focus_areas: list[str] = Field(min_length=1, max_length=50)
    key_persons: list[str] = Field(default_factory=list, max_length=200)
    key_matters: list[str] = Field(default_factory=list, max_length=200)
    key_problems: list[str] = Field(default_factory=list, max_length=200)
    taxonomy_version: str = Field(min_length=1, max_length=40)


class WorkPlanText(Contract):
    focus: str = Text
    interview_list: list[str] = Field(default_factory=list, max_length=500)
    document_list: list[str] = Field(default_factory=list, max_length=500)
    sites: list[str] = Field(default_factory=list, max_length=200)
    schedule: str = Text
    division_of_labor: str = Text


class SubmitGroupWorkPlan(FieldworkCommand):
    allowed_roles: ClassVar[frozenset[Role]] = LEADER_ONLY
    content: WorkPlanText


class ApproveGroupWorkPlan(FieldworkCommand):
    allowed_roles: ClassVar[frozenset[Role]] = OFFICE | frozenset({Role.LEADING_GROUP})
    plan_version: int = Field(ge=1)


class EstablishTemporaryPartyBranch(FieldworkCommand):
    allowed_roles: ClassVar[frozenset[Role]] = LEADER_ONLY
    secretary_user_id: str = Field(min_length=1, max_length=64)
    member_user_ids: list[str] = Field(min_length=1, max_length=60)
    established_on: date


class HoldMobilizationMeeting(FieldworkCommand):
    allowed_roles: ClassVar[frozenset[Role]] = LEADER_ONLY
    held_on: date
    presided_by: str = Field(min_length=1, max_length=200)
    attendees: list[str] = Field(min_length=1, max_length=1000)
    speeches: list[str] = Field(default_factory=list, max_length=50)


def _preparing(inspection: InspectionState, ctx: Context, what: str) -> None:
    require_stage(inspection.stage, PREPARATION_STAGES, what)
    if ctx.actor.role in GROUP:
        require_group_member(inspection, ctx)


def request_briefing(
    state: FieldworkState,
    inspection: InspectionState,
    cmd: RequestPreInspectionBriefing,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    _preparing(inspection, ctx, "request a pre-inspection briefing")
    require_not_future(cmd.requested_on, ctx, "requested_on")
    require(
        cmd.provider in params.briefing_providers,
        f"provider {cmd.provider!r} is not a configured briefing department; "
        f"choose one of {params.briefing_providers}",
    )
    return [
        BriefingRequested(
            inspection_id=inspection.inspection_id,
            briefing_id=new_id,
            provider=cmd.provider,
            subject=cmd.subject,
            requested_on=cmd.requested_on,
        )
    ]


def record_briefing(
    state: FieldworkState,
    inspection: InspectionState,
    cmd: RecordBriefingReceived,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    _preparing(inspection, ctx, "record a briefing")
    provider = state.briefings.get(cmd.briefing_id)
    if provider is None:
        raise NotFound(f"no briefing {cmd.briefing_id} was requested for this inspection")
    if cmd.briefing_id in state.briefings_received:
        raise InvalidTransition(f"briefing {cmd.briefing_id} was already received")
    require_not_future(cmd.received_on, ctx, "received_on")
    return [
        BriefingReceived(
            inspection_id=inspection.inspection_id,
            briefing_id=cmd.briefing_id,
            provider=provider,
            classification=cmd.classification,
            received_on=cmd.received_on,
            content=cmd.content,
        )
    ]


def record_analysis(
    state: FieldworkState,
    inspection: InspectionState,
    cmd: RecordPreInspectionAnalysis,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    _preparing(inspection, ctx, "record the pre-inspection analysis")
    require(
        bool(cmd.key_persons or cmd.key_matters or cmd.key_problems),
        "the analysis names at least one key person, matter or problem (三个重点)",
    )
    data = cmd.model_dump(exclude={"inspection_id"})
    return [
        PreInspectionAnalysisRecorded(
            inspection_id=inspection.inspection_id, analysis_no=state.analyses + 1, **data
        )
    ]


def submit_work_plan(
    state: FieldworkState,
    inspection: InspectionState,
    cmd: SubmitGroupWorkPlan,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    require_stage(inspection.stage, PREPARATION_STAGES, "submit the group work plan")
    require_leader(inspection, ctx)
    return [
        GroupWorkPlanSubmitted(
            inspection_id=inspection.inspection_id,
            plan_version=state.plan_version + 1,
            content=WorkPlanContent(**cmd.content.model_dump()),
        )
    ]


def approve_work_plan(
    state: FieldworkState,
    inspection: InspectionState,
    cmd: ApproveGroupWorkPlan,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    require_stage(inspection.stage, PREPARATION_STAGES, "approve the group work plan")
    if state.plan_version == 0:
        raise InvalidTransition("no group work plan has been submitted")
    require(
        cmd.plan_version == state.plan_version,
        f"only the latest work plan (version {state.plan_version}) can be approved",
    )
    if state.plan_approved_version == state.plan_version:
        raise InvalidTransition(f"work plan version {state.plan_version} is already approved")
    return [
        GroupWorkPlanApproved(inspection_id=inspection.inspection_id, plan_version=cmd.plan_version)
    ]


def establish_branch(
    state: FieldworkState,
    inspection: InspectionState,
    cmd: EstablishTemporaryPartyBranch,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    require_stage(inspection.stage, PREPARATION_STAGES, "establish the temporary Party branch")
    require_leader(inspection, ctx)
    if state.branch_established:
        raise InvalidTransition("the group's temporary Party branch is already established")
    require_not_future(cmd.established_on, ctx, "established_on")
    require_unique(cmd.member_user_ids, "branch members")
    require_group_people(inspection, [cmd.secretary_user_id, *cmd.member_user_ids], "the branch")
    assert inspection.leader is not None
    require(
        not params.temp_branch_secretary_is_leader
        or cmd.secretary_user_id == inspection.leader.user_id,
        "under this jurisdiction's policy the group leader is the branch secretary",
    )
    return [
        TemporaryPartyBranchEstablished(
            inspection_id=inspection.inspection_id,
            secretary_user_id=cmd.secretary_user_id,
            member_user_ids=cmd.member_user_ids,
            established_on=cmd.established_on,
        )
    ]


def hold_mobilization(
    state: FieldworkState,
    inspection: InspectionState,
    cmd: HoldMobilizationMeeting,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    require_in_scope(inspection, ctx, cmd.held_on, "hold the mobilization meeting")
    require_leader(inspection, ctx)
    if state.mobilization_held:
        raise InvalidTransition("the mobilization meeting was already held")
    data = cmd.model_dump(exclude={"inspection_id"})
    return [MobilizationMeetingHeld(inspection_id=inspection.inspection_id, **data)]

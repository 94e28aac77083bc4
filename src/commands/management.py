"""The inspectors' management regime (巡察干部管理): one `group_management` stream per
inspection, its id derived from the inspection's.

Why per inspection: a group is authorized for one inspection (一次一授权), and the regime
governs its members for that service. Events name inspectors by `user_id`, so an inspector's
record across inspections (training, rewards, penalties, accountability) is a read model.
The ten systems: 组务会 (`HoldGroupMeeting`, on the fieldwork stream because decisions cite
it), 集体学习, 考勤 with leave, 保密 (breach reports), 工作日志, 工作签到, 请示报告, 奖惩,
问责, and a configurable tenth (`PolicyParameters.other_management_systems`). Training
(巡前集中学习 / 外出培训 / 跟班学习) is recorded here too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import AwareDatetime, Field

from xuncha.commands.base import (
    Aggregate,
    Command,
    Context,
    require,
    require_actor,
    require_not_future,
)
from xuncha.commands.errors import InvalidTransition, NotFound
from xuncha.commands.fieldwork import (
    GROUP,
    GROUP_STAGES_EXCLUDED,
    LEADERS,
    require_group_people,
    require_unique,
)
from xuncha.commands.inspection import InspectionState, require_group_member
from xuncha.events.base import DomainEvent, Role
from xuncha.events.management import (
    AttendanceRecorded,
    CollectiveStudyHeld,
    ConfidentialityBreachReported,
    InspectorCommended,
    InspectorHeldAccountable,
    InspectorPenalized,
    InstructionGiven,
    InstructionRequested,
    LeaveApproved,
    LeaveRequested,
    MatterReported,
    MemberSignedIn,
    OtherManagementRecorded,
    TrainingKind,
    TrainingRecorded,
    WorkLogEntryWritten,
)
from xuncha.events.policy import PolicyParameters

SUPERIORS = frozenset({Role.INSPECTION_OFFICE, Role.LEADING_GROUP})
ACCOUNTABILITY = SUPERIORS | frozenset({Role.DISCIPLINE_COMMISSION})


def management_stream_id(inspection_id: UUID) -> UUID:
    return uuid5(NAMESPACE_URL, f"xuncha:group-management:{inspection_id}")


@dataclass(frozen=True)
class ManagementState:
    inspection_id: UUID
    leaves: dict[UUID, str] = field(default_factory=dict)  # leave id → requester
    leaves_approved: frozenset[UUID] = frozenset()
    instructions: frozenset[UUID] = frozenset()
    instructions_given: frozenset[UUID] = frozenset()
    attendance_days: frozenset[date] = frozenset()


def evolve(state: ManagementState | None, event: DomainEvent) -> ManagementState | None:
    if state is None:
        if not event.type_name.startswith("management."):
            return None
        state = ManagementState(getattr(event, "inspection_id"))  # noqa: B009
    match event:
        case LeaveRequested():
            return replace(state, leaves={**state.leaves, event.leave_id: event.user_id})
        case LeaveApproved():
            return replace(state, leaves_approved=state.leaves_approved | {event.leave_id})
        case InstructionRequested():
            return replace(state, instructions=state.instructions | {event.instruction_id})
        case InstructionGiven():
            return replace(
                state, instructions_given=state.instructions_given | {event.instruction_id}
            )
        case AttendanceRecorded():
            return replace(state, attendance_days=state.attendance_days | {event.day})
    return state


GROUP_MANAGEMENT = Aggregate[ManagementState]("group_management", evolve)


class ManagementCommand(Command):
    """A command on an inspection group's management record; `If-Match` refers to it."""

    target: ClassVar[str | None] = "management_id"
    inspection_id: UUID

    @property
    def management_id(self) -> UUID:
        return management_stream_id(self.inspection_id)


Text = Field(min_length=1, max_length=4000)
UserId = Field(min_length=1, max_length=64)


class HoldCollectiveStudy(ManagementCommand):
    allowed_roles: ClassVar[frozenset[Role]] = LEADERS
    held_on: date
    topic: str = Text
    attendees: list[str] = Field(min_length=1, max_length=60)


class RecordAttendance(ManagementCommand):
    allowed_roles: ClassVar[frozenset[Role]] = LEADERS
    day: date
    present: list[str] = Field(default_factory=list, max_length=60)
    absent: list[str] = Field(default_factory=list, max_length=60)


class RequestLeave(ManagementCommand):
    """A member asks for leave for themself."""

    allowed_roles: ClassVar[frozenset[Role]] = GROUP
    first_day: date
    last_day: date
    reason_text: str = Text

    @property
    def reason(self) -> str | None:
        return self.reason_text


class ApproveLeave(ManagementCommand):
    """The group leader approves a member's leave; the leader's own leave, the office or LG."""

    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.GROUP_LEADER}) | SUPERIORS
    leave_id: UUID


class SignIn(ManagementCommand):
    allowed_roles: ClassVar[frozenset[Role]] = GROUP
    signed_in_at: AwareDatetime
    place: str = Field(min_length=1, max_length=300)


class WriteWorkLogEntry(ManagementCommand):
    allowed_roles: ClassVar[frozenset[Role]] = GROUP
    day: date
    content: str = Field(min_length=1, max_length=20000)


class RequestInstruction(ManagementCommand):
    """请示: the group leader asks the leading group or office."""

    allowed_roles: ClassVar[frozenset[Role]] = LEADERS
    subject: str = Field(min_length=1, max_length=300)
    question: str = Text
    requested_on: date


class GiveInstruction(ManagementCommand):
    allowed_roles: ClassVar[frozenset[Role]] = SUPERIORS | frozenset({Role.COMMITTEE})
    instruction_id: UUID
    instruction: str = Text
    given_on: date


class ReportMatter(ManagementCommand):
    allowed_roles: ClassVar[frozenset[Role]] = LEADERS
    subject: str = Field(min_length=1, max_length=300)
    content: str = Text
    reported_on: date


class CommendInspector(ManagementCommand):
    allowed_roles: ClassVar[frozenset[Role]] = SUPERIORS
    user_id: str = UserId
    reason_text: str = Text
    decided_on: date

    @property
    def reason(self) -> str | None:
        return self.reason_text


class PenalizeInspector(ManagementCommand):
    allowed_roles: ClassVar[frozenset[Role]] = SUPERIORS
    user_id: str = UserId
    penalty: str = Field(min_length=1, max_length=300)
    reason_text: str = Text
    decided_on: date

    @property
    def reason(self) -> str | None:
        return self.reason_text


class HoldInspectorAccountable(ManagementCommand):
    allowed_roles: ClassVar[frozenset[Role]] = ACCOUNTABILITY
    user_id: str = UserId
    basis: str = Text
    measure: str = Field(min_length=1, max_length=300)
    decided_on: date


class RecordTraining(ManagementCommand):
    """巡前集中学习 / 外出培训 / 跟班学习 of members of this group."""

    allowed_roles: ClassVar[frozenset[Role]] = SUPERIORS | frozenset({Role.GROUP_LEADER})
    kind: TrainingKind
    user_ids: list[str] = Field(min_length=1, max_length=60)
    title: str = Field(min_length=1, max_length=300)
    provider: str = Field(min_length=1, max_length=300)
    completed_on: date
    hours: int = Field(ge=1, le=2000)


class ReportConfidentialityBreach(ManagementCommand):
    allowed_roles: ClassVar[frozenset[Role]] = GROUP | SUPERIORS
    discovered_on: date
    involved_user_ids: list[str] = Field(default_factory=list, max_length=60)
    description: str = Text


class RecordOtherManagementActivity(ManagementCommand):
    """The configurable tenth system: `system` is one of the jurisdiction's named systems."""

    allowed_roles: ClassVar[frozenset[Role]] = LEADERS | SUPERIORS
    system: str = Field(min_length=1, max_length=100)
    held_on: date
    participants: list[str] = Field(default_factory=list, max_length=60)
    description: str = Text


def _group(inspection: InspectionState, what: str) -> None:
    if inspection.stage in GROUP_STAGES_EXCLUDED:
        raise InvalidTransition(
            f"cannot {what} while the stage is '{inspection.stage}': the group must be "
            "authorized and the inspection not closed"
        )


def _by_member(inspection: InspectionState, ctx: Context) -> None:
    """Group roles act only in their own group; the office and leading group for any."""
    if ctx.actor.role in GROUP:
        require_group_member(inspection, ctx)


def _base(inspection: InspectionState, ctx: Context, day: date, what: str) -> None:
    _group(inspection, what)
    _by_member(inspection, ctx)
    require_not_future(day, ctx, f"the date of '{what}'")


def hold_study(
    state: ManagementState,
    inspection: InspectionState,
    cmd: HoldCollectiveStudy,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    _base(inspection, ctx, cmd.held_on, "hold a collective study")
    require_unique(cmd.attendees, "attendees")
    require_group_people(inspection, cmd.attendees, "attendees")
    data = cmd.model_dump(exclude={"inspection_id"})
    return [CollectiveStudyHeld(inspection_id=inspection.inspection_id, **data)]


def record_attendance(
    state: ManagementState,
    inspection: InspectionState,
    cmd: RecordAttendance,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    _base(inspection, ctx, cmd.day, "record attendance")
    everyone = [*cmd.present, *cmd.absent]
    require(bool(everyone), "attendance names who was present or absent")
    require_unique(everyone, "a person in the attendance (present or absent)")
    require_group_people(inspection, everyone, "people in the attendance")
    if cmd.day in state.attendance_days:
        raise InvalidTransition(f"attendance for {cmd.day} is already recorded")
    data = cmd.model_dump(exclude={"inspection_id"})
    return [AttendanceRecorded(inspection_id=inspection.inspection_id, **data)]


def request_leave(
    state: ManagementState,
    inspection: InspectionState,
    cmd: RequestLeave,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    _group(inspection, "request leave")
    require_group_member(inspection, ctx)
    require(cmd.first_day <= cmd.last_day, "first_day must not be after last_day")
    return [
        LeaveRequested(
            inspection_id=inspection.inspection_id,
            leave_id=new_id,
            user_id=ctx.actor.user_id,
            first_day=cmd.first_day,
            last_day=cmd.last_day,
            reason=cmd.reason_text,
        )
    ]


def approve_leave(
    state: ManagementState,
    inspection: InspectionState,
    cmd: ApproveLeave,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    _group(inspection, "approve leave")
    requester = state.leaves.get(cmd.leave_id)
    if requester is None:
        raise NotFound(f"no leave request {cmd.leave_id} in this group")
    if cmd.leave_id in state.leaves_approved:
        raise InvalidTransition("this leave is already approved")
    assert inspection.leader is not None
    if ctx.actor.role == Role.GROUP_LEADER:
        require_actor(
            ctx.actor.user_id == inspection.leader.user_id,
            "only this group's leader approves its members' leave",
        )
        require_actor(
            requester != ctx.actor.user_id,
            "the group leader's own leave is approved by the office or the leading group",
        )
    return [
        LeaveApproved(
            inspection_id=inspection.inspection_id,
            leave_id=cmd.leave_id,
            user_id=requester,
            approved_by=ctx.actor.user_id,
        )
    ]


def sign_in(
    state: ManagementState,
    inspection: InspectionState,
    cmd: SignIn,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    _group(inspection, "sign in")
    require_group_member(inspection, ctx)
    require(cmd.signed_in_at <= ctx.now, "signed_in_at cannot be in the future")
    return [
        MemberSignedIn(
            inspection_id=inspection.inspection_id,
            user_id=ctx.actor.user_id,
            signed_in_at=cmd.signed_in_at,
            place=cmd.place,
        )
    ]


def write_log(
    state: ManagementState,
    inspection: InspectionState,
    cmd: WriteWorkLogEntry,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    _base(inspection, ctx, cmd.day, "write a work log entry")
    require_group_member(inspection, ctx)
    return [
        WorkLogEntryWritten(
            inspection_id=inspection.inspection_id,
            user_id=ctx.actor.user_id,
            day=cmd.day,
            content=cmd.content,
        )
    ]


def request_instruction(
    state: ManagementState,
    inspection: InspectionState,
    cmd: RequestInstruction,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    _base(inspection, ctx, cmd.requested_on, "request an instruction")
    data = cmd.model_dump(exclude={"inspection_id"})
    return [
        InstructionRequested(inspection_id=inspection.inspection_id, instruction_id=new_id, **data)
    ]


def give_instruction(
    state: ManagementState,
    inspection: InspectionState,
    cmd: GiveInstruction,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    _base(inspection, ctx, cmd.given_on, "give an instruction")
    if cmd.instruction_id not in state.instructions:
        raise NotFound(f"no request for instruction {cmd.instruction_id} in this group")
    if cmd.instruction_id in state.instructions_given:
        raise InvalidTransition("this request for instruction is already answered")
    data = cmd.model_dump(exclude={"inspection_id"})
    return [InstructionGiven(inspection_id=inspection.inspection_id, **data)]


def report_matter(
    state: ManagementState,
    inspection: InspectionState,
    cmd: ReportMatter,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    _base(inspection, ctx, cmd.reported_on, "report a matter")
    data = cmd.model_dump(exclude={"inspection_id"})
    return [MatterReported(inspection_id=inspection.inspection_id, **data)]


def _about_member(inspection: InspectionState, user_id: str) -> None:
    if user_id not in inspection.group_user_ids:
        raise NotFound(f"{user_id} is not a member of this inspection's group")


def commend(
    state: ManagementState,
    inspection: InspectionState,
    cmd: CommendInspector,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    _base(inspection, ctx, cmd.decided_on, "commend an inspector")
    _about_member(inspection, cmd.user_id)
    return [
        InspectorCommended(
            inspection_id=inspection.inspection_id,
            user_id=cmd.user_id,
            reason=cmd.reason_text,
            decided_on=cmd.decided_on,
        )
    ]


def penalize(
    state: ManagementState,
    inspection: InspectionState,
    cmd: PenalizeInspector,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    _base(inspection, ctx, cmd.decided_on, "penalize an inspector")
    _about_member(inspection, cmd.user_id)
    return [
        InspectorPenalized(
            inspection_id=inspection.inspection_id,
            user_id=cmd.user_id,
            penalty=cmd.penalty,
            reason=cmd.reason_text,
            decided_on=cmd.decided_on,
        )
    ]


def hold_accountable(
    state: ManagementState,
    inspection: InspectionState,
    cmd: HoldInspectorAccountable,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    # Accountability may come after the inspection closed; only a group must have existed.
    require(bool(inspection.group_user_ids), "no group was authorized for this inspection")
    require_not_future(cmd.decided_on, ctx, "decided_on")
    _about_member(inspection, cmd.user_id)
    data = cmd.model_dump(exclude={"inspection_id"})
    return [InspectorHeldAccountable(inspection_id=inspection.inspection_id, **data)]


def record_training(
    state: ManagementState,
    inspection: InspectionState,
    cmd: RecordTraining,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    _base(inspection, ctx, cmd.completed_on, "record training")
    require_unique(cmd.user_ids, "trainees")
    require_group_people(inspection, cmd.user_ids, "trainees")
    if cmd.kind == TrainingKind.PRE_INSPECTION_STUDY:
        require(
            inspection.stationed_on is None or cmd.completed_on <= inspection.stationed_on,
            "巡前集中学习 (pre-inspection study) is completed before stationing",
        )
    data = cmd.model_dump(exclude={"inspection_id"})
    return [TrainingRecorded(inspection_id=inspection.inspection_id, **data)]


def report_breach(
    state: ManagementState,
    inspection: InspectionState,
    cmd: ReportConfidentialityBreach,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    require(bool(inspection.group_user_ids), "no group was authorized for this inspection")
    _by_member(inspection, ctx)
    require_not_future(cmd.discovered_on, ctx, "discovered_on")
    require_unique(cmd.involved_user_ids, "involved_user_ids")
    data = cmd.model_dump(exclude={"inspection_id"})
    return [ConfidentialityBreachReported(inspection_id=inspection.inspection_id, **data)]


def record_other(
    state: ManagementState,
    inspection: InspectionState,
    cmd: RecordOtherManagementActivity,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    _base(inspection, ctx, cmd.held_on, "record a management activity")
    require(
        cmd.system in params.other_management_systems,
        f"{cmd.system!r} is not one of this jurisdiction's management systems "
        f"{params.other_management_systems}",
    )
    require_group_people(inspection, cmd.participants, "participants")
    data = cmd.model_dump(exclude={"inspection_id"})
    return [OtherManagementRecorded(inspection_id=inspection.inspection_id, **data)]


DECISIONS: dict[type[ManagementCommand], Callable[..., list[DomainEvent]]] = {
    HoldCollectiveStudy: hold_study,
    RecordAttendance: record_attendance,
    RequestLeave: request_leave,
    ApproveLeave: approve_leave,
    SignIn: sign_in,
    WriteWorkLogEntry: write_log,
    RequestInstruction: request_instruction,
    GiveInstruction: give_instruction,
    ReportMatter: report_matter,
    CommendInspector: commend,
    PenalizeInspector: penalize,
    HoldInspectorAccountable: hold_accountable,
    RecordTraining: record_training,
    ReportConfidentialityBreach: report_breach,
    RecordOtherManagementActivity: record_other,
}
"""Each management command and its decision; the handler module registers them all."""

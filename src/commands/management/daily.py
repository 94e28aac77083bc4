"""The daily regime: collective study, attendance and leave, sign-in, the work log,
instructions asked and given, matters reported."""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime, Field

from xuncha.commands.base import (
    Context,
    require,
    require_actor,
)
from xuncha.commands.errors import InvalidTransition, NotFound
from xuncha.commands.fieldwork import (
    GROUP,
    LEADERS,
    require_group_people,
    require_unique,
)
from xuncha.commands.inspection import InspectionState, require_group_member
from xuncha.commands.management.state import (
    SUPERIORS,
    ManagementCommand,
    ManagementState,
    Text,
    _base,
    _group,
)
from xuncha.events.base import DomainEvent, Role
from xuncha.events.management import (
    AttendanceRecorded,
    CollectiveStudyHeld,
    InstructionGiven,
    InstructionRequested,
    LeaveApproved,
    LeaveRequested,
    MatterReported,
    MemberSignedIn,
    WorkLogEntryWritten,
)
from xuncha.events.policy import PolicyParameters


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

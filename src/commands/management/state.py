"""The group management stream's state and the checks its commands share."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import Field

from xuncha.commands.base import (
    Aggregate,
    Command,
    Context,
    require_not_future,
)
from xuncha.commands.errors import InvalidTransition
from xuncha.commands.fieldwork import (
    GROUP,
    GROUP_STAGES_EXCLUDED,
)
from xuncha.commands.inspection import InspectionState, require_group_member
from xuncha.events.base import DomainEvent, Role
from xuncha.events.management import (
    AttendanceRecorded,
    InstructionGiven,
    InstructionRequested,
    LeaveApproved,
    LeaveRequested,
)

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

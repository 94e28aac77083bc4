"""Side-exits of an inspection (DOMAIN.md §5): suspend, resume, cancel.

Suspending records the stage left and makes the stage `suspended`, so every other inspection
command is refused by its own `require_stage` guard until the inspection is resumed to that
stage. Cancelling is possible until feedback is delivered and is terminal; a round closes over
a cancelled inspection as over a closed one.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from xuncha.commands.base import Context, require_stage
from xuncha.commands.errors import InvalidTransition
from xuncha.commands.inspection import InspectionCommand, InspectionState
from xuncha.commands.round import OFFICE
from xuncha.events.base import DomainEvent, Role
from xuncha.events.inspection import InspectionCancelled, InspectionResumed, InspectionSuspended
from xuncha.events.vocabulary import InspectionStage

BEFORE_FEEDBACK = (
    InspectionStage.PLANNED,
    InspectionStage.GROUP_AUTHORIZED,
    InspectionStage.NOTIFIED,
    InspectionStage.ANNOUNCED,
    InspectionStage.STATIONED,
    InspectionStage.WITHDRAWN,
    InspectionStage.REPORT_DRAFTED,
    InspectionStage.REPORT_RETURNED,
    InspectionStage.REPORT_OFFICE_REVIEWED,
    InspectionStage.REPORT_DELIBERATED,
    InspectionStage.REPORT_APPROVED,
)
AFTER_FEEDBACK = (
    InspectionStage.FEEDBACK_DELIVERED,
    InspectionStage.PLAN_SUBMITTED,
    InspectionStage.PLAN_RETURNED,
    InspectionStage.RECTIFYING,
    InspectionStage.RECTIFICATION_REPORT_SUBMITTED,
    InspectionStage.RECTIFICATION_REPORT_RETURNED,
    InspectionStage.RECTIFICATION_REPORT_ACCEPTED,
)
SUSPENDABLE = BEFORE_FEEDBACK + AFTER_FEEDBACK  # every stage before `closed`


class SuspendInspection(InspectionCommand):
    allowed_roles: ClassVar[frozenset[Role]] = OFFICE | {Role.LEADING_GROUP}
    why: str = Field(min_length=1, max_length=4000, description="The reason, recorded")

    @property
    def reason(self) -> str | None:
        return self.why


class ResumeInspection(InspectionCommand):
    allowed_roles: ClassVar[frozenset[Role]] = OFFICE | {Role.LEADING_GROUP}


class CancelInspection(InspectionCommand):
    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.COMMITTEE, Role.LEADING_GROUP})
    why: str = Field(min_length=1, max_length=4000, description="The reason, recorded")

    @property
    def reason(self) -> str | None:
        return self.why


def suspend(state: InspectionState, cmd: SuspendInspection, ctx: Context) -> list[DomainEvent]:
    require_stage(state.stage, SUSPENDABLE, "suspend the inspection")
    return [
        InspectionSuspended(
            inspection_id=state.inspection_id, reason=cmd.why, suspended_from=state.stage
        )
    ]


def resume(state: InspectionState, cmd: ResumeInspection, ctx: Context) -> list[DomainEvent]:
    require_stage(state.stage, [InspectionStage.SUSPENDED], "resume the inspection")
    assert state.suspended_from is not None  # recorded with the suspension
    return [InspectionResumed(inspection_id=state.inspection_id, resumed_to=state.suspended_from)]


def cancel(state: InspectionState, cmd: CancelInspection, ctx: Context) -> list[DomainEvent]:
    left = state.suspended_from if state.stage == InspectionStage.SUSPENDED else state.stage
    if left in AFTER_FEEDBACK:
        raise InvalidTransition(
            f"cannot cancel the inspection after feedback was delivered (stage '{left}')"
        )
    require_stage(
        state.stage, (*BEFORE_FEEDBACK, InspectionStage.SUSPENDED), "cancel the inspection"
    )
    return [
        InspectionCancelled(
            inspection_id=state.inspection_id, reason=cmd.why, cancelled_from=left or state.stage
        )
    ]

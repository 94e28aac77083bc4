"""Conduct: commendations, penalties, accountability, training, confidentiality breaches and
the configurable tenth system."""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from xuncha.commands.base import (
    Context,
    require,
    require_not_future,
)
from xuncha.commands.errors import NotFound
from xuncha.commands.fieldwork import (
    GROUP,
    LEADERS,
    require_group_people,
    require_unique,
)
from xuncha.commands.inspection import InspectionState
from xuncha.commands.management.state import (
    ACCOUNTABILITY,
    SUPERIORS,
    ManagementCommand,
    ManagementState,
    Text,
    UserId,
    _base,
    _by_member,
)
from xuncha.events.base import DomainEvent, Role
from xuncha.events.management import (
    ConfidentialityBreachReported,
    InspectorCommended,
    InspectorHeldAccountable,
    InspectorPenalized,
    OtherManagementRecorded,
    TrainingKind,
    TrainingRecorded,
)
from xuncha.events.policy import PolicyParameters


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

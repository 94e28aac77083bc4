"""Round (第N轮巡察): propose, approve, assign targets, close.

The round's state and deciders; its handlers and their table are in `handlers` (planning an
inspection records on the new inspection's stream too).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from xuncha.commands.base import (
    Aggregate,
    Command,
    Context,
    require,
    require_not_future,
    require_stage,
)
from xuncha.commands.errors import InvalidTransition, RuleViolated
from xuncha.events.base import DomainEvent, Role
from xuncha.events.round import (
    RoundApproved,
    RoundClosed,
    RoundLeadsCleared,
    RoundMobilized,
    RoundPlanFiledWithUpperOffice,
    RoundProposed,
    RoundTargetAssigned,
)
from xuncha.events.values import RoundType
from xuncha.events.vocabulary import InspectionStage, RoundStage

OFFICE = frozenset({Role.INSPECTION_OFFICE})


@dataclass(frozen=True)
class RoundState:
    round_id: UUID
    jurisdiction_id: str
    name: str
    round_type: RoundType
    stage: RoundStage = RoundStage.PROPOSED
    inspections: Mapping[str, UUID] = field(default_factory=dict)  # organization -> inspection
    plan_filed_with: str | None = None  # upper office the work plan was filed with (报备)
    mobilized_on: date | None = None  # date of the mobilization meeting (动员部署会)


def evolve(state: RoundState | None, event: DomainEvent) -> RoundState | None:
    match event:
        case RoundProposed():
            return RoundState(event.round_id, event.jurisdiction_id, event.name, event.round_type)
        case RoundApproved() if state:
            return replace(state, stage=RoundStage.APPROVED)
        case RoundPlanFiledWithUpperOffice() if state:
            return replace(state, plan_filed_with=event.upper_office)
        case RoundMobilized() if state:
            return replace(state, mobilized_on=event.meeting_on)
        case RoundTargetAssigned() if state:
            return replace(
                state, inspections={**state.inspections, event.organization_id: event.inspection_id}
            )
        case RoundClosed() if state:
            return replace(state, stage=RoundStage.CLOSED)
    return state


ROUND = Aggregate[RoundState]("round", evolve)


class ProposeRound(Command):
    """巡察办 proposes a round, after consulting the discipline commission and 组织部."""

    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    jurisdiction_id: str = Field(min_length=1, max_length=64)
    committee: str = Field(min_length=1, max_length=200)
    name: str = Field(min_length=1, max_length=200)
    round_type: RoundType
    topic: str | None = Field(
        default=None, max_length=200, description="Required for special rounds (专项巡察)"
    )
    planned_start: date
    planned_end: date


class ApproveRound(Command):
    target: ClassVar[str | None] = "round_id"
    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.COMMITTEE, Role.LEADING_GROUP})
    round_id: UUID


class PlanInspection(Command):
    """Assign a target organization to a group of the round: one inspection."""

    target: ClassVar[str | None] = "round_id"
    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    round_id: UUID
    organization_id: str = Field(min_length=1, max_length=64)
    organization_name: str = Field(min_length=1, max_length=200)
    group_name: str = Field(min_length=1, max_length=200)
    organization_jurisdiction_id: str | None = Field(
        default=None,
        max_length=64,
        description="Whose registry holds the target, when it is not the round's own "
        "jurisdiction (cross, escalated and linked rounds reach their counties)",
    )


class FileRoundPlanWithUpperOffice(Command):
    """报备: the approved work plan is filed with the upper inspection office."""

    target: ClassVar[str | None] = "round_id"
    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    round_id: UUID
    upper_office: str = Field(min_length=1, max_length=200)
    filed_on: date


class MobilizeRound(Command):
    """The round's mobilization meeting (动员部署会) was held."""

    target: ClassVar[str | None] = "round_id"
    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    round_id: UUID
    meeting_on: date


class CloseRound(Command):
    target: ClassVar[str | None] = "round_id"
    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    round_id: UUID


def propose(cmd: ProposeRound, round_id: UUID) -> list[DomainEvent]:
    require(cmd.planned_start <= cmd.planned_end, "planned_start must not be after planned_end")
    topic = (cmd.topic or "").strip() or None
    require(
        cmd.round_type != RoundType.SPECIAL or topic is not None,
        "a special round (专项巡察) needs its topic, e.g. poverty alleviation",
    )
    return [
        RoundProposed(
            round_id=round_id,
            jurisdiction_id=cmd.jurisdiction_id,
            committee=cmd.committee,
            name=cmd.name,
            round_type=cmd.round_type,
            topic=topic,
            planned_start=cmd.planned_start,
            planned_end=cmd.planned_end,
        )
    ]


def approve(state: RoundState, cmd: ApproveRound, ctx: Context) -> list[DomainEvent]:
    require_stage(state.stage, [RoundStage.PROPOSED], "approve the round")
    return [RoundApproved(round_id=state.round_id)]


def file_plan_with_upper_office(
    state: RoundState, cmd: FileRoundPlanWithUpperOffice, ctx: Context
) -> list[DomainEvent]:
    require_stage(
        state.stage, [RoundStage.APPROVED], "file the round's work plan with the upper office"
    )
    if state.plan_filed_with is not None:
        raise InvalidTransition(
            f"the round's work plan is already filed with {state.plan_filed_with}"
        )
    require_not_future(cmd.filed_on, ctx, "filed_on")
    return [
        RoundPlanFiledWithUpperOffice(
            round_id=state.round_id, upper_office=cmd.upper_office, filed_on=cmd.filed_on
        )
    ]


def mobilize(state: RoundState, cmd: MobilizeRound, ctx: Context) -> list[DomainEvent]:
    require_stage(state.stage, [RoundStage.APPROVED], "mobilize the round")
    if state.mobilized_on is not None:
        raise InvalidTransition(f"the round was already mobilized on {state.mobilized_on}")
    require_not_future(cmd.meeting_on, ctx, "meeting_on")
    return [RoundMobilized(round_id=state.round_id, meeting_on=cmd.meeting_on)]


def assign_target(state: RoundState, cmd: PlanInspection, inspection_id: UUID) -> list[DomainEvent]:
    require_stage(state.stage, [RoundStage.APPROVED], "plan an inspection in this round")
    if cmd.organization_id in state.inspections:
        raise RuleViolated(
            f"organization {cmd.organization_id} is already a target of this round "
            f"(inspection {state.inspections[cmd.organization_id]}); "
            "each target is inspected by exactly one group per round"
        )
    return [
        RoundTargetAssigned(
            round_id=state.round_id,
            inspection_id=inspection_id,
            organization_id=cmd.organization_id,
        )
    ]


def close(
    state: RoundState,
    cmd: CloseRound,
    inspection_stages: Mapping[UUID, str],
    open_leads: Mapping[UUID, str] | None = None,
    leads_closed: int = 0,
) -> list[DomainEvent]:
    """`open_leads`: the leads of the round's inspections not closed yet, with their stage;
    `leads_closed`: how many are closed. A cancelled inspection counts as closed."""
    require_stage(state.stage, [RoundStage.APPROVED], "close the round")
    done = (InspectionStage.CLOSED, InspectionStage.CANCELLED)
    open_ones = sorted(str(i) for i, stage in inspection_stages.items() if stage not in done)
    if open_ones:
        raise InvalidTransition(
            f"the round still has {len(open_ones)} inspection(s) not closed: {', '.join(open_ones)}"
        )
    if open_leads:  # 见底清零: every lead of the round closed (invariant 13)
        named = ", ".join(f"{lead} ({stage})" for lead, stage in sorted(open_leads.items()))
        raise InvalidTransition(
            f"the round still has {len(open_leads)} lead(s) (问题线索) not closed, and a round "
            f"closes only when its leads are cleared (见底清零): {named}"
        )
    return [
        RoundLeadsCleared(round_id=state.round_id, leads_closed=leads_closed),
        RoundClosed(round_id=state.round_id),
    ]

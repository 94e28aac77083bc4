"""ImmediateRectification (立行立改): one stream per matter fixed at once during fieldwork.

requested → completed. Completing it never closes, opens or changes any rectification ledger
item: the matter is still listed in the report and the feedback ledger (invariant 15); the
`fieldwork_register` read model lists these matters per inspection so the ledger can cite them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from xuncha.commands.base import (
    Aggregate,
    Command,
    Context,
    require,
    require_actor,
    require_not_future,
    require_stage,
)
from xuncha.commands.errors import InvalidTransition, NotFound
from xuncha.commands.fieldwork import LEADERS
from xuncha.commands.finding import FINDING, FindingState
from xuncha.commands.handling import Registered, on
from xuncha.commands.inspection import INACTIVE_STAGES, InspectionState, require_group_member
from xuncha.commands.inspection.handling import inspection_of
from xuncha.commands.unit_of_work import UnitOfWork
from xuncha.events.base import DomainEvent, Role
from xuncha.events.fieldwork import ImmediateRectificationCompleted, ImmediateRectificationRequested
from xuncha.events.vocabulary import ImmediateRectificationStatus, InspectionStage

INSPECTED = frozenset({Role.INSPECTED_ORG_PRINCIPAL, Role.INSPECTED_ORG_LIAISON})


@dataclass(frozen=True)
class ImmediateState:
    item_id: UUID
    inspection_id: UUID
    organization_id: str
    requested_on: date
    status: ImmediateRectificationStatus = ImmediateRectificationStatus.REQUESTED


def evolve(state: ImmediateState | None, event: DomainEvent) -> ImmediateState | None:
    match event:
        case ImmediateRectificationRequested():
            return ImmediateState(
                event.item_id, event.inspection_id, event.organization_id, event.requested_on
            )
        case ImmediateRectificationCompleted() if state:
            return replace(state, status=ImmediateRectificationStatus.COMPLETED)
    return state


IMMEDIATE_RECTIFICATION = Aggregate[ImmediateState]("immediate_rectification", evolve)


class RequestImmediateRectification(Command):
    target: ClassVar[str | None] = "inspection_id"
    allowed_roles: ClassVar[frozenset[Role]] = LEADERS
    inspection_id: UUID
    problem: str = Field(min_length=1, max_length=4000)
    measures: str = Field(min_length=1, max_length=4000)
    finding_id: UUID | None = None
    requested_on: date


class CompleteImmediateRectification(Command):
    """The inspected organization reports the matter fixed; a group leader may record it."""

    target: ClassVar[str | None] = "item_id"
    allowed_roles: ClassVar[frozenset[Role]] = INSPECTED | LEADERS
    item_id: UUID
    completed_on: date
    outcome: str = Field(min_length=1, max_length=4000)
    evidence_refs: list[str] = Field(min_length=1, max_length=200)


def request(
    inspection: InspectionState,
    cmd: RequestImmediateRectification,
    ctx: Context,
    finding: FindingState | None,
    item_id: UUID,
) -> list[DomainEvent]:
    require_group_member(inspection, ctx)
    require_stage(
        inspection.stage, [InspectionStage.STATIONED], "request an immediate rectification"
    )
    require_not_future(cmd.requested_on, ctx, "requested_on")
    assert inspection.stationed_on is not None
    require(
        cmd.requested_on >= inspection.stationed_on,
        "an immediate rectification is requested during fieldwork, after stationing",
    )
    if cmd.finding_id is not None and (
        finding is None or finding.inspection_id != inspection.inspection_id
    ):
        raise NotFound(f"finding {cmd.finding_id} is not a finding of this inspection")
    return [
        ImmediateRectificationRequested(
            item_id=item_id,
            inspection_id=inspection.inspection_id,
            organization_id=inspection.organization_id,
            problem=cmd.problem,
            measures=cmd.measures,
            finding_id=cmd.finding_id,
            requested_on=cmd.requested_on,
        )
    ]


def complete(
    state: ImmediateState,
    cmd: CompleteImmediateRectification,
    ctx: Context,
    inspection: InspectionState,
) -> list[DomainEvent]:
    if ctx.actor.role in INSPECTED:
        require_actor(
            ctx.actor.organization_id == state.organization_id,
            "only the inspected organization reports its own immediate rectification",
        )
    else:
        require_group_member(inspection, ctx)
    require_stage(
        state.status,
        [ImmediateRectificationStatus.REQUESTED],
        "complete the immediate rectification",
    )
    if inspection.stage in INACTIVE_STAGES:
        raise InvalidTransition(f"the inspection is {inspection.stage}")
    require_not_future(cmd.completed_on, ctx, "completed_on")
    require(cmd.completed_on >= state.requested_on, "completed_on precedes requested_on")
    return [
        ImmediateRectificationCompleted(
            item_id=state.item_id,
            inspection_id=state.inspection_id,
            completed_on=cmd.completed_on,
            outcome=cmd.outcome,
            evidence_refs=cmd.evidence_refs,
        )
    ]


# Handlers ------------------------------------------------------------------------------------


def handle_request_immediate(uow: UnitOfWork, cmd: RequestImmediateRectification) -> UUID:
    inspection = inspection_of(uow, cmd.inspection_id)
    finding = uow.find(FINDING, cmd.finding_id) if cmd.finding_id else None
    item_id = uow.new_id()
    events = request(inspection, cmd, uow.ctx, finding, item_id)
    uow.record(IMMEDIATE_RECTIFICATION, item_id, events)
    return item_id


def handle_complete_immediate(uow: UnitOfWork, cmd: CompleteImmediateRectification) -> None:
    state = uow.get(IMMEDIATE_RECTIFICATION, cmd.item_id, "immediate rectification")
    inspection = inspection_of(uow, state.inspection_id)
    events = complete(state, cmd, uow.ctx, inspection)
    uow.record(IMMEDIATE_RECTIFICATION, cmd.item_id, events)


HANDLERS: tuple[Registered, ...] = (
    on(RequestImmediateRectification, handle_request_immediate),
    on(CompleteImmediateRectification, handle_complete_immediate),
)

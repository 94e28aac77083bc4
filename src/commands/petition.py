"""Petition (信访件): one stream per petition received by an inspection group.

registered → in_scope → (linked to findings | closed_no_action)
registered → out_of_scope → forwarded → acknowledged (closed)

Intake is a fieldwork act (一次一授权): a member of the authorized group, while stationed,
inside the window and not after the announcement's intake deadline. Triage is a decision of
a recorded group meeting (组务会). An out-of-scope petition must be forwarded to a named
department and acknowledged by it; it can never be closed without that (invariant 14).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
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
from xuncha.commands.fieldwork import (
    GROUP,
    LEADERS,
    FieldworkState,
    require_in_scope,
    require_meeting,
)
from xuncha.commands.fieldwork.handlers import fieldwork_of
from xuncha.commands.finding import FINDING, FindingState
from xuncha.commands.handling import Registered, on
from xuncha.commands.inspection import InspectionState, require_group_member
from xuncha.commands.inspection.handling import inspection_of
from xuncha.commands.lead import LEAD, LeadState
from xuncha.commands.unit_of_work import UnitOfWork
from xuncha.events.base import Contract, DomainEvent, Role
from xuncha.events.petition import (
    Discipline,
    InScopeBasis,
    OutOfScopeReason,
    PetitionAssessedInScope,
    PetitionAssessedOutOfScope,
    PetitionChannel,
    PetitionClosedNoAction,
    Petitioner,
    PetitionForwardAcknowledged,
    PetitionForwarded,
    PetitionLinkedToFinding,
    PetitionLinkedToLead,
    PetitionRegistered,
)
from xuncha.events.vocabulary import InspectionStage, PetitionStatus

# Stages in which a petition already received may still be triaged, forwarded or linked.
HANDLING_STAGES = (
    InspectionStage.STATIONED,
    InspectionStage.WITHDRAWN,
    InspectionStage.REPORT_DRAFTED,
    InspectionStage.REPORT_RETURNED,
)
RECEIVING_DEPARTMENTS = frozenset(
    {
        Role.SUPERVISING_DEPARTMENT,
        Role.DISCIPLINE_COMMISSION,
        Role.ORGANIZATION_DEPARTMENT,
        Role.INSPECTED_ORG_PRINCIPAL,
        Role.INSPECTED_ORG_LIAISON,
        Role.INTEGRATION_CLIENT,
    }
)


@dataclass(frozen=True)
class PetitionState:
    petition_id: UUID
    inspection_id: UUID
    received_on: date
    status: PetitionStatus = PetitionStatus.REGISTERED
    forwarded_to: str | None = None
    forwarded_on: date | None = None
    finding_ids: frozenset[UUID] = frozenset()
    lead_ids: frozenset[UUID] = frozenset()

    @property
    def closed(self) -> bool:
        return self.status in (PetitionStatus.ACKNOWLEDGED, PetitionStatus.CLOSED_NO_ACTION)


def evolve(state: PetitionState | None, event: DomainEvent) -> PetitionState | None:
    if isinstance(event, PetitionRegistered):
        return PetitionState(event.petition_id, event.inspection_id, event.received_on)
    if state is None:
        return None
    match event:
        case PetitionAssessedInScope():
            return replace(state, status=PetitionStatus.IN_SCOPE)
        case PetitionAssessedOutOfScope():
            return replace(state, status=PetitionStatus.OUT_OF_SCOPE)
        case PetitionForwarded():
            return replace(
                state,
                status=PetitionStatus.FORWARDED,
                forwarded_to=event.department_id,
                forwarded_on=event.forwarded_on,
            )
        case PetitionForwardAcknowledged():
            return replace(state, status=PetitionStatus.ACKNOWLEDGED)
        case PetitionLinkedToFinding():
            return replace(
                state,
                status=PetitionStatus.LINKED,
                finding_ids=state.finding_ids | {event.finding_id},
            )
        case PetitionLinkedToLead():
            return replace(
                state, status=PetitionStatus.LINKED, lead_ids=state.lead_ids | {event.lead_id}
            )
        case PetitionClosedNoAction():
            return replace(state, status=PetitionStatus.CLOSED_NO_ACTION)
    return state


PETITION = Aggregate[PetitionState]("petition", evolve)


class PetitionerIn(Contract):
    name: str = Field(min_length=1, max_length=100)
    contact: str | None = Field(default=None, max_length=200)


class RegisterPetition(Command):
    """收件登记: the petitioner's identity and the content are sealed; anonymous is allowed."""

    target: ClassVar[str | None] = "inspection_id"
    allowed_roles: ClassVar[frozenset[Role]] = GROUP
    inspection_id: UUID
    channel: PetitionChannel
    received_on: date
    anonymous: bool = False
    petitioner: PetitionerIn | None = None
    content: str = Field(min_length=1, max_length=100_000)


class PetitionCommand(Command):
    target: ClassVar[str | None] = "petition_id"
    petition_id: UUID


class Decision(StrEnum):
    IN_SCOPE = "in_scope"
    OUT_OF_SCOPE = "out_of_scope"


class TriagePetition(PetitionCommand):
    """The group meeting decides: in scope (about the leadership team, next-level principals
    or key posts, on the six disciplines) or out of scope (then it must be forwarded)."""

    allowed_roles: ClassVar[frozenset[Role]] = LEADERS
    decision: Decision
    meeting_id: UUID
    basis: InScopeBasis | None = None
    disciplines: list[Discipline] = Field(default_factory=list, max_length=6)
    out_of_scope_reason: OutOfScopeReason | None = None
    note: str = Field(default="", max_length=4000)


class ForwardPetition(PetitionCommand):
    allowed_roles: ClassVar[frozenset[Role]] = LEADERS | frozenset({Role.INSPECTION_OFFICE})
    department_id: str = Field(min_length=1, max_length=64)
    department_name: str = Field(min_length=1, max_length=200)
    forwarded_on: date


class AcknowledgePetitionForward(PetitionCommand):
    """The receiving department (the actor's organization) acknowledges the petition."""

    allowed_roles: ClassVar[frozenset[Role]] = RECEIVING_DEPARTMENTS
    acknowledged_on: date
    receipt_no: str = Field(min_length=1, max_length=100)


class LinkPetitionToFinding(PetitionCommand):
    allowed_roles: ClassVar[frozenset[Role]] = GROUP
    finding_id: UUID


class LinkPetitionToLead(PetitionCommand):
    """An in-scope petition feeds a lead (问题线索) of the same inspection."""

    allowed_roles: ClassVar[frozenset[Role]] = GROUP
    lead_id: UUID


class ClosePetitionNoAction(PetitionCommand):
    """An in-scope petition that leads nowhere is closed by a group meeting, with a reason."""

    allowed_roles: ClassVar[frozenset[Role]] = LEADERS
    reason_text: str = Field(min_length=1, max_length=4000)
    meeting_id: UUID

    @property
    def reason(self) -> str | None:
        return self.reason_text


def register(
    inspection: InspectionState, cmd: RegisterPetition, ctx: Context, petition_id: UUID
) -> list[DomainEvent]:
    require_in_scope(inspection, ctx, cmd.received_on, "register a petition")
    deadline = inspection.intake_deadline
    require(
        deadline is None or cmd.received_on <= deadline,
        f"the announcement's intake deadline was {deadline}; a petition received on "
        f"{cmd.received_on} goes to the inspection office or the discipline commission",
    )
    if cmd.anonymous:
        require(cmd.petitioner is None, "an anonymous petition carries no petitioner identity")
    else:
        require(cmd.petitioner is not None, "a named petition needs the petitioner (or anonymous)")
    petitioner = Petitioner(**cmd.petitioner.model_dump()) if cmd.petitioner else None
    return [
        PetitionRegistered(
            petition_id=petition_id,
            inspection_id=inspection.inspection_id,
            channel=cmd.channel,
            received_on=cmd.received_on,
            anonymous=cmd.anonymous,
            petitioner=petitioner,
            content=cmd.content,
        )
    ]


def _handling(inspection: InspectionState, ctx: Context, what: str) -> None:
    require_group_member(inspection, ctx)
    require_stage(inspection.stage, HANDLING_STAGES, what)


def triage(
    state: PetitionState,
    cmd: TriagePetition,
    ctx: Context,
    inspection: InspectionState,
    fieldwork: FieldworkState,
) -> list[DomainEvent]:
    _handling(inspection, ctx, "triage a petition")
    require_stage(state.status, [PetitionStatus.REGISTERED], "triage the petition")
    require_meeting(fieldwork, cmd.meeting_id)
    ids = {"petition_id": state.petition_id, "inspection_id": state.inspection_id}
    if cmd.decision == Decision.IN_SCOPE:
        require(
            cmd.basis is not None and bool(cmd.disciplines),
            "an in-scope petition names whom it concerns (basis) and the disciplines involved",
        )
        require(cmd.out_of_scope_reason is None, "an in-scope petition has no out-of-scope reason")
        assert cmd.basis is not None
        disciplines = list(dict.fromkeys(cmd.disciplines))
        return [
            PetitionAssessedInScope(
                **ids, basis=cmd.basis, disciplines=disciplines, meeting_id=cmd.meeting_id
            )
        ]
    require(
        cmd.out_of_scope_reason is not None,
        "an out-of-scope petition needs its out_of_scope_reason",
    )
    require(
        cmd.basis is None and not cmd.disciplines,
        "an out-of-scope petition has no in-scope basis or disciplines",
    )
    assert cmd.out_of_scope_reason is not None
    return [
        PetitionAssessedOutOfScope(
            **ids, reason=cmd.out_of_scope_reason, note=cmd.note, meeting_id=cmd.meeting_id
        )
    ]


def forward(
    state: PetitionState, cmd: ForwardPetition, ctx: Context, inspection: InspectionState
) -> list[DomainEvent]:
    if ctx.actor.role != Role.INSPECTION_OFFICE:
        require_group_member(inspection, ctx)
    require_stage(state.status, [PetitionStatus.OUT_OF_SCOPE], "forward the petition")
    require_not_future(cmd.forwarded_on, ctx, "forwarded_on")
    require(cmd.forwarded_on >= state.received_on, "a petition is forwarded after its receipt")
    return [
        PetitionForwarded(
            petition_id=state.petition_id,
            inspection_id=state.inspection_id,
            department_id=cmd.department_id,
            department_name=cmd.department_name,
            forwarded_on=cmd.forwarded_on,
        )
    ]


def acknowledge(
    state: PetitionState, cmd: AcknowledgePetitionForward, ctx: Context
) -> list[DomainEvent]:
    require_stage(state.status, [PetitionStatus.FORWARDED], "acknowledge the forwarded petition")
    require_actor(
        ctx.actor.organization_id == state.forwarded_to,
        f"only the receiving department ({state.forwarded_to}) acknowledges this petition",
    )
    require_not_future(cmd.acknowledged_on, ctx, "acknowledged_on")
    assert state.forwarded_on is not None
    assert state.forwarded_to is not None
    require(cmd.acknowledged_on >= state.forwarded_on, "acknowledged_on precedes forwarded_on")
    return [
        PetitionForwardAcknowledged(
            petition_id=state.petition_id,
            inspection_id=state.inspection_id,
            department_id=state.forwarded_to,
            acknowledged_on=cmd.acknowledged_on,
            receipt_no=cmd.receipt_no,
        )
    ]


def link_to_finding(
    state: PetitionState,
    cmd: LinkPetitionToFinding,
    ctx: Context,
    inspection: InspectionState,
    finding: FindingState | None,
) -> list[DomainEvent]:
    _handling(inspection, ctx, "link a petition to a finding")
    require_stage(
        state.status,
        [PetitionStatus.IN_SCOPE, PetitionStatus.LINKED],
        "link the petition to a finding",
    )
    if finding is None or finding.inspection_id != state.inspection_id:
        raise NotFound(f"finding {cmd.finding_id} is not a finding of this inspection")
    if cmd.finding_id in state.finding_ids:
        raise InvalidTransition(f"the petition is already linked to finding {cmd.finding_id}")
    return [
        PetitionLinkedToFinding(
            petition_id=state.petition_id,
            inspection_id=state.inspection_id,
            finding_id=cmd.finding_id,
        )
    ]


def link_to_lead(
    state: PetitionState,
    cmd: LinkPetitionToLead,
    ctx: Context,
    inspection: InspectionState,
    lead: LeadState | None,
) -> list[DomainEvent]:
    _handling(inspection, ctx, "link a petition to a lead")
    require_stage(
        state.status,
        [PetitionStatus.IN_SCOPE, PetitionStatus.LINKED],
        "link the petition to a lead",
    )
    if lead is None or lead.inspection_id != state.inspection_id:
        raise NotFound(f"lead {cmd.lead_id} is not a lead of this inspection")
    if cmd.lead_id in state.lead_ids:
        raise InvalidTransition(f"the petition is already linked to lead {cmd.lead_id}")
    return [
        PetitionLinkedToLead(
            petition_id=state.petition_id,
            inspection_id=state.inspection_id,
            lead_id=cmd.lead_id,
        )
    ]


def close_no_action(
    state: PetitionState,
    cmd: ClosePetitionNoAction,
    ctx: Context,
    inspection: InspectionState,
    fieldwork: FieldworkState,
) -> list[DomainEvent]:
    _handling(inspection, ctx, "close a petition")
    if state.status in (PetitionStatus.OUT_OF_SCOPE, PetitionStatus.FORWARDED):
        raise InvalidTransition(
            "an out-of-scope petition cannot be closed without action: it must be forwarded to "
            "a named department and acknowledged by it"
        )
    require_stage(state.status, [PetitionStatus.IN_SCOPE], "close the petition without action")
    require_meeting(fieldwork, cmd.meeting_id)
    return [
        PetitionClosedNoAction(
            petition_id=state.petition_id,
            inspection_id=state.inspection_id,
            reason=cmd.reason_text,
            meeting_id=cmd.meeting_id,
        )
    ]


# Handlers ------------------------------------------------------------------------------------


def handle_register_petition(uow: UnitOfWork, cmd: RegisterPetition) -> UUID:
    inspection = inspection_of(uow, cmd.inspection_id)
    petition_id = uow.new_id()
    uow.record(PETITION, petition_id, register(inspection, cmd, uow.ctx, petition_id))
    return petition_id


def _petition(uow: UnitOfWork, petition_id: UUID) -> tuple[PetitionState, InspectionState]:
    state = uow.get(PETITION, petition_id, "petition")
    return state, inspection_of(uow, state.inspection_id)


def handle_triage_petition(uow: UnitOfWork, cmd: TriagePetition) -> None:
    state, inspection = _petition(uow, cmd.petition_id)
    events = triage(state, cmd, uow.ctx, inspection, fieldwork_of(uow, state.inspection_id))
    uow.record(PETITION, cmd.petition_id, events)


def handle_forward_petition(uow: UnitOfWork, cmd: ForwardPetition) -> None:
    state, inspection = _petition(uow, cmd.petition_id)
    uow.record(PETITION, cmd.petition_id, forward(state, cmd, uow.ctx, inspection))


def handle_acknowledge_forward(uow: UnitOfWork, cmd: AcknowledgePetitionForward) -> None:
    state = uow.get(PETITION, cmd.petition_id, "petition")
    uow.record(PETITION, cmd.petition_id, acknowledge(state, cmd, uow.ctx))


def handle_link_petition(uow: UnitOfWork, cmd: LinkPetitionToFinding) -> None:
    state, inspection = _petition(uow, cmd.petition_id)
    finding = uow.find(FINDING, cmd.finding_id)
    events = link_to_finding(state, cmd, uow.ctx, inspection, finding)
    uow.record(PETITION, cmd.petition_id, events)


def handle_link_petition_to_lead(uow: UnitOfWork, cmd: LinkPetitionToLead) -> None:
    state, inspection = _petition(uow, cmd.petition_id)
    found = uow.find(LEAD, cmd.lead_id)
    lead = found if isinstance(found, LeadState) else None  # not another record's id
    events = link_to_lead(state, cmd, uow.ctx, inspection, lead)
    uow.record(PETITION, cmd.petition_id, events)


def handle_close_petition(uow: UnitOfWork, cmd: ClosePetitionNoAction) -> None:
    state, inspection = _petition(uow, cmd.petition_id)
    events = close_no_action(
        state, cmd, uow.ctx, inspection, fieldwork_of(uow, state.inspection_id)
    )
    uow.record(PETITION, cmd.petition_id, events)


HANDLERS: tuple[Registered, ...] = (
    on(RegisterPetition, handle_register_petition),
    on(TriagePetition, handle_triage_petition),
    on(ForwardPetition, handle_forward_petition),
    on(AcknowledgePetitionForward, handle_acknowledge_forward),
    on(LinkPetitionToFinding, handle_link_petition),
    on(LinkPetitionToLead, handle_link_petition_to_lead),
    on(ClosePetitionNoAction, handle_close_petition),
)

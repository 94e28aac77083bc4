"""Handlers of preparation and fieldwork records, petitions, interviews, "1+5" and the
inspectors' management regime."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from xuncha.commands import fieldwork, immediate_rectification, interview, management, petition
from xuncha.commands.fieldwork import FIELDWORK, FieldworkState, fieldwork_stream_id
from xuncha.commands.finding import FINDING
from xuncha.commands.immediate_rectification import IMMEDIATE_RECTIFICATION
from xuncha.commands.inspection import INSPECTION, InspectionState
from xuncha.commands.interview import INTERVIEW
from xuncha.commands.lead import LEAD, LeadState
from xuncha.commands.management import GROUP_MANAGEMENT, ManagementState, management_stream_id
from xuncha.commands.petition import PETITION
from xuncha.commands.registry import Handler, handles, register_all
from xuncha.commands.unit_of_work import UnitOfWork
from xuncha.events.policy import PolicyParameters


def _inspection(uow: UnitOfWork, inspection_id: UUID) -> InspectionState:
    return uow.get(INSPECTION, inspection_id, "inspection")


def _params(uow: UnitOfWork, inspection: InspectionState) -> PolicyParameters:
    return uow.policy(inspection.jurisdiction_id, uow.ctx.today)[1]


def _fieldwork(uow: UnitOfWork, inspection_id: UUID) -> FieldworkState:
    found = uow.find(FIELDWORK, fieldwork_stream_id(inspection_id))
    return found or FieldworkState(inspection_id)


def _created(events: list[Any], new_id: UUID) -> UUID | None:
    """The id of the record the events create inside the stream (a briefing, a survey, a
    document request, a group meeting, a leave, ...): the new id one of them carries."""
    return new_id if any(new_id in vars(event).values() for event in events) else None


def _on_fieldwork(decide: Callable[..., Any]) -> Handler:
    def handler(uow: UnitOfWork, cmd: Any) -> UUID | None:
        inspection = _inspection(uow, cmd.inspection_id)
        state = _fieldwork(uow, cmd.inspection_id)
        new_id = uow.new_id()
        events = decide(state, inspection, cmd, uow.ctx, _params(uow, inspection), new_id)
        uow.record(FIELDWORK, fieldwork_stream_id(cmd.inspection_id), events)
        return _created(events, new_id)

    return handler


def _on_management(decide: Callable[..., Any]) -> Handler:
    def handler(uow: UnitOfWork, cmd: Any) -> UUID | None:
        inspection = _inspection(uow, cmd.inspection_id)
        stream_id = management_stream_id(cmd.inspection_id)
        state = uow.find(GROUP_MANAGEMENT, stream_id) or ManagementState(cmd.inspection_id)
        new_id = uow.new_id()
        events = decide(state, inspection, cmd, uow.ctx, _params(uow, inspection), new_id)
        uow.record(GROUP_MANAGEMENT, stream_id, events)
        return _created(events, new_id)

    return handler


register_all({command: _on_fieldwork(decide) for command, decide in fieldwork.DECISIONS.items()})
register_all({command: _on_management(decide) for command, decide in management.DECISIONS.items()})


# Petitions -----------------------------------------------------------------------------------


@handles(petition.RegisterPetition)
def register_petition(uow: UnitOfWork, cmd: petition.RegisterPetition) -> UUID:
    inspection = _inspection(uow, cmd.inspection_id)
    petition_id = uow.new_id()
    uow.record(PETITION, petition_id, petition.register(inspection, cmd, uow.ctx, petition_id))
    return petition_id


def _petition(uow: UnitOfWork, petition_id: UUID) -> tuple[petition.PetitionState, InspectionState]:
    state = uow.get(PETITION, petition_id, "petition")
    return state, _inspection(uow, state.inspection_id)


@handles(petition.TriagePetition)
def triage_petition(uow: UnitOfWork, cmd: petition.TriagePetition) -> None:
    state, inspection = _petition(uow, cmd.petition_id)
    events = petition.triage(state, cmd, uow.ctx, inspection, _fieldwork(uow, state.inspection_id))
    uow.record(PETITION, cmd.petition_id, events)


@handles(petition.ForwardPetition)
def forward_petition(uow: UnitOfWork, cmd: petition.ForwardPetition) -> None:
    state, inspection = _petition(uow, cmd.petition_id)
    uow.record(PETITION, cmd.petition_id, petition.forward(state, cmd, uow.ctx, inspection))


@handles(petition.AcknowledgePetitionForward)
def acknowledge_forward(uow: UnitOfWork, cmd: petition.AcknowledgePetitionForward) -> None:
    state = uow.get(PETITION, cmd.petition_id, "petition")
    uow.record(PETITION, cmd.petition_id, petition.acknowledge(state, cmd, uow.ctx))


@handles(petition.LinkPetitionToFinding)
def link_petition(uow: UnitOfWork, cmd: petition.LinkPetitionToFinding) -> None:
    state, inspection = _petition(uow, cmd.petition_id)
    finding = uow.find(FINDING, cmd.finding_id)
    events = petition.link_to_finding(state, cmd, uow.ctx, inspection, finding)
    uow.record(PETITION, cmd.petition_id, events)


@handles(petition.LinkPetitionToLead)
def link_petition_to_lead(uow: UnitOfWork, cmd: petition.LinkPetitionToLead) -> None:
    state, inspection = _petition(uow, cmd.petition_id)
    found = uow.find(LEAD, cmd.lead_id)
    lead = found if isinstance(found, LeadState) else None  # not another record's id
    events = petition.link_to_lead(state, cmd, uow.ctx, inspection, lead)
    uow.record(PETITION, cmd.petition_id, events)


@handles(petition.ClosePetitionNoAction)
def close_petition(uow: UnitOfWork, cmd: petition.ClosePetitionNoAction) -> None:
    state, inspection = _petition(uow, cmd.petition_id)
    events = petition.close_no_action(
        state, cmd, uow.ctx, inspection, _fieldwork(uow, state.inspection_id)
    )
    uow.record(PETITION, cmd.petition_id, events)


# Interviews ----------------------------------------------------------------------------------


@handles(interview.ConductInterview)
def conduct_interview(uow: UnitOfWork, cmd: interview.ConductInterview) -> UUID:
    inspection = _inspection(uow, cmd.inspection_id)
    interview_id = uow.new_id()
    params = _params(uow, inspection)
    events = interview.conduct(inspection, cmd, uow.ctx, params, interview_id)
    uow.record(INTERVIEW, interview_id, events)
    return interview_id


@handles(interview.SignInterviewRecord)
def sign_interview(uow: UnitOfWork, cmd: interview.SignInterviewRecord) -> None:
    state = uow.get(INTERVIEW, cmd.interview_id, "interview record")
    inspection = _inspection(uow, state.inspection_id)
    uow.record(INTERVIEW, cmd.interview_id, interview.sign(state, cmd, uow.ctx, inspection))


# Immediate rectification (立行立改) ------------------------------------------------------------


@handles(immediate_rectification.RequestImmediateRectification)
def request_immediate(
    uow: UnitOfWork, cmd: immediate_rectification.RequestImmediateRectification
) -> UUID:
    inspection = _inspection(uow, cmd.inspection_id)
    finding = uow.find(FINDING, cmd.finding_id) if cmd.finding_id else None
    item_id = uow.new_id()
    events = immediate_rectification.request(inspection, cmd, uow.ctx, finding, item_id)
    uow.record(IMMEDIATE_RECTIFICATION, item_id, events)
    return item_id


@handles(immediate_rectification.CompleteImmediateRectification)
def complete_immediate(
    uow: UnitOfWork, cmd: immediate_rectification.CompleteImmediateRectification
) -> None:
    state = uow.get(IMMEDIATE_RECTIFICATION, cmd.item_id, "immediate rectification")
    inspection = _inspection(uow, state.inspection_id)
    events = immediate_rectification.complete(state, cmd, uow.ctx, inspection)
    uow.record(IMMEDIATE_RECTIFICATION, cmd.item_id, events)

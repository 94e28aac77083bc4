"""Handlers of the lead (问题线索); the timer that flags late acknowledgements and outcomes
is `commands/timers/lead_overdue.py`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from uuid import UUID

from xuncha.commands import lead
from xuncha.commands.base import Context
from xuncha.commands.handling import Handler, Registered, on
from xuncha.commands.inspection import INSPECTION, InspectionState
from xuncha.commands.lead import LEAD, LeadCommand, LeadState
from xuncha.commands.unit_of_work import UnitOfWork
from xuncha.events.base import DomainEvent

LC = TypeVar("LC", bound=LeadCommand)


def _inspection(uow: UnitOfWork, inspection_id: UUID) -> InspectionState:
    return uow.get(INSPECTION, inspection_id, "inspection")


def _lead(uow: UnitOfWork, lead_id: UUID) -> LeadState:
    return uow.get(LEAD, lead_id, "lead")


def register_lead(uow: UnitOfWork, cmd: lead.RegisterLead) -> UUID:
    inspection = _inspection(uow, cmd.inspection_id)
    lead_id = uow.new_id()
    on_lead, on_inspection = lead.register(inspection, cmd, uow.ctx, lead_id)
    uow.record(LEAD, lead_id, on_lead)
    uow.record(INSPECTION, cmd.inspection_id, on_inspection)
    return lead_id


def classify_lead(uow: UnitOfWork, cmd: lead.ClassifyLead) -> None:
    state = _lead(uow, cmd.lead_id)
    inspection = _inspection(uow, state.inspection_id)
    uow.record(LEAD, cmd.lead_id, lead.classify(state, cmd, uow.ctx, inspection))


def approve_transfer(uow: UnitOfWork, cmd: lead.ApproveLeadTransfer) -> None:
    state = _lead(uow, cmd.lead_id)
    inspection = _inspection(uow, state.inspection_id)
    # The receiver follows the policy in force on the approval day.
    in_force = uow.policy(state.jurisdiction_id, cmd.approved_on or uow.ctx.today)
    decided = lead.approve_transfer(state, cmd, uow.ctx, in_force, inspection)
    uow.record(LEAD, cmd.lead_id, decided)


def transfer(uow: UnitOfWork, cmd: lead.TransferLead) -> None:
    state = _lead(uow, cmd.lead_id)
    inspection = _inspection(uow, state.inspection_id)
    # The clocks start under the policy in force on the transfer day, recorded in the event.
    in_force = uow.policy(state.jurisdiction_id, cmd.transferred_on)
    uow.record(LEAD, cmd.lead_id, lead.transfer(state, cmd, uow.ctx, inspection, in_force))


def transfer_during_fieldwork(uow: UnitOfWork, cmd: lead.TransferLeadDuringFieldwork) -> None:
    state = _lead(uow, cmd.lead_id)
    inspection = _inspection(uow, state.inspection_id)
    in_force = uow.policy(state.jurisdiction_id, cmd.transferred_on)
    events_ = lead.transfer_during_fieldwork(state, cmd, uow.ctx, inspection, in_force)
    uow.record(LEAD, cmd.lead_id, events_)


def _on_lead(decide: Callable[[LeadState, LC, Context], list[DomainEvent]]) -> Handler[LC]:
    def handler(uow: UnitOfWork, cmd: LC) -> None:
        uow.record(LEAD, cmd.lead_id, decide(_lead(uow, cmd.lead_id), cmd, uow.ctx))

    return handler


HANDLERS: tuple[Registered, ...] = (
    on(lead.RegisterLead, register_lead),
    on(lead.ClassifyLead, classify_lead),
    on(lead.ApproveLeadTransfer, approve_transfer),
    on(lead.TransferLead, transfer),
    on(lead.TransferLeadDuringFieldwork, transfer_during_fieldwork),
    on(lead.AcknowledgeLead, _on_lead(lead.acknowledge)),
    on(lead.RecordLeadDisposition, _on_lead(lead.record_disposition)),
    on(lead.ReportLeadOutcome, _on_lead(lead.report_outcome)),
    on(lead.CloseLead, _on_lead(lead.close)),
    on(lead.MarkLeadAcknowledgementOverdue, _on_lead(lead.mark_acknowledgement_overdue)),
    on(lead.MarkLeadOutcomeOverdue, _on_lead(lead.mark_outcome_overdue)),
)

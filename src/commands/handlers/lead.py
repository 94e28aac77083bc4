"""Handlers of the lead area (问题线索), and the clock that flags late acknowledgements and
outcomes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from xuncha.commands import lead
from xuncha.commands.errors import DomainError
from xuncha.commands.eventstore.log_follower import PerStore, follow
from xuncha.commands.eventstore.store import EventStore
from xuncha.commands.inspection import INSPECTION, InspectionState
from xuncha.commands.lead import LEAD, LeadState
from xuncha.commands.registry import Handler, handles, register_all
from xuncha.commands.timers.base import SYSTEM_ACTOR, tick
from xuncha.commands.unit_of_work import UnitOfWork
from xuncha.events import lead as events
from xuncha.events.office_day import office_date

if TYPE_CHECKING:
    from xuncha.commands.service import Application


def _inspection(uow: UnitOfWork, inspection_id: UUID) -> InspectionState:
    return uow.get(INSPECTION, inspection_id, "inspection")


def _lead(uow: UnitOfWork, lead_id: UUID) -> LeadState:
    return uow.get(LEAD, lead_id, "lead")


@handles(lead.RegisterLead)
def register_lead(uow: UnitOfWork, cmd: lead.RegisterLead) -> UUID:
    inspection = _inspection(uow, cmd.inspection_id)
    lead_id = uow.new_id()
    on_lead, on_inspection = lead.register(inspection, cmd, uow.ctx, lead_id)
    uow.record(LEAD, lead_id, on_lead)
    uow.record(INSPECTION, cmd.inspection_id, on_inspection)
    return lead_id


@handles(lead.ClassifyLead)
def classify_lead(uow: UnitOfWork, cmd: lead.ClassifyLead) -> None:
    state = _lead(uow, cmd.lead_id)
    inspection = _inspection(uow, state.inspection_id)
    uow.record(LEAD, cmd.lead_id, lead.classify(state, cmd, uow.ctx, inspection))


@handles(lead.ApproveLeadTransfer)
def approve_transfer(uow: UnitOfWork, cmd: lead.ApproveLeadTransfer) -> None:
    state = _lead(uow, cmd.lead_id)
    inspection = _inspection(uow, state.inspection_id)
    # The receiver follows the policy in force on the approval day.
    in_force = uow.policy(state.jurisdiction_id, cmd.approved_on or uow.ctx.today)
    decided = lead.approve_transfer(state, cmd, uow.ctx, in_force, inspection)
    uow.record(LEAD, cmd.lead_id, decided)


@handles(lead.TransferLead)
def transfer(uow: UnitOfWork, cmd: lead.TransferLead) -> None:
    state = _lead(uow, cmd.lead_id)
    inspection = _inspection(uow, state.inspection_id)
    # The clocks start under the policy in force on the transfer day, recorded in the event.
    in_force = uow.policy(state.jurisdiction_id, cmd.transferred_on)
    uow.record(LEAD, cmd.lead_id, lead.transfer(state, cmd, uow.ctx, inspection, in_force))


@handles(lead.TransferLeadDuringFieldwork)
def transfer_during_fieldwork(uow: UnitOfWork, cmd: lead.TransferLeadDuringFieldwork) -> None:
    state = _lead(uow, cmd.lead_id)
    inspection = _inspection(uow, state.inspection_id)
    in_force = uow.policy(state.jurisdiction_id, cmd.transferred_on)
    events_ = lead.transfer_during_fieldwork(state, cmd, uow.ctx, inspection, in_force)
    uow.record(LEAD, cmd.lead_id, events_)


def _on_lead(decide: Callable[..., Any]) -> Handler:
    def handler(uow: UnitOfWork, cmd: Any) -> None:
        uow.record(LEAD, cmd.lead_id, decide(_lead(uow, cmd.lead_id), cmd, uow.ctx))

    return handler


register_all(
    {
        lead.AcknowledgeLead: _on_lead(lead.acknowledge),
        lead.RecordLeadDisposition: _on_lead(lead.record_disposition),
        lead.ReportLeadOutcome: _on_lead(lead.report_outcome),
        lead.CloseLead: _on_lead(lead.close),
        lead.MarkLeadAcknowledgementOverdue: _on_lead(lead.mark_acknowledgement_overdue),
        lead.MarkLeadOutcomeOverdue: _on_lead(lead.mark_outcome_overdue),
    }
)


# The clock -----------------------------------------------------------------------------------

WATCHED = (
    events.LeadTransferred,
    events.LeadTransferredDuringFieldwork,
    events.LeadAcknowledged,
    events.LeadAcknowledgementOverdue,
    events.LeadOutcomeReported,
    events.LeadOutcomeOverdue,
    events.LeadClosed,
)


@dataclass
class LeadClocks:
    """The running clocks of transferred leads, followed from the notification log
    (`commands.log_follower`): only the lead events that start or stop a clock, with the due
    dates of clocks still running kept in memory.

    Why this and not a read model: commands may not read projections (dependencies point
    inward), and a tick must not depend on a read model's lag. Scanning every lead stream on
    each tick would grow with all leads ever transferred. The lead's own rules decide (not due
    yet, already flagged, acknowledged) on what the clocks propose.
    """

    position: int = 0
    acknowledgement_due: dict[UUID, date] = field(default_factory=dict)
    outcome_due: dict[UUID, date] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def catch_up(self, store: EventStore) -> None:
        self.position = follow(store, self.position, WATCHED, lambda r: self.apply(r.event))

    def apply(self, e: Any) -> None:
        if isinstance(e, events.LeadTransferred | events.LeadTransferredDuringFieldwork):
            self.acknowledgement_due[e.lead_id] = e.acknowledgement_due
            self.outcome_due[e.lead_id] = e.outcome_due
        elif isinstance(e, events.LeadAcknowledged | events.LeadAcknowledgementOverdue):
            self.acknowledgement_due.pop(e.lead_id, None)
        elif isinstance(e, events.LeadOutcomeReported | events.LeadOutcomeOverdue):
            self.outcome_due.pop(e.lead_id, None)
        elif isinstance(e, events.LeadClosed):
            self.acknowledgement_due.pop(e.lead_id, None)
            self.outcome_due.pop(e.lead_id, None)

    def overdue(self, today: date) -> list[lead.LeadCommand]:
        late_ack = sorted(i for i, due in self.acknowledgement_due.items() if today > due)
        late_outcome = sorted(i for i, due in self.outcome_due.items() if today > due)
        return [
            *(lead.MarkLeadAcknowledgementOverdue(lead_id=i, as_of=today) for i in late_ack),
            *(lead.MarkLeadOutcomeOverdue(lead_id=i, as_of=today) for i in late_outcome),
        ]


CLOCKS = PerStore(LeadClocks)


def clocks_of(store: EventStore) -> LeadClocks:
    return CLOCKS.of(store)


@tick("lead_overdue")
def flag_overdue_leads(app: Application, now: datetime) -> int:
    """LeadAcknowledgementOverdue / LeadOutcomeOverdue, once per lead and clock."""
    clocks = clocks_of(app.store)
    with clocks.lock:
        clocks.catch_up(app.store)
        issued = 0
        for command in clocks.overdue(office_date(now)):
            try:
                app.execute(command, SYSTEM_ACTOR)
            except DomainError:
                continue  # decided otherwise meanwhile (or another process flagged it first)
            issued += 1
        clocks.catch_up(app.store)
        return issued

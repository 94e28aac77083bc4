"""The overdue-lead timer: flags late acknowledgements and outcomes of transferred leads
(LeadAcknowledgementOverdue / LeadOutcomeOverdue), once per lead and clock."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from xuncha.commands import lead
from xuncha.commands.errors import DomainError
from xuncha.commands.eventstore.log_follower import follow
from xuncha.commands.eventstore.store import EventStore
from xuncha.commands.service import Application
from xuncha.commands.timers.base import SYSTEM_ACTOR
from xuncha.events import lead as events
from xuncha.events.office_day import office_date

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
    (`commands.eventstore.log_follower.follow`): only the lead events that start or stop a
    clock, with the due dates of clocks still running kept in memory.

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


class OverdueLeads:
    """The process manager: proposes what the clocks say is late and lets each lead's rule
    decide, through `app` as the system actor."""

    name = "lead_overdue"

    def __init__(self, app: Application) -> None:
        self.app = app
        self.clocks = LeadClocks()

    def tick(self, now: datetime) -> int:
        """LeadAcknowledgementOverdue / LeadOutcomeOverdue, once per lead and clock."""
        app, clocks = self.app.at(now), self.clocks  # decides as of `now`
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

"""The lead's state and stream, and the roles its commands name."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import ClassVar
from uuid import UUID

from xuncha.commands.base import (
    Aggregate,
    Command,
)
from xuncha.events.base import DomainEvent, Role
from xuncha.events.lead import (
    CadreLevel,
    Disposition,
    FastTrack,
    LeadAcknowledged,
    LeadAcknowledgementOverdue,
    LeadChannel,
    LeadClassified,
    LeadClosed,
    LeadDispositionRecorded,
    LeadOutcomeOverdue,
    LeadOutcomeReported,
    LeadRegistered,
    LeadTransferApproved,
    LeadTransferred,
    LeadTransferredDuringFieldwork,
    LeadType,
    ReceivingAuthority,
)
from xuncha.events.values import PolicyRef
from xuncha.events.vocabulary import LeadStage

REGISTRARS = frozenset({Role.GROUP_LEADER, Role.DEPUTY_GROUP_LEADER, Role.GROUP_MEMBER})
RECEIVERS = frozenset(
    {Role.DISCIPLINE_COMMISSION, Role.ORGANIZATION_DEPARTMENT, Role.INTEGRATION_CLIENT}
)
OFFICE = frozenset({Role.INSPECTION_OFFICE})
SYSTEM = frozenset({Role.SYSTEM})

NOT_TERMINAL = frozenset({Disposition.SHELVED})  # 暂存待查: another disposition follows
FINAL = frozenset({Disposition.CONCLUDED, Disposition.CASE_FILED})  # nothing follows these
LABELS = {
    Disposition.TALK_OR_INQUIRY: "谈话函询",
    Disposition.PRELIMINARY_VERIFICATION: "初步核实",
    Disposition.SHELVED: "暂存待查",
    Disposition.CONCLUDED: "予以了结",
    Disposition.CASE_FILED: "立案审查",
}
CHANNEL = {
    LeadType.DISCIPLINE: LeadChannel.DISCIPLINE,
    LeadType.OTHER: LeadChannel.DISCIPLINE,
    LeadType.CADRE_SELECTION: LeadChannel.ORGANIZATION,
}


@dataclass(frozen=True)
class LeadState:
    lead_id: UUID
    inspection_id: UUID
    round_id: UUID
    jurisdiction_id: str
    management_level: CadreLevel
    stage: LeadStage = LeadStage.REGISTERED
    lead_type: LeadType | None = None
    fast_track: FastTrack | None = None
    receiver: ReceivingAuthority | None = None
    approved_on: date | None = None
    transferred_on: date | None = None
    acknowledgement_due: date | None = None
    outcome_due: date | None = None
    clock_policy: PolicyRef | None = None
    acknowledged_on: date | None = None
    disposition: Disposition | None = None
    four_forms_level: int | None = None
    decided_on: date | None = None
    dispositions: tuple[Disposition, ...] = ()
    outcome_reported_on: date | None = None
    acknowledgement_overdue: bool = False
    outcome_overdue: bool = False

    @property
    def is_open(self) -> bool:
        return self.stage != LeadStage.CLOSED

    def describe(self) -> str:
        """The stage in words for messages, with the disposition when there is one."""
        if self.stage == LeadStage.DISPOSED and self.disposition is not None:
            return f"disposed: {self.disposition.value} ({LABELS[self.disposition]})"
        return self.stage


def evolve(state: LeadState | None, event: DomainEvent) -> LeadState | None:
    if isinstance(event, LeadRegistered):
        return LeadState(
            event.lead_id,
            event.inspection_id,
            event.round_id,
            event.jurisdiction_id,
            event.management_level,
        )
    if state is None:
        return None
    match event:
        case LeadClassified():
            return replace(
                state,
                stage=LeadStage.CLASSIFIED,
                lead_type=event.lead_type,
                fast_track=event.fast_track,
            )
        case LeadTransferApproved():
            return replace(
                state,
                stage=LeadStage.TRANSFER_APPROVED,
                receiver=event.receiver,
                approved_on=event.approved_on,
            )
        case LeadTransferred() | LeadTransferredDuringFieldwork():
            return replace(
                state,
                stage=LeadStage.TRANSFERRED,
                receiver=event.receiver,
                transferred_on=event.transferred_on,
                acknowledgement_due=event.acknowledgement_due,
                outcome_due=event.outcome_due,
                clock_policy=event.policy,
            )
        case LeadAcknowledged():
            return replace(
                state, stage=LeadStage.ACKNOWLEDGED, acknowledged_on=event.acknowledged_on
            )
        case LeadAcknowledgementOverdue():
            return replace(state, acknowledgement_overdue=True)
        case LeadDispositionRecorded():
            return replace(
                state,
                stage=LeadStage.DISPOSED,
                disposition=event.category,
                four_forms_level=event.four_forms_level,
                decided_on=event.decided_on,
                dispositions=(*state.dispositions, event.category),
            )
        case LeadOutcomeReported():
            return replace(
                state, stage=LeadStage.OUTCOME_REPORTED, outcome_reported_on=event.reported_on
            )
        case LeadOutcomeOverdue():
            return replace(state, outcome_overdue=True)
        case LeadClosed():
            return replace(state, stage=LeadStage.CLOSED)
    return state


LEAD = Aggregate[LeadState]("lead", evolve)


# Commands ------------------------------------------------------------------------------------


class LeadCommand(Command):
    target: ClassVar[str | None] = "lead_id"
    lead_id: UUID

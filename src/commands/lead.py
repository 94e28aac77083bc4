"""Lead (问题线索): a problem of a person, handed to the authority that manages them.

Stages: registered → classified → transfer_approved → transferred → acknowledged
→ disposed (暂存待查 may be followed by another disposition) → outcome_reported → closed.
Timers flag an acknowledgement or an outcome that is late; they do not change the stage.

Who may do what (DOMAIN.md Appendix B, invariant 12): group members register, the group
leader classifies (组务会), the leading group approves the transfer, the office transfers and
closes (or the group leader transfers a fast-track lead during fieldwork), and only the
receiving authority, the very organization the lead was transferred to, acknowledges, disposes
and reports the outcome. The inspection side never records a discipline decision of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from xuncha.commands import consequences
from xuncha.commands.base import (
    Aggregate,
    Command,
    Context,
    require,
    require_actor,
    require_not_future,
    require_stage,
)
from xuncha.commands.dates import add_months
from xuncha.commands.decision import Decision
from xuncha.commands.errors import InvalidTransition
from xuncha.commands.inspection import (
    INACTIVE_STAGES,
    InspectionState,
    require_group_member,
    require_leader,
)
from xuncha.events.base import DomainEvent, Role
from xuncha.events.lead import (
    CadreLevel,
    Disposition,
    FastTrack,
    InspectionLeadRegistered,
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
    SourceRef,
    Urgency,
)
from xuncha.events.policy import PolicyParameters
from xuncha.events.values import PolicyRef
from xuncha.events.vocabulary import InspectionStage, LeadStage

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


class RegisterLead(Command):
    """登记问题线索: a lead is about a person (general shortcomings are findings, not leads)."""

    target: ClassVar[str | None] = "inspection_id"
    allowed_roles: ClassVar[frozenset[Role]] = REGISTRARS
    inspection_id: UUID
    subject_name: str = Field(min_length=1, max_length=100, description="The person (sealed)")
    subject_position: str = Field(min_length=1, max_length=200, description="职务 (sealed)")
    management_level: CadreLevel = Field(description="干部管理权限: decides the receiver")
    allegation: str = Field(min_length=1, max_length=20000, description="反映的问题 (sealed)")
    sources: list[SourceRef] = Field(min_length=1, max_length=100)


class LeadCommand(Command):
    target: ClassVar[str | None] = "lead_id"
    lead_id: UUID


class ClassifyLead(LeadCommand):
    """组务会 classifies the lead; fast track (八项规定/四风) only for discipline leads."""

    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.GROUP_LEADER})
    lead_type: LeadType
    urgency: Urgency = Urgency.NORMAL
    fast_track: FastTrack | None = None
    meeting_ref: str = Field(min_length=1, max_length=200)


class ApproveLeadTransfer(LeadCommand):
    """The leading group approves the transfer; the receiver follows the subject's
    management level through the jurisdiction's policy."""

    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.LEADING_GROUP})
    note: str = Field(default="", max_length=2000)
    approved_on: date | None = Field(
        default=None,
        description="the day the leading group approved the transfer, if not today; "
        "not in the future",
    )


class TransferLead(LeadCommand):
    """The office hands the sealed package over (after fieldwork); the clocks start."""

    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    package_ref: str = Field(min_length=1, max_length=200)
    transferred_on: date


class TransferLeadDuringFieldwork(LeadCommand):
    """边办案: the group leader hands a fast-track lead over while the group is stationed."""

    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.GROUP_LEADER})
    package_ref: str = Field(min_length=1, max_length=200)
    transferred_on: date


class AcknowledgeLead(LeadCommand):
    allowed_roles: ClassVar[frozenset[Role]] = RECEIVERS
    receiver_case_no: str = Field(min_length=1, max_length=100)
    acknowledged_on: date


class RecordLeadDisposition(LeadCommand):
    """The receiving authority's 处置方式 (and 四种形态 level, if any)."""

    allowed_roles: ClassVar[frozenset[Role]] = RECEIVERS
    category: Disposition
    four_forms_level: int | None = Field(default=None, ge=1, le=4)
    decided_on: date
    note: str = Field(default="", max_length=20000, description="sealed")


class ReportLeadOutcome(LeadCommand):
    allowed_roles: ClassVar[frozenset[Role]] = RECEIVERS
    summary: str = Field(min_length=1, max_length=20000, description="sealed")
    four_forms_level: int | None = Field(default=None, ge=1, le=4)
    reported_on: date


class CloseLead(LeadCommand):
    """销号办结, by the office, after a terminal disposition and its outcome."""

    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    closed_on: date | None = Field(
        default=None,
        description="the day the lead was closed, if not today; not in the future, not "
        "before the outcome was reported",
    )


class MarkLeadAcknowledgementOverdue(LeadCommand):
    """Issued by the clock only."""

    allowed_roles: ClassVar[frozenset[Role]] = SYSTEM
    as_of: date


class MarkLeadOutcomeOverdue(LeadCommand):
    """Issued by the clock only."""

    allowed_roles: ClassVar[frozenset[Role]] = SYSTEM
    as_of: date


# Decisions -----------------------------------------------------------------------------------


def register(
    inspection: InspectionState, cmd: RegisterLead, ctx: Context, lead_id: UUID
) -> tuple[list[DomainEvent], list[DomainEvent]]:
    """Returns the lead's events and the inspection's (it keeps the list of its leads)."""
    if inspection.stationed_on is None or inspection.stage in INACTIVE_STAGES:
        raise InvalidTransition(
            f"cannot register a lead while the inspection's stage is '{inspection.stage}'; "
            "leads are registered from stationing (进驻) on, while the inspection is active"
        )
    require_group_member(inspection, ctx)
    keys = [(s.kind, s.ref) for s in cmd.sources]
    require(len(set(keys)) == len(keys), "the same source is cited twice")
    registered = LeadRegistered(
        lead_id=lead_id,
        inspection_id=inspection.inspection_id,
        round_id=inspection.round_id,
        jurisdiction_id=inspection.jurisdiction_id,
        organization_id=inspection.organization_id,
        subject_name=cmd.subject_name,
        subject_position=cmd.subject_position,
        management_level=cmd.management_level,
        allegation=cmd.allegation,
        sources=cmd.sources,
        during_fieldwork=inspection.stage == InspectionStage.STATIONED,
    )
    on_inspection = InspectionLeadRegistered(
        inspection_id=inspection.inspection_id, lead_id=lead_id
    )
    return [registered], [on_inspection]


def classify(
    state: LeadState, cmd: ClassifyLead, ctx: Context, inspection: InspectionState
) -> list[DomainEvent]:
    require_stage(state.stage, [LeadStage.REGISTERED, LeadStage.CLASSIFIED], "classify the lead")
    require_leader(inspection, ctx)
    require(
        cmd.fast_track is None or cmd.lead_type == LeadType.DISCIPLINE,
        "only discipline leads (违纪违法: 八项规定/四风) can be fast-tracked",
    )
    return [
        LeadClassified(
            lead_id=state.lead_id,
            inspection_id=state.inspection_id,
            lead_type=cmd.lead_type,
            urgency=cmd.urgency,
            fast_track=cmd.fast_track,
            meeting_ref=cmd.meeting_ref,
        )
    ]


def approve_transfer(
    state: LeadState,
    cmd: ApproveLeadTransfer,
    ctx: Context,
    policy: tuple[PolicyRef, PolicyParameters],
    inspection: InspectionState,
) -> list[DomainEvent]:
    """`policy`: the policy in force on the approval day; `inspection`: the lead's
    inspection (leads exist from stationing on, so no approval is dated before it)."""
    require_stage(state.stage, [LeadStage.CLASSIFIED], "approve the lead's transfer")
    assert state.lead_type is not None
    ref, params = policy
    channel = CHANNEL[state.lead_type]
    route = params.lead_route(channel, state.management_level)
    require(
        route is not None,
        f"policy version {ref.version} of {ref.jurisdiction_id} names no receiving authority "
        f"for {channel.value} leads about {state.management_level.value} cadres; "
        "publish a policy version whose lead_routes do",
    )
    assert route is not None
    approved_on = cmd.approved_on or ctx.today
    require_not_future(approved_on, ctx, "approved_on")
    stationed_on = inspection.stationed_on
    require(
        stationed_on is None or approved_on >= stationed_on,
        f"approved_on ({approved_on}) is before the group was stationed ({stationed_on}), "
        "when the lead could not exist yet",
    )
    receiver = ReceivingAuthority(
        channel=channel, organization_id=route.organization_id, name=route.name
    )
    return [
        LeadTransferApproved(
            lead_id=state.lead_id,
            inspection_id=state.inspection_id,
            receiver=receiver,
            management_level=state.management_level,
            lead_type=state.lead_type,
            approved_on=approved_on,
            note=cmd.note,
            policy=ref,
        )
    ]


def _clocks(
    state: LeadState, transferred_on: date, ctx: Context, params: PolicyParameters
) -> tuple[date, date]:
    require_not_future(transferred_on, ctx, "transferred_on")
    assert state.approved_on is not None
    require(
        transferred_on >= state.approved_on,
        f"a lead cannot be transferred ({transferred_on}) before its transfer was approved "
        f"({state.approved_on})",
    )
    return (
        transferred_on + timedelta(days=params.lead_ack_days),
        add_months(transferred_on, params.lead_outcome_months),
    )


def transfer(
    state: LeadState,
    cmd: TransferLead,
    ctx: Context,
    inspection: InspectionState,
    policy: tuple[PolicyRef, PolicyParameters],
) -> list[DomainEvent]:
    require_stage(state.stage, [LeadStage.TRANSFER_APPROVED], "transfer the lead")
    if inspection.stage == InspectionStage.STATIONED:
        raise InvalidTransition(
            "the group is still stationed: during fieldwork only fast-track leads "
            "(八项规定/四风) are transferred, by the group leader (transfer during fieldwork)"
        )
    ref, params = policy
    ack_due, outcome_due = _clocks(state, cmd.transferred_on, ctx, params)
    assert state.receiver is not None
    return [
        LeadTransferred(
            lead_id=state.lead_id,
            inspection_id=state.inspection_id,
            receiver=state.receiver,
            package_ref=cmd.package_ref,
            transferred_on=cmd.transferred_on,
            acknowledgement_due=ack_due,
            outcome_due=outcome_due,
            policy=ref,
        )
    ]


def transfer_during_fieldwork(
    state: LeadState,
    cmd: TransferLeadDuringFieldwork,
    ctx: Context,
    inspection: InspectionState,
    policy: tuple[PolicyRef, PolicyParameters],
) -> list[DomainEvent]:
    if state.stage in (LeadStage.REGISTERED, LeadStage.CLASSIFIED):
        raise InvalidTransition(
            "a fast-track lead is transferred during fieldwork only with the leading group's "
            "approval; approve the transfer first"
        )
    require_stage(state.stage, [LeadStage.TRANSFER_APPROVED], "transfer the lead during fieldwork")
    require(
        state.fast_track is not None,
        "only leads classified fast-track (八项规定/四风) are transferred during fieldwork",
    )
    if inspection.stage != InspectionStage.STATIONED:
        raise InvalidTransition(
            f"the inspection's stage is '{inspection.stage}', not "
            f"'{InspectionStage.STATIONED}': the fast track is for fieldwork; after it the office "
            "transfers the lead"
        )
    require_leader(inspection, ctx)
    assert inspection.stationed_on is not None
    require(
        cmd.transferred_on >= inspection.stationed_on,
        "a lead is not transferred during fieldwork before the group was stationed",
    )
    ref, params = policy
    ack_due, outcome_due = _clocks(state, cmd.transferred_on, ctx, params)
    assert state.receiver is not None
    assert state.fast_track is not None
    return [
        LeadTransferredDuringFieldwork(
            lead_id=state.lead_id,
            inspection_id=state.inspection_id,
            receiver=state.receiver,
            fast_track=state.fast_track,
            package_ref=cmd.package_ref,
            transferred_on=cmd.transferred_on,
            acknowledgement_due=ack_due,
            outcome_due=outcome_due,
            policy=ref,
        )
    ]


def _require_receiver(state: LeadState, ctx: Context) -> ReceivingAuthority:
    """Only the organization the lead was transferred to, acting as a receiving authority."""
    receiver = state.receiver
    assert receiver is not None
    require_actor(
        ctx.actor.role in RECEIVERS and ctx.actor.organization_id == receiver.organization_id,
        f"only the receiving authority ({receiver.name}, {receiver.organization_id}) records "
        "what happens to this lead; the inspection side never records a discipline decision",
    )
    return receiver


def acknowledge(state: LeadState, cmd: AcknowledgeLead, ctx: Context) -> list[DomainEvent]:
    require_stage(state.stage, [LeadStage.TRANSFERRED], "acknowledge the lead")
    receiver = _require_receiver(state, ctx)
    require_not_future(cmd.acknowledged_on, ctx, "acknowledged_on")
    assert state.transferred_on is not None
    assert state.acknowledgement_due is not None
    require(
        cmd.acknowledged_on >= state.transferred_on,
        f"a lead cannot be acknowledged before it was transferred ({state.transferred_on})",
    )
    due = state.acknowledgement_due
    acknowledged = LeadAcknowledged(
        lead_id=state.lead_id,
        inspection_id=state.inspection_id,
        receiver_organization_id=receiver.organization_id,
        receiver_case_no=cmd.receiver_case_no,
        acknowledged_on=cmd.acknowledged_on,
        on_time=cmd.acknowledged_on <= due,
    )
    late = (
        []
        if acknowledged.on_time
        else [consequences.lead_acknowledged_late(cmd.acknowledged_on, due)]
    )
    return Decision([acknowledged], late)


def record_disposition(
    state: LeadState, cmd: RecordLeadDisposition, ctx: Context
) -> list[DomainEvent]:
    require_stage(
        state.stage,
        [LeadStage.ACKNOWLEDGED, LeadStage.DISPOSED],
        "record a disposition of the lead",
    )
    if state.disposition in FINAL:
        raise InvalidTransition(
            f"the lead's disposition '{state.disposition}' is final; report its outcome"
        )
    receiver = _require_receiver(state, ctx)
    require_not_future(cmd.decided_on, ctx, "decided_on")
    earliest = state.decided_on or state.acknowledged_on
    assert earliest is not None
    require(
        cmd.decided_on >= earliest,
        f"decided_on ({cmd.decided_on}) is before the previous step of the lead ({earliest})",
    )
    require(
        cmd.four_forms_level is None or cmd.category not in NOT_TERMINAL,
        "a shelved lead (暂存待查) has no 四种形态 level yet",
    )
    return [
        LeadDispositionRecorded(
            lead_id=state.lead_id,
            inspection_id=state.inspection_id,
            receiver_organization_id=receiver.organization_id,
            category=cmd.category,
            four_forms_level=cmd.four_forms_level,
            decided_on=cmd.decided_on,
            note=cmd.note,
        )
    ]


def report_outcome(state: LeadState, cmd: ReportLeadOutcome, ctx: Context) -> list[DomainEvent]:
    require_stage(state.stage, [LeadStage.DISPOSED], "report the lead's outcome")
    if state.disposition in NOT_TERMINAL:
        raise InvalidTransition(
            "the lead is shelved (暂存待查), which is not terminal; record a further "
            "disposition before reporting its outcome"
        )
    receiver = _require_receiver(state, ctx)
    require_not_future(cmd.reported_on, ctx, "reported_on")
    assert state.decided_on is not None
    assert state.outcome_due is not None
    assert state.disposition is not None
    require(
        cmd.reported_on >= state.decided_on,
        f"reported_on ({cmd.reported_on}) is before the disposition ({state.decided_on})",
    )
    due = state.outcome_due
    reported = LeadOutcomeReported(
        lead_id=state.lead_id,
        inspection_id=state.inspection_id,
        receiver_organization_id=receiver.organization_id,
        category=state.disposition,
        four_forms_level=cmd.four_forms_level
        if cmd.four_forms_level is not None
        else state.four_forms_level,
        summary=cmd.summary,
        reported_on=cmd.reported_on,
        on_time=cmd.reported_on <= due,
    )
    late = [] if reported.on_time else [consequences.lead_outcome_late(cmd.reported_on, due)]
    return Decision([reported], late)


def close(state: LeadState, cmd: CloseLead, ctx: Context) -> list[DomainEvent]:
    if state.stage != LeadStage.OUTCOME_REPORTED:
        raise InvalidTransition(
            f"cannot close the lead while it is '{state.describe()}'; a lead is closed only "
            "after a terminal disposition and its reported outcome"
        )
    closed_on = cmd.closed_on or ctx.today
    require_not_future(closed_on, ctx, "closed_on")
    assert state.outcome_reported_on is not None
    require(
        closed_on >= state.outcome_reported_on,
        f"closed_on ({closed_on}) is before the outcome was reported ({state.outcome_reported_on})",
    )
    return [
        LeadClosed(lead_id=state.lead_id, inspection_id=state.inspection_id, closed_on=closed_on)
    ]


def _overdue(
    state: LeadState,
    what: str,
    due: date | None,
    flagged: bool,
    as_of: date,
    event_type: type[LeadAcknowledgementOverdue] | type[LeadOutcomeOverdue],
) -> list[DomainEvent]:
    """Flag one of the lead's clocks (acknowledgement or outcome) as overdue, once."""
    if flagged:
        raise InvalidTransition(f"the lead's {what} is already flagged as overdue")
    receiver, ref = state.receiver, state.clock_policy
    assert due is not None
    assert receiver is not None
    assert ref is not None
    if as_of <= due:
        raise InvalidTransition(f"the {what} is due on {due}; it is not overdue yet")
    return [
        event_type(
            lead_id=state.lead_id,
            inspection_id=state.inspection_id,
            receiver_organization_id=receiver.organization_id,
            due=due,
            as_of=as_of,
            policy=ref,
        )
    ]


def mark_acknowledgement_overdue(
    state: LeadState, cmd: MarkLeadAcknowledgementOverdue, ctx: Context
) -> list[DomainEvent]:
    require_stage(state.stage, [LeadStage.TRANSFERRED], "flag the acknowledgement as overdue")
    return _overdue(
        state,
        "acknowledgement",
        state.acknowledgement_due,
        state.acknowledgement_overdue,
        cmd.as_of,
        LeadAcknowledgementOverdue,
    )


def mark_outcome_overdue(
    state: LeadState, cmd: MarkLeadOutcomeOverdue, ctx: Context
) -> list[DomainEvent]:
    require_stage(
        state.stage,
        [LeadStage.TRANSFERRED, LeadStage.ACKNOWLEDGED, LeadStage.DISPOSED],
        "flag the outcome as overdue",
    )
    return _overdue(
        state, "outcome", state.outcome_due, state.outcome_overdue, cmd.as_of, LeadOutcomeOverdue
    )

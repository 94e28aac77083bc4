"""What only the receiving authority records (acknowledgement, disposition, outcome), the
closing, and the overdue flags the timer raises."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from pydantic import Field

from xuncha.commands import consequences
from xuncha.commands.base import (
    Context,
    require,
    require_actor,
    require_not_future,
    require_stage,
)
from xuncha.commands.decision import Decision
from xuncha.commands.errors import InvalidTransition
from xuncha.commands.lead.state import (
    FINAL,
    NOT_TERMINAL,
    OFFICE,
    RECEIVERS,
    SYSTEM,
    LeadCommand,
    LeadState,
)
from xuncha.events.base import DomainEvent, Role
from xuncha.events.lead import (
    Disposition,
    LeadAcknowledged,
    LeadAcknowledgementOverdue,
    LeadClosed,
    LeadDispositionRecorded,
    LeadOutcomeOverdue,
    LeadOutcomeReported,
    ReceivingAuthority,
)
from xuncha.events.vocabulary import LeadStage


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

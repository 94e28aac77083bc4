"""反馈: the feedback opinion with its problem ledger, and its delivery (starts the clocks)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import Field

from commands.base import Aggregate, Context, require, require_not_future, require_stage
from commands.dates import add_months
from commands.errors import InvalidTransition
from commands.inspection import InspectionState, require_leader
from commands.preparation import InspectionCommand
from events.base import DomainEvent, Role
from events.feedback import FeedbackDelivered, FeedbackOpinionDrafted
from events.inspection import InspectionFeedbackDelivered
from events.policy import PolicyParameters
from events.values import LedgerItem, PolicyRef


def feedback_stream_id(inspection_id: UUID) -> UUID:
    """One feedback per inspection; its stream id is derived from the inspection's."""
    return uuid5(NAMESPACE_URL, f"xuncha:feedback:{inspection_id}")


@dataclass(frozen=True)
class FeedbackState:
    feedback_id: UUID
    inspection_id: UUID
    draft_no: int
    ledger: tuple[LedgerItem, ...]
    delivered_on: date | None = None


def evolve(state: FeedbackState | None, event: DomainEvent) -> FeedbackState | None:
    match event:
        case FeedbackOpinionDrafted():
            return FeedbackState(
                event.feedback_id, event.inspection_id, event.draft_no, tuple(event.ledger)
            )
        case FeedbackDelivered() if state:
            return replace(state, delivered_on=event.delivered_on)
    return state


FEEDBACK = Aggregate[FeedbackState]("feedback", evolve)


class DraftFeedbackOpinion(InspectionCommand):
    allowed_roles: ClassVar[frozenset[Role]] = frozenset(
        {Role.GROUP_LEADER, Role.INSPECTION_OFFICE}
    )
    opinion: str = Field(min_length=1, max_length=50000)
    ledger: list[LedgerItem] = Field(min_length=1, max_length=500)


class DeliverFeedback(InspectionCommand):
    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.GROUP_LEADER})
    delivered_on: date
    attendees: list[str] = Field(default_factory=list, max_length=200)


def draft_opinion(
    state: FeedbackState | None,
    cmd: DraftFeedbackOpinion,
    ctx: Context,
    inspection: InspectionState,
) -> list[DomainEvent]:
    require_stage(inspection.stage, ["report_approved"], "draft the feedback opinion")
    if ctx.actor.role == Role.GROUP_LEADER:
        require_leader(inspection, ctx)
    numbers = [item.item_no for item in cmd.ledger]
    require(len(set(numbers)) == len(numbers), "ledger item numbers must be unique")
    for item in cmd.ledger:
        stray = [str(f) for f in item.finding_ids if f not in inspection.approved_finding_ids]
        require(
            not stray,
            f"ledger item {item.item_no} cites finding(s) {', '.join(stray)} that are not in "
            "the approved report; every ledger item maps to approved findings",
        )
    return [
        FeedbackOpinionDrafted(
            feedback_id=feedback_stream_id(inspection.inspection_id),
            inspection_id=inspection.inspection_id,
            draft_no=(state.draft_no if state else 0) + 1,
            opinion=cmd.opinion,
            ledger=cmd.ledger,
        )
    ]


def deliver(
    state: FeedbackState | None,
    inspection: InspectionState,
    cmd: DeliverFeedback,
    ctx: Context,
    policy: tuple[PolicyRef, PolicyParameters],
) -> tuple[list[DomainEvent], list[DomainEvent]]:
    """Returns the feedback's events and the inspection's events (the clocks start here)."""
    require_stage(inspection.stage, ["report_approved"], "deliver feedback")
    require_leader(inspection, ctx)
    if state is None:
        raise InvalidTransition("draft the feedback opinion before delivering feedback")
    require_not_future(cmd.delivered_on, ctx, "delivered_on")
    assert inspection.approved_on is not None
    require(
        cmd.delivered_on >= inspection.approved_on,
        "feedback cannot be delivered before the report was approved",
    )
    ref, params = policy
    feedback = FeedbackDelivered(
        feedback_id=state.feedback_id,
        inspection_id=state.inspection_id,
        draft_no=state.draft_no,
        delivered_on=cmd.delivered_on,
        attendees=cmd.attendees,
    )
    clocks = InspectionFeedbackDelivered(
        inspection_id=inspection.inspection_id,
        delivered_on=cmd.delivered_on,
        ledger_item_nos=[item.item_no for item in state.ledger],
        plan_due=cmd.delivered_on + timedelta(days=params.plan_due_days),
        written_report_due=add_months(cmd.delivered_on, params.written_report_months),
        policy=ref,
    )
    return [feedback], [clocks]

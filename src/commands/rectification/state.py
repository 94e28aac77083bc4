"""The rectification item's state and stream, and the checks its commands share."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any, ClassVar
from uuid import UUID

from pydantic import Field

from xuncha.commands.base import (
    Aggregate,
    Command,
    Context,
    require,
    require_actor,
    require_not_future,
)
from xuncha.events.base import DomainEvent, Role
from xuncha.events.rectification import (
    AccountabilityTalkHeld,
    ItemClosureRequested,
    ItemDeadlineApproaching,
    ItemDeadlineExtended,
    ItemOverdue,
    ItemReclassifiedLongTerm,
    ItemVerificationFailed,
    ItemVerified,
    RectificationItemClosed,
    RectificationItemOpened,
    RectificationItemReopened,
    RectificationProgressReported,
    SupervisionNoticeIssued,
    WarningLevel,
)
from xuncha.events.values import PolicyRef
from xuncha.events.vocabulary import RectificationItemStatus

INSPECTED = frozenset({Role.INSPECTED_ORG_PRINCIPAL, Role.INSPECTED_ORG_LIAISON})
VERIFIERS = frozenset(
    {
        Role.INSPECTION_OFFICE,
        Role.GROUP_LEADER,
        Role.DISCIPLINE_COMMISSION,
        Role.ORGANIZATION_DEPARTMENT,
    }
)


OPEN = (
    RectificationItemStatus.OPENED,
    RectificationItemStatus.IN_PROGRESS,
    RectificationItemStatus.LONG_TERM,
)
LEVELS = {WarningLevel.GREEN: 1, WarningLevel.YELLOW: 2, WarningLevel.RED: 3}


@dataclass(frozen=True)
class ItemState:
    item_id: UUID
    inspection_id: UUID
    organization_id: str
    deadline: date
    status: RectificationItemStatus = RectificationItemStatus.OPENED
    policy: PolicyRef | None = None
    responsible_leader: str = ""
    long_term: bool = False
    extensions: int = 0
    reopens: int = 0
    notices: int = 0
    talks: int = 0
    warned: WarningLevel | None = None  # the highest colour raised against `deadline`
    # The day of the latest dated step (opening, request, check, 销号, reopening).
    last_step_on: date | None = None
    opened_on: date | None = None  # the day the plan was accepted, which opened the item


def evolve(state: ItemState | None, event: DomainEvent) -> ItemState | None:
    match event:
        case RectificationItemOpened():
            return ItemState(
                event.item_id,
                event.inspection_id,
                event.organization_id,
                event.deadline,
                policy=event.policy,
                responsible_leader=event.responsible_leader,
                last_step_on=event.opened_on,
                opened_on=event.opened_on,
            )
        case RectificationProgressReported() if state:
            status = (
                RectificationItemStatus.LONG_TERM
                if state.long_term
                else RectificationItemStatus.IN_PROGRESS
            )
            return replace(state, status=status)
        case ItemVerificationFailed() if state:
            status = (
                RectificationItemStatus.LONG_TERM
                if state.long_term
                else RectificationItemStatus.IN_PROGRESS
            )
            return replace(state, status=status, last_step_on=event.failed_on)
        case ItemClosureRequested() if state:
            return replace(
                state,
                status=RectificationItemStatus.CLOSURE_REQUESTED,
                last_step_on=event.requested_on,
            )
        case ItemVerified() if state:
            return replace(
                state, status=RectificationItemStatus.VERIFIED, last_step_on=event.verified_on
            )
        case RectificationItemClosed() if state:
            return replace(
                state, status=RectificationItemStatus.CLOSED, last_step_on=event.closed_on
            )
        case ItemReclassifiedLongTerm() if state:
            return replace(
                state,
                status=RectificationItemStatus.LONG_TERM,
                long_term=True,
                deadline=event.deadline,
                warned=None,
            )
        case ItemDeadlineExtended() if state:
            return replace(
                state, deadline=event.deadline, extensions=event.extension_no, warned=None
            )
        case RectificationItemReopened() if state:
            status = (
                RectificationItemStatus.LONG_TERM
                if state.long_term
                else RectificationItemStatus.IN_PROGRESS
            )
            return replace(
                state, status=status, reopens=event.reopen_no, last_step_on=event.reopened_on
            )
        case ItemDeadlineApproaching() if state and event.deadline == state.deadline:
            return replace(state, warned=event.level)
        case ItemOverdue() if state and event.deadline == state.deadline:
            return replace(state, warned=WarningLevel.RED)
        case SupervisionNoticeIssued() if state:
            return replace(state, notices=event.notice_no)
        case AccountabilityTalkHeld() if state:
            return replace(state, talks=event.talk_no)
    return state


RECTIFICATION_ITEM = Aggregate[ItemState]("rectification_item", evolve)


class ItemCommand(Command):
    target: ClassVar[str | None] = "item_id"
    item_id: UUID


def fact_date(what: str) -> Any:
    """An optional date of a fact that may be recorded after the day it happened."""
    return Field(
        default=None,
        description=f"the day {what}, if not today; not in the future, not before the "
        "item's previous dated step (its opening, the day the plan was accepted, is the first)",
    )


def dated(state: ItemState, day: date | None, ctx: Context, what: str) -> date:
    """The day of the step: `day`, or today when omitted; not in the future and not before
    the item's previous dated step."""
    on = day or ctx.today
    require_not_future(on, ctx, what)
    require(
        state.last_step_on is None or on >= state.last_step_on,
        f"{what} ({on}) cannot be before the item's previous step ({state.last_step_on})",
    )
    return on


def _own_org(state: ItemState, ctx: Context) -> None:
    require_actor(
        ctx.actor.organization_id == state.organization_id,
        "only the rectifying organization reports on its own items",
    )


def _not_own_org(state: ItemState, ctx: Context) -> None:
    require_actor(
        ctx.actor.organization_id != state.organization_id,
        "the rectifying organization cannot verify or close its own item (separation of duties)",
    )

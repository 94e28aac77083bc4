"""The three-colour deadline warnings the timer raises."""

from __future__ import annotations

from datetime import date, timedelta
from typing import ClassVar

from xuncha.commands.base import (
    Context,
)
from xuncha.commands.rectification.state import LEVELS, OPEN, ItemCommand, ItemState
from xuncha.events.base import DomainEvent, Role
from xuncha.events.policy import PolicyParameters
from xuncha.events.rectification import (
    ItemDeadlineApproaching,
    ItemOverdue,
    WarningLevel,
)
from xuncha.events.vocabulary import RectificationItemStatus


class RaiseDeadlineWarnings(ItemCommand):
    """Issued by the clock: green at deadline − warn_green_days, yellow at deadline −
    warn_yellow_days, red once overdue; each colour once per item and deadline, under the
    policy version the item was opened with."""

    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.SYSTEM})


def due_level(deadline: date, today: date, params: PolicyParameters) -> WarningLevel | None:
    if today > deadline:
        return WarningLevel.RED
    if today >= deadline - timedelta(days=params.warn_yellow_days):
        return WarningLevel.YELLOW
    if today >= deadline - timedelta(days=params.warn_green_days):
        return WarningLevel.GREEN
    return None


# An item not closed gets the colours, even while its closure is being checked.
WARNABLE = (*OPEN, RectificationItemStatus.CLOSURE_REQUESTED, RectificationItemStatus.VERIFIED)


def first_day_of(level: WarningLevel, deadline: date, params: PolicyParameters) -> date:
    """The first day `level` is reached (the reverse of `due_level`)."""
    if level == WarningLevel.RED:
        return deadline + timedelta(days=1)
    days = params.warn_yellow_days if level == WarningLevel.YELLOW else params.warn_green_days
    return deadline - timedelta(days=days)


def next_warning_day(state: ItemState, params: PolicyParameters) -> date | None:
    """The first day on which `raise_warnings` raises something for this state, or None if it
    never will until the state changes: the earliest first day of a colour more severe than
    the one raised against the current deadline. The timer wakes an item on that day only."""
    if state.status not in WARNABLE:
        return None
    raised = LEVELS[state.warned] if state.warned is not None else 0
    days = [first_day_of(lv, state.deadline, params) for lv, n in LEVELS.items() if n > raised]
    return min(days, default=None)


def raise_warnings(
    state: ItemState, cmd: RaiseDeadlineWarnings, ctx: Context, params: PolicyParameters
) -> list[DomainEvent]:
    """The most severe colour reached and not yet raised for the current deadline, or
    nothing. A late first tick raises only the current colour, not those it skipped."""
    if state.status not in WARNABLE:
        return []
    level = due_level(state.deadline, ctx.today, params)
    if level is None or (state.warned is not None and LEVELS[state.warned] >= LEVELS[level]):
        return []
    assert state.policy is not None
    if level == WarningLevel.RED:
        return [
            ItemOverdue(
                item_id=state.item_id,
                inspection_id=state.inspection_id,
                deadline=state.deadline,
                detected_on=ctx.today,
                policy=state.policy,
            )
        ]
    return [
        ItemDeadlineApproaching(
            item_id=state.item_id,
            inspection_id=state.inspection_id,
            level=level,
            deadline=state.deadline,
            days_left=(state.deadline - ctx.today).days,
            warned_on=ctx.today,
            policy=state.policy,
        )
    ]

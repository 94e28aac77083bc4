"""The three-colour timer wakes an item only on the day its next colour is due: the wake day
agrees with the item's own rule on every state, and the memory follows the item's events."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given as given_any
from hypothesis import strategies as st

from tests.unit.builders import DEFAULT_REF, INSPECTION_ID, ITEM_1, ITEM_DEADLINE, OFFICE, ctx
from tests.unit.builders import item_opened as opened
from tests.unit.builders_followup import FOLLOW_UP_ID, item_closed
from xuncha.commands import rectification
from xuncha.commands.rectification import ItemState, RaiseDeadlineWarnings, next_warning_day
from xuncha.commands.timers.deadline_warnings import ItemDeadlines
from xuncha.events.policy import PolicyParameters
from xuncha.events.rectification import (
    ItemDeadlineApproaching,
    ItemDeadlineExtended,
    ItemOverdue,
    RectificationItemReopened,
    ReopenReason,
    WarningLevel,
)
from xuncha.events.values import PolicyRef
from xuncha.events.vocabulary import RectificationItemStatus

DEFAULTS = PolicyParameters()  # green 20 days, yellow 10 days before the deadline
GREEN_DAY = ITEM_DEADLINE - timedelta(days=20)


def policy_of(_: PolicyRef) -> PolicyParameters:
    return DEFAULTS


@given_any(
    status=st.sampled_from(list(RectificationItemStatus)),
    warned=st.sampled_from([None, *WarningLevel]),
    green=st.integers(0, 60),
    yellow=st.integers(0, 60),
    offset=st.integers(-90, 90),
)
def test_the_wake_day_is_the_first_day_the_rule_raises_a_colour(
    status: RectificationItemStatus,
    warned: WarningLevel | None,
    green: int,
    yellow: int,
    offset: int,
) -> None:
    params = PolicyParameters(warn_green_days=green, warn_yellow_days=yellow)
    item = ItemState(
        ITEM_1, INSPECTION_ID, "org", ITEM_DEADLINE, status, DEFAULT_REF, warned=warned
    )
    today = ITEM_DEADLINE + timedelta(days=offset)
    raised = rectification.raise_warnings(
        item, RaiseDeadlineWarnings(item_id=ITEM_1), ctx(OFFICE, today), params
    )
    wake = next_warning_day(item, params)
    assert bool(raised) == (wake is not None and wake <= today)
    if wake is not None:  # and not a day earlier
        earlier = rectification.raise_warnings(
            item,
            RaiseDeadlineWarnings(item_id=ITEM_1),
            ctx(OFFICE, wake - timedelta(days=1)),
            params,
        )
        assert earlier == []


def approaching(level: WarningLevel, deadline: date = ITEM_DEADLINE) -> ItemDeadlineApproaching:
    return ItemDeadlineApproaching(
        item_id=ITEM_1,
        inspection_id=INSPECTION_ID,
        level=level,
        deadline=deadline,
        days_left=5,
        warned_on=GREEN_DAY,
        policy=DEFAULT_REF,
    )


def test_an_open_item_wakes_on_each_colours_first_day_and_sleeps_once_red() -> None:
    deadlines = ItemDeadlines()
    for event in opened():
        deadlines.apply(event, policy_of)
    assert deadlines.due(GREEN_DAY - timedelta(days=1)) == []
    assert deadlines.due(GREEN_DAY) == [ITEM_1]
    deadlines.apply(approaching(WarningLevel.GREEN), policy_of)
    assert deadlines.due(GREEN_DAY) == []
    assert deadlines.due(ITEM_DEADLINE - timedelta(days=10)) == [ITEM_1]
    deadlines.apply(approaching(WarningLevel.YELLOW), policy_of)
    assert deadlines.due(ITEM_DEADLINE) == []
    assert deadlines.due(ITEM_DEADLINE + timedelta(days=1)) == [ITEM_1]
    overdue = ItemOverdue(
        item_id=ITEM_1,
        inspection_id=INSPECTION_ID,
        deadline=ITEM_DEADLINE,
        detected_on=ITEM_DEADLINE,
        policy=DEFAULT_REF,
    )
    deadlines.apply(overdue, policy_of)
    assert deadlines.due(ITEM_DEADLINE + timedelta(days=400)) == []


def test_an_extension_starts_the_colours_again_from_the_new_deadline() -> None:
    deadlines = ItemDeadlines()
    for event in [*opened(), approaching(WarningLevel.YELLOW)]:
        deadlines.apply(event, policy_of)
    later = ITEM_DEADLINE + timedelta(days=60)
    extended = ItemDeadlineExtended(
        item_id=ITEM_1,
        inspection_id=INSPECTION_ID,
        extension_no=1,
        previous_deadline=ITEM_DEADLINE,
        deadline=later,
        reason="招标周期",
        approval_ref="领导小组批复",
        approved_by="office-1",
    )
    deadlines.apply(extended, policy_of)
    assert deadlines.due(ITEM_DEADLINE + timedelta(days=1)) == []
    assert deadlines.due(later - timedelta(days=20)) == [ITEM_1]


def test_a_closed_item_is_forgotten_and_a_reopened_one_comes_back_from_its_state() -> None:
    deadlines = ItemDeadlines()
    history = [*opened(), *item_closed()]
    for event in history:
        deadlines.apply(event, policy_of)
    assert deadlines.due(ITEM_DEADLINE + timedelta(days=400)) == []
    assert deadlines.items == {}
    reopened = RectificationItemReopened(
        item_id=ITEM_1,
        inspection_id=INSPECTION_ID,
        reopen_no=1,
        reason=ReopenReason.PAPER_RECTIFICATION,
        follow_up_id=FOLLOW_UP_ID,
        visit_no=1,
        comments="台账已销号但现场未整改",
        reopened_on=ITEM_DEADLINE,
    )
    prior = rectification.RECTIFICATION_ITEM.fold(history)
    assert prior is not None
    deadlines.apply(reopened, policy_of, prior)
    assert deadlines.due(ITEM_DEADLINE + timedelta(days=1)) == [ITEM_1]
    assert deadlines.items[ITEM_1] == replace(
        prior, status=RectificationItemStatus.IN_PROGRESS, reopens=1, last_step_on=ITEM_DEADLINE
    )


def test_each_pinned_policy_version_is_read_once() -> None:
    read: list[PolicyRef] = []

    def counting(ref: PolicyRef) -> PolicyParameters:
        read.append(ref)
        return DEFAULTS

    deadlines = ItemDeadlines()
    for event in [*opened(), approaching(WarningLevel.GREEN), approaching(WarningLevel.YELLOW)]:
        deadlines.apply(event, counting)
    assert read == [DEFAULT_REF]

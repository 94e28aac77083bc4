"""Data-consistency warnings at 销号 (DOMAIN.md §6.2, signs of 纸面整改): an item closed very
quickly after its opening, and many items of one organization closed on one day. Warnings are
recorded beside `rectification.item_closed` and never refuse the closure."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.unit.builders import (
    INSPECTION_ID,
    ITEM_1,
    OFFICE,
    PRINCIPAL,
    TARGET_ORG,
    TODAY,
    closure_requested,
    ctx,
    item_verified,
    uid,
)
from tests.unit.gwt import given, refused, then
from xuncha.commands import rectification
from xuncha.commands.errors import InvalidTransition, NotPermitted
from xuncha.commands.rectification import (
    CLOSURE_DAY,
    RECTIFICATION_ITEM,
    ClosureDayState,
    closure_day_stream_id,
)
from xuncha.events.policy import PolicyParameters
from xuncha.events.rectification import (
    BulkClosureFlagged,
    DailyClosureCounted,
    QuickClosureFlagged,
    RectificationItemClosed,
)
from xuncha.events.registry import REGISTRY

CLOSE = rectification.CloseItem(item_id=ITEM_1)
DEFAULTS = PolicyParameters()
LONG_AGO = TODAY - timedelta(days=60)


def closed() -> RectificationItemClosed:
    return RectificationItemClosed(
        item_id=ITEM_1, inspection_id=INSPECTION_ID, closed_on=TODAY, on_time=True
    )


def counted(count: int) -> DailyClosureCounted:
    return DailyClosureCounted(
        organization_id=TARGET_ORG, closed_on=TODAY, item_id=ITEM_1, count=count
    )


def earlier_closures(n: int) -> ClosureDayState | None:
    """The organization's day after `n` other items were closed today."""
    events = [
        DailyClosureCounted(
            organization_id=TARGET_ORG, closed_on=TODAY, item_id=uid(700 + i), count=i + 1
        )
        for i in range(n)
    ]
    return CLOSURE_DAY.fold(events)


def close(
    opened_on: date = LONG_AGO,
    day: ClosureDayState | None = None,
    params: PolicyParameters = DEFAULTS,
) -> rectification.Closure:
    state = given(RECTIFICATION_ITEM, *item_verified())
    return rectification.close_and_check(state, CLOSE, ctx(OFFICE), params, opened_on, day)


def test_a_closure_long_after_opening_and_alone_that_day_raises_no_warning() -> None:
    done = close()
    then(done.on_item, [closed()])
    then(done.on_day, [counted(1)])


@pytest.mark.parametrize("days_open", [0, 3, 7])
def test_a_closure_within_the_policy_days_of_opening_is_flagged(days_open: int) -> None:
    opened_on = TODAY - timedelta(days=days_open)
    flagged = QuickClosureFlagged(
        item_id=ITEM_1,
        inspection_id=INSPECTION_ID,
        organization_id=TARGET_ORG,
        opened_on=opened_on,
        closed_on=TODAY,
        days_open=days_open,
        within_days=7,
    )
    then(close(opened_on).on_item, [closed(), flagged])


def test_a_closure_a_day_past_the_policy_days_is_not_flagged() -> None:
    then(close(TODAY - timedelta(days=8)).on_item, [closed()])


def test_the_quick_closure_days_come_from_the_policy() -> None:
    params = PolicyParameters(quick_closure_days=30)
    done = close(TODAY - timedelta(days=20), params=params)
    assert [type(e) for e in done.on_item] == [RectificationItemClosed, QuickClosureFlagged]
    assert isinstance(done.on_item[1], QuickClosureFlagged)
    assert done.on_item[1].within_days == 30


def test_the_threshold_th_closure_of_the_organization_that_day_is_flagged() -> None:
    done = close(day=earlier_closures(9))
    flagged = BulkClosureFlagged(
        item_id=ITEM_1,
        inspection_id=INSPECTION_ID,
        organization_id=TARGET_ORG,
        closed_on=TODAY,
        closed_that_day=10,
        threshold=10,
    )
    then(done.on_item, [closed(), flagged])
    then(done.on_day, [counted(10)])


def test_closures_below_the_threshold_are_only_counted() -> None:
    done = close(day=earlier_closures(8))
    then(done.on_item, [closed()])
    then(done.on_day, [counted(9)])


def test_every_closure_beyond_the_threshold_is_flagged_and_both_warnings_can_come_together() -> (
    None
):
    params = PolicyParameters(bulk_closure_threshold=3)
    done = close(TODAY, earlier_closures(5), params)
    assert [type(e) for e in done.on_item] == [
        RectificationItemClosed,
        QuickClosureFlagged,
        BulkClosureFlagged,
    ]
    then(done.on_day, [counted(6)])


def test_the_day_counts_each_item_once() -> None:
    again = DailyClosureCounted(
        organization_id=TARGET_ORG, closed_on=TODAY, item_id=uid(700), count=1
    )
    day = CLOSURE_DAY.fold([*[again] * 2])
    assert day is not None
    assert day.item_ids == (uid(700),)
    day_with_item = CLOSURE_DAY.fold([counted(1)])
    then(close(day=day_with_item).on_day, [counted(1)])  # a reopened item closed again


def test_the_day_stream_is_one_per_organization_and_day() -> None:
    ids = {
        closure_day_stream_id(TARGET_ORG, TODAY),
        closure_day_stream_id(TARGET_ORG, TODAY + timedelta(days=1)),
        closure_day_stream_id("org-other", TODAY),
    }
    assert len(ids) == 3
    assert closure_day_stream_id(TARGET_ORG, TODAY) == closure_day_stream_id(TARGET_ORG, TODAY)


def test_warnings_never_replace_the_rules_of_closure() -> None:
    state = given(RECTIFICATION_ITEM, *closure_requested())
    with refused(InvalidTransition, "close"):
        rectification.close_and_check(state, CLOSE, ctx(OFFICE), DEFAULTS, TODAY, None)
    verified = given(RECTIFICATION_ITEM, *item_verified())
    with refused(NotPermitted, "separation of duties"):
        rectification.close_and_check(verified, CLOSE, ctx(PRINCIPAL), DEFAULTS, TODAY, None)


def test_a_published_v3_policy_reads_with_the_closure_defaults() -> None:
    v3 = {
        "jurisdiction_id": "yulin",
        "version": 2,
        "effective_from": "2026-01-01",
        "parameters": {
            k: v
            for k, v in PolicyParameters(notice_lead_days=5).model_dump(mode="json").items()
            if k not in ("quick_closure_days", "bulk_closure_threshold")
        },
    }
    loaded = REGISTRY.load("policy.version_published", 3, v3)
    params = loaded.parameters  # type: ignore[attr-defined]
    assert (params.notice_lead_days, params.quick_closure_days) == (5, 7)
    assert params.bulk_closure_threshold == 10

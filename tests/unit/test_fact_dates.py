"""Dates of facts: acts recorded after the day they happened carry that day; omitted means
today; never in the future, never before the step they follow; on-time flags count them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from tests.unit.builders import (
    DISCIPLINE,
    INSPECTION_ID,
    ITEM_1,
    OFFICE,
    PRINCIPAL,
    STATIONING_DATE,
    TODAY,
    closure_requested,
    ctx,
    item_in_progress,
    item_verified,
    withdrawn,
)
from tests.unit.gwt import given, refused
from tests.unit.test_lead import (
    LEAD,
    LEAD_ID,
    LEADING_GROUP,
    POLICY,
    STATIONED,
    classified,
    outcome_reported,
)
from xuncha.commands import lead, rectification
from xuncha.commands.base import Context
from xuncha.commands.errors import RuleViolated
from xuncha.commands.inspection import INSPECTION
from xuncha.commands.lead import ApproveLeadTransfer, CloseLead, TransferLead
from xuncha.commands.rectification import (
    RECTIFICATION_ITEM,
    CloseItem,
    FailItemVerification,
    ItemState,
    RequestItemClosure,
    VerifyItem,
)
from xuncha.events.base import DomainEvent
from xuncha.events.lead import LeadClosed, LeadTransferApproved, LeadTransferred
from xuncha.events.office_day import office_date
from xuncha.events.policy import PolicyParameters
from xuncha.events.rectification import (
    DailyClosureCounted,
    ItemClosureRequested,
    ItemVerificationFailed,
    ItemVerified,
    QuickClosureFlagged,
    RectificationItemClosed,
)

YESTERDAY = date(2026, 6, 29)
TOMORROW = date(2026, 7, 1)


def only(events: list[DomainEvent]) -> DomainEvent:
    (event,) = events
    return event


# Leads ----------------------------------------------------------------------------------------


def approve(on: date | None) -> LeadTransferApproved:
    cmd = ApproveLeadTransfer(lead_id=LEAD_ID, approved_on=on)
    event = only(
        lead.approve_transfer(
            given(LEAD, *classified()), cmd, ctx(LEADING_GROUP), POLICY, STATIONED
        )
    )
    assert isinstance(event, LeadTransferApproved)
    return event


def test_an_approval_dated_earlier_keeps_its_day_and_omitted_means_today() -> None:
    assert approve(date(2026, 3, 20)).approved_on == date(2026, 3, 20)
    assert approve(None).approved_on == TODAY


def test_today_is_the_offices_day_in_china_standard_time_not_utcs() -> None:
    # 16:00 UTC is midnight in the offices: from then until 24:00 UTC, UTC still says
    # yesterday while the office has started the next day.
    assert office_date(datetime(2026, 6, 29, 15, 59, 59, tzinfo=UTC)) == YESTERDAY
    assert office_date(datetime(2026, 6, 29, 16, 0, tzinfo=UTC)) == TODAY
    assert office_date(datetime(2026, 6, 30, 15, 59, 59, tzinfo=UTC)) == TODAY
    office_morning = datetime(2026, 6, 29, 23, 30, tzinfo=UTC)  # 07:30 on 30 June in the office
    assert Context(now=office_morning, actor=LEADING_GROUP).today == TODAY
    cmd = ApproveLeadTransfer(lead_id=LEAD_ID, approved_on=TODAY)  # the office's today
    (event,) = lead.approve_transfer(
        given(LEAD, *classified()), cmd, Context(office_morning, LEADING_GROUP), POLICY, STATIONED
    )
    assert isinstance(event, LeadTransferApproved)
    assert event.approved_on == TODAY


def test_an_approval_in_the_future_or_before_the_stationing_is_refused() -> None:
    with refused(RuleViolated, "approved_on (2026-07-01) cannot be in the future"):
        approve(TOMORROW)
    with refused(RuleViolated, "before the group was stationed"):
        approve(date(2026, 3, 1))
    assert date(2026, 3, 11) == STATIONING_DATE


def test_a_history_entered_afterwards_transfers_on_the_day_after_a_dated_approval() -> None:
    """The defect: the approval was stamped today, so an earlier transfer was refused."""
    approved = approve(date(2026, 4, 14))
    state = given(LEAD, *classified(), approved)
    transfer = TransferLead(lead_id=LEAD_ID, package_ref="移交函", transferred_on=date(2026, 4, 15))
    inspection = given(INSPECTION, *withdrawn())
    event = only(lead.transfer(state, transfer, ctx(OFFICE), inspection, POLICY))
    assert isinstance(event, LeadTransferred)
    assert event.transferred_on == date(2026, 4, 15)
    early = transfer.model_copy(update={"transferred_on": date(2026, 4, 13)})
    with refused(RuleViolated, "before its transfer was approved (2026-04-14)"):
        lead.transfer(state, early, ctx(OFFICE), inspection, POLICY)


def test_a_lead_is_closed_on_its_day_not_before_its_outcome_nor_in_the_future() -> None:
    state = given(LEAD, *outcome_reported())  # outcome reported on 2026-06-10
    event = only(
        lead.close(state, CloseLead(lead_id=LEAD_ID, closed_on=date(2026, 6, 12)), ctx(OFFICE))
    )
    assert event == LeadClosed(
        lead_id=LEAD_ID, inspection_id=INSPECTION_ID, closed_on=date(2026, 6, 12)
    )
    assert only(lead.close(state, CloseLead(lead_id=LEAD_ID), ctx(OFFICE))) == LeadClosed(
        lead_id=LEAD_ID, inspection_id=INSPECTION_ID, closed_on=TODAY
    )
    with refused(RuleViolated, "before the outcome was reported (2026-06-10)"):
        lead.close(state, CloseLead(lead_id=LEAD_ID, closed_on=date(2026, 6, 9)), ctx(OFFICE))
    with refused(RuleViolated, "cannot be in the future"):
        lead.close(state, CloseLead(lead_id=LEAD_ID, closed_on=TOMORROW), ctx(OFFICE))


# Rectification items -----------------------------------------------------------------------------


def test_each_step_of_an_item_carries_its_day_and_omitted_means_today() -> None:
    request = RequestItemClosure(
        item_id=ITEM_1, summary="s", evidence_refs=["e"], requested_on=date(2026, 6, 1)
    )
    requested = only(
        rectification.request_closure(
            given(RECTIFICATION_ITEM, *item_in_progress()), request, ctx(PRINCIPAL)
        )
    )
    assert isinstance(requested, ItemClosureRequested)
    assert requested.requested_on == date(2026, 6, 1)
    state = given(RECTIFICATION_ITEM, *item_in_progress(), requested)
    verified = only(
        rectification.verify(
            state, VerifyItem(item_id=ITEM_1, verified_on=date(2026, 6, 2)), ctx(DISCIPLINE)
        )
    )
    assert isinstance(verified, ItemVerified)
    assert verified.verified_on == date(2026, 6, 2)
    failed = only(
        rectification.fail_verification(
            state, FailItemVerification(item_id=ITEM_1, comments="c"), ctx(DISCIPLINE)
        )
    )
    assert isinstance(failed, ItemVerificationFailed)
    assert failed.failed_on == TODAY


@pytest.mark.parametrize(
    ("history", "step"),
    [
        (
            closure_requested,
            lambda s, day: rectification.verify(
                s, VerifyItem(item_id=ITEM_1, verified_on=day), ctx(DISCIPLINE)
            ),
        ),
        (
            closure_requested,
            lambda s, day: rectification.fail_verification(
                s,
                FailItemVerification(item_id=ITEM_1, comments="c", failed_on=day),
                ctx(DISCIPLINE),
            ),
        ),
        (
            item_verified,
            lambda s, day: rectification.close(
                s, CloseItem(item_id=ITEM_1, closed_on=day), ctx(OFFICE)
            ),
        ),
    ],
    ids=["verify", "fail", "close"],
)
def test_a_step_before_the_previous_one_or_in_the_future_is_refused(
    history: Callable[[], list[DomainEvent]], step: Callable[[ItemState, date], object]
) -> None:
    state = given(RECTIFICATION_ITEM, *history())
    with refused(RuleViolated, "before the item's previous step (2026-06-30)"):
        step(state, YESTERDAY)
    with refused(RuleViolated, "cannot be in the future"):
        step(state, TOMORROW)


def test_a_closure_dated_before_the_deadline_is_on_time_when_recorded_after_it() -> None:
    """按期: by the day of 销号, not the day it was typed in (months after the deadline)."""
    typed_on = ctx(OFFICE, date(2026, 12, 5))
    day = date(2026, 9, 20)  # ITEM_DEADLINE is 2026-09-30
    events = list(item_in_progress())
    steps = [
        lambda s: rectification.request_closure(
            s,
            RequestItemClosure(item_id=ITEM_1, summary="s", evidence_refs=["e"], requested_on=day),
            ctx(PRINCIPAL, typed_on.today),
        ),
        lambda s: rectification.verify(s, VerifyItem(item_id=ITEM_1, verified_on=day), typed_on),
        lambda s: rectification.close(s, CloseItem(item_id=ITEM_1, closed_on=day), typed_on),
    ]
    for step in steps:
        events += step(given(RECTIFICATION_ITEM, *events))
    assert events[-1] == RectificationItemClosed(
        item_id=ITEM_1, inspection_id=INSPECTION_ID, closed_on=day, on_time=True
    )
    late = rectification.close(
        given(RECTIFICATION_ITEM, *events[:-1]), CloseItem(item_id=ITEM_1), typed_on
    )
    assert late == [
        RectificationItemClosed(
            item_id=ITEM_1, inspection_id=INSPECTION_ID, closed_on=typed_on.today, on_time=False
        )
    ]


def verified_on(day: date) -> list[DomainEvent]:
    """An item whose closure was requested and verified on `day`."""
    return [
        *item_in_progress(),
        ItemClosureRequested(
            item_id=ITEM_1,
            inspection_id=INSPECTION_ID,
            summary="s",
            evidence_refs=["e"],
            requested_on=day,
        ),
        ItemVerified(
            item_id=ITEM_1,
            inspection_id=INSPECTION_ID,
            verifier_organization_id="org-jw",
            note="",
            verified_on=day,
        ),
    ]


def close_checked(closed_on: date, opened_on: date) -> list[DomainEvent]:
    done = rectification.close_and_check(
        given(RECTIFICATION_ITEM, *verified_on(closed_on)),
        CloseItem(item_id=ITEM_1, closed_on=closed_on),
        ctx(OFFICE),
        PolicyParameters(quick_closure_days=30),
        opened_on,
        None,
    )
    return [*done.on_item, *done.on_day]


def test_the_closure_day_is_counted_and_judged_by_the_day_of_closure() -> None:
    events = close_checked(date(2026, 6, 25), opened_on=date(2026, 6, 15))
    tally = events[-1]
    assert isinstance(tally, DailyClosureCounted)
    assert tally.closed_on == date(2026, 6, 25)
    assert any(isinstance(e, QuickClosureFlagged) and e.days_open == 10 for e in events)


def test_a_closure_dated_before_the_item_was_recorded_is_not_judged_quick() -> None:
    """History entered after the fact: the item was recorded as opened today, its closure
    happened earlier, so the real time it stayed open is unknown."""
    day = date(2026, 6, 3)
    events = close_checked(day, opened_on=TODAY)
    assert not any(isinstance(e, QuickClosureFlagged) for e in events)
    assert isinstance(events[-1], DailyClosureCounted)
    assert events[-1].closed_on == day

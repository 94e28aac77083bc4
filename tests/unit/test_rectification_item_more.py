"""RectificationItem beyond closure: long-term (持续整改), approved and counted extensions,
reopening after a return visit found 虚假整改/纸面整改, 督办单, 约谈, and the three-colour
warnings (once per item, colour and deadline; under the pinned policy)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pydantic import ValidationError

from tests.unit.builders import (
    DEFAULT_REF,
    DISCIPLINE,
    INSPECTION_ID,
    ITEM_1,
    ITEM_DEADLINE,
    OFFICE,
    PRINCIPAL,
    TODAY,
    actor,
    closure_requested,
    ctx,
    item_in_progress,
    item_opened,
)
from tests.unit.builders_followup import FOLLOW_UP_ID, MILESTONES, attr, item_closed
from tests.unit.gwt import given, refused, then
from xuncha.commands import rectification
from xuncha.commands.errors import InvalidTransition, NotPermitted, RuleViolated
from xuncha.commands.rectification import (
    RECTIFICATION_ITEM,
    ExtendItemDeadline,
    HoldAccountabilityTalk,
    IssueSupervisionNotice,
    RaiseDeadlineWarnings,
    ReclassifyItemAsLongTerm,
    ReopenItem,
    RequestItemClosure,
)
from xuncha.events.base import DomainEvent, Role
from xuncha.events.follow_up import CheckResult
from xuncha.events.policy import PolicyParameters
from xuncha.events.rectification import (
    ItemDeadlineApproaching,
    ItemDeadlineExtended,
    ItemOverdue,
    ItemReclassifiedLongTerm,
    RectificationItemClosed,
    RectificationItemReopened,
    ReopenReason,
    WarningLevel,
)

OFFICE_AT_TARGET = actor("office-7", Role.INSPECTION_OFFICE, "org-water-bureau")
LONG = ReclassifyItemAsLongTerm(item_id=ITEM_1, justification="需跨年度推进", milestones=MILESTONES)
EXTEND = ExtendItemDeadline(
    item_id=ITEM_1,
    deadline=date(2026, 11, 30),
    justification="招标周期",
    approval_ref="领导小组批复",
)


def state(*events: DomainEvent):  # type: ignore[no-untyped-def]
    return given(RECTIFICATION_ITEM, *events)


# Long-term ----------------------------------------------------------------------------------


def test_reclassify_as_long_term_moves_the_deadline_to_the_last_milestone() -> None:
    events = rectification.reclassify_long_term(state(*item_in_progress()), LONG, ctx(OFFICE))
    then(
        events,
        [
            ItemReclassifiedLongTerm(
                item_id=ITEM_1,
                inspection_id=INSPECTION_ID,
                reason="需跨年度推进",
                milestones=MILESTONES,
                previous_deadline=ITEM_DEADLINE,
                deadline=date(2027, 6, 30),
                approved_by="office-1",
            )
        ],
    )
    after = state(*item_in_progress(), *events)
    assert (after.status, after.long_term, after.deadline) == ("long_term", True, date(2027, 6, 30))
    # Long-term work still ends with closure requested, verified and closed.
    request = RequestItemClosure(item_id=ITEM_1, summary="完成", evidence_refs=["d"])
    assert rectification.request_closure(after, request, ctx(PRINCIPAL))


def test_long_term_milestones_out_of_order_or_past_are_refused() -> None:
    backwards = LONG.model_copy(update={"milestones": list(reversed(MILESTONES))})
    with refused(RuleViolated, "increasing order"):
        rectification.reclassify_long_term(state(*item_opened()), backwards, ctx(OFFICE))
    with refused(RuleViolated, "after today"):
        rectification.reclassify_long_term(
            state(*item_opened()), LONG, ctx(OFFICE, date(2027, 1, 1))
        )


def test_long_term_needs_open_work_and_an_office_outside_the_organization() -> None:
    with refused(InvalidTransition, "reclassify", "'closure_requested'"):
        rectification.reclassify_long_term(state(*closure_requested()), LONG, ctx(OFFICE))
    with refused(NotPermitted, "separation of duties"):
        rectification.reclassify_long_term(state(*item_opened()), LONG, ctx(OFFICE_AT_TARGET))
    assert ReclassifyItemAsLongTerm.allowed_roles == {Role.INSPECTION_OFFICE}
    with pytest.raises(ValidationError, match="milestones"):
        ReclassifyItemAsLongTerm(item_id=ITEM_1, justification="r", milestones=[])


# Extension ----------------------------------------------------------------------------------


def test_extension_is_explicit_approved_and_counted() -> None:
    first = rectification.extend_deadline(state(*item_opened()), EXTEND, ctx(OFFICE))
    then(
        first,
        [
            ItemDeadlineExtended(
                item_id=ITEM_1,
                inspection_id=INSPECTION_ID,
                extension_no=1,
                previous_deadline=ITEM_DEADLINE,
                deadline=date(2026, 11, 30),
                reason="招标周期",
                approval_ref="领导小组批复",
                approved_by="office-1",
            )
        ],
    )
    again = EXTEND.model_copy(update={"deadline": date(2026, 12, 31)})
    [second] = rectification.extend_deadline(state(*item_opened(), *first), again, ctx(OFFICE))
    assert isinstance(second, ItemDeadlineExtended)
    assert (second.extension_no, second.previous_deadline) == (2, date(2026, 11, 30))
    assert EXTEND.reason == "招标周期"  # the command's reason goes into the event metadata


def test_extension_must_move_the_deadline_later_and_keep_it_ahead() -> None:
    earlier = EXTEND.model_copy(update={"deadline": ITEM_DEADLINE})
    with refused(RuleViolated, "must be after the current one"):
        rectification.extend_deadline(state(*item_opened()), earlier, ctx(OFFICE))
    with refused(RuleViolated, "after today"):
        rectification.extend_deadline(state(*item_opened()), EXTEND, ctx(OFFICE, date(2026, 12, 1)))
    with refused(InvalidTransition, "extend", "'closed'"):
        rectification.extend_deadline(state(*item_closed()), EXTEND, ctx(OFFICE))
    with pytest.raises(ValidationError, match="approval_ref"):
        ExtendItemDeadline(item_id=ITEM_1, deadline=TODAY, justification="r", approval_ref="")


# Reopen after a return visit ------------------------------------------------------------------

REOPEN = ReopenItem(item_id=ITEM_1, visit_no=1, comments="台账已销号但现场未整改")


@pytest.mark.parametrize(
    ("result", "reason"),
    [
        (CheckResult.FALSE_RECTIFICATION, ReopenReason.FALSE_RECTIFICATION),
        (CheckResult.PAPER_RECTIFICATION, ReopenReason.PAPER_RECTIFICATION),
        (CheckResult.INCOMPLETE, ReopenReason.INCOMPLETE),
    ],
)
def test_reopen_a_closed_item_after_a_visit_found_it_false(
    result: CheckResult, reason: ReopenReason
) -> None:
    events = rectification.reopen(
        state(*item_closed()), REOPEN, ctx(DISCIPLINE), FOLLOW_UP_ID, {1: {ITEM_1: result}}
    )
    then(
        events,
        [
            RectificationItemReopened(
                item_id=ITEM_1,
                inspection_id=INSPECTION_ID,
                reopen_no=1,
                reason=reason,
                follow_up_id=FOLLOW_UP_ID,
                visit_no=1,
                comments="台账已销号但现场未整改",
                reopened_on=TODAY,
            )
        ],
    )
    after = state(*item_closed(), *events)
    assert (after.status, after.reopens) == ("in_progress", 1)


def test_reopen_on_a_past_day_keeps_it_and_not_before_the_closure() -> None:
    closed_on = TODAY - timedelta(days=20)
    closed = state(
        *item_closed()[:-1],
        RectificationItemClosed(
            item_id=ITEM_1, inspection_id=INSPECTION_ID, closed_on=closed_on, on_time=True
        ),
    )
    checks = {1: {ITEM_1: CheckResult.PAPER_RECTIFICATION}}
    on = closed_on + timedelta(days=5)
    dated = REOPEN.model_copy(update={"reopened_on": on})
    [event] = rectification.reopen(closed, dated, ctx(OFFICE), FOLLOW_UP_ID, checks)
    assert isinstance(event, RectificationItemReopened)
    assert event.reopened_on == on
    assert state(*item_closed(), event).last_step_on == on  # later steps follow it
    early = REOPEN.model_copy(update={"reopened_on": closed_on - timedelta(days=1)})
    with refused(RuleViolated, "before the item's previous step", str(closed_on)):
        rectification.reopen(closed, early, ctx(OFFICE), FOLLOW_UP_ID, checks)
    future = REOPEN.model_copy(update={"reopened_on": TODAY + timedelta(days=1)})
    with refused(RuleViolated, "cannot be in the future"):
        rectification.reopen(closed, future, ctx(OFFICE), FOLLOW_UP_ID, checks)


def test_reopen_without_a_finding_of_the_visit_is_refused() -> None:
    closed = state(*item_closed())
    with refused(RuleViolated, "return visit 1", "not recorded"):
        rectification.reopen(closed, REOPEN, ctx(OFFICE), FOLLOW_UP_ID, {})
    with refused(RuleViolated, "did not find", "confirmed"):
        rectification.reopen(
            closed, REOPEN, ctx(OFFICE), FOLLOW_UP_ID, {1: {ITEM_1: CheckResult.CONFIRMED}}
        )
    with refused(RuleViolated, "not checked"):
        rectification.reopen(closed, REOPEN, ctx(OFFICE), FOLLOW_UP_ID, {1: {}})


def test_reopen_of_an_open_item_or_by_its_own_organization_is_refused() -> None:
    checks = {1: {ITEM_1: CheckResult.FALSE_RECTIFICATION}}
    with refused(InvalidTransition, "reopen", "'in_progress'"):
        rectification.reopen(state(*item_in_progress()), REOPEN, ctx(OFFICE), FOLLOW_UP_ID, checks)
    with refused(NotPermitted, "separation of duties"):
        rectification.reopen(
            state(*item_closed()), REOPEN, ctx(OFFICE_AT_TARGET), FOLLOW_UP_ID, checks
        )
    assert not {Role.INSPECTED_ORG_PRINCIPAL, Role.INSPECTED_ORG_LIAISON} & ReopenItem.allowed_roles


# 督办单 and 约谈 -----------------------------------------------------------------------------


def test_supervision_notices_are_numbered_and_need_open_work() -> None:
    cmd = IssueSupervisionNotice(item_id=ITEM_1, content="限期整改", respond_by=date(2026, 7, 15))
    first = rectification.issue_supervision_notice(state(*item_opened()), cmd, ctx(OFFICE))
    [second] = rectification.issue_supervision_notice(
        state(*item_opened(), *first), cmd, ctx(OFFICE)
    )
    assert attr(second, "notice_no") == 2
    with refused(InvalidTransition, "supervision notice", "'closed'"):
        rectification.issue_supervision_notice(state(*item_closed()), cmd, ctx(OFFICE))
    with refused(RuleViolated, "respond_by"):
        rectification.issue_supervision_notice(
            state(*item_opened()), cmd, ctx(OFFICE, date(2026, 7, 15))
        )


def test_accountability_talk_by_the_leading_group() -> None:
    cmd = HoldAccountabilityTalk(item_id=ITEM_1, interviewee="局长", held_on=TODAY, summary="约谈")
    lg = actor("lg-1", Role.LEADING_GROUP, "org-leading-group")
    [event] = rectification.hold_accountability_talk(state(*item_opened()), cmd, ctx(lg))
    assert attr(event, "talk_no") == 1
    assert HoldAccountabilityTalk.allowed_roles == {Role.LEADING_GROUP}
    with refused(InvalidTransition, "closed"):
        rectification.hold_accountability_talk(state(*item_closed()), cmd, ctx(lg))
    future = cmd.model_copy(update={"held_on": TODAY + timedelta(days=1)})
    with refused(RuleViolated, "future"):
        rectification.hold_accountability_talk(state(*item_opened()), future, ctx(lg))


# Three-colour warnings ----------------------------------------------------------------------

WARN = RaiseDeadlineWarnings(item_id=ITEM_1)
DEFAULTS = PolicyParameters()  # green 20 days, yellow 10 days before the deadline


def warn(
    events: list[DomainEvent], day: date, params: PolicyParameters = DEFAULTS
) -> list[DomainEvent]:
    return rectification.raise_warnings(state(*events), WARN, ctx(OFFICE, day), params)


@pytest.mark.parametrize(
    ("day", "level"),
    [
        (ITEM_DEADLINE - timedelta(days=21), None),
        (ITEM_DEADLINE - timedelta(days=20), WarningLevel.GREEN),
        (ITEM_DEADLINE - timedelta(days=11), WarningLevel.GREEN),
        (ITEM_DEADLINE - timedelta(days=10), WarningLevel.YELLOW),
        (ITEM_DEADLINE, WarningLevel.YELLOW),
        (ITEM_DEADLINE + timedelta(days=1), WarningLevel.RED),
    ],
)
def test_the_colour_due_on_a_day(day: date, level: WarningLevel | None) -> None:
    events = warn(item_opened(), day)
    if level is None:
        assert events == []
    elif level == WarningLevel.RED:
        then(
            events,
            [
                ItemOverdue(
                    item_id=ITEM_1,
                    inspection_id=INSPECTION_ID,
                    deadline=ITEM_DEADLINE,
                    detected_on=day,
                    policy=DEFAULT_REF,
                )
            ],
        )
    else:
        then(
            events,
            [
                ItemDeadlineApproaching(
                    item_id=ITEM_1,
                    inspection_id=INSPECTION_ID,
                    level=level,
                    deadline=ITEM_DEADLINE,
                    days_left=(ITEM_DEADLINE - day).days,
                    warned_on=day,
                    policy=DEFAULT_REF,
                )
            ],
        )


def test_each_colour_once_then_the_next_and_ticking_twice_appends_nothing() -> None:
    history = item_opened()
    days = [ITEM_DEADLINE - timedelta(days=n) for n in (20, 19, 10, 3)] + [
        ITEM_DEADLINE + timedelta(days=n) for n in (1, 2, 30)
    ]
    raised = []
    for day in days:
        for _ in range(2):  # the clock ticks twice on the same day
            events = warn(history, day)
            history = [*history, *events]
            raised += events
    assert [getattr(e, "level", "red") for e in raised] == ["green", "yellow", "red"]


def test_a_late_first_tick_raises_only_the_current_colour() -> None:
    [event] = warn(item_opened(), ITEM_DEADLINE + timedelta(days=5))
    assert isinstance(event, ItemOverdue)


def test_closed_items_raise_nothing_and_an_extension_starts_the_colours_again() -> None:
    assert warn(item_closed(), ITEM_DEADLINE + timedelta(days=5)) == []
    late = ITEM_DEADLINE + timedelta(days=1)
    history = [*item_opened(), *warn(item_opened(), late)]
    assert warn(history, late) == []
    extended = rectification.extend_deadline(
        state(*history),
        EXTEND.model_copy(update={"deadline": late + timedelta(days=5)}),
        ctx(OFFICE, late),
    )
    [again] = warn([*history, *extended], late)
    assert isinstance(again, ItemDeadlineApproaching)
    assert (again.level, again.deadline) == (WarningLevel.YELLOW, late + timedelta(days=5))


def test_thresholds_come_from_the_policy_given() -> None:
    """The handler passes the version the item was opened with (its PolicyRef)."""
    wide = PolicyParameters(warn_green_days=60, warn_yellow_days=30)
    [event] = warn(item_opened(), ITEM_DEADLINE - timedelta(days=45), wide)
    assert attr(event, "level") == WarningLevel.GREEN
    assert warn(item_opened(), ITEM_DEADLINE - timedelta(days=45)) == []
    assert RaiseDeadlineWarnings.allowed_roles == {Role.SYSTEM}

"""Say what happens: deciders return warnings with their events, the unit of work collects
them, and the stored command result keeps them for idempotent replays."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tests.unit.builders import (
    DISCIPLINE,
    INSPECTION_ID,
    ITEM_1,
    ITEM_DEADLINE,
    MEMBER,
    OFFICE,
    PRINCIPAL,
    TODAY,
    ctx,
    feedback_delivered,
    finding_approved,
    finding_drafted,
    finding_reviewed,
    item_verified,
    stationed,
)
from tests.unit.gwt import given
from tests.unit.test_lead import LEAD, LEAD_ID, acknowledged, transferred
from xuncha.commands import finding, lead, rectification
from xuncha.commands.base import Context
from xuncha.commands.decision import CommandWarning, Decision, WarningCode, warnings_of
from xuncha.commands.finding import FINDING
from xuncha.commands.inspection import INSPECTION, plan
from xuncha.commands.rectification import RECTIFICATION_ITEM, CloseItem
from xuncha.commands.service import AppendedEvent, CommandResult
from xuncha.commands.unit_of_work import UnitOfWork
from xuncha.events.base import DomainEvent
from xuncha.events.policy import PolicyParameters
from xuncha.events.rectification import RectificationProgressReported
from xuncha.events.values import PlanItem

WARNING = CommandWarning(WarningCode.QUICK_CLOSURE, "中文", "English")


def codes(events: list[DomainEvent]) -> list[WarningCode]:
    return [w.code for w in warnings_of(events)]


class NoStore:
    """The unit of work below loads nothing."""

    def load(self, stream_id: object) -> list[object]:
        return []


def test_a_decision_is_a_list_of_events_that_carries_warnings() -> None:
    progress = RectificationProgressReported(
        item_id=ITEM_1, inspection_id=INSPECTION_ID, percent=1, note="n", evidence_refs=[]
    )
    decision = Decision([progress], [WARNING])
    assert decision == [progress]
    assert warnings_of(decision) == (WARNING,)
    assert warnings_of([progress]) == ()


def test_the_unit_of_work_collects_each_warning_once() -> None:
    uow = UnitOfWork(NoStore(), Context(datetime.now(UTC), OFFICE))  # type: ignore[arg-type]
    uow.record(RECTIFICATION_ITEM, ITEM_1, Decision([], [WARNING]))
    uow.record(RECTIFICATION_ITEM, ITEM_1, [])
    uow.warn(WARNING)
    assert uow.warnings == [WARNING]


def test_a_stored_result_replays_its_warnings() -> None:
    result = CommandResult(
        command="CloseItem",
        stream_id=str(ITEM_1),
        stream_version=5,
        position=9,
        events=[AppendedEvent("rectification.item_closed", 1, str(ITEM_1), 5)],
        warnings=[WARNING],
    )
    replayed = CommandResult.from_record(result.as_record(), position=9)
    assert (replayed.warnings, replayed.replayed) == ([WARNING], True)
    older = {k: v for k, v in result.as_record().items() if k != "warnings"}
    assert CommandResult.from_record(older, position=9).warnings == []


def test_amending_a_reviewed_or_approved_finding_says_it_went_back_to_drafted() -> None:
    from tests.unit.test_finding import amend

    inspection = given(INSPECTION, *stationed())
    for history, expected in [
        (finding_drafted, []),
        (finding_reviewed, [WarningCode.FINDING_BACK_TO_DRAFTED]),
        (finding_approved, [WarningCode.FINDING_BACK_TO_DRAFTED]),
    ]:
        state = given(FINDING, *history())
        assert codes(finding.amend(state, amend(), ctx(MEMBER), inspection)) == expected


def plan_item(no: int, deadline: date) -> PlanItem:
    return PlanItem(
        ledger_item_no=no,
        measures="m",
        responsible_leader="局长",
        responsible_department="财务科",
        deadline=deadline,
    )


def test_plan_items_past_their_deadline_are_accepted_with_a_warning() -> None:
    items = [plan_item(1, date(2026, 6, 29)), plan_item(2, TODAY)]
    (warning,) = plan.passed_deadlines(items, TODAY)
    assert warning.code is WarningCode.PLAN_ITEM_DEADLINE_PASSED
    assert "ledger problems 1 " in warning.message_en
    assert "第 1 项" in warning.message_zh
    assert plan.passed_deadlines(items[1:], TODAY) == []


def test_submitting_a_plan_with_a_passed_deadline_warns() -> None:
    state = given(INSPECTION, *feedback_delivered())
    assert state.delivered_on is not None
    nos = state.ledger_item_nos
    late = [plan_item(n, state.delivered_on.replace(day=state.delivered_on.day + 1)) for n in nos]
    cmd = plan.SubmitRectificationPlan(inspection_id=INSPECTION_ID, items=late)
    today = date(2026, 12, 5)
    events = plan.submit_plan(state, cmd, ctx(PRINCIPAL, today), PolicyParameters())
    assert codes(events) == [WarningCode.PLAN_ITEM_DEADLINE_PASSED]


def test_a_closure_after_the_deadline_says_it_is_not_on_time() -> None:
    state = given(RECTIFICATION_ITEM, *item_verified())
    assert codes(rectification.close(state, CloseItem(item_id=ITEM_1), ctx(OFFICE))) == []
    after = ctx(OFFICE, date(2026, 10, 2))
    late = rectification.close(state, CloseItem(item_id=ITEM_1), after)
    assert codes(late) == [WarningCode.CLOSED_AFTER_DEADLINE]
    assert str(ITEM_DEADLINE) in late.warnings[0].message_en


def test_closure_flags_are_said_in_the_answer() -> None:
    state = given(RECTIFICATION_ITEM, *item_verified())
    params = PolicyParameters(quick_closure_days=30, bulk_closure_threshold=1)
    done = rectification.close_and_check(
        state, CloseItem(item_id=ITEM_1), ctx(OFFICE), params, TODAY, None
    )
    assert codes(done.on_item) == [WarningCode.QUICK_CLOSURE, WarningCode.BULK_CLOSURE]


def test_late_answers_of_the_receiving_authority_are_said() -> None:
    late_ack = lead.AcknowledgeLead(
        lead_id=LEAD_ID, receiver_case_no="JW-1", acknowledged_on=date(2026, 5, 5)
    )
    events = lead.acknowledge(given(LEAD, *transferred()), late_ack, ctx(DISCIPLINE))
    assert codes(events) == [WarningCode.LEAD_ACKNOWLEDGED_LATE]
    on_time = late_ack.model_copy(update={"acknowledged_on": date(2026, 4, 25)})
    assert codes(lead.acknowledge(given(LEAD, *transferred()), on_time, ctx(DISCIPLINE))) == []
    state = given(LEAD, *acknowledged())
    decided = lead.RecordLeadDisposition(
        lead_id=LEAD_ID, category="concluded", decided_on=date(2026, 5, 10)
    )
    state = given(LEAD, *acknowledged(), *lead.record_disposition(state, decided, ctx(DISCIPLINE)))
    outcome = lead.ReportLeadOutcome(lead_id=LEAD_ID, summary="s", reported_on=date(2026, 7, 25))
    late = lead.report_outcome(state, outcome, ctx(DISCIPLINE, date(2026, 8, 1)))
    assert codes(late) == [WarningCode.LEAD_OUTCOME_LATE]

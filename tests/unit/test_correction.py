"""Corrections (§7.4): an event is marked as recorded in error by a new event, never edited."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from tests.unit.builders import INSPECTION_ID, OFFICE, STATIONING_DATE, ctx, uid
from tests.unit.gwt import given, refused, then
from xuncha.commands import correction as co
from xuncha.commands.correction import CORRECTION, correction_stream_id
from xuncha.commands.errors import InvalidTransition, NotFound, RuleViolated
from xuncha.events.base import DomainEvent, EventMetadata, RecordedEvent
from xuncha.events.correction import EventRecordedInError
from xuncha.events.inspection import GroupStationed
from xuncha.events.values import Member

APPROVER = Member(user_id="director-1", name="王主任")
EVENT_ID = uid(70)


def stored(event: DomainEvent, version: int, stream_type: str = "inspection") -> RecordedEvent:
    metadata = EventMetadata(
        event_id=EVENT_ID,
        stream_id=INSPECTION_ID,
        stream_type=stream_type,
        stream_version=version,
        occurred_at=datetime(2026, 3, 11, tzinfo=UTC),
        actor=OFFICE,
        command="StationGroup",
        correlation_id=uid(71),
        causation_id=uid(71),
    )
    return RecordedEvent(metadata=metadata, event=event)


STREAM = [stored(GroupStationed(inspection_id=INSPECTION_ID, stationed_on=STATIONING_DATE), 5)]


def mark(version: int = 5, **changes: object) -> co.RecordEventInError:
    body: dict[str, object] = {
        "stream_id": INSPECTION_ID,
        "stream_version": version,
        "why": "进驻日期录错",
        "approved_by": APPROVER,
        **changes,
    }
    return co.RecordEventInError.model_validate(body)


def marked() -> EventRecordedInError:
    return EventRecordedInError(
        stream_id=INSPECTION_ID,
        stream_version=5,
        event_id=EVENT_ID,
        event_type="inspection.group_stationed",
        reason="进驻日期录错",
        approved_by=APPROVER,
    )


def test_the_office_records_an_event_in_error_with_reason_and_approver() -> None:
    events = co.record_in_error(None, mark(), ctx(OFFICE), STREAM)
    then(events, [marked()])
    assert mark().reason == "进驻日期录错"  # it goes into the event's metadata too
    assert co.correction_stream_id(INSPECTION_ID) == correction_stream_id(INSPECTION_ID)
    assert isinstance(correction_stream_id(INSPECTION_ID), UUID)
    assert correction_stream_id(INSPECTION_ID) != INSPECTION_ID


def test_an_event_is_recorded_in_error_once() -> None:
    state = given(CORRECTION, marked())
    assert state.marked == {5}
    with refused(InvalidTransition, "already recorded in error"):
        co.record_in_error(state, mark(), ctx(OFFICE), STREAM)


def test_the_event_must_exist() -> None:
    with refused(NotFound, "no event at version 6"):
        co.record_in_error(None, mark(6), ctx(OFFICE), STREAM)
    with refused(NotFound, "no event at version 5"):
        co.record_in_error(None, mark(), ctx(OFFICE), [])


def test_a_correction_is_not_itself_corrected() -> None:
    stream = [stored(marked(), 1, stream_type="correction")]
    with refused(RuleViolated, "not itself recorded in error"):
        co.record_in_error(None, mark(1), ctx(OFFICE), stream)


def test_the_approver_is_not_the_one_who_records() -> None:
    me = Member(user_id=OFFICE.user_id, name="我")
    with refused(RuleViolated, "approved by someone other"):
        co.record_in_error(None, mark(approved_by=me), ctx(OFFICE), STREAM)

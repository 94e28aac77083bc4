"""Time travel, pure: diffs of JSON states, redaction of sealed data, states at a version or
a moment, and the history of a rectification item."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from tests.unit.builders import INSPECTION_ID, ITEM_1, OFFICE, uid
from tests.unit.builders_followup import item_closed
from xuncha.commands.errors import NotFound, RuleViolated
from xuncha.commands.eventstore import history
from xuncha.commands.inspection import INSPECTION
from xuncha.commands.interview import INTERVIEW
from xuncha.commands.rectification import RECTIFICATION_ITEM
from xuncha.events.base import SEALED, DomainEvent, EventMetadata, RecordedEvent
from xuncha.events.interview import InterviewConducted, Interviewee, IntervieweeCategory

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def recorded(stream_id: UUID, stream_type: str, events: list[DomainEvent]) -> list[RecordedEvent]:
    """The events as stored, one a day from T0, at positions 10, 20, ..."""
    return [
        RecordedEvent(
            metadata=EventMetadata(
                event_id=uuid4(),
                stream_id=stream_id,
                stream_type=stream_type,
                stream_version=n,
                occurred_at=T0 + timedelta(days=n - 1),
                actor=OFFICE,
                command="Test",
                correlation_id=uuid4(),
                causation_id=uuid4(),
            ),
            event=event,
            position=10 * n,
        )
        for n, event in enumerate(events, start=1)
    ]


# ---- diff ----


def test_diff_of_equal_values_is_empty() -> None:
    assert history.diff({"a": 1, "b": [1, 2]}, {"a": 1, "b": [1, 2]}) == []
    assert history.diff(None, None) == []


def test_diff_names_changed_nested_paths() -> None:
    before = {"status": "opened", "policy": {"version": 0, "j": "yulin"}, "tags": ["a", "b"]}
    after = {"status": "closed", "policy": {"version": 1, "j": "yulin"}, "tags": ["a", "c"]}
    assert history.diff(before, after) == [
        {"path": "status", "op": "changed", "before": "opened", "after": "closed"},
        {"path": "policy.version", "op": "changed", "before": 0, "after": 1},
        {"path": "tags[1]", "op": "changed", "before": "b", "after": "c"},
    ]


def test_diff_added_and_removed_keys_and_values() -> None:
    assert history.diff({"a": 1}, {"b": 2}) == [
        {"path": "a", "op": "removed", "before": 1, "after": None},
        {"path": "b", "op": "added", "before": None, "after": 2},
    ]
    assert history.diff({"x": None}, {"x": "2026-06-01"}) == [
        {"path": "x", "op": "added", "before": None, "after": "2026-06-01"}
    ]
    assert history.diff({"x": 5}, {"x": None}) == [
        {"path": "x", "op": "removed", "before": 5, "after": None}
    ]


def test_diff_of_a_list_that_changes_length_is_one_change() -> None:
    assert history.diff({"l": [1]}, {"l": [1, 2]}) == [
        {"path": "l", "op": "changed", "before": [1], "after": [1, 2]}
    ]


def test_diff_from_nothing_is_the_whole_value_added() -> None:
    assert history.diff(None, {"a": 1}) == [
        {"path": "", "op": "added", "before": None, "after": {"a": 1}}
    ]


def test_diff_tells_a_number_from_a_boolean() -> None:
    assert history.diff({"a": 1}, {"a": True}) == [
        {"path": "a", "op": "changed", "before": 1, "after": True}
    ]


# ---- JSON and sealed data ----


@dataclass(frozen=True)
class Sample:
    when: date
    ids: frozenset[UUID]
    pair: tuple[int, str]


def test_to_json_of_a_dataclass_state() -> None:
    value = Sample(date(2026, 6, 1), frozenset({uid(2), uid(1)}), (1, "x"))
    assert history.to_json(value) == {
        "when": "2026-06-01",
        "ids": [str(uid(1)), str(uid(2))],
        "pair": [1, "x"],
    }


def interview_events() -> list[DomainEvent]:
    return [
        InterviewConducted(
            interview_id=uid(50),
            inspection_id=INSPECTION_ID,
            interviewers=["leader-1", "member-1"],
            category=IntervieweeCategory.LEADERSHIP_TEAM,
            conducted_on=date(2026, 3, 20),
            interviewee=Interviewee(name="王某某", position="副局长"),
            record="反映采购问题的详细谈话内容",
        )
    ]


def test_sealed_names_and_values_are_redacted_wherever_they_appear() -> None:
    sealed = history.Sealed.of(recorded(uid(50), "interview", interview_events()))
    shown = sealed.redact(
        {
            "record": "anything at all",
            "people": ["王某某", "leader-1"],
            "nested": {"who": "副局长"},
            "interviewee": None,
        }
    )
    assert shown == {
        "record": SEALED,
        "people": [SEALED, "leader-1"],
        "nested": {"who": SEALED},
        "interviewee": None,
    }


def test_no_sealed_text_in_the_state_or_the_history_of_an_interview() -> None:
    stream = recorded(uid(50), "interview", interview_events())
    text = repr(history.state_at(uid(50), stream, version=1)) + repr(
        history.history(uid(50), stream)
    )
    for secret in ("王某某", "副局长", "反映采购问题"):
        assert secret not in text
    state = history.state_at(uid(50), stream, version=1)["state"]
    assert state["signed"] is False
    assert state["inspection_id"] == str(INSPECTION_ID)


# ---- which aggregate ----


def test_every_stream_type_has_its_own_modules_aggregate() -> None:
    found = history.aggregates()
    assert found["inspection"] is INSPECTION  # not the view of commands.rectification.programme
    assert found["rectification_item"] is RECTIFICATION_ITEM
    assert found["interview"] is INTERVIEW
    assert len(found) >= 25


def test_a_stream_type_without_an_aggregate_has_events_but_no_state() -> None:
    with pytest.raises(RuleViolated, match="no state"):
        history.aggregate_of("no_such_type")
    stream = recorded(uid(60), "no_such_type", interview_events())
    with pytest.raises(RuleViolated, match="no state"):
        history.state_at(uid(60), stream, version=1)
    shown = history.history(uid(60), stream)
    assert [e["type"] for e in shown["items"]] == ["interview.conducted"]
    assert "changes" not in shown["items"][0]
    assert shown["items"][0]["data"]["record"] == SEALED


# ---- a rectification item, step by step ----

ITEM_STEPS = [
    ("rectification.item_opened", "opened"),
    ("rectification.progress_reported", "in_progress"),
    ("rectification.closure_requested", "closure_requested"),
    ("rectification.item_verified", "verified"),
    ("rectification.item_closed", "closed"),
]


def item_stream() -> list[RecordedEvent]:
    return recorded(ITEM_1, "rectification_item", item_closed())


def test_an_items_status_at_each_version() -> None:
    stream = item_stream()
    assert [r.event.type_name for r in stream] == [t for t, _ in ITEM_STEPS]
    for version, (_, status) in enumerate(ITEM_STEPS, start=1):
        shown = history.state_at(ITEM_1, stream, version=version)
        assert shown["version"] == version
        assert shown["state"]["status"] == status
        assert shown["state"]["deadline"] == "2026-09-30"
        expected = RECTIFICATION_ITEM.fold(r.event for r in stream[:version])
        assert shown["state"] == history.to_json(expected)


def test_an_items_status_at_a_moment() -> None:
    stream = item_stream()
    # One event a day from T0: at T0 + 2 days 3 hours three events had occurred.
    shown = history.state_at(ITEM_1, stream, at=T0 + timedelta(days=2, hours=3))
    assert (shown["version"], shown["state"]["status"]) == (3, "closure_requested")
    exactly = history.state_at(ITEM_1, stream, at=T0 + timedelta(days=1))
    assert (exactly["version"], exactly["state"]["status"]) == (2, "in_progress")
    later = history.state_at(ITEM_1, stream, at=T0 + timedelta(days=365))
    assert later["version"] == 5
    assert later["last_event"]["position"] == 50


def test_a_moment_stops_at_the_first_later_event() -> None:
    stream = item_stream()
    # The third event was recorded by a timer run as of an earlier moment.
    moved = stream[2].model_copy(
        update={"metadata": stream[2].metadata.model_copy(update={"occurred_at": T0})}
    )
    stream = [*stream[:2], moved, *stream[3:]]
    assert history.prefix_at(stream, T0 + timedelta(hours=1)) == 1


def test_state_arguments_are_checked() -> None:
    stream = item_stream()
    with pytest.raises(RuleViolated, match="exactly one"):
        history.state_at(ITEM_1, stream)
    with pytest.raises(RuleViolated, match="exactly one"):
        history.state_at(ITEM_1, stream, version=1, at=T0)
    for version in (0, 6, -1):
        with pytest.raises(RuleViolated, match="versions 1 to 5"):
            history.state_at(ITEM_1, stream, version=version)
    with pytest.raises(RuleViolated, match="did not exist yet"):
        history.state_at(ITEM_1, stream, at=T0 - timedelta(seconds=1))
    with pytest.raises(RuleViolated, match="time zone"):
        history.state_at(ITEM_1, stream, at=datetime(2026, 6, 2))
    with pytest.raises(NotFound):
        history.state_at(uid(99), [], version=1)


def test_history_diffs_name_the_changed_fields() -> None:
    shown = history.history(ITEM_1, item_stream())
    changes = [e["changes"] for e in shown["items"]]
    assert changes[0] == [
        {
            "path": "",
            "op": "added",
            "before": None,
            "after": history.to_json(RECTIFICATION_ITEM.fold(item_closed()[:1])),
        }
    ]
    assert changes[1] == [
        {"path": "status", "op": "changed", "before": "opened", "after": "in_progress"}
    ]
    assert [c["path"] for c in changes[4]] == ["status"]
    assert changes[4][0]["after"] == "closed"
    assert shown["items"][1]["data"]["percent"] == 60
    assert shown["next_after_version"] is None


def test_history_pages_by_version_with_diffs_against_the_state_before_the_page() -> None:
    stream = item_stream()
    first = history.history(ITEM_1, stream, limit=2)
    assert [e["version"] for e in first["items"]] == [1, 2]
    assert first["next_after_version"] == 2
    second = history.history(ITEM_1, stream, after_version=2, limit=2)
    assert [e["version"] for e in second["items"]] == [3, 4]
    assert second["items"][0]["changes"] == [
        {"path": "status", "op": "changed", "before": "in_progress", "after": "closure_requested"},
        # The opening is the item's first dated step (the plan's acceptance).
        {"path": "last_step_on", "op": "changed", "before": "2026-06-01", "after": "2026-06-30"},
    ]
    bare = history.history(ITEM_1, stream, diffs=False)
    assert "changes" not in bare["items"][0]

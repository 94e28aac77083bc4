"""The registry refuses ambiguity, and the upcaster turns stored v1 data into v2 events."""

from __future__ import annotations

import json
from datetime import date
from uuid import uuid4

import pytest

from tests.contract.examples import example_of, golden_path
from xuncha.events.base import DomainEvent, EventMetadata
from xuncha.events.inspection import InspectionAnnouncementPublished
from xuncha.events.mapper import EnvelopeMapper
from xuncha.events.registry import REGISTRY, EventRegistry, MetadataRequired, UnknownEventType


class Sample(DomainEvent):
    value: int


class Other(DomainEvent):
    value: int


def test_register_refuses_a_second_class_for_the_same_type_name() -> None:
    registry = EventRegistry()
    registry.event("sample.happened")(Sample)
    with pytest.raises(ValueError, match="already registered"):
        registry.event("sample.happened", version=2)(Other)


def test_register_refuses_the_same_class_under_two_names() -> None:
    registry = EventRegistry()
    registry.event("sample.one")(Sample)
    with pytest.raises(ValueError, match="already registered"):
        registry.event("sample.two")(Sample)


def test_load_refuses_an_unknown_type_and_a_version_from_the_future() -> None:
    with pytest.raises(UnknownEventType, match="unknown event type"):
        REGISTRY.load("nothing.happened", 1, {})
    with pytest.raises(UnknownEventType, match="newer than this code"):
        REGISTRY.load("round.approved", 9, {"round_id": str(uuid4())})


def test_announcement_v1_with_flat_contacts_is_read_as_v2() -> None:
    inspection_id = uuid4()
    stored_v1 = {
        "inspection_id": str(inspection_id),
        "published_on": "2026-03-01",
        "scope": "市水务局党组",
        "focus": "四个落实",
        "period_start": "2026-03-05",
        "period_end": "2026-04-05",
        "contact_phone": "0912-1234567",
        "contact_email": "xuncha@example.org",
        "contact_mailbox": None,
        "intake_deadline": "2026-04-01",
    }
    event = REGISTRY.load("inspection.announcement_published", 1, stored_v1)
    assert isinstance(event, InspectionAnnouncementPublished)
    assert event.inspection_id == inspection_id
    assert event.period_start == date(2026, 3, 5)
    assert event.contacts.phone == "0912-1234567"
    assert event.contacts.email == "xuncha@example.org"
    assert event.contacts.phone_hours is None
    assert event.contacts.drop_boxes == []


def test_a_stored_undated_verification_is_read_with_the_day_it_was_recorded() -> None:
    """v1 of `rectification.item_verified` had no date: the mapper hands the envelope to the
    upcaster, which dates it by the UTC day of `occurred_at`, as the command then dated it
    (today, by the service's UTC calendar of the time): 23:59 UTC stays on that day."""
    metadata = example_of(EventMetadata) | {"occurred_at": "2026-04-07T23:59:00Z"}
    data = json.loads(golden_path("rectification.item_verified", 1).read_text())
    state = json.dumps({"version": 1, "metadata": metadata, "data": data}).encode()
    recorded = EnvelopeMapper().decode(state, "rectification.item_verified")
    assert recorded.event.model_dump()["verified_on"] == date(2026, 4, 7)


def test_a_stored_undated_plan_acceptance_opens_its_items_on_the_day_it_was_recorded() -> None:
    """v1 of the acceptance and of `rectification.item_opened` had no date: both are read
    with the (UTC) day they were recorded, the day the command then took (today)."""
    metadata = example_of(EventMetadata) | {"occurred_at": "2026-04-07T10:00:00Z"}
    for type_name, field in [
        ("inspection.rectification_plan_accepted", "accepted_on"),
        ("rectification.item_opened", "opened_on"),
    ]:
        data = json.loads(golden_path(type_name, 1).read_text())
        assert field not in data
        state = json.dumps({"version": 1, "metadata": metadata, "data": data}).encode()
        recorded = EnvelopeMapper().decode(state, type_name)
        assert recorded.event.schema_version == 2
        assert recorded.event.model_dump()[field] == date(2026, 4, 7)


def test_an_upcaster_that_reads_the_envelope_needs_it() -> None:
    registry = EventRegistry()
    registry.event("sample.happened", version=2)(Sample)
    registry.envelope_upcaster("sample.happened", 1)(lambda d, m: {**d, "value": 1})
    with pytest.raises(MetadataRequired, match="needs the event's metadata"):
        registry.load("sample.happened", 1, {})

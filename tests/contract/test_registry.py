"""The registry refuses ambiguity, and the upcaster turns stored v1 data into v2 events."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from events.base import DomainEvent
from events.inspection import InspectionAnnouncementPublished
from events.registry import REGISTRY, EventRegistry, UnknownEventType


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

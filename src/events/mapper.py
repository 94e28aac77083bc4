"""The custom mapper between recorded events and eventsourcing's stored events.

The stored topic is the event's stable type name (``finding.approved``), never a module path;
the state is UTF-8 JSON: ``{"version": n, "metadata": {...}, "data": {...}}``.
"""

from __future__ import annotations

import json
from typing import Any

from eventsourcing.persistence import Notification, StoredEvent

from events.base import EventMetadata, RecordedEvent
from events.registry import REGISTRY, EventRegistry


def dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


class EnvelopeMapper:
    """Turns `RecordedEvent`s into `StoredEvent`s and back, upcasting old versions on read."""

    def __init__(self, registry: EventRegistry = REGISTRY) -> None:
        self.registry = registry

    def to_stored_event(self, recorded: RecordedEvent) -> StoredEvent:
        envelope = {
            "version": recorded.event.schema_version,
            "metadata": recorded.metadata.model_dump(mode="json"),
            "data": recorded.event.model_dump(mode="json"),
        }
        return StoredEvent(
            originator_id=recorded.metadata.stream_id,
            originator_version=recorded.metadata.stream_version,
            topic=recorded.event.type_name,
            state=dumps(envelope),
        )

    def to_recorded_event(self, stored: StoredEvent) -> RecordedEvent:
        position = stored.id if isinstance(stored, Notification) else None
        return self.decode(stored.state, stored.topic, position)

    def decode(self, state: bytes, topic: str, position: int | None = None) -> RecordedEvent:
        """Decode a stored event's state straight from a row of the events table."""
        envelope = json.loads(state)
        return RecordedEvent(
            metadata=EventMetadata.model_validate(envelope["metadata"]),
            event=self.registry.load(topic, envelope["version"], envelope["data"]),
            position=position,
        )

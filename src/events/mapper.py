"""The custom mapper between recorded events and eventsourcing's stored events.

The stored topic is the event's stable type name (``finding.approved``), never a module path;
the state is UTF-8 JSON: ``{"version": n, "metadata": {...}, "data": {...}}``, plus
``"sealed": {...}`` for an event with sealed fields: those fields are not in ``data`` but
encrypted under their data subject's key (`events.sealing`).

Decoding does not decrypt unless asked (`unseal=True`): aggregates, read models and the Kafka
relay never need the plaintext, and see each sealed field as ``"[sealed]"``.
"""

from __future__ import annotations

import json
from typing import Any

from eventsourcing.persistence import Notification, StoredEvent

from xuncha.events import sealing
from xuncha.events.base import SEALED, EventMetadata, RecordedEvent
from xuncha.events.registry import REGISTRY, EventRegistry


def dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


class SealingUnavailable(RuntimeError):
    """An event with sealed fields cannot be stored or opened without a `Sealer`."""


class EnvelopeMapper:
    """Turns `RecordedEvent`s into `StoredEvent`s and back, upcasting old versions on read.

    With a `sealer`, sealed fields are encrypted on the way in and can be decrypted on the way
    out; without one, events with sealed fields cannot be stored (nothing is ever stored in
    the clear by mistake) and are read with their sealed fields as markers.
    """

    def __init__(
        self, registry: EventRegistry = REGISTRY, sealer: sealing.Sealer | None = None
    ) -> None:
        self.registry = registry
        self.sealer = sealer

    def to_stored_event(self, recorded: RecordedEvent) -> StoredEvent:
        event = recorded.event
        data = event.model_dump(mode="json")
        metadata = recorded.metadata.model_dump(mode="json")
        if metadata["traceparent"] is None:  # untraced: the envelope as before the field
            del metadata["traceparent"]
        envelope: dict[str, Any] = {
            "version": event.schema_version,
            "metadata": metadata,
            "data": data,
        }
        sealed_names = sorted(n for n in event.sealed_fields if n in data)
        if sealed_names:
            if self.sealer is None:
                raise SealingUnavailable(
                    f"{event.type_name} has sealed fields and this store has no subject keys"
                )
            subject = sealing.subject_of(event, recorded.metadata)
            aad = sealing.associated_data(
                recorded.metadata.event_id, event.type_name, event.schema_version, subject
            )
            fields = {name: data.pop(name) for name in sealed_names}
            envelope["sealed"] = sealing.seal_fields(self.sealer, subject, fields, aad)
        return StoredEvent(
            originator_id=recorded.metadata.stream_id,
            originator_version=recorded.metadata.stream_version,
            topic=event.type_name,
            state=dumps(envelope),
        )

    def to_recorded_event(self, stored: StoredEvent, *, unseal: bool = False) -> RecordedEvent:
        position = stored.id if isinstance(stored, Notification) else None
        return self.decode(stored.state, stored.topic, position, unseal=unseal)

    def decode(
        self, state: bytes, topic: str, position: int | None = None, *, unseal: bool = False
    ) -> RecordedEvent:
        """Decode a stored event's state straight from a row of the events table; with
        `unseal`, decrypt its sealed fields (``"[erased]"`` if the subject's key is gone)."""
        envelope = json.loads(state)
        metadata = EventMetadata.model_validate(envelope["metadata"])
        version = envelope["version"]
        data = envelope["data"]
        sealed = envelope.get("sealed")
        if sealed is None:  # no sealed fields, or stored before sealing existed
            event = self.registry.load(topic, version, data, metadata)
        else:
            event = self._load_sealed(topic, version, data, sealed, metadata, unseal)
        return RecordedEvent(metadata=metadata, event=event, position=position)

    def _load_sealed(
        self,
        topic: str,
        version: int,
        data: dict[str, Any],
        sealed: dict[str, str],
        metadata: EventMetadata,
        unseal: bool,
    ) -> Any:
        cls = self.registry.resolve(topic)
        opened: dict[str, Any] | None = None
        marker = SEALED
        if unseal:
            if self.sealer is None:
                raise SealingUnavailable("opening sealed fields needs the subject keys")
            aad = sealing.associated_data(metadata.event_id, topic, version, sealed["subject"])
            opened = sealing.open_fields(self.sealer, sealed, aad)
            marker = sealing.ERASED
        if opened is not None:
            return self.registry.load(topic, version, {**data, **opened}, metadata)
        markers = dict.fromkeys(cls.sealed_fields, marker)
        upcast = self.registry.upcast(topic, version, {**data, **markers}, metadata)
        return sealing.with_markers(cls, sealing.redacted_model(cls).model_validate(upcast))

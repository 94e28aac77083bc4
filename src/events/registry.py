"""The one registry of event types: stable names, versions, upcasters."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC
from typing import Any, TypeVar

from xuncha.events.base import DomainEvent, EventMetadata

E = TypeVar("E", bound=type[DomainEvent])
Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
EnvelopeUpcaster = Callable[[dict[str, Any], EventMetadata], dict[str, Any]]
"""An upcaster that needs the stored envelope, e.g. to date an old fact by its `occurred_at`."""


def recorded_on(field: str) -> EnvelopeUpcaster:
    """Upcaster to a version that dates its fact: a version without the date was always
    recorded on the day of the fact, so the date is the day of the envelope's `occurred_at`,
    by the calendar the service then used (UTC: the office day came later), so that a stored
    fact keeps the day the service gave it when it was recorded."""

    def upcast(data: dict[str, Any], metadata: EventMetadata) -> dict[str, Any]:
        return {**data, field: metadata.occurred_at.astimezone(UTC).date().isoformat()}

    return upcast


class UnknownEventType(LookupError):
    """A stored event's type or version is not in the registry."""


class MetadataRequired(ValueError):
    """An old version whose upcaster reads the envelope was loaded without its metadata."""


class EventRegistry:
    """Maps stable type names and versions to event classes, and old versions to new.

    It refuses a second class for the same name and version, and a name reused by two
    classes, so that no two meanings can share one stored topic.
    """

    def __init__(self) -> None:
        self._current: dict[str, type[DomainEvent]] = {}
        self._by_class: dict[type[DomainEvent], str] = {}
        self._upcasters: dict[tuple[str, int], EnvelopeUpcaster | None] = {}
        self._data_upcasters: dict[tuple[str, int], Upcaster] = {}
        self._legacy: dict[tuple[str, int], type[DomainEvent] | None] = {}

    def event(self, type_name: str, version: int = 1) -> Callable[[E], E]:
        """Class decorator: register `cls` as the current version of `type_name`."""

        def register(cls: E) -> E:
            if type_name in self._current:
                raise ValueError(f"event type {type_name!r} is already registered")
            if cls in self._by_class:
                raise ValueError(f"{cls.__name__} is already registered")
            if version < 1:
                raise ValueError("schema versions start at 1")
            cls.type_name = type_name
            cls.schema_version = version
            self._current[type_name] = cls
            self._by_class[cls] = type_name
            return cls

        return register

    def upcaster(
        self, type_name: str, from_version: int, legacy_model: type[DomainEvent] | None = None
    ) -> Callable[[Upcaster], Upcaster]:
        """Register a function turning `from_version` data into `from_version + 1` data."""

        def register(fn: Upcaster) -> Upcaster:
            self._register(type_name, from_version, legacy_model, None)
            self._data_upcasters[(type_name, from_version)] = fn
            return fn

        return register

    def envelope_upcaster(
        self, type_name: str, from_version: int, legacy_model: type[DomainEvent] | None = None
    ) -> Callable[[EnvelopeUpcaster], EnvelopeUpcaster]:
        """Like `upcaster`, for a step that also reads the stored event's metadata (an old
        version's fact dated by the day it was recorded, `occurred_at`)."""

        def register(fn: EnvelopeUpcaster) -> EnvelopeUpcaster:
            self._register(type_name, from_version, legacy_model, fn)
            return fn

        return register

    def _register(
        self,
        type_name: str,
        from_version: int,
        legacy_model: type[DomainEvent] | None,
        fn: EnvelopeUpcaster | None,
    ) -> None:
        key = (type_name, from_version)
        if key in self._upcasters:
            raise ValueError(f"an upcaster for {type_name} v{from_version} exists already")
        self._upcasters[key] = fn
        self._legacy[key] = legacy_model

    def resolve(self, type_name: str) -> type[DomainEvent]:
        try:
            return self._current[type_name]
        except KeyError:
            raise UnknownEventType(f"unknown event type {type_name!r}") from None

    def upcast(
        self,
        type_name: str,
        version: int,
        data: dict[str, Any],
        metadata: EventMetadata | None = None,
    ) -> dict[str, Any]:
        """Bring `data` stored at `version` up to the current version of `type_name`;
        `metadata` is the stored envelope, which some steps read."""
        current = self.resolve(type_name).schema_version
        if version > current:
            raise UnknownEventType(f"{type_name} v{version} is newer than this code (v{current})")
        while version < current:
            data = self._step(type_name, version, data, metadata)
            version += 1
        return data

    def _step(
        self, type_name: str, version: int, data: dict[str, Any], metadata: EventMetadata | None
    ) -> dict[str, Any]:
        key = (type_name, version)
        if key not in self._upcasters:
            raise UnknownEventType(f"no upcaster for {type_name} v{version}")
        with_envelope = self._upcasters[key]
        if with_envelope is None:
            return self._data_upcasters[key](data)
        if metadata is None:
            raise MetadataRequired(f"upcasting {type_name} v{version} needs the event's metadata")
        return with_envelope(data, metadata)

    def load(
        self,
        type_name: str,
        version: int,
        data: dict[str, Any],
        metadata: EventMetadata | None = None,
    ) -> DomainEvent:
        cls = self.resolve(type_name)
        return cls.model_validate(self.upcast(type_name, version, data, metadata))

    def __iter__(self) -> Iterator[type[DomainEvent]]:
        return iter(sorted(self._current.values(), key=lambda c: c.type_name))

    def legacy_versions(self) -> Iterator[tuple[str, int, type[DomainEvent] | None]]:
        """Old (type, version) pairs that upcasters still read, with their models if kept."""
        for (name, version), model in sorted(self._legacy.items()):
            yield name, version, model


REGISTRY = EventRegistry()
event = REGISTRY.event
upcaster = REGISTRY.upcaster
envelope_upcaster = REGISTRY.envelope_upcaster

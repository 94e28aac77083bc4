"""The one registry of event types: stable names, versions, upcasters."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from events.base import DomainEvent

E = TypeVar("E", bound=type[DomainEvent])
Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class UnknownEventType(LookupError):
    """A stored event's type or version is not in the registry."""


class EventRegistry:
    """Maps stable type names and versions to event classes, and old versions to new.

    It refuses a second class for the same name and version, and a name reused by two
    classes, so that no two meanings can share one stored topic.
    """

    def __init__(self) -> None:
        self._current: dict[str, type[DomainEvent]] = {}
        self._by_class: dict[type[DomainEvent], str] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}
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
            key = (type_name, from_version)
            if key in self._upcasters:
                raise ValueError(f"an upcaster for {type_name} v{from_version} exists already")
            self._upcasters[key] = fn
            self._legacy[key] = legacy_model
            return fn

        return register

    def resolve(self, type_name: str) -> type[DomainEvent]:
        try:
            return self._current[type_name]
        except KeyError:
            raise UnknownEventType(f"unknown event type {type_name!r}") from None

    def upcast(self, type_name: str, version: int, data: dict[str, Any]) -> dict[str, Any]:
        """Bring `data` stored at `version` up to the current version of `type_name`."""
        current = self.resolve(type_name).schema_version
        if version > current:
            raise UnknownEventType(f"{type_name} v{version} is newer than this code (v{current})")
        while version < current:
            step = self._upcasters.get((type_name, version))
            if step is None:
                raise UnknownEventType(f"no upcaster for {type_name} v{version}")
            data = step(data)
            version += 1
        return data

    def load(self, type_name: str, version: int, data: dict[str, Any]) -> DomainEvent:
        cls = self.resolve(type_name)
        return cls.model_validate(self.upcast(type_name, version, data))

    def __iter__(self) -> Iterator[type[DomainEvent]]:
        return iter(sorted(self._current.values(), key=lambda c: c.type_name))

    def legacy_versions(self) -> Iterator[tuple[str, int, type[DomainEvent] | None]]:
        """Old (type, version) pairs that upcasters still read, with their models if kept."""
        for (name, version), model in sorted(self._legacy.items()):
            yield name, version, model


REGISTRY = EventRegistry()
event = REGISTRY.event
upcaster = REGISTRY.upcaster

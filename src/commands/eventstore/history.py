"""Time travel for auditors: any record as it stood at a version or a moment, and its history
with what each event changed. Pure: the caller loads the stream's recorded events.

* **At a version N**: the stream's first N events folded with its aggregate's `evolve`.
* **At a moment T**: the longest prefix of the stream (in version order, which is the log's
  recorded order) whose events all have an envelope `occurred_at` at or before T.
  `occurred_at` is when the events were stored (`commands.recorded_time`: under the append
  lock, never decreasing along the log), not a business date carried in the data (stationing
  day, approval day, ...) nor a timer's moment (in its payload). Stopping at the first later
  event keeps the answer a state the record really passed through even in a log written
  before recorded times were taken under the lock.
* **Sealed data** never appears: a state field named like a sealed field of the stream's
  events, and any text equal to a sealed value of those events, show as ``[sealed]``.
  Event data is shown as `DomainEvent.public_data`.
* **Diffs** compare the JSON of the state before and after each event: changed paths
  (``status``, ``members[2].user_id``) with `before`/`after` and `op` (added, removed,
  changed).
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import pkgutil
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from xuncha.commands.base import Aggregate
from xuncha.commands.errors import NotFound, RuleViolated
from xuncha.events.base import SEALED, DomainEvent, RecordedEvent

JSON = Any

# A stream type with more than one Aggregate (views for different decisions) is shown through
# the one defined in the module named after it (`inspection` -> commands.inspection).


@cache
def aggregates() -> dict[str, Aggregate[Any]]:
    """Every stream type's aggregate, found in the modules of `commands`."""
    from xuncha import commands

    found: dict[str, list[tuple[str, Aggregate[Any]]]] = {}
    for name in _modules(commands.__path__, "xuncha.commands."):
        module = importlib.import_module(name)
        for value in vars(module).values():
            if isinstance(value, Aggregate):
                found.setdefault(value.name, []).append((name, value))
    chosen: dict[str, Aggregate[Any]] = {}
    for name, candidates in found.items():
        own = [a for module, a in candidates if module == f"xuncha.commands.{name}"]
        chosen[name] = own[0] if own else candidates[0][1]
    return chosen


def _modules(path: Iterable[str], prefix: str) -> Iterator[str]:
    """The modules of `commands` and of its aggregates' packages (not the event store's)."""
    for info in pkgutil.iter_modules(path, prefix):
        if info.name in (__name__, "xuncha.commands.eventstore", "xuncha.commands.timers"):
            continue
        yield info.name
        if info.ispkg:
            package = importlib.import_module(info.name)
            yield from _modules(package.__path__, f"{info.name}.")


def aggregate_of(stream_type: str) -> Aggregate[Any]:
    found = aggregates().get(stream_type)
    if found is None:
        raise RuleViolated(f"records of type '{stream_type}' have no state to show")
    return found


# ---- JSON of a state ----


def to_json(value: Any) -> JSON:
    """A state (frozen dataclass, pydantic model, containers, scalars) as JSON data."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Enum):
        return to_json(value.value)
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(to_json(k)): to_json(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        items = [to_json(v) for v in value]
        return sorted(items, key=repr)
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return str(value)


def _strings(value: JSON) -> Iterable[str]:
    if isinstance(value, str):
        if value:
            yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@dataclasses.dataclass(frozen=True)
class Sealed:
    """What must not be shown of a stream: its events' sealed field names and values."""

    names: frozenset[str] = frozenset()
    values: frozenset[str] = frozenset()

    @classmethod
    def of(cls, recorded: Iterable[RecordedEvent]) -> Sealed:
        names: set[str] = set()
        values: set[str] = set()
        for r in recorded:
            fields = type(r.event).sealed_fields
            if not fields:
                continue
            names |= fields
            data = r.event.model_dump(mode="json", warnings=False)
            for name in fields:
                values.update(_strings(data.get(name)))
        return cls(frozenset(names), frozenset(values))

    def redact(self, value: JSON) -> JSON:
        if isinstance(value, str):
            return SEALED if value in self.values else value
        if isinstance(value, dict):
            return {
                k: (SEALED if k in self.names and v not in (None, [], {}) else self.redact(v))
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [self.redact(v) for v in value]
        return value


# ---- diffs ----

_ABSENT = object()


def _path(base: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{base}[{key}]"
    return f"{base}.{key}" if base else key


def diff(before: JSON, after: JSON, path: str = "") -> list[dict[str, Any]]:
    """The changed paths from `before` to `after` (JSON data), in a stable order. Objects are
    compared key by key, lists of equal length item by item; otherwise the value at the path
    changed as a whole. `op` is added (no value before), removed (none after) or changed."""
    if _same(before, after):
        return []
    if isinstance(before, dict) and isinstance(after, dict):
        changes: list[dict[str, Any]] = []
        for key in [*before, *(k for k in after if k not in before)]:
            changes += _diff_entry(before.get(key, _ABSENT), after.get(key, _ABSENT), path, key)
        return changes
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        changes = []
        for index, (b, a) in enumerate(zip(before, after, strict=True)):
            changes += diff(b, a, _path(path, index))
        return changes
    return [_change(path, before, after)]


def _same(a: JSON, b: JSON) -> bool:
    """Equal as JSON (so 1, 1.0 and true differ, unlike in Python)."""
    return a == b and json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _diff_entry(before: Any, after: Any, path: str, key: str) -> list[dict[str, Any]]:
    where = _path(path, key)
    if before is _ABSENT:
        return [{"path": where, "op": "added", "before": None, "after": after}]
    if after is _ABSENT:
        return [{"path": where, "op": "removed", "before": before, "after": None}]
    return diff(before, after, where)


def _change(path: str, before: JSON, after: JSON) -> dict[str, Any]:
    op = "added" if before is None else "removed" if after is None else "changed"
    return {"path": path, "op": op, "before": before, "after": after}


# ---- states and history ----


def _check(recorded: Sequence[RecordedEvent], stream_id: UUID) -> None:
    if not recorded:
        raise NotFound(f"there is no record {stream_id}")


def state_json(recorded: Sequence[RecordedEvent], upto: int, sealed: Sealed) -> JSON:
    """The redacted JSON state after the first `upto` events of the stream."""
    aggregate = aggregate_of(recorded[0].metadata.stream_type)
    state = aggregate.fold(r.event for r in recorded[:upto])
    return sealed.redact(to_json(state))


def prefix_at(recorded: Sequence[RecordedEvent], at: datetime) -> int:
    """How many of the stream's first events had occurred at `at` (see the module doc)."""
    count = 0
    for r in recorded:
        if r.metadata.occurred_at > at:
            break
        count += 1
    return count


def state_at(
    stream_id: UUID,
    recorded: Sequence[RecordedEvent],
    *,
    version: int | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """The record as it stood at `version` or at the moment `at` (exactly one of them)."""
    _check(recorded, stream_id)
    if (version is None) == (at is None):
        raise RuleViolated("give exactly one of version (a number) or at (an ISO date-time)")
    current = len(recorded)
    if version is not None:
        if not 1 <= version <= current:
            raise RuleViolated(
                f"version {version} is out of range: record {stream_id} has versions 1 to {current}"
            )
        upto = version
    else:
        assert at is not None
        if at.tzinfo is None:
            raise RuleViolated("at needs a time zone (e.g. 2026-05-01T12:00:00Z)")
        upto = prefix_at(recorded, at)
        if upto == 0:
            first = recorded[0].metadata.occurred_at.isoformat()
            raise RuleViolated(
                f"record {stream_id} did not exist yet at {at.isoformat()}; "
                f"its first event occurred at {first}"
            )
    last = recorded[upto - 1]
    return {
        "stream_id": str(stream_id),
        "stream_type": recorded[0].metadata.stream_type,
        "version": upto,
        "current_version": current,
        "at": at.isoformat() if at is not None else None,
        "last_event": {
            "type": last.event.type_name,
            "occurred_at": last.metadata.occurred_at.isoformat(),
            "position": last.position,
        },
        "state": state_json(recorded, upto, Sealed.of(recorded)),
    }


def public_data(event: DomainEvent) -> dict[str, Any]:
    """`DomainEvent.public_data`, quiet about sealed fields loaded as their marker (an event
    read from the store without its keys holds ``[sealed]`` where a model is declared)."""
    data = event.model_dump(mode="json", warnings=False)
    for name in type(event).sealed_fields:
        if name in data:
            data[name] = SEALED
    return data


def event_json(r: RecordedEvent) -> dict[str, Any]:
    m = r.metadata
    return {
        "version": m.stream_version,
        "position": r.position,
        "type": r.event.type_name,
        "schema_version": r.event.schema_version,
        "event_id": str(m.event_id),
        "occurred_at": m.occurred_at.isoformat(),
        "actor": m.actor.model_dump(mode="json"),
        "command": m.command,
        "reason": m.reason,
        "correlation_id": str(m.correlation_id),
        "causation_id": str(m.causation_id),
        "data": public_data(r.event),
    }


def history(
    stream_id: UUID,
    recorded: Sequence[RecordedEvent],
    *,
    after_version: int = 0,
    limit: int = 100,
    diffs: bool = True,
) -> dict[str, Any]:
    """The stream's events after `after_version` (at most `limit`), each with its metadata,
    its public data and (with `diffs`) the state paths it changed."""
    _check(recorded, stream_id)
    stream_type = recorded[0].metadata.stream_type
    page = list(recorded[after_version : after_version + limit])
    events = [event_json(r) for r in page]
    aggregate = aggregates().get(stream_type)
    if diffs and aggregate is not None:  # a type without state: its events, no diffs
        sealed = Sealed.of(recorded)
        state = aggregate.fold(r.event for r in recorded[:after_version])
        before = sealed.redact(to_json(state))
        for r, shown in zip(page, events, strict=True):
            state = aggregate.evolve(state, r.event)
            after = sealed.redact(to_json(state))
            shown["changes"] = diff(before, after)
            before = after
    end = after_version + len(page)
    return {
        "stream_id": str(stream_id),
        "stream_type": stream_type,
        "current_version": len(recorded),
        "items": events,
        "limit": limit,
        "after_version": after_version,
        "next_after_version": end if end < len(recorded) else None,
    }

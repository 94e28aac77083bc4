"""One command's view of the store: loads streams, checks `If-Match`, collects new events."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar, cast
from uuid import UUID, uuid4

from xuncha.commands.base import Aggregate, Context
from xuncha.commands.decision import CommandWarning, warnings_of
from xuncha.commands.errors import NotFound, VersionMismatch
from xuncha.commands.eventstore.store import EventStore
from xuncha.commands.policy import POLICY, PolicyBook, policy_stream_id
from xuncha.events.base import DomainEvent
from xuncha.events.policy import PolicyParameters
from xuncha.events.values import PolicyRef

S = TypeVar("S")


@dataclass
class Stream:
    aggregate: Aggregate[Any]
    version: int
    state: Any
    pending: list[DomainEvent] = field(default_factory=list)
    stored_version: int = 0  # the stream's last stored version as loaded, whatever its type


class UnitOfWork:
    """Loads and folds streams once per command, and remembers the versions it saw."""

    def __init__(
        self,
        store: EventStore,
        ctx: Context,
        *,
        target: UUID | None = None,
        expected_version: int | None = None,
        new_id: Callable[[], UUID] = uuid4,
    ) -> None:
        self.store = store
        self.ctx = ctx
        self.target = target
        self.expected_version = expected_version
        self.new_id = new_id
        self.streams: dict[UUID, Stream] = {}
        self.order: list[UUID] = []
        self.warnings: list[CommandWarning] = []

    def find(self, aggregate: Aggregate[S], stream_id: UUID) -> S | None:
        if stream_id not in self.streams:
            recorded = self.store.load(stream_id)
            stored = recorded[-1].metadata.stream_version if recorded else 0
            if recorded and recorded[0].metadata.stream_type != aggregate.name:
                recorded = []  # an id of another kind of record is not this one
            state = aggregate.fold(r.event for r in recorded)
            version = recorded[-1].metadata.stream_version if recorded else 0
            self.streams[stream_id] = Stream(aggregate, version, state, stored_version=stored)
            self._check_expected(stream_id, version)
        stream = self.streams[stream_id]
        if stream.aggregate.name != aggregate.name and stream.state is not None:
            return None  # loaded earlier in this command as another kind of record
        return cast(S | None, stream.state)

    def get(self, aggregate: Aggregate[S], stream_id: UUID, what: str) -> S:
        state = self.find(aggregate, stream_id)
        if state is None:
            raise NotFound(f"{what} {stream_id} does not exist")
        return state

    def _check_expected(self, stream_id: UUID, version: int) -> None:
        expected = self.expected_version
        if stream_id == self.target and expected is not None and version != expected:
            raise VersionMismatch(
                f"the record is at version {version}, not {self.expected_version} as "
                "If-Match says; reload it and decide again"
            )

    def record(self, aggregate: Aggregate[Any], stream_id: UUID, events: list[DomainEvent]) -> None:
        """Queue `events` for `stream_id`, folding them so later decisions see them. A stream
        not loaded yet is loaded first, so its next version is known (new ids load nothing).
        The warnings of a `Decision` go to the command's answer."""
        self.warn(*warnings_of(events))
        if stream_id not in self.streams:
            self.find(aggregate, stream_id)
        stream = self.streams[stream_id]
        stream.pending.extend(events)
        stream.state = aggregate.fold(events, stream.state)
        if stream_id not in self.order:
            self.order.append(stream_id)

    def warn(self, *warnings: CommandWarning) -> None:
        """State consequences of the command in its answer (each once)."""
        self.warnings.extend(w for w in dict.fromkeys(warnings) if w not in self.warnings)

    def policy(self, jurisdiction_id: str, on: date) -> tuple[PolicyRef, PolicyParameters]:
        book = self.find(POLICY, policy_stream_id(jurisdiction_id))
        return (book or PolicyBook(jurisdiction_id)).in_force(on)

    def pinned_policy(self, ref: PolicyRef) -> PolicyParameters:
        book = self.find(POLICY, policy_stream_id(ref.jurisdiction_id))
        return (book or PolicyBook(ref.jurisdiction_id)).pinned(ref)

    def reads(self) -> dict[UUID, int]:
        """Streams the decision read but writes nothing to, at the versions it read: the append
        checks they have not moved on (writes are checked by their next version's key)."""
        return {sid: s.stored_version for sid, s in self.streams.items() if not s.pending}

    def pending(self) -> list[tuple[UUID, Stream]]:
        return [(sid, self.streams[sid]) for sid in self.order if self.streams[sid].pending]

"""The application service: authorizes, de-duplicates, decides and appends one command."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from xuncha.commands.base import Command, Context
from xuncha.commands.decision import CommandWarning, WarningCode
from xuncha.commands.errors import (
    ConcurrencyConflict,
    IdempotencyKeyReused,
    InvalidTransition,
    NotPermitted,
)
from xuncha.commands.eventstore.store import EventStore, IdempotencyRecord
from xuncha.commands.registry import HANDLERS
from xuncha.commands.unit_of_work import UnitOfWork
from xuncha.events.base import Actor, EventMetadata, RecordedEvent

# A command without If-Match whose append meets another append is decided again, this many
# times in all, waiting backoff x attempt between tries.
ATTEMPTS = 3
BACKOFF_SECONDS = 0.01


# Hears each executed command: its name, its outcome and the seconds it took.
Observer = Callable[[str, str, float], None]
# Holds a command's trace span open while it runs and yields its W3C `traceparent` (or None),
# which its events' envelopes carry (api/telemetry.py).
Tracer = Callable[[str], AbstractContextManager[str | None]]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class AppendedEvent:
    type: str
    version: int
    stream_id: str
    stream_version: int


@dataclass(frozen=True)
class CommandResult:
    """What a command produced: the record it addressed or created, its new version, and the
    position of its last event in the log (for read-your-writes)."""

    command: str
    stream_id: str
    stream_version: int
    position: int
    events: list[AppendedEvent]
    created_id: str | None = None
    replayed: bool = field(default=False)
    warnings: list[CommandWarning] = field(default_factory=list)

    def as_record(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_record(cls, data: dict[str, Any], *, position: int) -> CommandResult:
        events = [AppendedEvent(**e) for e in data["events"]]
        # Results stored before warnings existed have none.
        warnings = [
            CommandWarning(WarningCode(w["code"]), w["message_zh"], w["message_en"])
            for w in data.get("warnings", [])
        ]
        skip = ("events", "position", "replayed", "warnings")
        fields = {k: v for k, v in data.items() if k not in skip}
        return cls(**fields, events=events, position=position, replayed=True, warnings=warnings)


class Application:
    """Executes commands against the event store. Time and new ids are injected."""

    def __init__(
        self,
        store: EventStore,
        *,
        clock: Callable[[], datetime] = utc_now,
        new_id: Callable[[], UUID] = uuid4,
        attempts: int = ATTEMPTS,
        backoff_seconds: float = BACKOFF_SECONDS,
        observe: Observer | None = None,
        trace: Tracer | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.new_id = new_id
        self.attempts = attempts
        self.backoff_seconds = backoff_seconds
        self.observe = observe
        self.trace = trace

    def at(self, now: datetime) -> Application:
        """The same application deciding as of `now` (for timers replaying a moment)."""
        return Application(
            self.store,
            clock=lambda: now,
            new_id=self.new_id,
            attempts=self.attempts,
            backoff_seconds=self.backoff_seconds,
            observe=self.observe,
            trace=self.trace,
        )

    def execute(
        self,
        command: Command,
        actor: Actor,
        *,
        expected_version: int | None = None,
        idempotency_key: str | None = None,
        correlation_id: UUID | None = None,
    ) -> CommandResult:
        """Decide and append `command` as `actor`; the observer (metrics) hears how it went:
        `appended`, `replayed` (an idempotent retry) or the error's class name."""
        started, outcome = time.perf_counter(), "error"  # "error": interrupted (not an Exception)
        name = type(command).__name__
        try:
            with self.trace(name) if self.trace else nullcontext() as traceparent:
                result = self._execute(
                    command, actor, expected_version, idempotency_key, correlation_id, traceparent
                )
            outcome = "replayed" if result.replayed else "appended"
            return result
        except Exception as error:
            outcome = type(error).__name__
            raise
        finally:
            if self.observe is not None:
                self.observe(name, outcome, time.perf_counter() - started)

    def _execute(
        self,
        command: Command,
        actor: Actor,
        expected_version: int | None,
        idempotency_key: str | None,
        correlation_id: UUID | None,
        traceparent: str | None = None,
    ) -> CommandResult:
        name = type(command).__name__
        if actor.role not in type(command).allowed_roles:
            raise NotPermitted(f"the role '{actor.role}' may not {name}")
        idempotency = None
        if idempotency_key is not None:
            idempotency = self._idempotency(command, actor, idempotency_key, expected_version)
            prior = self._replay(idempotency)
            if prior is not None:
                return prior
        correlation_id = correlation_id or uuid4()
        for attempt in range(1, self.attempts + 1):
            try:
                return self._decide_and_append(
                    command, actor, expected_version, idempotency, correlation_id, traceparent
                )
            except ConcurrencyConflict:
                prior = self._replay(idempotency) if idempotency else None
                if prior is not None:
                    return prior
                # With If-Match the client asked to decide itself; without, the conflict is
                # another append (often the server's own timers): load and decide again.
                if expected_version is not None or attempt == self.attempts:
                    raise
                time.sleep(self.backoff_seconds * attempt)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _decide_and_append(
        self,
        command: Command,
        actor: Actor,
        expected_version: int | None,
        idempotency: IdempotencyRecord | None,
        correlation_id: UUID,
        traceparent: str | None = None,
    ) -> CommandResult:
        """Load, decide and append once; ConcurrencyConflict if a stream moved on meanwhile."""
        name = type(command).__name__
        target_field = type(command).target
        target = getattr(command, target_field) if target_field else None
        uow = UnitOfWork(
            self.store,
            Context(self.clock(), actor),
            target=target,
            expected_version=expected_version,
            new_id=self.new_id,
        )
        created = HANDLERS[type(command)](uow, command)
        recorded = self.envelopes(uow, command, correlation_id, traceparent)
        if not recorded:
            raise InvalidTransition(f"{name} has nothing to record in the current state")
        # A record created inside another stream (a briefing in the fieldwork stream) has an
        # id but no stream: the result then names the stream addressed, as before.
        own_stream = created is not None and any(r.metadata.stream_id == created for r in recorded)
        primary = (created if own_stream else None) or target or recorded[0].metadata.stream_id
        loaded = uow.streams[primary].version if primary in uow.streams else 0
        result = replace(
            self._result(name, primary, recorded, created, loaded), warnings=list(uow.warnings)
        )
        if idempotency is not None:
            idempotency = IdempotencyRecord(
                idempotency.scope, idempotency.request_hash, result.as_record()
            )
        positions = self.store.append(recorded, idempotency, reads=uow.reads())
        return CommandResult(**{**result.__dict__, "position": max(positions)})

    def envelopes(
        self,
        uow: UnitOfWork,
        command: Command,
        correlation_id: UUID,
        traceparent: str | None = None,
    ) -> list[RecordedEvent]:
        causation_id = uuid4()
        recorded = []
        for stream_id, stream in uow.pending():
            for offset, event in enumerate(stream.pending, start=1):
                metadata = EventMetadata(
                    event_id=uuid4(),
                    stream_id=stream_id,
                    stream_type=stream.aggregate.name,
                    stream_version=stream.version + offset,
                    occurred_at=uow.ctx.now,
                    actor=uow.ctx.actor,
                    command=type(command).__name__,
                    reason=command.reason,
                    correlation_id=correlation_id,
                    causation_id=causation_id,
                    traceparent=traceparent,
                )
                recorded.append(RecordedEvent(metadata=metadata, event=event))
        return recorded

    @staticmethod
    def _result(
        name: str,
        primary: UUID,
        recorded: list[RecordedEvent],
        created: UUID | None,
        loaded_version: int,
    ) -> CommandResult:
        events = [
            AppendedEvent(
                r.event.type_name,
                r.event.schema_version,
                str(r.metadata.stream_id),
                r.metadata.stream_version,
            )
            for r in recorded
        ]
        # The addressed record's version: new if the command changed it, else as loaded.
        version = max(
            (e.stream_version for e in events if e.stream_id == str(primary)),
            default=loaded_version,
        )
        return CommandResult(
            command=name,
            stream_id=str(primary),
            stream_version=version,
            position=0,
            events=events,
            created_id=str(created) if created else None,
        )

    @staticmethod
    def _idempotency(
        command: Command, actor: Actor, key: str, expected_version: int | None
    ) -> IdempotencyRecord:
        body = {
            "command": type(command).__name__,
            "data": command.model_dump(mode="json"),
            "expected_version": expected_version,
        }
        digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
        return IdempotencyRecord(f"{actor.user_id}:{key}", digest, {})

    def _replay(self, idempotency: IdempotencyRecord) -> CommandResult | None:
        found = self.store.recorder.find_idempotency(idempotency.scope)
        if found is None:
            return None
        request_hash, result = found
        if request_hash != idempotency.request_hash:
            raise IdempotencyKeyReused(
                "this Idempotency-Key was already used for a different request; "
                "use a new key for a new command"
            )
        last = result["events"][-1]
        position = self.store.recorder.notification_id_of(
            UUID(last["stream_id"]), last["stream_version"]
        )
        return CommandResult.from_record(result, position=position or 0)

"""Corrections (DOMAIN.md §7.4): the inspection office marks an event as recorded in error,
with a reason and the person who approved it. Nothing is edited: the mark is a new event on
the `correction` stream of the corrected stream, and read models show it beside the event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import Field

from xuncha.commands.base import Aggregate, Command, Context, require
from xuncha.commands.errors import InvalidTransition, NotFound
from xuncha.commands.handling import Registered, on
from xuncha.commands.unit_of_work import UnitOfWork
from xuncha.events.base import DomainEvent, RecordedEvent, Role
from xuncha.events.correction import EventRecordedInError
from xuncha.events.values import Member

OFFICE = frozenset({Role.INSPECTION_OFFICE})


def correction_stream_id(stream_id: UUID) -> UUID:
    return uuid5(NAMESPACE_URL, f"xuncha:correction:{stream_id}")


@dataclass(frozen=True)
class CorrectionState:
    stream_id: UUID
    marked: frozenset[int] = frozenset()


def evolve(state: CorrectionState | None, event: DomainEvent) -> CorrectionState | None:
    if isinstance(event, EventRecordedInError):
        current = state or CorrectionState(event.stream_id)
        return replace(current, marked=current.marked | {event.stream_version})
    return state


CORRECTION = Aggregate[CorrectionState]("correction", evolve)


class RecordEventInError(Command):
    """Mark the event at `stream_version` of `stream_id` as recorded in error."""

    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    stream_id: UUID
    stream_version: int = Field(ge=1)
    why: str = Field(min_length=1, max_length=4000)
    approved_by: Member

    @property
    def reason(self) -> str | None:
        return self.why


def record_in_error(
    state: CorrectionState | None,
    cmd: RecordEventInError,
    ctx: Context,
    recorded: Sequence[RecordedEvent],
) -> list[DomainEvent]:
    """`recorded`: the events of the stream `cmd.stream_id`, from the event store."""
    found = next((r for r in recorded if r.metadata.stream_version == cmd.stream_version), None)
    if found is None:
        raise NotFound(f"stream {cmd.stream_id} has no event at version {cmd.stream_version}")
    require(
        found.metadata.stream_type != CORRECTION.name,
        "a correction is not itself recorded in error",
    )
    if state is not None and cmd.stream_version in state.marked:
        raise InvalidTransition(
            f"the event at version {cmd.stream_version} is already recorded in error"
        )
    require(
        cmd.approved_by.user_id != ctx.actor.user_id,
        "the correction is approved by someone other than who records it",
    )
    return [
        EventRecordedInError(
            stream_id=cmd.stream_id,
            stream_version=cmd.stream_version,
            event_id=found.metadata.event_id,
            event_type=found.event.type_name,
            reason=cmd.why,
            approved_by=cmd.approved_by,
        )
    ]


def handle_record_in_error(uow: UnitOfWork, cmd: RecordEventInError) -> None:
    stream_id = correction_stream_id(cmd.stream_id)
    state = uow.find(CORRECTION, stream_id)
    recorded = uow.store.load(cmd.stream_id)
    uow.record(CORRECTION, stream_id, record_in_error(state, cmd, uow.ctx, recorded))


HANDLERS: tuple[Registered, ...] = (on(RecordEventInError, handle_record_in_error),)

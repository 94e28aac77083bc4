"""Handler makers for commands on an inspection's stream and on the records kept beside it
(feedback, the rectification programme, the follow-up), typed by the command they handle."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from uuid import UUID

from xuncha.commands.base import Aggregate, Context
from xuncha.commands.handling import Handler
from xuncha.commands.inspection import INSPECTION, InspectionCommand, InspectionState
from xuncha.commands.unit_of_work import UnitOfWork
from xuncha.events.base import DomainEvent
from xuncha.events.policy import PolicyParameters

IC = TypeVar("IC", bound=InspectionCommand)
S = TypeVar("S")


def inspection_of(uow: UnitOfWork, inspection_id: UUID) -> InspectionState:
    return uow.get(INSPECTION, inspection_id, "inspection")


def pinned_policy(uow: UnitOfWork, state: InspectionState) -> PolicyParameters:
    """The policy version the feedback's clocks started under (in force today before that)."""
    ref = state.rectification_policy
    if ref is not None:
        return uow.pinned_policy(ref)
    return uow.policy(state.jurisdiction_id, uow.ctx.today)[1]


def on_inspection(decide: Callable[[InspectionState, IC], list[DomainEvent]]) -> Handler[IC]:
    """A command that touches only its inspection: decide(state, cmd)."""

    def handler(uow: UnitOfWork, cmd: IC) -> None:
        state = inspection_of(uow, cmd.inspection_id)
        uow.record(INSPECTION, cmd.inspection_id, decide(state, cmd))

    return handler


def on_inspection_ctx(
    decide: Callable[[InspectionState, IC, Context], list[DomainEvent]],
) -> Handler[IC]:
    """A command that touches only its inspection: decide(state, cmd, ctx)."""

    def handler(uow: UnitOfWork, cmd: IC) -> None:
        state = inspection_of(uow, cmd.inspection_id)
        uow.record(INSPECTION, cmd.inspection_id, decide(state, cmd, uow.ctx))

    return handler


def beside(
    aggregate: Aggregate[S],
    stream_id: Callable[[UUID], UUID],
    decide: Callable[[S | None, IC, Context, InspectionState], list[DomainEvent]],
) -> Handler[IC]:
    """A command on a record kept beside its inspection: decide(record, cmd, ctx, inspection)."""

    def handler(uow: UnitOfWork, cmd: IC) -> None:
        inspection = inspection_of(uow, cmd.inspection_id)
        sid = stream_id(cmd.inspection_id)
        uow.record(aggregate, sid, decide(uow.find(aggregate, sid), cmd, uow.ctx, inspection))

    return handler


def beside_pinned(
    aggregate: Aggregate[S],
    stream_id: Callable[[UUID], UUID],
    decide: Callable[[S | None, IC, Context, InspectionState, PolicyParameters], list[DomainEvent]],
) -> Handler[IC]:
    """As `beside`, with the policy version the feedback's clocks started under."""

    def handler(uow: UnitOfWork, cmd: IC) -> None:
        inspection = inspection_of(uow, cmd.inspection_id)
        sid = stream_id(cmd.inspection_id)
        record = uow.find(aggregate, sid)
        params = pinned_policy(uow, inspection)
        uow.record(aggregate, sid, decide(record, cmd, uow.ctx, inspection, params))

    return handler

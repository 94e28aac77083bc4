"""The one shape of a command handler, and the registration that checks it per command.

A handler loads what the decision needs through a `UnitOfWork`, decides, records the events,
and returns the id of a record it created, or None. `on(ProposeRound, propose_round)` pairs a
command type with its handler; mypy refuses a handler whose command parameter is not that
command type. Each aggregate's module (or package) keeps one `HANDLERS` table of these
registrations beside its deciders; `commands/registry.py` collects the tables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar
from uuid import UUID

from xuncha.commands.base import Command
from xuncha.commands.unit_of_work import UnitOfWork
from xuncha.events.base import DomainEvent

C = TypeVar("C", bound=Command)

Handler = Callable[[UnitOfWork, C], UUID | None]
"""Handles one command type `C`: decide and record through the unit of work."""


@dataclass(frozen=True)
class Registration(Generic[C]):
    """One command type and its handler; callable with any command, refusing other types."""

    command_type: type[C]
    handler: Handler[C]

    def __call__(self, uow: UnitOfWork, command: Command) -> UUID | None:
        if not isinstance(command, self.command_type):
            raise TypeError(
                f"the handler of {self.command_type.__name__} got {type(command).__name__}"
            )
        return self.handler(uow, command)


def on(command_type: type[C], handler: Handler[C]) -> Registered:
    """Register `handler` as the one handler of `command_type` (collected by the registry).
    The answer names no command type, so the command type is inferred from these two
    arguments alone, never from where the registration goes."""
    return Registration(command_type, handler)


class Registered(Protocol):
    """A registration, whatever its command type: what a table lists and the registry keeps."""

    @property
    def command_type(self) -> type[Command]: ...

    def __call__(self, uow: UnitOfWork, command: Command) -> UUID | None: ...


def created(events: list[DomainEvent], new_id: UUID) -> UUID | None:
    """The id of the record the events create inside a stream (a briefing, a survey, a
    document request, a group meeting, a leave, ...): the new id one of them carries."""
    return new_id if any(new_id in vars(event).values() for event in events) else None

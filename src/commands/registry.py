"""The registry of command handlers: each area's module registers its use cases here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from xuncha.commands.base import Command
from xuncha.commands.unit_of_work import UnitOfWork

C = TypeVar("C", bound=Command)
Handler = Callable[[UnitOfWork, Any], UUID | None]
HANDLERS: dict[type[Command], Handler] = {}


def handles(command_type: type[C]) -> Callable[[Callable[[UnitOfWork, C], UUID | None]], Handler]:
    """Register `fn` as the one handler of `command_type`; a second one is an error."""

    def register(fn: Callable[[UnitOfWork, C], UUID | None]) -> Handler:
        if command_type in HANDLERS:
            raise ValueError(f"{command_type.__name__} has a handler already")
        HANDLERS[command_type] = fn
        return fn

    return register


def register_all(handlers: dict[type[Command], Handler]) -> None:
    for command_type, fn in handlers.items():
        handles(command_type)(fn)

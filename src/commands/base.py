"""What every command and aggregate shares: the command base, the decision context, folding."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from commands.errors import InvalidTransition, NotPermitted, RuleViolated
from events.base import Actor, DomainEvent, Role

S = TypeVar("S")


class Command(BaseModel):
    """An intention, named in the imperative. `target` names the field holding the stream id
    the command addresses (the stream `If-Match` refers to); `allowed_roles` who may issue it.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    target: ClassVar[str | None] = None
    allowed_roles: ClassVar[frozenset[Role]] = frozenset()

    @property
    def reason(self) -> str | None:
        return None


@dataclass(frozen=True)
class Context:
    """What a decision needs besides state and command: the time and the actor."""

    now: datetime
    actor: Actor

    @property
    def today(self) -> date:
        return self.now.date()


@dataclass(frozen=True)
class Aggregate(Generic[S]):
    """A stream type: its name and its `evolve` function."""

    name: str
    evolve: Callable[[S | None, DomainEvent], S | None]

    def fold(self, events: Iterable[DomainEvent], state: S | None = None) -> S | None:
        for event in events:
            state = self.evolve(state, event)
        return state


def require(condition: bool, message: str) -> None:
    """Guard for a hard invariant on the command's content."""
    if not condition:
        raise RuleViolated(message)


def require_stage(current: str, allowed: Iterable[str], action: str) -> None:
    """Guard for the workflow order: `action` is possible only in the `allowed` stages."""
    allowed = tuple(allowed)
    if current not in allowed:
        raise InvalidTransition(
            f"cannot {action} while the stage is '{current}'; "
            f"it is possible only when the stage is {' or '.join(repr(s) for s in allowed)}"
        )


def require_not_future(day: date, ctx: Context, what: str) -> None:
    require(day <= ctx.today, f"{what} ({day}) cannot be in the future (today is {ctx.today})")


def require_actor(condition: bool, message: str) -> None:
    if not condition:
        raise NotPermitted(message)

"""What every command and aggregate shares: the command base, the decision context, folding."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar, Generic, Self, TypeVar

from pydantic import BaseModel, ConfigDict, model_validator

from xuncha.commands.errors import InvalidTransition, NotPermitted, RuleViolated
from xuncha.events.base import Actor, DomainEvent, Role
from xuncha.events.office_day import office_date

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

    @model_validator(mode="after")
    def _no_nul_characters(self) -> Self:
        """Refuse U+0000 anywhere in the command. The event store would keep it (bytea), but
        PostgreSQL `text` and `jsonb` cannot hold it, so every read model would fail on that
        event forever: one careless or hostile string would poison the append-only log."""
        where = _nul_path(self.model_dump(mode="json"), ())
        if where is not None:
            field = ".".join(str(p) for p in where) or "the command"
            raise ValueError(f"{field} contains a NUL character (U+0000), which is not allowed")
        return self


def _nul_path(value: Any, path: tuple[Any, ...]) -> tuple[Any, ...] | None:
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in str(key):
                return (*path, key)
            if (found := _nul_path(item, (*path, key))) is not None:
                return found
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            if (found := _nul_path(item, (*path, index))) is not None:
                return found
    return None


@dataclass(frozen=True)
class Context:
    """What a decision needs besides state and command: the time and the actor."""

    now: datetime
    actor: Actor

    @property
    def today(self) -> date:
        return office_date(self.now)


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
            f"it is possible only when the stage is {' or '.join(repr(str(s)) for s in allowed)}"
        )


def require_not_future(day: date, ctx: Context, what: str) -> None:
    require(day <= ctx.today, f"{what} ({day}) cannot be in the future (today is {ctx.today})")


def require_actor(condition: bool, message: str) -> None:
    if not condition:
        raise NotPermitted(message)

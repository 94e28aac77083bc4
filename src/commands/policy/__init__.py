"""Policy profiles: effective-dated parameters per jurisdiction, themselves event-sourced.

The handler is in `handlers`: the unit of work reads the book, so the book cannot import it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import Field

from xuncha.commands.base import Aggregate, Command, Context, require
from xuncha.events.base import DomainEvent, Role
from xuncha.events.policy import PolicyParameters, PolicyVersionPublished
from xuncha.events.values import PolicyRef

DEFAULT_EFFECTIVE_FROM = date(1900, 1, 1)


def policy_stream_id(jurisdiction_id: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"xuncha:policy:{jurisdiction_id}")


@dataclass(frozen=True)
class PolicyBook:
    """All published versions of one jurisdiction's policy, oldest first."""

    jurisdiction_id: str
    versions: tuple[PolicyVersionPublished, ...] = field(default=())

    def pinned(self, ref: PolicyRef) -> PolicyParameters:
        """The parameters of the version a clock started under (0 = built-in default)."""
        for version in self.versions:
            if version.version == ref.version:
                return version.parameters
        return PolicyParameters()

    def in_force(self, on: date) -> tuple[PolicyRef, PolicyParameters]:
        """The version in force on `on`; version 0 is the built-in default."""
        chosen = None
        for version in self.versions:
            if version.effective_from <= on:
                chosen = version
        if chosen is None:
            return PolicyRef(
                jurisdiction_id=self.jurisdiction_id,
                version=0,
                effective_from=DEFAULT_EFFECTIVE_FROM,
            ), PolicyParameters()
        ref = PolicyRef(
            jurisdiction_id=self.jurisdiction_id,
            version=chosen.version,
            effective_from=chosen.effective_from,
        )
        return ref, chosen.parameters


def evolve(state: PolicyBook | None, event: DomainEvent) -> PolicyBook | None:
    if isinstance(event, PolicyVersionPublished):
        book = state or PolicyBook(event.jurisdiction_id)
        return PolicyBook(book.jurisdiction_id, (*book.versions, event))
    return state


POLICY = Aggregate[PolicyBook]("policy", evolve)


class PublishPolicyVersion(Command):
    """Publish a new version of a jurisdiction's policy parameters from a date on."""

    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.INSPECTION_OFFICE, Role.COMMITTEE})
    jurisdiction_id: str = Field(min_length=1, max_length=64)
    effective_from: date
    parameters: PolicyParameters


def publish_version(
    book: PolicyBook | None, cmd: PublishPolicyVersion, ctx: Context
) -> list[DomainEvent]:
    p = cmd.parameters
    require(p.group_size_min <= p.group_size_max, "group_size_min exceeds group_size_max")
    require(p.deputies_min <= p.deputies_max, "deputies_min exceeds deputies_max")
    require(
        1 + p.deputies_min <= p.group_size_max,
        "group_size_max leaves no room for the leader and the minimum of deputies",
    )
    require(p.warn_yellow_days <= p.warn_green_days, "warn_yellow_days exceeds warn_green_days")
    versions = book.versions if book else ()
    if versions:
        last = versions[-1].effective_from
        require(
            cmd.effective_from > last,
            f"effective_from must be after the latest version's effective date ({last})",
        )
    return [
        PolicyVersionPublished(
            jurisdiction_id=cmd.jurisdiction_id,
            version=len(versions) + 1,
            effective_from=cmd.effective_from,
            parameters=p,
        )
    ]

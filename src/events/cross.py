"""Events of a cross-inspection arrangement (交叉互巡安排), one stream per round."""

from __future__ import annotations

from uuid import UUID

from pydantic import Field

from xuncha.events.base import Contract, DomainEvent
from xuncha.events.group import AuthorizerKind
from xuncha.events.registry import event


class CrossPair(Contract):
    """A→B: a group from county A inspects targets of county B, authorized by `authorizer`."""

    from_jurisdiction: str = Field(min_length=1, max_length=64)
    to_jurisdiction: str = Field(min_length=1, max_length=64)
    inspection_ids: list[UUID] = Field(min_length=1, max_length=100)
    authorizer: AuthorizerKind
    authorizing_committee: str = Field(min_length=1, max_length=200)


@event("cross_inspection.arranged")
class CrossInspectionArranged(DomainEvent):
    """交叉互巡: the pairs of a cross round."""

    round_id: UUID
    pairs: list[CrossPair]
    reciprocal_pairs_forbidden: bool

"""交叉互巡: the arrangement of a cross round (pairs A→B), one stream per round."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import Field

from xuncha.commands.base import Aggregate, Command, require, require_stage
from xuncha.commands.errors import InvalidTransition
from xuncha.commands.handling import Registered, on
from xuncha.commands.round import OFFICE, ROUND, RoundState
from xuncha.commands.unit_of_work import UnitOfWork
from xuncha.events.base import DomainEvent, Role
from xuncha.events.cross import CrossInspectionArranged, CrossPair
from xuncha.events.group import AuthorizerKind
from xuncha.events.policy import PolicyParameters
from xuncha.events.values import RoundType
from xuncha.events.vocabulary import RoundStage


def cross_stream_id(round_id: UUID) -> UUID:
    return uuid5(NAMESPACE_URL, f"xuncha:cross-arrangement:{round_id}")


@dataclass(frozen=True)
class CrossState:
    round_id: UUID
    pairs: tuple[CrossPair, ...]

    def pair_of(self, inspection_id: UUID) -> int | None:
        return next(
            (n for n, pair in enumerate(self.pairs) if inspection_id in pair.inspection_ids), None
        )


def evolve(state: CrossState | None, event: DomainEvent) -> CrossState | None:
    if isinstance(event, CrossInspectionArranged):
        return CrossState(event.round_id, tuple(event.pairs))
    return state


CROSS_ARRANGEMENT = Aggregate[CrossState]("cross_inspection", evolve)


class ArrangeCrossInspection(Command):
    """The city office pairs counties: a group from A inspects these targets of B."""

    target: ClassVar[str | None] = "round_id"
    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    round_id: UUID
    pairs: list[CrossPair] = Field(min_length=1, max_length=100)


def arrange(
    round_: RoundState,
    existing: CrossState | None,
    cmd: ArrangeCrossInspection,
    params: PolicyParameters,
) -> list[DomainEvent]:
    require(
        round_.round_type == RoundType.CROSS,
        f"only a cross round is arranged in pairs; this is a {round_.round_type.value} round",
    )
    require_stage(round_.stage, [RoundStage.APPROVED], "arrange the cross inspection")
    if existing is not None:
        raise InvalidTransition("the cross inspection of this round is arranged already")
    targets = set(round_.inspections.values())
    seen: set[UUID] = set()
    directions = set()
    for pair in cmd.pairs:
        a, b = pair.from_jurisdiction, pair.to_jurisdiction
        require(a != b, f"a county does not inspect itself: pair {a}→{b}")
        require(
            pair.authorizer != AuthorizerKind.DISPATCHING_COMMITTEE,
            f"pair {a}→{b}: a cross pair is authorized by the target county's committee "
            "or by the city committee",
        )
        for inspection_id in pair.inspection_ids:
            require(inspection_id in targets, f"inspection {inspection_id} is not in this round")
            require(
                inspection_id not in seen,
                f"inspection {inspection_id} is in two pairs; each target is inspected by "
                "exactly one group per round",
            )
            seen.add(inspection_id)
        directions.add((a, b))
    if params.forbid_reciprocal_cross_pairs:
        mutual = sorted(f"{a}⇄{b}" for a, b in directions if (b, a) in directions and a < b)
        require(
            not mutual,
            f"reciprocal pairs are forbidden by policy (你巡我、我巡你): {', '.join(mutual)}",
        )
    return [
        CrossInspectionArranged(
            round_id=round_.round_id,
            pairs=cmd.pairs,
            reciprocal_pairs_forbidden=params.forbid_reciprocal_cross_pairs,
        )
    ]


# Handlers ------------------------------------------------------------------------------------


def handle_arrange(uow: UnitOfWork, cmd: ArrangeCrossInspection) -> None:
    round_ = uow.get(ROUND, cmd.round_id, "round")
    stream_id = cross_stream_id(cmd.round_id)
    existing = uow.find(CROSS_ARRANGEMENT, stream_id)
    _, params = uow.policy(round_.jurisdiction_id, uow.ctx.today)
    uow.record(CROSS_ARRANGEMENT, stream_id, arrange(round_, existing, cmd, params))


HANDLERS: tuple[Registered, ...] = (on(ArrangeCrossInspection, handle_arrange),)

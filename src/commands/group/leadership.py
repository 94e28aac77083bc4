"""The group's leadership proposal: conflicts of interest and the leaders' rotation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from xuncha.commands.base import (
    Command,
    require,
    require_stage,
)
from xuncha.commands.cross import CrossState
from xuncha.commands.dates import add_months
from xuncha.commands.errors import InvalidTransition
from xuncha.commands.group.state import PROPOSERS, REGIONAL_ROUNDS, GroupState, RegisterState
from xuncha.commands.inspection import InspectionState
from xuncha.commands.round import RoundState
from xuncha.events.base import DomainEvent, Role
from xuncha.events.group import (
    AuthorizerKind,
    Conflict,
    ConflictKind,
    GroupLeadershipProposed,
    GroupTarget,
    LeadershipRotationWarningRaised,
)
from xuncha.events.policy import PolicyParameters
from xuncha.events.pool import InspectorProfile, RelativeTie, WorkSpell
from xuncha.events.values import Member, RoundType
from xuncha.events.vocabulary import InspectionStage, RoundStage

# Commands ------------------------------------------------------------------------------------


class ProposeGroupLeadership(Command):
    """巡察办 with 组织部 proposes a group for targets of a round: its leader and deputies.

    In a cross round the group's home and its targets' jurisdiction come from the
    arrangement's pair; otherwise from `home_jurisdiction` / `target_jurisdiction_id`
    (default: the round's jurisdiction).
    """

    allowed_roles: ClassVar[frozenset[Role]] = PROPOSERS
    round_id: UUID
    name: str = Field(min_length=1, max_length=200)
    inspection_ids: list[UUID] = Field(min_length=1, max_length=20)
    leader: Member
    deputies: list[Member] = Field(default_factory=list, max_length=10)
    home_jurisdiction: str | None = Field(default=None, min_length=1, max_length=64)
    target_jurisdiction_id: str | None = Field(default=None, min_length=1, max_length=64)


@dataclass(frozen=True)
class Ties:
    """What a person is tied to, from their declaration, pool profile and secondment."""

    offices: frozenset[str] = frozenset()
    relatives: tuple[RelativeTie, ...] = ()
    work: tuple[WorkSpell, ...] = ()
    homes: frozenset[str] = frozenset()

    def __or__(self, other: Ties) -> Ties:
        return Ties(
            self.offices | other.offices,
            self.relatives + other.relatives,
            self.work + other.work,
            self.homes | other.homes,
        )


def profile_ties(profile: InspectorProfile | None) -> Ties:
    if profile is None:
        return Ties()
    return Ties(
        frozenset({profile.employer_organization}),
        tuple(profile.relatives_organizations),
        tuple(profile.recent_work),
        frozenset({profile.home_jurisdiction}),
    )


def secondment_ties(state: GroupState, user_id: str) -> Ties:
    seconded = state.seconded.get(user_id)
    return Ties(homes=frozenset({seconded.home_jurisdiction})) if seconded else Ties()


def find_conflicts(
    user_id: str,
    ties: Ties,
    targets: Iterable[GroupTarget],
    round_type: RoundType,
    since: date,
) -> list[Conflict]:
    """Every 回避 conflict of a person with the group's targets (DOMAIN.md §6.1 inv. 1)."""
    found: list[Conflict] = []

    def add(kind: ConflictKind, org: str, detail: str) -> None:
        conflict = Conflict(user_id=user_id, kind=kind, organization_id=org, detail=detail)
        if conflict not in found:
            found.append(conflict)

    for t in targets:
        org = t.organization_id
        if org in ties.offices:
            add(ConflictKind.APPOINTMENT, org, f"holds office in or works for {org}")
        for tie in ties.relatives:
            if tie.organization_id == org:
                add(ConflictKind.RELATIVE, org, f"{tie.relation.value} works in {org}")
        for w in ties.work:
            if w.organization_id == org and (w.end is None or w.end >= since):
                until = w.end.isoformat() if w.end else "now"
                add(ConflictKind.RECENT_WORK, org, f"worked in {org} until {until}")
        if round_type in REGIONAL_ROUNDS and t.jurisdiction_id in ties.homes:
            add(
                ConflictKind.REGIONAL,
                org,
                f"home jurisdiction {t.jurisdiction_id} is the target's ({round_type.value} round)",
            )
    return found


def _describe(conflicts: Sequence[Conflict]) -> str:
    return "; ".join(f"{c.user_id}: {c.kind.value} ({c.detail})" for c in conflicts)


def lookback_start(today: date, params: PolicyParameters) -> date:
    return add_months(today, -params.recusal_work_lookback_months)


# Decisions -----------------------------------------------------------------------------------


def _rotation_warnings(
    register: RegisterState | None,
    round_id: UUID,
    group_id: UUID,
    name: str,
    leader_id: str,
    org_ids: set[str],
    within: int,
) -> list[DomainEvent]:
    if register is None or within <= 0:
        return []
    order = register.round_order()
    current = order.index(round_id) if round_id in order else len(order)
    nearest: dict[tuple[str, str], tuple[int, UUID]] = {}
    for entry in register.entries:
        if entry.leader_user_id != leader_id or entry.round_id == round_id:
            continue
        ago = current - order.index(entry.round_id)
        if not 0 < ago <= within:
            continue
        subjects = [("group", entry.group_name)] if entry.group_name == name else []
        if entry.organization_id in org_ids:
            subjects.append(("organization", entry.organization_id))
        for subject in subjects:
            if subject not in nearest or ago < nearest[subject][0]:
                nearest[subject] = (ago, entry.round_id)
    return [
        LeadershipRotationWarningRaised(
            group_id=group_id,
            leader_user_id=leader_id,
            subject=subject,
            subject_id=subject_id,
            previous_round_id=previous,
            rounds_ago=ago,
            within_rounds=within,
        )
        for (subject, subject_id), (ago, previous) in sorted(nearest.items())
    ]


def _unique_people(people: Sequence[Member]) -> None:
    ids = [p.user_id for p in people]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    require(not twice, f"a person appears more than once in the group: {', '.join(twice)}")


def propose_leadership(
    round_: RoundState,
    inspections: Mapping[UUID, InspectionState],
    arrangement: CrossState | None,
    register: RegisterState | None,
    cmd: ProposeGroupLeadership,
    params: PolicyParameters,
    group_id: UUID,
) -> list[DomainEvent]:
    require_stage(round_.stage, [RoundStage.APPROVED], "propose a group")
    require(
        len(set(cmd.inspection_ids)) == len(cmd.inspection_ids), "an inspection is listed twice"
    )
    for inspection_id in cmd.inspection_ids:
        inspection = inspections.get(inspection_id)
        require(
            inspection is not None and inspection.round_id == round_.round_id,
            f"inspection {inspection_id} is not a target of this round",
        )
        assert inspection is not None
        require_stage(
            inspection.stage, [InspectionStage.PLANNED], f"propose a group for {inspection_id}"
        )
    _unique_people([cmd.leader, *cmd.deputies])
    require(
        len(cmd.deputies) <= params.deputies_max,
        f"a group has at most {params.deputies_max} deputy leaders; {len(cmd.deputies)} given",
    )
    home = cmd.home_jurisdiction or round_.jurisdiction_id
    target_jurisdiction = cmd.target_jurisdiction_id or round_.jurisdiction_id
    authorizer, committee = AuthorizerKind.DISPATCHING_COMMITTEE, None
    if round_.round_type == RoundType.CROSS:
        if arrangement is None:
            raise InvalidTransition("arrange the cross inspection of this round first")
        pairs = {arrangement.pair_of(i) for i in cmd.inspection_ids}
        require(None not in pairs, "a target of this group is in no pair of the arrangement")
        require(len(pairs) == 1, "a group's targets must all belong to one pair A→B")
        pair = arrangement.pairs[next(iter(pairs))]  # type: ignore[index]
        home, target_jurisdiction = pair.from_jurisdiction, pair.to_jurisdiction
        authorizer, committee = pair.authorizer, pair.authorizing_committee
    targets = [
        GroupTarget(
            inspection_id=i,
            organization_id=inspections[i].organization_id,
            organization_name=inspections[i].organization_name,
            jurisdiction_id=target_jurisdiction,
        )
        for i in cmd.inspection_ids
    ]
    proposed = GroupLeadershipProposed(
        group_id=group_id,
        round_id=round_.round_id,
        jurisdiction_id=round_.jurisdiction_id,
        round_type=round_.round_type,
        name=cmd.name,
        targets=targets,
        leader=cmd.leader,
        deputies=cmd.deputies,
        home_jurisdiction=home,
        authorizer=authorizer,
        authorizing_committee=committee,
    )
    warnings = _rotation_warnings(
        register,
        round_.round_id,
        group_id,
        cmd.name,
        cmd.leader.user_id,
        {t.organization_id for t in targets},
        params.leader_rotation_rounds,
    )
    return [proposed, *warnings]

"""The inspection group's state, its stream, and the leadership register."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from xuncha.commands.base import (
    Aggregate,
    Command,
)
from xuncha.events.base import DomainEvent, Role
from xuncha.events.group import (
    AuthorizerKind,
    ConfidentialityPledgeSigned,
    Conflict,
    GroupAuthorizedForTarget,
    GroupDissolved,
    GroupLeadershipProposed,
    GroupPerson,
    GroupRole,
    GroupTarget,
    InspectionGroupFormed,
    InspectorSeconded,
    LeaderRecorded,
    MemberRecused,
    PreStationingTrainingCompleted,
    RecusalCleared,
    RecusalDeclared,
)
from xuncha.events.values import Member, RoundType
from xuncha.events.vocabulary import GroupStage

OFFICE = frozenset({Role.INSPECTION_OFFICE})
PROPOSERS = frozenset({Role.INSPECTION_OFFICE, Role.ORGANIZATION_DEPARTMENT})
SELF = frozenset(
    {Role.GROUP_LEADER, Role.DEPUTY_GROUP_LEADER, Role.GROUP_MEMBER, Role.EXTERNAL_EXPERT}
)
REGIONAL_ROUNDS = frozenset({RoundType.CROSS, RoundType.LINKED})


def register_stream_id(jurisdiction_id: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"xuncha:leadership-register:{jurisdiction_id}")


# State ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupState:
    group_id: UUID
    round_id: UUID
    jurisdiction_id: str
    round_type: RoundType
    name: str
    targets: tuple[GroupTarget, ...]
    home_jurisdiction: str
    authorizer: AuthorizerKind
    authorizing_committee: str | None
    leader: Member | None
    deputies: tuple[Member, ...]
    members: tuple[GroupPerson, ...] = ()
    external: frozenset[str] = frozenset()
    stage: GroupStage = GroupStage.PROPOSED
    conflicts: Mapping[str, tuple[Conflict, ...]] = field(default_factory=dict)
    cleared: frozenset[str] = frozenset()
    pledged: frozenset[str] = frozenset()
    trained: frozenset[str] = frozenset()
    recused: frozenset[str] = frozenset()
    seconded: Mapping[str, InspectorSeconded] = field(default_factory=dict)
    authorized: frozenset[UUID] = frozenset()
    served: frozenset[str] = frozenset()

    def people(self) -> list[GroupPerson]:
        """Everyone currently in the group: leader, deputies, and members once formed."""
        people = []
        if self.leader is not None:
            people.append(_person(self.leader, GroupRole.LEADER, self.external))
        people += [_person(d, GroupRole.DEPUTY, self.external) for d in self.deputies]
        return people + list(self.members)

    def role_of(self, user_id: str) -> GroupRole | None:
        return next((p.role for p in self.people() if p.user_id == user_id), None)

    def target_jurisdictions(self) -> set[str]:
        return {t.jurisdiction_id for t in self.targets}


def _person(m: Member, role: GroupRole, external: frozenset[str]) -> GroupPerson:
    return GroupPerson(user_id=m.user_id, name=m.name, role=role, external=m.user_id in external)


def _member(p: GroupPerson) -> Member:
    return Member(user_id=p.user_id, name=p.name)


def _recused(state: GroupState, e: MemberRecused) -> GroupState:
    state = replace(
        state,
        recused=state.recused | {e.user_id},
        cleared=state.cleared - {e.user_id},
        deputies=tuple(d for d in state.deputies if d.user_id != e.user_id),
        members=tuple(m for m in state.members if m.user_id != e.user_id),
    )
    if state.leader is not None and state.leader.user_id == e.user_id:
        return replace(state, leader=None, stage=GroupStage.LEADERLESS)
    if state.stage == GroupStage.FORMED:
        return replace(state, stage=GroupStage.PROPOSED)
    return state


def evolve(state: GroupState | None, event: DomainEvent) -> GroupState | None:
    if isinstance(event, GroupLeadershipProposed):
        e = event
        return GroupState(
            e.group_id,
            e.round_id,
            e.jurisdiction_id,
            e.round_type,
            e.name,
            tuple(e.targets),
            e.home_jurisdiction,
            e.authorizer,
            e.authorizing_committee,
            e.leader,
            tuple(e.deputies),
        )
    if state is None:
        return None
    match event:
        case RecusalDeclared():
            conflicts = {**state.conflicts, event.user_id: tuple(event.conflicts)}
            return replace(state, conflicts=conflicts, cleared=state.cleared - {event.user_id})
        case RecusalCleared():
            return replace(state, cleared=state.cleared | {event.user_id})
        case MemberRecused():
            return _recused(state, event)
        case InspectionGroupFormed():
            people = [event.leader, *event.deputies, *event.members]
            return replace(
                state,
                stage=GroupStage.FORMED,
                members=tuple(event.members),
                external=frozenset(p.user_id for p in people if p.external),
            )
        case ConfidentialityPledgeSigned():
            return replace(state, pledged=state.pledged | {event.user_id})
        case PreStationingTrainingCompleted():
            return replace(state, trained=state.trained | set(event.user_ids))
        case InspectorSeconded():
            return replace(state, seconded={**state.seconded, event.user_id: event})
        case GroupAuthorizedForTarget():
            return replace(
                state,
                stage=GroupStage.AUTHORIZED,
                authorized=state.authorized | {event.inspection_id},
            )
        case GroupDissolved():
            return replace(
                state, stage=GroupStage.DISSOLVED, served=frozenset(event.served_user_ids)
            )
    return state


INSPECTION_GROUP = Aggregate[GroupState]("inspection_group", evolve)


@dataclass(frozen=True)
class RegisterState:
    """Who led which group for which target, per jurisdiction, in the order recorded."""

    jurisdiction_id: str
    entries: tuple[LeaderRecorded, ...] = ()

    def round_order(self) -> list[UUID]:
        order: list[UUID] = []
        for entry in self.entries:
            if entry.round_id not in order:
                order.append(entry.round_id)
        return order


def evolve_register(state: RegisterState | None, event: DomainEvent) -> RegisterState | None:
    if isinstance(event, LeaderRecorded):
        register = state or RegisterState(event.jurisdiction_id)
        return replace(register, entries=(*register.entries, event))
    return state


LEADERSHIP_REGISTER = Aggregate[RegisterState]("leadership_register", evolve_register)


class GroupCommand(Command):
    target: ClassVar[str | None] = "group_id"
    group_id: UUID

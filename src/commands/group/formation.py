"""Forming the group: composition with its balance checks, pledges, training, secondment,
dissolution, and what the authorization reads of a formed group."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from xuncha.commands.base import (
    Context,
    require,
    require_actor,
    require_not_future,
    require_stage,
)
from xuncha.commands.errors import InvalidTransition
from xuncha.commands.group.leadership import (
    _describe,
    _unique_people,
    find_conflicts,
    lookback_start,
    profile_ties,
    secondment_ties,
)
from xuncha.commands.group.recusal import BEFORE_AUTHORIZATION, _require_in_group
from xuncha.commands.group.state import (
    OFFICE,
    REGIONAL_ROUNDS,
    SELF,
    GroupCommand,
    GroupState,
    _member,
)
from xuncha.commands.inspection import InspectionState
from xuncha.events.base import DomainEvent, Role
from xuncha.events.group import (
    CompositionWarningRaised,
    ConfidentialityPledgeSigned,
    Conflict,
    GroupAuthorizedForTarget,
    GroupDissolved,
    GroupPerson,
    GroupRole,
    InspectionGroupFormed,
    InspectorSeconded,
    LeaderRecorded,
    PreStationingTrainingCompleted,
    SecondmentDirection,
)
from xuncha.events.policy import PolicyParameters
from xuncha.events.pool import Gender, InspectorProfile
from xuncha.events.values import Member
from xuncha.events.vocabulary import GroupStage, InspectionStage


class FormInspectionGroup(GroupCommand):
    """Compose the group: the proposed leader and deputies with these members."""

    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    members: list[Member] = Field(default_factory=list, max_length=50)


class SignConfidentialityPledge(GroupCommand):
    allowed_roles: ClassVar[frozenset[Role]] = SELF
    signed_on: date


class RecordPreStationingTraining(GroupCommand):
    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    user_ids: list[str] = Field(min_length=1, max_length=50)
    training: str = Field(min_length=1, max_length=200)
    completed_on: date


class SecondInspector(GroupCommand):
    """市县联动: second a city inspector to a county group as leader or deputy, or a county
    inspector to a city group; never to inspect their home county (地域回避)."""

    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    user_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=100)
    direction: SecondmentDirection
    role: GroupRole
    home_jurisdiction: str = Field(min_length=1, max_length=64)


class DissolveGroup(GroupCommand):
    """巡察办 dissolves the group once every inspection it was meant for is past fieldwork
    (withdrawn or later, or cancelled)."""

    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    dissolved_on: date


# Stages of an inspection in which its group is still needed (or not yet released).
BEFORE_THE_END_OF_FIELDWORK = frozenset(
    {
        InspectionStage.PLANNED,
        InspectionStage.GROUP_AUTHORIZED,
        InspectionStage.NOTIFIED,
        InspectionStage.ANNOUNCED,
        InspectionStage.STATIONED,
    }
)


def _in_fieldwork(inspection: InspectionState) -> bool:
    """A suspended inspection counts in the stage it was suspended from."""
    stage = inspection.stage
    if stage == InspectionStage.SUSPENDED:
        stage = inspection.suspended_from or stage
    return stage in BEFORE_THE_END_OF_FIELDWORK or stage == InspectionStage.SUSPENDED


def dissolve_group(
    state: GroupState,
    cmd: DissolveGroup,
    ctx: Context,
    inspections: Mapping[UUID, InspectionState | None],
) -> list[DomainEvent]:
    if state.stage == GroupStage.DISSOLVED:
        raise InvalidTransition("the group is dissolved already")
    require_not_future(cmd.dissolved_on, ctx, "dissolved_on")
    busy = sorted(
        str(t.inspection_id)
        for t in state.targets
        if (i := inspections.get(t.inspection_id)) is not None and _in_fieldwork(i)
    )
    if busy:
        raise InvalidTransition(
            f"the group's inspections {', '.join(busy)} are not past fieldwork; a group is "
            "dissolved after the withdrawal (or the cancellation) of every inspection"
        )
    served = sorted({p.user_id for p in state.people()})
    return [
        GroupDissolved(
            group_id=state.group_id, dissolved_on=cmd.dissolved_on, served_user_ids=served
        )
    ]


@dataclass(frozen=True)
class Known:
    """What the pool knows of a person: their profile and whether they are external."""

    profile: InspectorProfile
    external: bool


def form_group(
    state: GroupState,
    cmd: FormInspectionGroup,
    ctx: Context,
    policy_version: int,
    params: PolicyParameters,
    known: Mapping[str, Known],
) -> list[DomainEvent]:
    if state.stage == GroupStage.LEADERLESS:
        raise InvalidTransition("the leader was recused: propose a new group")
    require_stage(state.stage, [GroupStage.PROPOSED], "form the group")
    assert state.leader is not None
    everyone = [state.leader, *state.deputies, *cmd.members]
    _unique_people(everyone)
    back = sorted(p.user_id for p in cmd.members if p.user_id in state.recused)
    require(not back, f"recused people cannot rejoin the group: {', '.join(back)}")
    require(
        params.deputies_min <= len(state.deputies) <= params.deputies_max,
        f"a group has {params.deputies_min} to {params.deputies_max} deputy leaders under "
        f"policy v{policy_version}; {len(state.deputies)} proposed",
    )
    require(
        params.group_size_min <= len(everyone) <= params.group_size_max,
        f"a group has {params.group_size_min} to {params.group_size_max} people under "
        f"policy v{policy_version}; {len(everyone)} given",
    )
    roles = {state.leader.user_id: GroupRole.LEADER}
    roles |= {d.user_id: GroupRole.DEPUTY for d in state.deputies}
    roles |= {m.user_id: GroupRole.MEMBER for m in cmd.members}
    for user_id, seconded in state.seconded.items():
        require(
            roles.get(user_id, seconded.role) == seconded.role,
            f"{user_id} was seconded as {seconded.role.value}, not {roles.get(user_id)}",
        )
    since = lookback_start(ctx.today, params)
    conflicts: list[Conflict] = []
    for person in everyone:
        conflicts += state.conflicts.get(person.user_id, ())
        found = known.get(person.user_id)
        ties = profile_ties(found.profile if found else None)
        ties |= secondment_ties(state, person.user_id)
        conflicts += [
            c
            for c in find_conflicts(person.user_id, ties, state.targets, state.round_type, since)
            if c not in conflicts
        ]
    require(not conflicts, f"these people must be recused first: {_describe(conflicts)}")

    def as_person(m: Member, role: GroupRole) -> GroupPerson:
        found = known.get(m.user_id)
        external = found is not None and found.external
        return GroupPerson(user_id=m.user_id, name=m.name, role=role, external=external)

    formed = InspectionGroupFormed(
        group_id=state.group_id,
        leader=as_person(state.leader, GroupRole.LEADER),
        deputies=[as_person(d, GroupRole.DEPUTY) for d in state.deputies],
        members=[as_person(m, GroupRole.MEMBER) for m in cmd.members],
        policy_version=policy_version,
    )
    people = [formed.leader, *formed.deputies, *formed.members]
    return [formed, *composition_warnings(state.group_id, people, known, params, ctx.today)]


def composition_warnings(
    group_id: UUID,
    people: Sequence[GroupPerson],
    known: Mapping[str, Known],
    params: PolicyParameters,
    today: date,
) -> list[DomainEvent]:
    """Balance (资历/年龄/性别/性格/专业, outside experts' share): soft, recorded, never refused."""
    warnings: list[tuple[str, str]] = []
    profiles = [known[p.user_id].profile for p in people if p.user_id in known]
    if len(profiles) < len(people):
        warnings.append(
            (
                "profiles",
                f"{len(people) - len(profiles)} of {len(people)} people have no pool profile; "
                "balance is assessed on the others only",
            )
        )
    if len(profiles) >= 2:
        genders = {p.gender for p in profiles}
        if params.composition_mixed_gender and len(genders) == 1:
            only = Gender(next(iter(genders))).value
            warnings.append(("gender", f"all {len(profiles)} people with a profile are {only}"))
        ages = [today.year - p.birth_year for p in profiles]
        if max(ages) - min(ages) < params.composition_min_age_span_years:
            warnings.append(
                (
                    "age",
                    f"ages span {max(ages) - min(ages)} years (from {min(ages)} to {max(ages)}); "
                    f"policy asks for at least {params.composition_min_age_span_years}",
                )
            )
        if max(p.seniority_years for p in profiles) < params.composition_senior_years:
            warnings.append(
                (
                    "seniority",
                    f"no one has {params.composition_senior_years} or more years of seniority",
                )
            )
        specialties = {s for p in profiles for s in p.specialties}
        if len(specialties) < params.composition_min_specialties:
            warnings.append(
                (
                    "specialty",
                    f"{len(specialties)} distinct specialties "
                    f"({', '.join(sorted(specialties)) or 'none'}); policy asks for "
                    f"{params.composition_min_specialties}",
                )
            )
        tags = [p.temperament for p in profiles if p.temperament]
        if len(tags) >= 2 and len(set(tags)) < params.composition_min_temperaments:
            warnings.append(
                ("temperament", f"{len(set(tags))} distinct temperament(s) among {len(tags)}")
            )
    externals = sum(1 for p in people if p.external)
    if externals * 100 > params.composition_max_external_percent * len(people):
        warnings.append(
            (
                "external_share",
                f"{externals} of {len(people)} people are outside experts; policy allows "
                f"{params.composition_max_external_percent}%",
            )
        )
    return [
        CompositionWarningRaised(group_id=group_id, aspect=aspect, detail=detail)
        for aspect, detail in warnings
    ]


def sign_pledge(
    state: GroupState, cmd: SignConfidentialityPledge, ctx: Context
) -> list[DomainEvent]:
    require_stage(state.stage, BEFORE_AUTHORIZATION, "sign the confidentiality pledge")
    user_id = ctx.actor.user_id
    require_actor(
        state.role_of(user_id) is not None,
        "only a person in this group may sign its pledge, and only for themselves",
    )
    if user_id in state.pledged:
        raise InvalidTransition(f"{user_id} has signed the pledge of this group already")
    require_not_future(cmd.signed_on, ctx, "signed_on")
    return [
        ConfidentialityPledgeSigned(
            group_id=state.group_id, user_id=user_id, signed_on=cmd.signed_on
        )
    ]


def record_training(
    state: GroupState, cmd: RecordPreStationingTraining, ctx: Context
) -> list[DomainEvent]:
    require_stage(state.stage, [*BEFORE_AUTHORIZATION, GroupStage.AUTHORIZED], "record training")
    for user_id in cmd.user_ids:
        _require_in_group(state, user_id)
    require_not_future(cmd.completed_on, ctx, "completed_on")
    return [
        PreStationingTrainingCompleted(
            group_id=state.group_id,
            user_ids=list(dict.fromkeys(cmd.user_ids)),
            training=cmd.training,
            completed_on=cmd.completed_on,
        )
    ]


SECONDMENT_ROLES = {
    SecondmentDirection.CITY_TO_COUNTY: {GroupRole.LEADER, GroupRole.DEPUTY},
    SecondmentDirection.COUNTY_TO_CITY: {GroupRole.DEPUTY, GroupRole.MEMBER},
}


def second_inspector(state: GroupState, cmd: SecondInspector) -> list[DomainEvent]:
    require_stage(state.stage, [GroupStage.PROPOSED], "second an inspector to the group")
    require(
        state.round_type in REGIONAL_ROUNDS,
        f"secondment is for linked or cross rounds; this is a {state.round_type.value} round",
    )
    allowed = SECONDMENT_ROLES[cmd.direction]
    require(
        cmd.role in allowed,
        f"{cmd.direction.value} secondment is as {' or '.join(sorted(allowed))}, "
        f"not {cmd.role.value}",
    )
    require(
        cmd.home_jurisdiction not in state.target_jurisdictions(),
        f"地域回避: {cmd.user_id} comes from {cmd.home_jurisdiction}, where this group's "
        "targets are; seconded inspectors never inspect their home jurisdiction",
    )
    if cmd.user_id in state.seconded:
        raise InvalidTransition(f"{cmd.user_id} is seconded to this group already")
    role = state.role_of(cmd.user_id)
    require(
        role is None or role == cmd.role,
        f"{cmd.user_id} is {role.value if role else ''} of this group, not {cmd.role.value}",
    )
    return [
        InspectorSeconded(
            group_id=state.group_id,
            user_id=cmd.user_id,
            name=cmd.name,
            direction=cmd.direction,
            role=cmd.role,
            home_jurisdiction=cmd.home_jurisdiction,
        )
    ]


def readiness_gaps(state: GroupState, params: PolicyParameters) -> list[str]:
    """What still stands between the group and its authorization (empty: ready)."""
    people = [p.user_id for p in state.people()]
    gaps = []
    uncleared = [u for u in people if u not in state.cleared]
    if uncleared:
        gaps.append(f"recusal not cleared for {', '.join(uncleared)}")
    unpledged = [u for u in people if u not in state.pledged]
    if unpledged:
        gaps.append(f"confidentiality pledge not signed by {', '.join(unpledged)}")
    if params.require_training_before_authorization:
        untrained = [u for u in people if u not in state.trained]
        if untrained:
            gaps.append(f"pre-stationing training not completed by {', '.join(untrained)}")
    return gaps


def authorized_for_target(
    state: GroupState, inspection: InspectionState, window: tuple[date, date]
) -> tuple[list[DomainEvent], list[DomainEvent]]:
    """The group's and the register's events of an authorization (see preparation)."""
    assert state.leader is not None
    target = next(t for t in state.targets if t.inspection_id == inspection.inspection_id)
    on_group: list[DomainEvent] = [
        GroupAuthorizedForTarget(
            group_id=state.group_id,
            round_id=state.round_id,
            inspection_id=inspection.inspection_id,
            organization_id=target.organization_id,
            window_start=window[0],
            window_end=window[1],
            authorizer=state.authorizer,
            authorizing_committee=state.authorizing_committee,
        )
    ]
    on_register: list[DomainEvent] = [
        LeaderRecorded(
            jurisdiction_id=state.jurisdiction_id,
            round_id=state.round_id,
            group_id=state.group_id,
            group_name=state.name,
            leader_user_id=state.leader.user_id,
            organization_id=target.organization_id,
        )
    ]
    return on_group, on_register


def members_of(state: GroupState) -> tuple[Member, list[Member], list[Member]]:
    assert state.leader is not None
    return state.leader, list(state.deputies), [_member(m) for m in state.members]

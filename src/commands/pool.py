"""The talent pool (巡察人才库): nominate, admit, suspend, remove, engage outside experts, draw.

Streams: `pool_member` (one per person, id derived from the user id, so a person is in one
pool once), `talent_pool` (one roster per jurisdiction, so a draw finds every member) and
`draw` (one per draw, re-derivable by `commands.draw.verify`).

PoolMember: nominated → admitted ⇄ suspended; nominated/admitted/suspended → removed.
Outside experts start admitted.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import Field

from xuncha.commands.base import (
    Aggregate,
    Command,
    Context,
    require,
    require_not_future,
    require_stage,
)
from xuncha.commands.dates import add_months
from xuncha.commands.draw import ALGORITHM, ALGORITHM_VERSION, digest, draw
from xuncha.commands.errors import InvalidTransition, NotFound
from xuncha.commands.group import INSPECTION_GROUP, REGIONAL_ROUNDS, GroupState
from xuncha.commands.handling import Registered, on
from xuncha.commands.unit_of_work import UnitOfWork
from xuncha.events.base import DomainEvent, Role
from xuncha.events.policy import PolicyParameters
from xuncha.events.pool import (
    DrawCandidate,
    DrawFilters,
    ExpertCategory,
    ExternalExpertEngaged,
    InspectorProfile,
    PoolMemberAdmitted,
    PoolMemberNominated,
    PoolMemberRemoved,
    PoolMembersDrawn,
    PoolMemberSuspended,
    ServiceEvaluationIssued,
    ServiceGrade,
    TalentPoolMemberEnrolled,
)
from xuncha.events.vocabulary import GroupStage, PoolMemberStatus

OFFICE = frozenset({Role.INSPECTION_OFFICE})
LEADING_GROUP = frozenset({Role.LEADING_GROUP})


def pool_member_id(user_id: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"xuncha:pool-member:{user_id}")


def roster_id(jurisdiction_id: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"xuncha:talent-pool:{jurisdiction_id}")


@dataclass(frozen=True)
class PoolMemberState:
    member_id: UUID
    jurisdiction_id: str
    profile: InspectorProfile
    external: bool = False
    status: PoolMemberStatus = PoolMemberStatus.NOMINATED
    evaluated_groups: frozenset[UUID] = frozenset()


def evolve_member(state: PoolMemberState | None, event: DomainEvent) -> PoolMemberState | None:
    match event:
        case PoolMemberNominated():
            return PoolMemberState(event.member_id, event.jurisdiction_id, event.profile)
        case ExternalExpertEngaged():
            return PoolMemberState(
                event.member_id,
                event.jurisdiction_id,
                event.profile,
                True,
                PoolMemberStatus.ADMITTED,
            )
        case PoolMemberAdmitted() if state:
            return replace(state, status=PoolMemberStatus.ADMITTED)
        case PoolMemberSuspended() if state:
            return replace(state, status=PoolMemberStatus.SUSPENDED)
        case PoolMemberRemoved() if state:
            return replace(state, status=PoolMemberStatus.REMOVED)
        case ServiceEvaluationIssued() if state:
            return replace(state, evaluated_groups=state.evaluated_groups | {event.group_id})
    return state


POOL_MEMBER = Aggregate[PoolMemberState]("pool_member", evolve_member)


@dataclass(frozen=True)
class RosterState:
    jurisdiction_id: str
    member_ids: tuple[UUID, ...] = ()


def evolve_roster(state: RosterState | None, event: DomainEvent) -> RosterState | None:
    if isinstance(event, TalentPoolMemberEnrolled):
        roster = state or RosterState(event.jurisdiction_id)
        return replace(roster, member_ids=(*roster.member_ids, event.member_id))
    return state


TALENT_POOL = Aggregate[RosterState]("talent_pool", evolve_roster)


@dataclass(frozen=True)
class DrawState:
    event: PoolMembersDrawn


def evolve_draw(state: DrawState | None, event: DomainEvent) -> DrawState | None:
    return DrawState(event) if isinstance(event, PoolMembersDrawn) else state


DRAW = Aggregate[DrawState]("draw", evolve_draw)


# Commands ------------------------------------------------------------------------------------


class NominatePoolMember(Command):
    """A unit nominates a cadre for the jurisdiction's talent pool; 巡察办 records it."""

    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    jurisdiction_id: str = Field(min_length=1, max_length=64)
    profile: InspectorProfile
    nominating_organization: str = Field(min_length=1, max_length=64)


class EngageExternalExpert(Command):
    """外聘专家: retired cadre, accountant, auditor, lawyer, NPC deputy or CPPCC member."""

    allowed_roles: ClassVar[frozenset[Role]] = OFFICE | LEADING_GROUP
    jurisdiction_id: str = Field(min_length=1, max_length=64)
    profile: InspectorProfile
    category: ExpertCategory


class PoolMemberCommand(Command):
    target: ClassVar[str | None] = "member_id"
    member_id: UUID


class AdmitPoolMember(PoolMemberCommand):
    """The leading group admits a nominated member (入库)."""

    allowed_roles: ClassVar[frozenset[Role]] = LEADING_GROUP


class SuspendPoolMember(PoolMemberCommand):
    allowed_roles: ClassVar[frozenset[Role]] = OFFICE | LEADING_GROUP
    why: str = Field(min_length=1, max_length=2000)

    @property
    def reason(self) -> str | None:
        return self.why


class RemovePoolMember(PoolMemberCommand):
    allowed_roles: ClassVar[frozenset[Role]] = LEADING_GROUP
    why: str = Field(min_length=1, max_length=2000)

    @property
    def reason(self) -> str | None:
        return self.why


class DrawPoolMembers(Command):
    """Draw `count` admitted members at random; the seed is generated when not given (a
    publicly announced number makes the draw checkable by outsiders in advance)."""

    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    jurisdiction_id: str = Field(min_length=1, max_length=64)
    count: int = Field(ge=1, le=50)
    purpose: str = Field(min_length=1, max_length=500)
    round_id: UUID | None = None
    group_id: UUID | None = None
    filters: DrawFilters = Field(default_factory=DrawFilters)
    seed: str | None = Field(default=None, min_length=1, max_length=200)


def _check_profile(profile: InspectorProfile, ctx: Context) -> None:
    require(
        1900 <= profile.birth_year <= ctx.today.year,
        f"birth_year {profile.birth_year} must be between 1900 and this year",
    )
    for spell in profile.recent_work:
        require(
            spell.end is None or spell.start <= spell.end,
            f"recent work at {spell.organization_id}: start must not be after end",
        )
        require_not_after_today(spell.start, ctx, f"recent work at {spell.organization_id}")


def require_not_after_today(day: date, ctx: Context, what: str) -> None:
    require(day <= ctx.today, f"{what} cannot start in the future ({day})")


def _not_yet_in_pool(existing: PoolMemberState | None, user_id: str) -> None:
    if existing is not None and existing.status != PoolMemberStatus.REMOVED:
        raise InvalidTransition(
            f"{user_id} is already in the talent pool of {existing.jurisdiction_id} "
            f"(status '{existing.status}')"
        )


def nominate(
    existing: PoolMemberState | None, cmd: NominatePoolMember, ctx: Context
) -> tuple[list[DomainEvent], list[DomainEvent]]:
    """Events on the member's stream, then on the jurisdiction's roster."""
    _not_yet_in_pool(existing, cmd.profile.user_id)
    _check_profile(cmd.profile, ctx)
    member_id = pool_member_id(cmd.profile.user_id)
    return [
        PoolMemberNominated(
            member_id=member_id,
            jurisdiction_id=cmd.jurisdiction_id,
            profile=cmd.profile,
            nominating_organization=cmd.nominating_organization,
        )
    ], [_enrolled(cmd.jurisdiction_id, member_id, cmd.profile.user_id)]


def engage_expert(
    existing: PoolMemberState | None, cmd: EngageExternalExpert, ctx: Context
) -> tuple[list[DomainEvent], list[DomainEvent]]:
    _not_yet_in_pool(existing, cmd.profile.user_id)
    _check_profile(cmd.profile, ctx)
    member_id = pool_member_id(cmd.profile.user_id)
    return [
        ExternalExpertEngaged(
            member_id=member_id,
            jurisdiction_id=cmd.jurisdiction_id,
            profile=cmd.profile,
            category=cmd.category,
            external=True,
        )
    ], [_enrolled(cmd.jurisdiction_id, member_id, cmd.profile.user_id)]


def _enrolled(jurisdiction_id: str, member_id: UUID, user_id: str) -> DomainEvent:
    return TalentPoolMemberEnrolled(
        jurisdiction_id=jurisdiction_id, member_id=member_id, user_id=user_id
    )


def admit(state: PoolMemberState, cmd: AdmitPoolMember) -> list[DomainEvent]:
    require_stage(
        state.status,
        [PoolMemberStatus.NOMINATED, PoolMemberStatus.SUSPENDED],
        "admit the pool member",
    )
    return [PoolMemberAdmitted(member_id=state.member_id)]


def suspend(state: PoolMemberState, cmd: SuspendPoolMember) -> list[DomainEvent]:
    require_stage(state.status, [PoolMemberStatus.ADMITTED], "suspend the pool member")
    return [PoolMemberSuspended(member_id=state.member_id, reason=cmd.why)]


def remove(state: PoolMemberState, cmd: RemovePoolMember) -> list[DomainEvent]:
    require_stage(
        state.status,
        [PoolMemberStatus.NOMINATED, PoolMemberStatus.ADMITTED, PoolMemberStatus.SUSPENDED],
        "remove the pool member",
    )
    return [PoolMemberRemoved(member_id=state.member_id, reason=cmd.why)]


def tied_organizations(profile: InspectorProfile, since: date) -> list[str]:
    """Organizations the person may not inspect: employer, relatives', work ending on or
    after `since` (the lookback's start)."""
    orgs = {profile.employer_organization}
    orgs |= {tie.organization_id for tie in profile.relatives_organizations}
    orgs |= {w.organization_id for w in profile.recent_work if w.end is None or w.end >= since}
    return sorted(orgs)


def candidate(state: PoolMemberState, since: date) -> DrawCandidate:
    return DrawCandidate(
        member_id=state.member_id,
        user_id=state.profile.user_id,
        specialties=sorted(state.profile.specialties),
        external=state.external,
        home_jurisdiction=state.profile.home_jurisdiction,
        organizations=tied_organizations(state.profile, since),
    )


def draw_members(
    members: list[PoolMemberState],
    cmd: DrawPoolMembers,
    ctx: Context,
    params: PolicyParameters,
    draw_id: UUID,
    seed: str,
    filters: DrawFilters,
) -> list[DomainEvent]:
    """`members` is the jurisdiction's roster; `filters` the command's, widened by the group's
    recusal exclusions when the draw is for a group."""
    since = add_months(ctx.today, -params.recusal_work_lookback_months)
    candidates = sorted(
        (candidate(m, since) for m in members if m.status == PoolMemberStatus.ADMITTED),
        key=lambda c: str(c.member_id),
    )
    drawn = draw(candidates, filters, cmd.count, seed)
    require(
        len(drawn) == cmd.count,
        f"only {len(drawn)} of {len(candidates)} admitted pool members of {cmd.jurisdiction_id} "
        f"pass the filters; {cmd.count} asked",
    )
    return [
        PoolMembersDrawn(
            draw_id=draw_id,
            jurisdiction_id=cmd.jurisdiction_id,
            round_id=cmd.round_id,
            group_id=cmd.group_id,
            purpose=cmd.purpose,
            candidates=candidates,
            filters=filters,
            count=cmd.count,
            seed=seed,
            algorithm=ALGORITHM,
            algorithm_version=ALGORITHM_VERSION,
            drawn=drawn,
            digest=digest(candidates, filters, cmd.count, seed, ALGORITHM, ALGORITHM_VERSION),
        )
    ]


class IssueServiceEvaluation(Command):
    """巡察办 evaluates a member's service in a dissolved group (鉴定); the evaluation is sent
    to the member's employer for the personnel file."""

    target: ClassVar[str | None] = "member_id"
    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    member_id: UUID
    group_id: UUID
    grade: ServiceGrade
    text: str = Field(min_length=1, max_length=4000)
    issued_on: date


def issue_service_evaluation(
    state: PoolMemberState,
    cmd: IssueServiceEvaluation,
    ctx: Context,
    group_stage: str | None,
    served: frozenset[str],
) -> list[DomainEvent]:
    """`group_stage` and `served` are those of the group (None: no such group)."""
    if group_stage is None:
        raise NotFound(f"inspection group {cmd.group_id} does not exist")
    require_stage(group_stage, [GroupStage.DISSOLVED], "evaluate service in the group")
    user_id = state.profile.user_id
    require(user_id in served, f"{user_id} did not serve in group {cmd.group_id}")
    if cmd.group_id in state.evaluated_groups:
        raise InvalidTransition(f"the service in group {cmd.group_id} is evaluated already")
    require_not_future(cmd.issued_on, ctx, "issued_on")
    return [
        ServiceEvaluationIssued(
            member_id=state.member_id,
            user_id=user_id,
            group_id=cmd.group_id,
            grade=cmd.grade,
            text=cmd.text,
            sent_to=state.profile.employer_organization,
            issued_on=cmd.issued_on,
        )
    ]


# Handlers ------------------------------------------------------------------------------------


def _record(
    uow: UnitOfWork,
    member_id: UUID,
    on_member: list[DomainEvent],
    jurisdiction_id: str,
    on_roster: list[DomainEvent],
) -> None:
    uow.record(POOL_MEMBER, member_id, on_member)
    roster = roster_id(jurisdiction_id)
    uow.find(TALENT_POOL, roster)  # loaded so the append knows the roster's version
    uow.record(TALENT_POOL, roster, on_roster)


def handle_nominate(uow: UnitOfWork, cmd: NominatePoolMember) -> UUID:
    member_id = pool_member_id(cmd.profile.user_id)
    existing = uow.find(POOL_MEMBER, member_id)
    on_member, on_roster = nominate(existing, cmd, uow.ctx)
    _record(uow, member_id, on_member, cmd.jurisdiction_id, on_roster)
    return member_id


def handle_engage_expert(uow: UnitOfWork, cmd: EngageExternalExpert) -> UUID:
    member_id = pool_member_id(cmd.profile.user_id)
    existing = uow.find(POOL_MEMBER, member_id)
    on_member, on_roster = engage_expert(existing, cmd, uow.ctx)
    _record(uow, member_id, on_member, cmd.jurisdiction_id, on_roster)
    return member_id


def handle_admit(uow: UnitOfWork, cmd: AdmitPoolMember) -> None:
    state = uow.get(POOL_MEMBER, cmd.member_id, "pool member")
    uow.record(POOL_MEMBER, cmd.member_id, admit(state, cmd))


def handle_suspend(uow: UnitOfWork, cmd: SuspendPoolMember) -> None:
    state = uow.get(POOL_MEMBER, cmd.member_id, "pool member")
    uow.record(POOL_MEMBER, cmd.member_id, suspend(state, cmd))


def handle_remove(uow: UnitOfWork, cmd: RemovePoolMember) -> None:
    state = uow.get(POOL_MEMBER, cmd.member_id, "pool member")
    uow.record(POOL_MEMBER, cmd.member_id, remove(state, cmd))


def handle_draw_members(uow: UnitOfWork, cmd: DrawPoolMembers) -> UUID:
    roster = uow.find(TALENT_POOL, roster_id(cmd.jurisdiction_id))
    member_ids = roster.member_ids if roster else ()
    members = [m for i in dict.fromkeys(member_ids) if (m := uow.find(POOL_MEMBER, i))]
    members = [m for m in members if m.jurisdiction_id == cmd.jurisdiction_id]
    filters = cmd.filters
    if cmd.group_id is not None:  # a draw for a group leaves out whoever must recuse
        state = uow.get(INSPECTION_GROUP, cmd.group_id, "inspection group")
        regional = state.target_jurisdictions() if state.round_type in REGIONAL_ROUNDS else set()
        filters = DrawFilters(
            specialties_any=filters.specialties_any,
            include_external=filters.include_external,
            exclude_organizations=sorted(
                set(filters.exclude_organizations) | {t.organization_id for t in state.targets}
            ),
            exclude_home_jurisdictions=sorted(set(filters.exclude_home_jurisdictions) | regional),
            exclude_user_ids=sorted(
                set(filters.exclude_user_ids)
                | {p.user_id for p in state.people()}
                | set(state.recused)
            ),
        )
    draw_id = uow.new_id()
    seed = cmd.seed or uow.new_id().hex
    _, params = uow.policy(cmd.jurisdiction_id, uow.ctx.today)
    events = draw_members(members, cmd, uow.ctx, params, draw_id, seed, filters)
    uow.record(DRAW, draw_id, events)
    return draw_id


def handle_evaluate_service(uow: UnitOfWork, cmd: IssueServiceEvaluation) -> None:
    state = uow.get(POOL_MEMBER, cmd.member_id, "pool member")
    found = uow.find(INSPECTION_GROUP, cmd.group_id)
    the_group = found if isinstance(found, GroupState) else None
    stage = the_group.stage if the_group else None
    served = the_group.served if the_group else frozenset()
    events = issue_service_evaluation(state, cmd, uow.ctx, stage, served)
    uow.record(POOL_MEMBER, cmd.member_id, events)


HANDLERS: tuple[Registered, ...] = (
    on(NominatePoolMember, handle_nominate),
    on(EngageExternalExpert, handle_engage_expert),
    on(AdmitPoolMember, handle_admit),
    on(SuspendPoolMember, handle_suspend),
    on(RemovePoolMember, handle_remove),
    on(DrawPoolMembers, handle_draw_members),
    on(IssueServiceEvaluation, handle_evaluate_service),
)

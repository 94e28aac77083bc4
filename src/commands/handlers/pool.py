"""Handlers of the talent pool: members, outside experts, draws."""

from __future__ import annotations

from uuid import UUID

from xuncha.commands import pool
from xuncha.commands.group import INSPECTION_GROUP, REGIONAL_ROUNDS, GroupState
from xuncha.commands.pool import POOL_MEMBER, TALENT_POOL, pool_member_id, roster_id
from xuncha.commands.registry import handles
from xuncha.commands.unit_of_work import UnitOfWork
from xuncha.events.base import DomainEvent
from xuncha.events.pool import DrawFilters


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


@handles(pool.NominatePoolMember)
def nominate(uow: UnitOfWork, cmd: pool.NominatePoolMember) -> UUID:
    member_id = pool_member_id(cmd.profile.user_id)
    existing = uow.find(POOL_MEMBER, member_id)
    on_member, on_roster = pool.nominate(existing, cmd, uow.ctx)
    _record(uow, member_id, on_member, cmd.jurisdiction_id, on_roster)
    return member_id


@handles(pool.EngageExternalExpert)
def engage_expert(uow: UnitOfWork, cmd: pool.EngageExternalExpert) -> UUID:
    member_id = pool_member_id(cmd.profile.user_id)
    existing = uow.find(POOL_MEMBER, member_id)
    on_member, on_roster = pool.engage_expert(existing, cmd, uow.ctx)
    _record(uow, member_id, on_member, cmd.jurisdiction_id, on_roster)
    return member_id


@handles(pool.AdmitPoolMember)
def admit(uow: UnitOfWork, cmd: pool.AdmitPoolMember) -> None:
    state = uow.get(POOL_MEMBER, cmd.member_id, "pool member")
    uow.record(POOL_MEMBER, cmd.member_id, pool.admit(state, cmd))


@handles(pool.SuspendPoolMember)
def suspend(uow: UnitOfWork, cmd: pool.SuspendPoolMember) -> None:
    state = uow.get(POOL_MEMBER, cmd.member_id, "pool member")
    uow.record(POOL_MEMBER, cmd.member_id, pool.suspend(state, cmd))


@handles(pool.RemovePoolMember)
def remove(uow: UnitOfWork, cmd: pool.RemovePoolMember) -> None:
    state = uow.get(POOL_MEMBER, cmd.member_id, "pool member")
    uow.record(POOL_MEMBER, cmd.member_id, pool.remove(state, cmd))


@handles(pool.DrawPoolMembers)
def draw_members(uow: UnitOfWork, cmd: pool.DrawPoolMembers) -> UUID:
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
    events = pool.draw_members(members, cmd, uow.ctx, params, draw_id, seed, filters)
    uow.record(pool.DRAW, draw_id, events)
    return draw_id


@handles(pool.IssueServiceEvaluation)
def evaluate_service(uow: UnitOfWork, cmd: pool.IssueServiceEvaluation) -> None:
    state = uow.get(POOL_MEMBER, cmd.member_id, "pool member")
    found = uow.find(INSPECTION_GROUP, cmd.group_id)
    the_group = found if isinstance(found, GroupState) else None
    stage = the_group.stage if the_group else None
    served = the_group.served if the_group else frozenset()
    events = pool.issue_service_evaluation(state, cmd, uow.ctx, stage, served)
    uow.record(POOL_MEMBER, cmd.member_id, events)

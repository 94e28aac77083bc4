"""Handlers of inspection groups, cross arrangements and the authorization (一次一授权)."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from xuncha.commands import cross, group, preparation
from xuncha.commands.cross import CROSS_ARRANGEMENT, cross_stream_id
from xuncha.commands.decision import warnings_of
from xuncha.commands.finding import FINDING
from xuncha.commands.group import (
    INSPECTION_GROUP,
    LEADERSHIP_REGISTER,
    GroupState,
    register_stream_id,
)
from xuncha.commands.inspection import INSPECTION
from xuncha.commands.pool import POOL_MEMBER, pool_member_id
from xuncha.commands.registry import handles
from xuncha.commands.round import ROUND
from xuncha.commands.unit_of_work import UnitOfWork
from xuncha.events.values import RoundType


def _group(uow: UnitOfWork, group_id: UUID) -> GroupState:
    return uow.get(INSPECTION_GROUP, group_id, "inspection group")


def _known(uow: UnitOfWork, user_ids: Iterable[str]) -> dict[str, group.Known]:
    """Pool profiles of these people (members removed from the pool included: ties stay)."""
    known = {}
    for user_id in user_ids:
        member = uow.find(POOL_MEMBER, pool_member_id(user_id))
        if member is not None:
            known[user_id] = group.Known(member.profile, member.external)
    return known


@handles(group.ProposeGroupLeadership)
def propose(uow: UnitOfWork, cmd: group.ProposeGroupLeadership) -> UUID:
    round_ = uow.get(ROUND, cmd.round_id, "round")
    inspections = {i: s for i in cmd.inspection_ids if (s := uow.find(INSPECTION, i))}
    arrangement = None
    if round_.round_type == RoundType.CROSS:
        arrangement = uow.find(CROSS_ARRANGEMENT, cross_stream_id(cmd.round_id))
    register = uow.find(LEADERSHIP_REGISTER, register_stream_id(round_.jurisdiction_id))
    _, params = uow.policy(round_.jurisdiction_id, uow.ctx.today)
    group_id = uow.new_id()
    events = group.propose_leadership(
        round_, inspections, arrangement, register, cmd, params, group_id
    )
    uow.record(INSPECTION_GROUP, group_id, events)
    return group_id


@handles(group.SubmitRecusalDeclaration)
def declare(uow: UnitOfWork, cmd: group.SubmitRecusalDeclaration) -> None:
    state = _group(uow, cmd.group_id)
    _, params = uow.policy(state.jurisdiction_id, uow.ctx.today)
    known = _known(uow, [uow.ctx.actor.user_id]).get(uow.ctx.actor.user_id)
    profile = known.profile if known else None
    events = group.submit_declaration(state, cmd, uow.ctx, params, profile)
    uow.record(INSPECTION_GROUP, cmd.group_id, events)


@handles(group.DissolveGroup)
def dissolve(uow: UnitOfWork, cmd: group.DissolveGroup) -> None:
    state = _group(uow, cmd.group_id)
    inspections = {t.inspection_id: uow.find(INSPECTION, t.inspection_id) for t in state.targets}
    events = group.dissolve_group(state, cmd, uow.ctx, inspections)
    uow.record(INSPECTION_GROUP, cmd.group_id, events)


@handles(group.ClearRecusal)
def clear(uow: UnitOfWork, cmd: group.ClearRecusal) -> None:
    state = _group(uow, cmd.group_id)
    uow.record(INSPECTION_GROUP, cmd.group_id, group.clear_recusal(state, cmd))


@handles(group.RecuseMember)
def recuse(uow: UnitOfWork, cmd: group.RecuseMember) -> None:
    """After the authorization, the person's findings are found through each authorized
    inspection's `findings_by_drafter` and sent back for review in the same transaction."""
    state = _group(uow, cmd.group_id)
    recused = group.recuse_member(state, cmd)
    inspections = {i: uow.get(INSPECTION, i, "inspection") for i in sorted(state.authorized)}
    mine = [f for s in inspections.values() for f in s.findings_by_drafter.get(cmd.user_id, ())]
    findings = {f: uow.get(FINDING, f, "finding") for f in mine}
    late = group.late_recusal(state, cmd.user_id, inspections, findings)
    uow.warn(*warnings_of(recused), *late.warnings)
    uow.record(INSPECTION_GROUP, cmd.group_id, [*recused, *late.on_group])
    for inspection_id, events in late.on_inspections.items():
        uow.record(INSPECTION, inspection_id, events)
    for finding_id, events in late.on_findings.items():
        uow.record(FINDING, finding_id, events)


@handles(group.FormInspectionGroup)
def form(uow: UnitOfWork, cmd: group.FormInspectionGroup) -> None:
    state = _group(uow, cmd.group_id)
    ref, params = uow.policy(state.jurisdiction_id, uow.ctx.today)
    people = [p.user_id for p in state.people()] + [m.user_id for m in cmd.members]
    events = group.form_group(state, cmd, uow.ctx, ref.version, params, _known(uow, people))
    uow.record(INSPECTION_GROUP, cmd.group_id, events)


@handles(group.SignConfidentialityPledge)
def pledge(uow: UnitOfWork, cmd: group.SignConfidentialityPledge) -> None:
    state = _group(uow, cmd.group_id)
    uow.record(INSPECTION_GROUP, cmd.group_id, group.sign_pledge(state, cmd, uow.ctx))


@handles(group.RecordPreStationingTraining)
def training(uow: UnitOfWork, cmd: group.RecordPreStationingTraining) -> None:
    state = _group(uow, cmd.group_id)
    uow.record(INSPECTION_GROUP, cmd.group_id, group.record_training(state, cmd, uow.ctx))


@handles(group.SecondInspector)
def second(uow: UnitOfWork, cmd: group.SecondInspector) -> None:
    state = _group(uow, cmd.group_id)
    uow.record(INSPECTION_GROUP, cmd.group_id, group.second_inspector(state, cmd))


@handles(cross.ArrangeCrossInspection)
def arrange_cross(uow: UnitOfWork, cmd: cross.ArrangeCrossInspection) -> None:
    round_ = uow.get(ROUND, cmd.round_id, "round")
    stream_id = cross_stream_id(cmd.round_id)
    existing = uow.find(CROSS_ARRANGEMENT, stream_id)
    _, params = uow.policy(round_.jurisdiction_id, uow.ctx.today)
    uow.record(CROSS_ARRANGEMENT, stream_id, cross.arrange(round_, existing, cmd, params))


@handles(preparation.AuthorizeGroup)
def authorize(uow: UnitOfWork, cmd: preparation.AuthorizeGroup) -> None:
    state = uow.get(INSPECTION, cmd.inspection_id, "inspection")
    state_group = _group(uow, cmd.group_id)
    in_force = uow.policy(state.jurisdiction_id, cmd.window_start)
    done = preparation.authorize_group(state, state_group, cmd, in_force)
    uow.record(INSPECTION, cmd.inspection_id, done.on_inspection)
    uow.record(INSPECTION_GROUP, cmd.group_id, done.on_group)
    register = register_stream_id(state_group.jurisdiction_id)
    uow.find(LEADERSHIP_REGISTER, register)  # loaded so the append knows its version
    uow.record(LEADERSHIP_REGISTER, register, done.on_register)

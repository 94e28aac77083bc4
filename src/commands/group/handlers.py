"""Handlers of the inspection group: leadership, recusal, formation, pledges, training,
secondment, dissolution. The authorization (一次一授权) decides on the inspection's stream and
is handled in `commands/inspection/handlers.py`."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from xuncha.commands import group
from xuncha.commands.cross import CROSS_ARRANGEMENT, cross_stream_id
from xuncha.commands.decision import warnings_of
from xuncha.commands.finding import FINDING
from xuncha.commands.group import (
    INSPECTION_GROUP,
    LEADERSHIP_REGISTER,
    GroupState,
    register_stream_id,
)
from xuncha.commands.handling import Registered, on
from xuncha.commands.inspection import INSPECTION
from xuncha.commands.pool import POOL_MEMBER, pool_member_id
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


def declare(uow: UnitOfWork, cmd: group.SubmitRecusalDeclaration) -> None:
    state = _group(uow, cmd.group_id)
    _, params = uow.policy(state.jurisdiction_id, uow.ctx.today)
    known = _known(uow, [uow.ctx.actor.user_id]).get(uow.ctx.actor.user_id)
    profile = known.profile if known else None
    events = group.submit_declaration(state, cmd, uow.ctx, params, profile)
    uow.record(INSPECTION_GROUP, cmd.group_id, events)


def dissolve(uow: UnitOfWork, cmd: group.DissolveGroup) -> None:
    state = _group(uow, cmd.group_id)
    inspections = {t.inspection_id: uow.find(INSPECTION, t.inspection_id) for t in state.targets}
    events = group.dissolve_group(state, cmd, uow.ctx, inspections)
    uow.record(INSPECTION_GROUP, cmd.group_id, events)


def clear(uow: UnitOfWork, cmd: group.ClearRecusal) -> None:
    state = _group(uow, cmd.group_id)
    uow.record(INSPECTION_GROUP, cmd.group_id, group.clear_recusal(state, cmd))


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


def form(uow: UnitOfWork, cmd: group.FormInspectionGroup) -> None:
    state = _group(uow, cmd.group_id)
    ref, params = uow.policy(state.jurisdiction_id, uow.ctx.today)
    people = [p.user_id for p in state.people()] + [m.user_id for m in cmd.members]
    events = group.form_group(state, cmd, uow.ctx, ref.version, params, _known(uow, people))
    uow.record(INSPECTION_GROUP, cmd.group_id, events)


def pledge(uow: UnitOfWork, cmd: group.SignConfidentialityPledge) -> None:
    state = _group(uow, cmd.group_id)
    uow.record(INSPECTION_GROUP, cmd.group_id, group.sign_pledge(state, cmd, uow.ctx))


def training(uow: UnitOfWork, cmd: group.RecordPreStationingTraining) -> None:
    state = _group(uow, cmd.group_id)
    uow.record(INSPECTION_GROUP, cmd.group_id, group.record_training(state, cmd, uow.ctx))


def second(uow: UnitOfWork, cmd: group.SecondInspector) -> None:
    state = _group(uow, cmd.group_id)
    uow.record(INSPECTION_GROUP, cmd.group_id, group.second_inspector(state, cmd))


HANDLERS: tuple[Registered, ...] = (
    on(group.ProposeGroupLeadership, propose),
    on(group.SubmitRecusalDeclaration, declare),
    on(group.DissolveGroup, dissolve),
    on(group.ClearRecusal, clear),
    on(group.RecuseMember, recuse),
    on(group.FormInspectionGroup, form),
    on(group.SignConfidentialityPledge, pledge),
    on(group.RecordPreStationingTraining, training),
    on(group.SecondInspector, second),
)

"""Handlers of the round: proposal, approval, planning an inspection of a target, filing,
mobilization, closing."""

from __future__ import annotations

from uuid import UUID

from xuncha.commands import reference
from xuncha.commands import round as round_
from xuncha.commands.errors import NotFound
from xuncha.commands.handling import Registered, on
from xuncha.commands.inspection import INSPECTION, preparation
from xuncha.commands.inspection.handling import inspection_of
from xuncha.commands.lead import LEAD
from xuncha.commands.round import ROUND
from xuncha.commands.unit_of_work import UnitOfWork


def propose_round(uow: UnitOfWork, cmd: round_.ProposeRound) -> UUID:
    round_id = uow.new_id()
    uow.record(ROUND, round_id, round_.propose(cmd, round_id))
    return round_id


def approve_round(uow: UnitOfWork, cmd: round_.ApproveRound) -> None:
    state = uow.get(ROUND, cmd.round_id, "round")
    uow.record(ROUND, cmd.round_id, round_.approve(state, cmd, uow.ctx))


def plan_inspection(uow: UnitOfWork, cmd: round_.PlanInspection) -> UUID:
    state = uow.get(ROUND, cmd.round_id, "round")
    # Registries are optional: a jurisdiction that keeps one only inspects what it lists.
    registry_id = cmd.organization_jurisdiction_id or state.jurisdiction_id
    registry = uow.find(reference.JURISDICTION, reference.jurisdiction_stream_id(registry_id))
    if registry is None and cmd.organization_jurisdiction_id is not None:
        raise NotFound(f"jurisdiction {registry_id} is not registered")
    if registry is not None:
        reference.require_target(
            state.round_type, state.jurisdiction_id, registry, cmd.organization_id
        )
    inspection_id = uow.new_id()
    uow.record(ROUND, cmd.round_id, round_.assign_target(state, cmd, inspection_id))
    uow.record(
        INSPECTION,
        inspection_id,
        preparation.plan(state, inspection_id, cmd),
    )
    return inspection_id


def file_plan(uow: UnitOfWork, cmd: round_.FileRoundPlanWithUpperOffice) -> None:
    state = uow.get(ROUND, cmd.round_id, "round")
    uow.record(ROUND, cmd.round_id, round_.file_plan_with_upper_office(state, cmd, uow.ctx))


def mobilize(uow: UnitOfWork, cmd: round_.MobilizeRound) -> None:
    state = uow.get(ROUND, cmd.round_id, "round")
    uow.record(ROUND, cmd.round_id, round_.mobilize(state, cmd, uow.ctx))


def close_round(uow: UnitOfWork, cmd: round_.CloseRound) -> None:
    state = uow.get(ROUND, cmd.round_id, "round")
    inspections = [inspection_of(uow, i) for i in state.inspections.values()]
    stages = {i.inspection_id: i.stage for i in inspections}
    leads = [uow.get(LEAD, lead_id, "lead") for i in inspections for lead_id in i.lead_ids]
    open_leads = {lead.lead_id: lead.describe() for lead in leads if lead.is_open}
    closed = len(leads) - len(open_leads)
    uow.record(ROUND, cmd.round_id, round_.close(state, cmd, stages, open_leads, closed))


HANDLERS: tuple[Registered, ...] = (
    on(round_.ProposeRound, propose_round),
    on(round_.ApproveRound, approve_round),
    on(round_.PlanInspection, plan_inspection),
    on(round_.FileRoundPlanWithUpperOffice, file_plan),
    on(round_.MobilizeRound, mobilize),
    on(round_.CloseRound, close_round),
)

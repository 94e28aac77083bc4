"""Handlers of reference data: jurisdictions, organization registries, coverage plans."""

from __future__ import annotations

from xuncha.commands import reference as ref
from xuncha.commands.registry import handles
from xuncha.commands.unit_of_work import UnitOfWork


def _registry(uow: UnitOfWork, jurisdiction_id: str) -> ref.JurisdictionState:
    return uow.get(ref.JURISDICTION, ref.jurisdiction_stream_id(jurisdiction_id), "jurisdiction")


@handles(ref.RegisterJurisdiction)
def register_jurisdiction(uow: UnitOfWork, cmd: ref.RegisterJurisdiction) -> None:
    stream_id = ref.jurisdiction_stream_id(cmd.jurisdiction_id)
    state = uow.find(ref.JURISDICTION, stream_id)
    parent = None
    if cmd.parent_id is not None:
        parent = uow.find(ref.JURISDICTION, ref.jurisdiction_stream_id(cmd.parent_id))
    uow.record(ref.JURISDICTION, stream_id, ref.register_jurisdiction(state, cmd, parent))


@handles(ref.RegisterOrganization)
def register_organization(uow: UnitOfWork, cmd: ref.RegisterOrganization) -> None:
    state = _registry(uow, cmd.jurisdiction_id)
    stream_id = ref.jurisdiction_stream_id(cmd.jurisdiction_id)
    uow.record(ref.JURISDICTION, stream_id, ref.register_organization(state, cmd))


@handles(ref.RenameOrganization)
def rename_organization(uow: UnitOfWork, cmd: ref.RenameOrganization) -> None:
    state = _registry(uow, cmd.jurisdiction_id)
    stream_id = ref.jurisdiction_stream_id(cmd.jurisdiction_id)
    uow.record(ref.JURISDICTION, stream_id, ref.rename_organization(state, cmd))


@handles(ref.DeregisterOrganization)
def deregister_organization(uow: UnitOfWork, cmd: ref.DeregisterOrganization) -> None:
    state = _registry(uow, cmd.jurisdiction_id)
    stream_id = ref.jurisdiction_stream_id(cmd.jurisdiction_id)
    uow.record(ref.JURISDICTION, stream_id, ref.deregister_organization(state, cmd))


@handles(ref.DraftTermCoveragePlan)
def draft_coverage_plan(uow: UnitOfWork, cmd: ref.DraftTermCoveragePlan) -> None:
    registry = _registry(uow, cmd.jurisdiction_id)
    stream_id = ref.coverage_stream_id(cmd.jurisdiction_id, cmd.term)
    plan = uow.find(ref.COVERAGE_PLAN, stream_id)
    uow.record(ref.COVERAGE_PLAN, stream_id, ref.draft_coverage_plan(plan, registry, cmd))


@handles(ref.ApproveTermCoveragePlan)
def approve_coverage_plan(uow: UnitOfWork, cmd: ref.ApproveTermCoveragePlan) -> None:
    registry = _registry(uow, cmd.jurisdiction_id)
    stream_id = ref.coverage_stream_id(cmd.jurisdiction_id, cmd.term)
    plan = uow.get(ref.COVERAGE_PLAN, stream_id, f"coverage plan of term {cmd.term}")
    uow.record(ref.COVERAGE_PLAN, stream_id, ref.approve_coverage_plan(plan, registry, cmd))

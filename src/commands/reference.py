"""Jurisdictions with their registries of Party organizations, and term coverage plans.

One stream per jurisdiction holds its registry, so that 全覆盖 can be checked against it;
one stream per committee term holds its coverage plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import Field

from xuncha.commands.base import Aggregate, Command, require, require_stage
from xuncha.commands.errors import InvalidTransition, NotFound, RuleViolated
from xuncha.commands.handling import Registered, on
from xuncha.commands.round import OFFICE
from xuncha.commands.unit_of_work import UnitOfWork
from xuncha.events.base import DomainEvent, Role
from xuncha.events.reference import (
    JurisdictionLevel,
    JurisdictionRegistered,
    OrganizationDeregistered,
    OrganizationRegistered,
    OrganizationRenamed,
    OrganizationType,
    TermCoveragePlanApproved,
    TermCoveragePlanDrafted,
)
from xuncha.events.values import RoundType
from xuncha.events.vocabulary import CoveragePlanStage

Ident = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")


def jurisdiction_stream_id(jurisdiction_id: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"xuncha:jurisdiction:{jurisdiction_id}")


def coverage_stream_id(jurisdiction_id: str, term: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"xuncha:coverage:{jurisdiction_id}:{term}")


@dataclass(frozen=True)
class Organization:
    name: str
    organization_type: OrganizationType
    active: bool = True


@dataclass(frozen=True)
class JurisdictionState:
    jurisdiction_id: str
    name: str
    level: JurisdictionLevel
    parent_id: str | None
    organizations: Mapping[str, Organization] = field(default_factory=dict)

    def active(self) -> set[str]:
        return {i for i, org in self.organizations.items() if org.active}


def _with_org(state: JurisdictionState, org_id: str, org: Organization) -> JurisdictionState:
    return replace(state, organizations={**state.organizations, org_id: org})


def evolve(state: JurisdictionState | None, event: DomainEvent) -> JurisdictionState | None:
    match event:
        case JurisdictionRegistered():
            return JurisdictionState(
                event.jurisdiction_id, event.name, event.level, event.parent_id
            )
        case OrganizationRegistered() if state:
            return _with_org(
                state, event.organization_id, Organization(event.name, event.organization_type)
            )
        case OrganizationRenamed() if state and event.organization_id in state.organizations:
            org = state.organizations[event.organization_id]
            return _with_org(state, event.organization_id, replace(org, name=event.name))
        case OrganizationDeregistered() if state and event.organization_id in state.organizations:
            org = state.organizations[event.organization_id]
            return _with_org(state, event.organization_id, replace(org, active=False))
    return state


JURISDICTION = Aggregate[JurisdictionState]("jurisdiction", evolve)


@dataclass(frozen=True)
class CoveragePlanState:
    jurisdiction_id: str
    term: str
    organization_ids: tuple[str, ...]
    stage: CoveragePlanStage = CoveragePlanStage.DRAFTED


def evolve_plan(state: CoveragePlanState | None, event: DomainEvent) -> CoveragePlanState | None:
    match event:
        case TermCoveragePlanDrafted():
            return CoveragePlanState(
                event.jurisdiction_id, event.term, tuple(event.organization_ids)
            )
        case TermCoveragePlanApproved() if state:
            return replace(state, stage=CoveragePlanStage.APPROVED)
    return state


COVERAGE_PLAN = Aggregate[CoveragePlanState]("coverage_plan", evolve_plan)


class RegisterJurisdiction(Command):
    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    jurisdiction_id: str = Ident
    name: str = Field(min_length=1, max_length=200)
    level: JurisdictionLevel
    parent_id: str | None = Field(default=None, max_length=64)
    committee: str = Field(min_length=1, max_length=200)


class RegisterOrganization(Command):
    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    jurisdiction_id: str = Ident
    organization_id: str = Ident
    name: str = Field(min_length=1, max_length=200)
    organization_type: OrganizationType
    supervising_department: str | None = Field(default=None, max_length=200)


class RenameOrganization(Command):
    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    jurisdiction_id: str = Ident
    organization_id: str = Ident
    name: str = Field(min_length=1, max_length=200)


class DeregisterOrganization(Command):
    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    jurisdiction_id: str = Ident
    organization_id: str = Ident
    why: str = Field(min_length=1, max_length=1000)

    @property
    def reason(self) -> str | None:
        return self.why


class DraftTermCoveragePlan(Command):
    """届内全覆盖规划: the organizations to inspect within one committee term."""

    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    jurisdiction_id: str = Ident
    term: str = Field(min_length=1, max_length=64)
    term_start: date
    term_end: date
    organization_ids: list[str] = Field(min_length=1, max_length=5000)


class ApproveTermCoveragePlan(Command):
    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.COMMITTEE})
    jurisdiction_id: str = Ident
    term: str = Field(min_length=1, max_length=64)


def register_jurisdiction(
    state: JurisdictionState | None,
    cmd: RegisterJurisdiction,
    parent: JurisdictionState | None,
) -> list[DomainEvent]:
    if state is not None:
        raise InvalidTransition(f"jurisdiction {cmd.jurisdiction_id} is registered already")
    require(
        cmd.level == JurisdictionLevel.CITY or cmd.parent_id is not None,
        "a county or district names its parent city (parent_id)",
    )
    if cmd.parent_id is not None and parent is None:
        raise NotFound(f"parent jurisdiction {cmd.parent_id} is not registered")
    return [JurisdictionRegistered(**cmd.model_dump())]


def register_organization(state: JurisdictionState, cmd: RegisterOrganization) -> list[DomainEvent]:
    require(
        cmd.organization_id not in state.organizations,
        f"organization {cmd.organization_id} is in the registry already",
    )
    return [OrganizationRegistered(**cmd.model_dump())]


def _registered(state: JurisdictionState, organization_id: str) -> Organization:
    org = state.organizations.get(organization_id)
    if org is None or not org.active:
        raise NotFound(
            f"organization {organization_id} is not an active member of the registry of "
            f"{state.jurisdiction_id}"
        )
    return org


def rename_organization(state: JurisdictionState, cmd: RenameOrganization) -> list[DomainEvent]:
    _registered(state, cmd.organization_id)
    return [OrganizationRenamed(**cmd.model_dump())]


def deregister_organization(
    state: JurisdictionState, cmd: DeregisterOrganization
) -> list[DomainEvent]:
    _registered(state, cmd.organization_id)
    return [
        OrganizationDeregistered(
            jurisdiction_id=cmd.jurisdiction_id, organization_id=cmd.organization_id, reason=cmd.why
        )
    ]


def draft_coverage_plan(
    plan: CoveragePlanState | None, registry: JurisdictionState, cmd: DraftTermCoveragePlan
) -> list[DomainEvent]:
    if plan is not None:
        require_stage(plan.stage, [CoveragePlanStage.DRAFTED], "redraft the coverage plan")
    require(cmd.term_start < cmd.term_end, "term_start must be before term_end")
    require(
        len(set(cmd.organization_ids)) == len(cmd.organization_ids),
        "an organization is listed twice",
    )
    unknown = sorted(set(cmd.organization_ids) - registry.active())
    require(not unknown, f"not active in the registry of {cmd.jurisdiction_id}: {unknown}")
    plan_id = f"{cmd.jurisdiction_id}:{cmd.term}"
    return [TermCoveragePlanDrafted(plan_id=plan_id, **cmd.model_dump())]


def approve_coverage_plan(
    plan: CoveragePlanState, registry: JurisdictionState, cmd: ApproveTermCoveragePlan
) -> list[DomainEvent]:
    require_stage(plan.stage, [CoveragePlanStage.DRAFTED], "approve the coverage plan")
    missing = sorted(registry.active() - set(plan.organization_ids))
    require(
        not missing,
        f"全覆盖: every organization managed by the committee is inspected once per term; "
        f"the plan leaves out {missing}",
    )
    return [
        TermCoveragePlanApproved(
            plan_id=f"{cmd.jurisdiction_id}:{cmd.term}",
            jurisdiction_id=cmd.jurisdiction_id,
            term=cmd.term,
        )
    ]


REACHES_CHILDREN = {RoundType.CROSS, RoundType.ESCALATED, RoundType.LINKED}


def require_target(
    round_type: RoundType,
    round_jurisdiction: str,
    registry: JurisdictionState,
    organization_id: str,
) -> None:
    """A target is active in the registry of the round's jurisdiction; cross, escalated and
    linked rounds may also reach the registries of that jurisdiction's counties and districts."""
    _registered(registry, organization_id)
    if registry.jurisdiction_id == round_jurisdiction:
        return
    if round_type in REACHES_CHILDREN and registry.parent_id == round_jurisdiction:
        return
    raise RuleViolated(
        f"a {round_type.value} round of {round_jurisdiction} cannot inspect organizations "
        f"managed by {registry.jurisdiction_id}"
    )


# Handlers ------------------------------------------------------------------------------------


def _registry(uow: UnitOfWork, jurisdiction_id: str) -> JurisdictionState:
    return uow.get(JURISDICTION, jurisdiction_stream_id(jurisdiction_id), "jurisdiction")


def handle_register_jurisdiction(uow: UnitOfWork, cmd: RegisterJurisdiction) -> None:
    stream_id = jurisdiction_stream_id(cmd.jurisdiction_id)
    state = uow.find(JURISDICTION, stream_id)
    parent = None
    if cmd.parent_id is not None:
        parent = uow.find(JURISDICTION, jurisdiction_stream_id(cmd.parent_id))
    uow.record(JURISDICTION, stream_id, register_jurisdiction(state, cmd, parent))


def handle_register_organization(uow: UnitOfWork, cmd: RegisterOrganization) -> None:
    state = _registry(uow, cmd.jurisdiction_id)
    stream_id = jurisdiction_stream_id(cmd.jurisdiction_id)
    uow.record(JURISDICTION, stream_id, register_organization(state, cmd))


def handle_rename_organization(uow: UnitOfWork, cmd: RenameOrganization) -> None:
    state = _registry(uow, cmd.jurisdiction_id)
    stream_id = jurisdiction_stream_id(cmd.jurisdiction_id)
    uow.record(JURISDICTION, stream_id, rename_organization(state, cmd))


def handle_deregister_organization(uow: UnitOfWork, cmd: DeregisterOrganization) -> None:
    state = _registry(uow, cmd.jurisdiction_id)
    stream_id = jurisdiction_stream_id(cmd.jurisdiction_id)
    uow.record(JURISDICTION, stream_id, deregister_organization(state, cmd))


def handle_draft_coverage_plan(uow: UnitOfWork, cmd: DraftTermCoveragePlan) -> None:
    registry = _registry(uow, cmd.jurisdiction_id)
    stream_id = coverage_stream_id(cmd.jurisdiction_id, cmd.term)
    plan = uow.find(COVERAGE_PLAN, stream_id)
    uow.record(COVERAGE_PLAN, stream_id, draft_coverage_plan(plan, registry, cmd))


def handle_approve_coverage_plan(uow: UnitOfWork, cmd: ApproveTermCoveragePlan) -> None:
    registry = _registry(uow, cmd.jurisdiction_id)
    stream_id = coverage_stream_id(cmd.jurisdiction_id, cmd.term)
    plan = uow.get(COVERAGE_PLAN, stream_id, f"coverage plan of term {cmd.term}")
    uow.record(COVERAGE_PLAN, stream_id, approve_coverage_plan(plan, registry, cmd))


HANDLERS: tuple[Registered, ...] = (
    on(RegisterJurisdiction, handle_register_jurisdiction),
    on(RegisterOrganization, handle_register_organization),
    on(RenameOrganization, handle_rename_organization),
    on(DeregisterOrganization, handle_deregister_organization),
    on(DraftTermCoveragePlan, handle_draft_coverage_plan),
    on(ApproveTermCoveragePlan, handle_approve_coverage_plan),
)

"""Jurisdictions, organization registries and term coverage plans (全覆盖)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.unit.gwt import given, refused, then
from xuncha.commands import reference as ref
from xuncha.commands.errors import InvalidTransition, NotFound, RuleViolated
from xuncha.events.reference import (
    JurisdictionLevel,
    JurisdictionRegistered,
    OrganizationDeregistered,
    OrganizationRegistered,
    OrganizationType,
    TermCoveragePlanApproved,
    TermCoveragePlanDrafted,
)
from xuncha.events.values import RoundType

CITY = JurisdictionRegistered(
    jurisdiction_id="yulin",
    name="榆林市",
    level=JurisdictionLevel.CITY,
    parent_id=None,
    committee="中共榆林市委",
)
COUNTY = JurisdictionRegistered(
    jurisdiction_id="shenmu",
    name="神木市",
    level=JurisdictionLevel.COUNTY,
    parent_id="yulin",
    committee="中共神木市委",
)


def org(organization_id: str, jurisdiction_id: str = "yulin") -> OrganizationRegistered:
    return OrganizationRegistered(
        jurisdiction_id=jurisdiction_id,
        organization_id=organization_id,
        name=organization_id,
        supervising_department=None,
        organization_type=OrganizationType.DEPARTMENT,
    )


def registry(*events: object) -> ref.JurisdictionState:
    return given(ref.JURISDICTION, CITY, *events)  # type: ignore[arg-type]


def draft(*orgs: str) -> ref.DraftTermCoveragePlan:
    return ref.DraftTermCoveragePlan(
        jurisdiction_id="yulin",
        term="第四届",
        term_start=date(2021, 9, 1),
        term_end=date(2026, 8, 31),
        organization_ids=list(orgs),
    )


def test_register_jurisdiction_records_it() -> None:
    cmd = ref.RegisterJurisdiction(
        jurisdiction_id="yulin",
        name="榆林市",
        level=JurisdictionLevel.CITY,
        committee="中共榆林市委",
    )
    then(ref.register_jurisdiction(None, cmd, None), [CITY])


def test_register_jurisdiction_twice_is_refused() -> None:
    cmd = ref.RegisterJurisdiction(
        jurisdiction_id="yulin",
        name="榆林市",
        level=JurisdictionLevel.CITY,
        committee="中共榆林市委",
    )
    with refused(InvalidTransition, "registered already"):
        ref.register_jurisdiction(registry(), cmd, None)


def test_register_county_needs_a_registered_parent() -> None:
    cmd = ref.RegisterJurisdiction(
        jurisdiction_id="shenmu",
        name="神木市",
        level=JurisdictionLevel.COUNTY,
        committee="中共神木市委",
    )
    with refused(RuleViolated, "parent_id"):
        ref.register_jurisdiction(None, cmd, None)
    with refused(NotFound, "parent jurisdiction"):
        ref.register_jurisdiction(None, cmd.model_copy(update={"parent_id": "yulin"}), None)
    then(
        ref.register_jurisdiction(None, cmd.model_copy(update={"parent_id": "yulin"}), registry()),
        [COUNTY],
    )


def test_register_organization_twice_is_refused() -> None:
    cmd = ref.RegisterOrganization(
        jurisdiction_id="yulin",
        organization_id="org-water",
        name="水务局",
        organization_type=OrganizationType.DEPARTMENT,
    )
    then(ref.register_organization(registry(), cmd), [OrganizationRegistered(**cmd.model_dump())])
    with refused(RuleViolated, "already"):
        ref.register_organization(registry(org("org-water")), cmd)


def test_deregister_an_unknown_or_inactive_organization_is_refused() -> None:
    cmd = ref.DeregisterOrganization(
        jurisdiction_id="yulin", organization_id="org-water", why="机构改革合并"
    )
    with refused(NotFound, "org-water"):
        ref.deregister_organization(registry(), cmd)
    gone = OrganizationDeregistered(
        jurisdiction_id="yulin", organization_id="org-water", reason="机构改革合并"
    )
    then(ref.deregister_organization(registry(org("org-water")), cmd), [gone])
    with refused(NotFound, "org-water"):
        ref.deregister_organization(registry(org("org-water"), gone), cmd)


def test_draft_coverage_plan_only_lists_active_registered_organizations() -> None:
    reg = registry(org("a"), org("b"))
    [event] = ref.draft_coverage_plan(None, reg, draft("a", "b"))
    assert isinstance(event, TermCoveragePlanDrafted)
    assert event.plan_id == "yulin:第四届"
    with refused(RuleViolated, "not active in the registry"):
        ref.draft_coverage_plan(None, reg, draft("a", "z"))
    with refused(RuleViolated, "listed twice"):
        ref.draft_coverage_plan(None, reg, draft("a", "a"))


def test_approve_coverage_plan_requires_every_active_organization() -> None:
    reg = registry(org("a"), org("b"), org("c"))
    partial = given(ref.COVERAGE_PLAN, *ref.draft_coverage_plan(None, reg, draft("a", "b")))
    approve = ref.ApproveTermCoveragePlan(jurisdiction_id="yulin", term="第四届")
    with refused(RuleViolated, "全覆盖", "'c'"):
        ref.approve_coverage_plan(partial, reg, approve)
    full = given(ref.COVERAGE_PLAN, *ref.draft_coverage_plan(None, reg, draft("a", "b", "c")))
    then(
        ref.approve_coverage_plan(full, reg, approve),
        [TermCoveragePlanApproved(plan_id="yulin:第四届", jurisdiction_id="yulin", term="第四届")],
    )


def test_a_deregistered_organization_need_not_be_covered() -> None:
    gone = OrganizationDeregistered(jurisdiction_id="yulin", organization_id="c", reason="撤销")
    reg = registry(org("a"), org("c"), gone)
    plan = given(ref.COVERAGE_PLAN, *ref.draft_coverage_plan(None, reg, draft("a")))
    approve = ref.ApproveTermCoveragePlan(jurisdiction_id="yulin", term="第四届")
    assert len(ref.approve_coverage_plan(plan, reg, approve)) == 1


def test_an_approved_plan_cannot_be_redrafted_or_approved_again() -> None:
    reg = registry(org("a"))
    plan = given(
        ref.COVERAGE_PLAN,
        *ref.draft_coverage_plan(None, reg, draft("a")),
        TermCoveragePlanApproved(plan_id="yulin:第四届", jurisdiction_id="yulin", term="第四届"),
    )
    with refused(InvalidTransition, "redraft"):
        ref.draft_coverage_plan(plan, reg, draft("a"))
    with refused(InvalidTransition, "approve"):
        ref.approve_coverage_plan(
            plan, reg, ref.ApproveTermCoveragePlan(jurisdiction_id="yulin", term="第四届")
        )


@pytest.mark.parametrize("round_type", list(RoundType))
def test_targets_of_the_own_registry_fit_every_round_type(round_type: RoundType) -> None:
    ref.require_target(round_type, "yulin", registry(org("a")), "a")


@pytest.mark.parametrize("round_type", [RoundType.CROSS, RoundType.ESCALATED, RoundType.LINKED])
def test_cross_escalated_and_linked_rounds_reach_county_registries(round_type: RoundType) -> None:
    county = given(ref.JURISDICTION, COUNTY, org("t", "shenmu"))
    ref.require_target(round_type, "yulin", county, "t")


@pytest.mark.parametrize("round_type", [RoundType.REGULAR, RoundType.SPECIAL, RoundType.VILLAGE])
def test_other_rounds_do_not_reach_county_registries(round_type: RoundType) -> None:
    county = given(ref.JURISDICTION, COUNTY, org("t", "shenmu"))
    with refused(RuleViolated, "cannot inspect organizations managed by shenmu"):
        ref.require_target(round_type, "yulin", county, "t")


def test_an_unregistered_target_is_refused() -> None:
    with refused(NotFound, "not an active member"):
        ref.require_target(RoundType.REGULAR, "yulin", registry(org("a")), "b")

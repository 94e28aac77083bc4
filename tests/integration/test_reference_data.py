"""Registries and coverage plans over HTTP; targets of a round must be in the registry."""

from __future__ import annotations

from tests.support.api import COMMITTEE, OFFICE, Api
from tests.support.lifecycle import Lifecycle, day


def register(api: Api) -> None:
    api.command(
        "/jurisdictions",
        {
            "jurisdiction_id": "yulin",
            "name": "榆林市",
            "level": "city",
            "committee": "中共榆林市委",
        },
        OFFICE,
    )
    api.command(
        "/jurisdictions",
        {
            "jurisdiction_id": "shenmu",
            "name": "神木市",
            "level": "county",
            "parent_id": "yulin",
            "committee": "中共神木市委",
        },
        OFFICE,
    )
    for jurisdiction, organization in [
        ("yulin", "org-water-bureau"),
        ("yulin", "org-roads"),
        ("shenmu", "org-shenmu-finance"),
    ]:
        api.command(
            "/jurisdictions/organizations",
            {
                "jurisdiction_id": jurisdiction,
                "organization_id": organization,
                "name": organization,
                "organization_type": "department",
            },
            OFFICE,
        )


def test_coverage_plan_must_cover_every_registered_organization(api: Api) -> None:
    register(api)
    plan = {
        "jurisdiction_id": "yulin",
        "term": "第四届",
        "term_start": "2021-09-01",
        "term_end": "2026-08-31",
        "organization_ids": ["org-water-bureau"],
    }
    api.command("/coverage-plans", plan, OFFICE)
    before = api.event_count()
    response = api.post(
        "/coverage-plans/approve", {"jurisdiction_id": "yulin", "term": "第四届"}, COMMITTEE
    )
    assert response.status_code == 422
    assert "org-roads" in response.json()["detail"]
    assert api.event_count() == before
    api.command(
        "/coverage-plans", {**plan, "organization_ids": ["org-water-bureau", "org-roads"]}, OFFICE
    )
    api.command(
        "/coverage-plans/approve", {"jurisdiction_id": "yulin", "term": "第四届"}, COMMITTEE
    )


def test_round_targets_come_from_the_registry(api: Api) -> None:
    register(api)
    life = Lifecycle(api)
    life.propose_round()
    life.approve_round()
    before = api.event_count()
    body = {"organization_id": "org-unknown", "organization_name": "?", "group_name": "一组"}
    response = api.post(f"/rounds/{life.round_id}/inspections", body, OFFICE)
    assert response.status_code == 404
    assert "org-unknown" in response.json()["detail"]
    body = {
        "organization_id": "org-shenmu-finance",
        "organization_name": "神木财政局",
        "group_name": "一组",
        "organization_jurisdiction_id": "shenmu",
    }
    response = api.post(f"/rounds/{life.round_id}/inspections", body, OFFICE)
    assert response.status_code == 422  # a regular round does not reach county registries
    assert api.event_count() == before
    life.plan_inspection()  # org-water-bureau is registered in yulin


def test_a_cross_round_may_inspect_a_county_organization(api: Api) -> None:
    register(api)
    body = {
        "jurisdiction_id": "yulin",
        "committee": "中共榆林市委",
        "name": "交叉巡察",
        "round_type": "cross",
        "planned_start": day(-10),
        "planned_end": day(90),
    }
    round_id = api.command("/rounds", body, OFFICE, 201)["created_id"]
    api.command(f"/rounds/{round_id}/approve", {}, COMMITTEE)
    body = {
        "organization_id": "org-shenmu-finance",
        "organization_name": "神木财政局",
        "group_name": "交叉一组",
        "organization_jurisdiction_id": "shenmu",
    }
    created = api.command(f"/rounds/{round_id}/inspections", body, OFFICE, 201)
    assert api.get(f"/inspections/{created['created_id']}")["organization_id"] == (
        "org-shenmu-finance"
    )

"""Bad input gets a clear 4xx problem, and appends nothing."""

from __future__ import annotations

from uuid import uuid4

import pytest

from tests.support.api import DISCIPLINE, LEADER, LIAISON, MEMBER, OFFICE, PRINCIPAL, Api
from tests.support.lifecycle import Lifecycle, day


def refused(api: Api, response: object, status: int, *words: str) -> dict:  # type: ignore[type-arg]
    r = response
    assert r.status_code == status, r.text  # type: ignore[attr-defined]
    assert r.headers["content-type"].startswith("application/problem+json")  # type: ignore[attr-defined]
    body = r.json()  # type: ignore[attr-defined]
    assert body["status"] == status
    for word in words:
        assert word in body["detail"], body
    return body  # type: ignore[no-any-return]


@pytest.fixture
def stationed(api: Api) -> Lifecycle:
    life = Lifecycle(api)
    life.to_stationed()
    return life


def test_malformed_json_is_refused(api: Api, stationed: Lifecycle) -> None:
    before = api.event_count()
    response = api.client.post(
        f"{stationed.at}/end-stationing",
        content=b'{"withdrawn_on": ',
        headers={**api.headers(LEADER), "Content-Type": "application/json"},
    )
    refused(api, response, 422, "JSON")
    assert api.event_count() == before


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"withdrawn_on": "not a date"}, ["withdrawn_on", "date"]),
        ({}, ["withdrawn_on", "Field required"]),
        ({"withdrawn_on": day(-40), "extra": 1}, ["extra", "not permitted"]),
        ([1, 2], ["should be an object"]),
    ],
)
def test_wrong_types_and_fields_are_refused(
    api: Api, stationed: Lifecycle, body: object, words: list[str]
) -> None:
    before = api.event_count()
    refused(api, api.post(f"{stationed.at}/end-stationing", body, LEADER), 422, *words)
    assert api.event_count() == before


def test_unknown_ids_are_404(api: Api, stationed: Lifecycle) -> None:
    before = api.event_count()
    missing = uuid4()
    refused(
        api,
        api.post(f"/inspections/{missing}/end-stationing", {"withdrawn_on": day(-40)}, LEADER),
        404,
        str(missing),
    )
    refused(api, api.post(f"/findings/{missing}/approve", {}, LEADER), 404, "finding")
    refused(api, api.post(f"/rectification-items/{missing}/close", {}, OFFICE), 404, "item")
    refused(
        api,
        api.post("/inspections/not-a-uuid/end-stationing", {"withdrawn_on": day(-40)}, LEADER),
        422,
        "UUID",
    )
    response = api.client.get(f"/inspections/{missing}", headers=api.headers(OFFICE))
    refused(api, response, 404, "does not exist")
    assert api.event_count() == before


def test_an_inspection_id_used_as_a_finding_id_is_404(api: Api, stationed: Lifecycle) -> None:
    before = api.event_count()
    refused(api, api.post(f"/findings/{stationed.inspection_id}/approve", {}, LEADER), 404)
    assert api.event_count() == before


def test_feedback_before_the_report_is_approved_is_409(api: Api, stationed: Lifecycle) -> None:
    before = api.event_count()
    response = api.post(f"{stationed.at}/feedback/deliver", {"delivered_on": day(-1)}, LEADER)
    refused(api, response, 409, "deliver feedback", "stationed")
    assert api.event_count() == before


def test_closing_an_unverified_item_is_409(api: Api) -> None:
    life = Lifecycle(api)
    life.to_rectifying()
    before = api.event_count()
    response = api.post(f"/rectification-items/{life.item_ids[0]}/close", {}, OFFICE)
    refused(api, response, 409, "close", "opened")
    assert api.event_count() == before


def test_the_rectifying_organization_cannot_verify_its_own_item(api: Api) -> None:
    life = Lifecycle(api)
    life.to_rectifying()
    at = f"/rectification-items/{life.item_ids[0]}"
    api.command(f"{at}/request-closure", {"summary": "done", "evidence_refs": ["d-1"]}, PRINCIPAL)
    before = api.event_count()
    own_verifier = type(DISCIPLINE)(DISCIPLINE.user_id, DISCIPLINE.role, PRINCIPAL.organization_id)
    refused(api, api.post(f"{at}/verify", {}, own_verifier), 403, "separation of duties")
    refused(api, api.post(f"{at}/verify", {}, PRINCIPAL), 403, "inspected_org_principal")
    assert api.event_count() == before


def test_only_the_group_leader_approves_a_finding(api: Api, stationed: Lifecycle) -> None:
    stationed.draft_finding()
    finding = f"/findings/{stationed.finding_ids[0]}"
    api.command(f"{finding}/review", {"meeting_ref": "组务会"}, LEADER)
    before = api.event_count()
    refused(api, api.post(f"{finding}/approve", {}, MEMBER), 403, "group_member")
    other_leader = type(LEADER)("leader-9", LEADER.role, LEADER.organization_id)
    # A leader of another group: outside the scope, answered as an unknown finding (404).
    refused(api, api.post(f"{finding}/approve", {}, other_leader), 404, "does not exist")
    assert api.event_count() == before


def test_an_incomplete_announcement_is_422(api: Api) -> None:
    life = Lifecycle(api)
    for step in (
        life.propose_round,
        life.approve_round,
        life.plan_inspection,
        life.authorize_group,
        life.issue_notice,
    ):
        step()
    before = api.event_count()
    body = {
        "published_on": day(-75),
        "scope": "范围",
        "focus": "重点",
        "period_start": day(-70),
        "period_end": day(-40),
        "contacts": {},
        "intake_deadline": day(-45),
    }
    refused(api, api.post(f"{life.at}/publish-announcement", body, OFFICE), 422, "contacts")
    body["scope"] = ""
    refused(api, api.post(f"{life.at}/publish-announcement", body, OFFICE), 422, "scope")
    assert api.event_count() == before


def test_authentication_and_headers_are_checked(api: Api, stationed: Lifecycle) -> None:
    before = api.event_count()
    path, body = f"{stationed.at}/end-stationing", {"withdrawn_on": day(-40)}
    refused(api, api.post(path, body, None), 401, "bearer token")
    response = api.client.post(path, json=body, headers={"Authorization": "Bearer forged"})
    refused(api, response, 401, "not valid")
    refused(api, api.post(path, body, LEADER, **{"If-Match": "yesterday"}), 400, "If-Match")
    refused(api, api.post(path, body, LIAISON), 403, "inspected_org_liaison")
    assert api.event_count() == before


def test_a_query_with_a_position_beyond_the_log_is_refused_at_once(api: Api) -> None:
    api.settings.read_wait_max_seconds = 30
    response = api.client.get(
        "/rounds", params={"min_position": 10**9}, headers=api.headers(OFFICE)
    )
    refused(api, response, 400, "beyond the end of the log")
    assert response.elapsed.total_seconds() < 10  # not the 30 s wait: that position never comes


def test_a_query_with_a_position_not_reached_answers_503(api: Api) -> None:
    api.client.app.state.container.runner.stop()  # type: ignore[attr-defined]
    position = Lifecycle(api).propose_round()["position"]
    api.settings.read_wait_max_seconds = 0.2
    response = api.client.get(
        "/rounds", params={"min_position": position}, headers=api.headers(OFFICE)
    )
    refused(api, response, 503, "has not reached position")
    assert response.headers["Retry-After"] == "1"


def test_a_query_parameter_given_twice_is_refused(api: Api) -> None:
    response = api.client.get("/rounds?limit=1&limit=500", headers=api.headers(OFFICE))
    refused(api, response, 400, "limit", "more than once")


def test_values_valid_only_by_coercion_are_refused(api: Api, stationed: Lifecycle) -> None:
    before = api.event_count()
    path = f"{stationed.at}/end-stationing"
    for value in (0, 1.5, True):  # pydantic's lax mode would read a number as a Unix time
        refused(api, api.post(path, {"withdrawn_on": value}, LEADER), 422, "withdrawn_on")
    nested = api.client.post(
        path,
        content=b"[" * 100_000,
        headers={**api.headers(LEADER), "Content-Type": "application/json"},
    )
    refused(api, nested, 400)
    assert api.event_count() == before


def test_whole_numbers_are_integers_as_in_json_schema() -> None:
    from xuncha.api.http.routes.factory import _whole_numbers_as_integers

    rewritten = _whole_numbers_as_integers(b'{"a": 2.0, "b": [1.5, -3.0]}')
    assert rewritten == b'{"a": 2, "b": [1.5, -3]}'
    assert _whole_numbers_as_integers(b'{"a": ') == b'{"a": '  # left for pydantic to report

"""Talent pool, draws and inspection groups over HTTP on real PostgreSQL: a drawn, formed,
cleared and pledged group is authorized and the lifecycle runs on; refusals append nothing;
`xuncha draw verify` re-derives a stored draw and detects an altered one."""

from __future__ import annotations

import json
from typing import Any

import psycopg
import pytest

from tests.support.api import DEPUTY, LEADER, LEADING_GROUP, MEMBER, MEMBER_2, OFFICE, Api, Who
from tests.support.lifecycle import FINDING, Lifecycle, day
from xuncha.api.cli.main import main
from xuncha.events.base import Role

POOL = [f"pool-{n}" for n in range(1, 7)]


def nominate(api: Api, user_id: str, **changes: Any) -> str:
    profile = {
        "user_id": user_id,
        "name": f"name of {user_id}",
        "specialties": ["finance" if user_id[-1] in "135" else "law"],
        "seniority_years": 8,
        "birth_year": 1985,
        "gender": "female",
        "home_jurisdiction": "yulin",
        "employer_organization": "org-audit",
        **changes,
    }
    body = {"jurisdiction_id": "yulin", "profile": profile, "nominating_organization": "org-audit"}
    member_id: str = api.command("/talent-pool/members", body, OFFICE, 201)["created_id"]
    api.command(f"/talent-pool/members/{member_id}/admit", {}, LEADING_GROUP)
    return member_id


def refused(api: Api, path: str, body: Any, who: Who, status: int, *words: str) -> None:
    before = api.event_count()
    response = api.post(path, body, who)
    assert response.status_code == status, response.text
    for word in words:
        assert word in response.json()["detail"], response.text
    assert api.event_count() == before


def test_a_drawn_group_is_formed_cleared_pledged_authorized_and_stationed(api: Api) -> None:
    for user_id in POOL:
        nominate(api, user_id)
    nominate(api, "pool-tied", employer_organization="org-water-bureau")
    life = Lifecycle(api)
    life.propose_round()
    life.approve_round()
    life.plan_inspection()
    body = {
        "round_id": life.round_id,
        "name": "第一巡察组",
        "inspection_ids": [life.inspection_id],
        "leader": {"user_id": "leader-1", "name": "张组长"},
        "deputies": [{"user_id": "deputy-1", "name": "李副组长"}],
    }
    group_id = api.command("/groups", body, OFFICE, 201)["created_id"]
    life.group_id = group_id
    at = f"/groups/{group_id}"

    draw_body = {"jurisdiction_id": "yulin", "count": 3, "purpose": "第一巡察组组员"}
    draw_body |= {"group_id": group_id, "seed": "2026-03-01 福彩3D 123"}
    draw = api.command("/talent-pool/draws", draw_body, OFFICE, 201)
    with psycopg.connect(api.client.app.state.container.conninfo) as conn:  # type: ignore[attr-defined]
        row = conn.execute(
            "SELECT state FROM stored_events WHERE originator_id = %s", (draw["created_id"],)
        ).fetchone()
    assert row is not None
    data = json.loads(bytes(row[0]))["data"]
    assert "org-water-bureau" in data["filters"]["exclude_organizations"]
    drawn = {c["member_id"]: c["user_id"] for c in data["candidates"]}
    member_ids = [drawn[m] for m in data["drawn"]]
    assert "pool-tied" not in member_ids

    # Someone the group does not name: out of scope, answered as an unknown group (404).
    refused(api, f"{at}/pledge", {"signed_on": day(-85)}, MEMBER, 404, "does not exist")
    members = [{"user_id": u, "name": u} for u in member_ids]
    form = api.command(f"{at}/form", {"members": members}, OFFICE)
    assert form["events"][0]["type"] == "group.formed"
    people = ["leader-1", "deputy-1", *member_ids]
    roles = [Role.GROUP_LEADER, Role.DEPUTY_GROUP_LEADER] + [Role.GROUP_MEMBER] * 3
    who = [Who(u, r, "org-xcb") for u, r in zip(people, roles, strict=True)]
    for person in who:
        api.command(f"{at}/recusal-declaration", {}, person)

    authorize = {"group_id": group_id, "window_start": day(-80), "window_end": day(-10)}
    refused(
        api,
        f"{life.at}/authorize-group",
        authorize,
        LEADING_GROUP,
        422,
        "recusal not cleared",
    )
    api.command(f"{at}/clear-recusal", {"user_ids": people}, OFFICE)
    refused(api, f"{life.at}/authorize-group", authorize, LEADING_GROUP, 422, "pledge not signed")
    for person in who:
        api.command(f"{at}/pledge", {"signed_on": day(-85)}, person)
    api.command(f"{life.at}/authorize-group", authorize, LEADING_GROUP)
    assert api.get(f"/inspections/{life.inspection_id}")["stage"] == "group_authorized"
    life.issue_notice()
    life.announce()
    life.station()
    assert api.get(f"/inspections/{life.inspection_id}")["stage"] == "stationed"


def test_a_tied_declaration_cannot_be_cleared_and_nothing_is_appended(api: Api) -> None:
    life = Lifecycle(api)
    life.propose_round()
    life.approve_round()
    life.plan_inspection()
    life.form_group()
    # A second group for the same target: its leader declares a spouse in the target.
    body = {
        "round_id": life.round_id,
        "name": "第二巡察组",
        "inspection_ids": [life.inspection_id],
        "leader": {"user_id": "leader-2", "name": "孙组长"},
    }
    other = api.command("/groups", body, OFFICE, 201)["created_id"]
    leader_2 = Who("leader-2", Role.GROUP_LEADER, "org-xcb")
    ties = {"relatives": [{"relation": "spouse", "organization_id": "org-water-bureau"}]}
    api.command(f"/groups/{other}/recusal-declaration", ties, leader_2)
    refused(
        api,
        f"/groups/{other}/clear-recusal",
        {"user_ids": ["leader-2"]},
        OFFICE,
        422,
        "must be recused",
    )
    refused(api, "/groups", {**body, "inspection_ids": []}, OFFICE, 422)
    refused(api, f"/groups/{other}/form", {"members": []}, LEADING_GROUP, 403)
    life.authorize_group()


def test_draw_verify_matches_and_detects_an_altered_candidate_list(
    api: Api, database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    for user_id in POOL:
        nominate(api, user_id)
    body = {"jurisdiction_id": "yulin", "count": 2, "purpose": "抽取", "seed": "s-1"}
    draw_id = api.command("/talent-pool/draws", body, OFFICE, 201)["created_id"]
    monkeypatch.setenv("XUNCHA_DATABASE_URL", database_url)
    assert main(["draw", "verify", draw_id]) == 0
    assert json.loads(capsys.readouterr().out)["matches"] is True

    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT state FROM stored_events WHERE originator_id = %s", (draw_id,)
        ).fetchone()
        assert row is not None
        envelope = json.loads(bytes(row[0]))
        envelope["data"]["candidates"] = envelope["data"]["candidates"][:-1]
        conn.execute(
            "UPDATE stored_events SET state = %s WHERE originator_id = %s",
            (json.dumps(envelope).encode(), draw_id),
        )
    assert main(["draw", "verify", draw_id]) == 1
    result = json.loads(capsys.readouterr().out)
    assert (result["matches"], result["digest_matches"]) == (False, False)


def test_a_late_recusal_sends_the_person_s_findings_back_for_review(api: Api) -> None:
    """回避 found after the authorization (DOMAIN.md §6.1 inv. 1): in one transaction the
    member leaves the inspection and their approved and reviewed findings need review again;
    another member's finding is untouched."""
    life = Lifecycle(api)
    life.to_stationed()
    approved, reviewed = life.draft_finding()["created_id"], life.draft_finding()["created_id"]
    others = api.command(f"{life.at}/findings", {"content": FINDING}, MEMBER_2, 201)
    life.review_and_approve_finding(approved)
    api.command(f"/findings/{reviewed}/review", {"meeting_ref": "组务会 2026-07"}, DEPUTY)

    body = {"user_id": MEMBER.user_id, "why": "配偶在被巡察单位任职（事后发现）"}
    result = api.command(f"/groups/{life.group_id}/recuse-member", body, OFFICE)
    kinds = sorted((e["type"], e["stream_id"]) for e in result["events"])
    assert kinds == sorted(
        [
            ("group.member_recused", life.group_id),
            ("inspection.group_member_recused", life.inspection_id),
            ("finding.review_required", approved),
            ("finding.review_required", reviewed),
        ]
    )
    assert others["created_id"] not in {e["stream_id"] for e in result["events"]}
    assert [w["code"] for w in result["warnings"]] == [
        "member_left_inspections",
        "findings_review_required",
    ]

    # Signed again only after a new review; the recused person no longer drafts.
    refused(api, f"/findings/{approved}/approve", {}, LEADER, 409, "approve the finding")
    # Recused: out of the inspection's scope, answered as an unknown inspection (404) once
    # `read_scope` has applied the recusal (until then the domain's own rule answers 403).
    api.get(life.at)  # waits for the recusal's position, `read_scope` included
    refused(api, f"{life.at}/findings", {"content": FINDING}, MEMBER, 404, "does not exist")
    life.review_and_approve_finding(approved)
    life.review_and_approve_finding(reviewed)


def test_a_late_recusal_leaves_an_approved_report_and_warns_the_office(api: Api) -> None:
    life = Lifecycle(api)
    life.to_report_approved()
    body = {"user_id": MEMBER.user_id, "why": "近亲属在被巡察单位任职（事后发现）"}
    result = api.command(f"/groups/{life.group_id}/recuse-member", body, OFFICE)
    types = [e["type"] for e in result["events"]]
    assert types == [
        "group.member_recused",
        "group.recusal_findings_reported",
        "inspection.group_member_recused",
    ]
    assert [w["code"] for w in result["warnings"]] == [
        "member_left_inspections",
        "recused_findings_in_approved_report",
    ]
    with psycopg.connect(api.client.app.state.container.conninfo) as conn:  # type: ignore[attr-defined]
        row = conn.execute(
            "SELECT state FROM stored_events WHERE topic = 'group.recusal_findings_reported'"
        ).fetchone()
    assert row is not None
    assert json.loads(bytes(row[0]))["data"]["findings"] == [
        {"inspection_id": life.inspection_id, "finding_id": life.finding_ids[0], "version": 1}
    ]
    assert api.get(life.at)["stage"] == "report_approved"

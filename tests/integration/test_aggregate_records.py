"""The readable record behind each id, on the real PostgreSQL over HTTP: what each shows
(worked out from the seeded workflow), what it never shows (sealed fields, declared ties),
who may read it and in what scope, corrections, and equality with a rebuild."""

from __future__ import annotations

import io
import json
from typing import Any

import psycopg
import pytest

from tests.integration.test_records import equal_to_a_rebuild, record_in_error
from tests.support.api import (
    DEPUTY,
    DISCIPLINE,
    LEADER,
    MEMBER,
    OFFICE,
    PRINCIPAL,
    Api,
    Who,
)
from tests.support.creations import INTERVIEWEE, PETITION_TEXT, PETITIONER, Creations, seed
from tests.support.lifecycle import FINDING, day
from xuncha.api.cli.demo import Progress, load
from xuncha.events.base import Role

pytestmark = pytest.mark.integration

RECORD_MODELS = (
    "group_record",
    "finding_record",
    "report_record",
    "supplementary_report_record",
    "feedback_record",
    "plan_record",
    "pool_member_record",
    "draw_record",
    "education_record",
)
OUTSIDE_LEADER = Who("leader-9", Role.GROUP_LEADER, "org-xcb")
OTHER_PRINCIPAL = Who("principal-9", Role.INSPECTED_ORG_PRINCIPAL, "org-roads")
ORG_DEPT = Who("od-1", Role.ORGANIZATION_DEPARTMENT, "org-zzb")


def status(api: Api, path: str, who: Who) -> int:
    params = {"min_position": api.position}
    return int(api.client.get(path, params=params, headers=api.headers(who)).status_code)


def created(c: Creations, route: str, n: int = 0) -> str:
    return str(c.answers[route][n].body["created_id"])


@pytest.fixture
def seeded(api: Api) -> tuple[Creations, Any]:
    return seed(api)


def test_a_group_shows_members_recusals_pledges_and_status_never_declared_ties(
    api: Api, seeded: tuple[Creations, Any]
) -> None:
    _, life = seeded
    group = api.get(f"/groups/{life.group_id}", OFFICE)
    assert group["status"] == "authorized"
    assert [(m["user_id"], m["role"]) for m in group["members"]] == [
        ("leader-1", "leader"),
        ("deputy-1", "deputy"),
        ("member-1", "member"),
        ("member-2", "member"),
        ("member-3", "member"),
    ]
    # Five declared (no conflicts) and cleared; five pledges signed 85 days ago.
    assert {(r["user_id"], r["status"], r["conflicts"]) for r in group["recusals"]} == {
        (user, "cleared", 0)
        for user in ("leader-1", "deputy-1", "member-1", "member-2", "member-3")
    }
    assert [p["signed_on"] for p in group["pledges"]] == [day(-85)] * 5
    assert [a["inspection_id"] for a in group["authorizations"]] == [life.inspection_id]
    assert (
        group["stream_version"]
        == api.get("/audit-trail", stream_id=life.group_id)["items"][-1]["stream_version"]
    )
    assert "relatives" not in json.dumps(group)
    assert "work" not in group["recusals"][0]
    # Its own people and the organization department read it; a leader of no inspection and
    # the inspected organization do not.
    assert status(api, f"/groups/{life.group_id}", MEMBER) == 200
    assert status(api, f"/groups/{life.group_id}", ORG_DEPT) == 200
    assert status(api, f"/groups/{life.group_id}", OUTSIDE_LEADER) == 404
    assert status(api, f"/groups/{life.group_id}", PRINCIPAL) == 403


def test_a_finding_shows_versions_review_signature_and_tags(
    api: Api, seeded: tuple[Creations, Any]
) -> None:
    _, life = seeded
    finding = api.get(f"/findings/{life.finding_ids[0]}", LEADER)
    assert (finding["status"], finding["version"], finding["stream_version"]) == ("approved", 1, 3)
    assert finding["content"]["tags"] == FINDING["tags"]
    assert [v["version"] for v in finding["versions"]] == [1]
    assert [(r["by"], r["meeting_ref"]) for r in finding["reviews"]] == [
        (DEPUTY.user_id, "组务会 2026-07")
    ]
    assert [(a["by"], a["version"]) for a in finding["approvals"]] == [(LEADER.user_id, 1)]
    assert status(api, f"/findings/{life.finding_ids[0]}", OUTSIDE_LEADER) == 404
    assert status(api, f"/findings/{life.finding_ids[0]}", PRINCIPAL) == 403


def test_report_feedback_and_plan_with_its_three_lists(
    api: Api, seeded: tuple[Creations, Any]
) -> None:
    _, life = seeded
    report = api.get(f"{life.at}/report", DISCIPLINE)
    assert (report["status"], report["version"]) == ("approved", 1)
    assert [len(report[k]) for k in ("versions", "office_reviews", "deliberations")] == [1, 1, 1]
    assert report["approvals"][0]["approved_on"] == day(-30)
    assert report["versions"][0]["findings"] == [{"finding_id": life.finding_ids[0], "version": 1}]

    feedback = api.get(f"{life.at}/feedback", PRINCIPAL)
    assert (feedback["status"], feedback["opinion"]) == ("delivered", "整改意见")
    assert feedback["ledger"] == [
        {"item_no": 1, "problem": "违规拆分采购", "finding_ids": life.finding_ids}
    ]
    assert feedback["delivery"]["delivered_on"] == day(-20)

    plan = api.get(f"{life.at}/rectification-plan", PRINCIPAL)
    assert (plan["status"], plan["plan_version"]) == ("accepted", 1)
    assert plan["problem_list"] == [
        {"ledger_item_no": 1, "problem": "违规拆分采购", "finding_ids": life.finding_ids}
    ]
    assert plan["task_list"] == [
        {
            "ledger_item_no": 1,
            "measures": "重新招标并建立采购审查制度",
            "deadline": day(30),
            "item_id": life.item_ids[0],
        }
    ]
    assert plan["responsibility_list"] == [
        {
            "ledger_item_no": 1,
            "responsible_leader": "局长",
            "responsible_department": "财务科",
            "deadline": day(30),
        }
    ]
    # Another organization's principal: as for an unknown inspection.
    for path in ("/feedback", "/rectification-plan"):
        assert status(api, life.at + path, OTHER_PRINCIPAL) == 404
    assert status(api, f"{life.at}/report", PRINCIPAL) == 403


def test_sealed_fields_and_declared_ties_are_never_shown(
    api: Api, seeded: tuple[Creations, Any]
) -> None:
    c, _ = seeded
    petition = api.get(f"/petitions/{created(c, '/inspections/{inspection_id}/petitions')}")
    interview = api.get(f"/interviews/{created(c, '/inspections/{inspection_id}/interviews')}")
    assert (petition["petitioner"], petition["content"]) == ("[sealed]", "[sealed]")
    assert (interview["interviewee"], interview["record"]) == ("[sealed]", "[sealed]")
    text = json.dumps([petition, interview], ensure_ascii=False)
    assert not any(secret in text for secret in (PETITIONER, PETITION_TEXT, INTERVIEWEE))
    member = api.get(f"/talent-pool/members/{created(c, '/talent-pool/members')}", ORG_DEPT)
    assert (member["status"], member["profile"]["name"]) == ("admitted", "孙干部")
    assert "org-tax" not in json.dumps(member)  # a declared relative's workplace
    supplementary = api.get(
        f"/supplementary-reports/{created(c, '/inspections/{inspection_id}/supplementary-reports')}"
    )
    assert "专题内容" not in json.dumps(supplementary, ensure_ascii=False)
    assert supplementary["versions"][0]["content_hash"]


def test_a_draw_shows_seed_candidates_and_result(api: Api, seeded: tuple[Creations, Any]) -> None:
    c, _ = seeded
    draw = api.get(f"/talent-pool/draws/{created(c, '/talent-pool/draws')}")
    assert (draw["seed"], draw["count"]) == ("2026-03-01", 1)
    # Both admitted members (the nominee and the expert) were candidates; one was drawn.
    assert {x["user_id"] for x in draw["candidates"]} == {"pool-1", "expert-1"}
    assert len(draw["drawn"]) == 1
    assert draw["drawn"][0] in {x["member_id"] for x in draw["candidates"]}


def test_a_record_created_in_error_says_so(api: Api, seeded: tuple[Creations, Any]) -> None:
    c, _ = seeded
    answer = c.answers["/warning-bulletins"][0].body
    record_in_error(api, answer, "通报对象有误")
    bulletin = api.get(f"/education-records/{answer['created_id']}")
    assert bulletin["recorded_in_error"] is True
    assert bulletin["corrections"] == [
        {
            "stream_version": 1,
            "event_type": "education.warning_bulletin_issued",
            "reason": "通报对象有误",
        }
    ]


def test_the_record_read_models_equal_a_rebuild(api: Api, seeded: tuple[Creations, Any]) -> None:
    c, _ = seeded
    record_in_error(api, c.answers["/warning-bulletins"][0].body, "通报对象有误")
    api.get("/education-records/" + created(c, "/warning-bulletins"))  # caught up
    for name in RECORD_MODELS:
        assert equal_to_a_rebuild(api, name)


RECORD_TABLES = (
    "rm_group",
    "rm_finding",
    "rm_supplementary_report",
    "rm_feedback",
    "rm_pool_member",
    "rm_draw",
    "rm_education_record",
)


def test_each_record_version_equals_its_stream_version(
    api: Api, seeded: tuple[Creations, Any]
) -> None:
    """A record's `stream_version` is what `If-Match` on its commands must carry."""
    c, _ = seeded
    api.get("/education-records/" + created(c, "/warning-bulletins"))  # caught up
    conninfo = api.client.app.state.container.conninfo  # type: ignore[attr-defined]
    with psycopg.connect(conninfo) as conn:
        heads = dict(
            conn.execute(
                "SELECT originator_id, max(originator_version) FROM stored_events GROUP BY 1"
            ).fetchall()
        )
        stale = []
        for table in RECORD_TABLES:
            rows = conn.execute(f"SELECT stream_id, stream_version FROM {table}").fetchall()
            assert rows, f"{table} is empty: the workflow seeds it"
            stale += [(table, s, v, heads.get(s)) for s, v in rows if heads.get(s) != v]
    assert stale == []


EMPTY_IN_DEMO = ("rm_supplementary_report", "rm_education_record")


def test_the_demo_log_is_folded_into_every_record_without_a_parked_event(api: Api) -> None:
    """The demo's ~1,000 commands (amendments, conflicts, recusals, reopenings, every stage)
    fold into the record read models: nothing parked, equal to a rebuild, every record read."""
    container = api.client.app.state.container  # type: ignore[attr-defined]
    load(container.app, seed=7, progress=Progress(1, out=io.StringIO()))
    api.position = container.store.head()
    api.get("/rounds")  # caught up
    with psycopg.connect(container.conninfo) as conn:
        parked = conn.execute("SELECT name, event_type, error FROM projection_parked").fetchall()
        ids = {
            table: [row[0] for row in conn.execute(f"SELECT record_id FROM {table}").fetchall()]
            for table in (*RECORD_TABLES, "rm_report", "rm_rectification_plan")
        }
    assert parked == []
    counts = {table: len(found) for table, found in ids.items()}
    # The demo (seed 7) has no supplementary reports or education records; the rest it has.
    assert min(n for t, n in counts.items() if t not in EMPTY_IN_DEMO) > 0, counts
    paths = {
        "rm_group": "/groups/{}",
        "rm_finding": "/findings/{}",
        "rm_supplementary_report": "/supplementary-reports/{}",
        "rm_feedback": "/inspections/{}/feedback",
        "rm_pool_member": "/talent-pool/members/{}",
        "rm_draw": "/talent-pool/draws/{}",
        "rm_education_record": "/education-records/{}",
        "rm_report": "/inspections/{}/report",
        "rm_rectification_plan": "/inspections/{}/rectification-plan",
    }
    for table, template in paths.items():
        for record_id in ids[table]:
            api.get(template.format(record_id), OFFICE)  # 200 and the response model holds
    for name in RECORD_MODELS:
        assert equal_to_a_rebuild(api, name)

"""Record read models over HTTP on real PostgreSQL: term coverage (届内全覆盖), shared results
for annual evaluation (结果共享) and the inspector record (巡察干部档案), each checked against
figures worked out by hand from the scenario; who may read them; bad queries answer 4xx."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.integration.test_groups import nominate
from tests.support import lifecycle
from tests.support.api import (
    COMMITTEE,
    DEPUTY,
    LEADER,
    LEADING_GROUP,
    MEMBER,
    MEMBER_2,
    MEMBER_3,
    OFFICE,
    PRINCIPAL,
    TARGET_ORG,
    Api,
    Who,
)
from tests.support.lifecycle import FINDING, Lifecycle, day
from xuncha.commands.service import utc_now
from xuncha.events.base import Role
from xuncha.projections.rebuild import verify

DASHBOARD = Who("dash-1", Role.DASHBOARD_READER, "org-city-committee")
ORG_DEPT = Who("od-1", Role.ORGANIZATION_DEPARTMENT, "org-zzb")
AUDITOR = Who("audit-1", Role.AUDITOR, "org-audit-office")
OTHER_PRINCIPAL = Who("principal-9", Role.INSPECTED_ORG_PRINCIPAL, "org-roads")


def status_of(api: Api, path: str, who: Who, **params: Any) -> int:
    response = api.client.get(path, params=params, headers=api.headers(who))
    code = int(response.status_code)
    if code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")
    return code


def equal_to_a_rebuild(api: Api, name: str) -> bool:
    """The live read model equals one built afresh from the log (deterministic handlers)."""
    runner = api.client.app.state.container.runner  # type: ignore[attr-defined]
    report = verify(runner, name)
    assert report.equal, report.text()
    return True


def record_in_error(api: Api, result: Any, why: str) -> None:
    """Mark the (only) event of a command's result as recorded in error."""
    [event] = result["events"]
    body = {
        "stream_version": event["stream_version"],
        "why": why,
        "approved_by": {"user_id": "director-1", "name": "王主任"},
    }
    api.command(f"/streams/{event['stream_id']}/events-recorded-in-error", body, OFFICE)


def register_yulin(api: Api, organizations: list[str]) -> None:
    body = {"jurisdiction_id": "yulin", "name": "榆林市", "level": "city", "committee": "市委"}
    api.command("/jurisdictions", body, OFFICE)
    for organization in organizations:
        api.command(
            "/jurisdictions/organizations",
            {
                "jurisdiction_id": "yulin",
                "organization_id": organization,
                "name": f"name of {organization}",
                "organization_type": "department",
            },
            OFFICE,
        )


# Term coverage ------------------------------------------------------------------------------


def test_term_coverage_counts_stationed_inspections_within_the_term(api: Api) -> None:
    orgs = [TARGET_ORG, "org-roads", "org-parks", "org-schools"]
    register_yulin(api, orgs)
    current = {
        "jurisdiction_id": "yulin",
        "term": "第五届",
        "term_start": day(-400),
        "term_end": day(800),
        "organization_ids": orgs,
    }
    api.command("/coverage-plans", current, OFFICE)
    api.command(
        "/coverage-plans/approve", {"jurisdiction_id": "yulin", "term": "第五届"}, COMMITTEE
    )
    earlier = {**current, "term": "第四届", "term_start": day(-2000), "term_end": day(-401)}
    api.command("/coverage-plans", earlier, OFFICE)

    # The water bureau is inspected (stationed 70 days ago); the roads bureau is planned in the
    # same round but not stationed; a cancelled inspection of the schools does not count; the
    # parks bureau is abolished.
    life = Lifecycle(api)
    life.to_stationed()
    body = {"organization_id": "org-roads", "organization_name": "交通局", "group_name": "二组"}
    api.command(f"/rounds/{life.round_id}/inspections", body, OFFICE, 201)
    body = {"organization_id": "org-schools", "organization_name": "教育局", "group_name": "三组"}
    schools = api.command(f"/rounds/{life.round_id}/inspections", body, OFFICE, 201)
    cancelled = api.command(
        f"/inspections/{schools['created_id']}/cancel", {"why": "机构改革"}, LEADING_GROUP
    )
    api.command(
        "/jurisdictions/organizations/deregister",
        {"jurisdiction_id": "yulin", "organization_id": "org-parks", "why": "撤并"},
        OFFICE,
    )
    rename = {"jurisdiction_id": "yulin", "organization_id": "org-roads", "name": "市交通运输局"}
    api.command("/jurisdictions/organizations/rename", rename, OFFICE)

    term = api.get("/coverage/terms/yulin:第五届", DASHBOARD)
    assert (term["term_id"], term["jurisdiction_id"], term["approved"]) == (
        "yulin:第五届",
        "yulin",
        True,
    )
    figures = ("planned", "inspected", "scheduled", "due", "deregistered", "feedback_delivered")
    assert [term[f] for f in figures] == [4, 1, 1, 1, 1, 0]
    assert term["coverage_rate"] == 0.3333  # 1 of the 3 still registered
    rows = {row["organization_id"]: row for row in term["organizations"]["items"]}
    assert [row["organization_id"] for row in term["organizations"]["items"]] == orgs  # plan order
    assert {o: rows[o]["status"] for o in orgs} == {
        TARGET_ORG: "inspected",
        "org-roads": "scheduled",
        "org-parks": "deregistered",
        "org-schools": "due",
    }
    water = rows[TARGET_ORG]
    assert (water["inspection_id"], water["stationed_on"], water["inspections"]) == (
        life.inspection_id,
        day(-70),
        1,
    )
    assert rows["org-roads"]["organization_name"] == "市交通运输局"
    assert rows["org-roads"]["scheduled_round_id"] == life.round_id
    assert rows["org-schools"]["inspection_id"] is None

    # The earlier term ended before any stationing: nothing is inspected in it.
    old = api.get("/coverage/terms/yulin:第四届", OFFICE)
    assert [old[f] for f in figures] == [4, 0, 0, 3, 1, 0]
    assert (old["coverage_rate"], old["approved"]) == (0.0, False)

    due = api.get("/coverage/terms/yulin:第五届", COMMITTEE, status="due")["organizations"]["items"]
    assert [row["organization_id"] for row in due] == ["org-schools"]
    by_status = api.get("/coverage/terms/yulin:第五届", AUDITOR, sort="status", limit=2)
    assert [r["status"] for r in by_status["organizations"]["items"]] == ["deregistered", "due"]
    terms = api.get("/coverage/terms", LEADING_GROUP, jurisdiction_id="yulin")["items"]
    assert [t["term_id"] for t in terms] == ["yulin:第五届", "yulin:第四届"]

    # Feedback delivered later is shown and counted.
    life.draft_finding()
    life.review_and_approve_finding(life.finding_ids[0])
    life.withdraw()
    life.report_through_approval()
    life.feedback()
    term = api.get("/coverage/terms/yulin:第五届", OFFICE)
    assert term["feedback_delivered"] == 1
    assert term["organizations"]["items"][0]["feedback_delivered_on"] == day(-20)

    assert status_of(api, "/coverage/terms/yulin:第五届", OFFICE, sort="nonsense") == 422
    assert status_of(api, "/coverage/terms/yulin:第五届", OFFICE, status="finished") == 422
    assert status_of(api, "/coverage/terms/yulin:第五届", OFFICE, limit=0) == 400  # page size
    assert status_of(api, "/coverage/terms/yulin:第九届", OFFICE) == 404
    assert status_of(api, "/coverage/terms/yulin:第五届", PRINCIPAL) == 403
    assert status_of(api, "/coverage/terms", ORG_DEPT) == 403

    # The cancellation was recorded in error: the schools' inspection is scheduled again.
    record_in_error(api, cancelled, "取消决定未经审批")
    term = api.get("/coverage/terms/yulin:第五届", OFFICE, status="scheduled")
    assert [term[f] for f in figures] == [4, 1, 2, 0, 1, 1]
    assert [r["organization_id"] for r in term["organizations"]["items"]] == [
        "org-roads",
        "org-schools",
    ]
    assert equal_to_a_rebuild(api, "term_coverage")


# Shared results ------------------------------------------------------------------------------


def test_shared_results_file_the_last_share_of_the_year_with_what_policy_allows(
    api: Api,
) -> None:
    policy = {
        "jurisdiction_id": "yulin",
        "effective_from": day(-300),
        "parameters": {"evaluation_delay_months": 0, "share_responsible_leaders": True},
    }
    api.command("/policy-versions", policy, OFFICE)
    life = Lifecycle(api)
    life.to_stationed()
    life.draft_finding()
    second = {
        **FINDING,
        "title": "Cadre appointed without vetting",
        "tags": ["三重一大", "选人用人"],
    }
    result = api.command(f"{life.at}/findings", {"content": second}, MEMBER, 201)
    life.finding_ids.append(result["created_id"])
    for finding_id in life.finding_ids:
        life.review_and_approve_finding(finding_id)
    life.withdraw()
    life.report_through_approval()
    at = life.at

    api.command(f"{at}/shared-results", {"leads": None}, OFFICE)
    year = lifecycle.TODAY.year
    first = api.get(f"/shared-results/{TARGET_ORG}/{year}", ORG_DEPT)["items"]
    assert len(first) == 1
    record = first[0]
    assert (record["sequence"], record["basis"], record["published_on"]) == (
        1,
        "report_approved",
        day(0),
    )
    assert record["findings_total"] == 2
    assert record["findings_by_category"] == {"三重一大": 2, "选人用人": 1}
    assert (record["rectification"], record["leads"], record["evaluation_grade"]) == (
        None,
        None,
        None,
    )
    assert (record["evaluation"], record["responsible_leaders"]) == (None, None)

    # Rectification done and evaluated; shared again with lead counts.
    life.feedback()
    life.plan_accepted()
    life.close_item(life.item_ids[0])
    life.rectification_report_accepted()
    evaluation = {
        "evaluated_on": day(0),
        "score": 88,
        "grade": "good",
        "indicators": [{"name": "整改完成率", "score": 18, "max_score": 20}],
        "evaluators": ["巡察办"],
    }
    evaluated = api.command(f"{at}/follow-up/evaluate", evaluation, OFFICE)
    leads = {"transferred": 3, "disposed": 2, "open": 1}
    shared = api.command(f"{at}/shared-results", {"leads": leads}, OFFICE)

    rows = api.get("/shared-results", OFFICE, organization_id=TARGET_ORG, year=year)["items"]
    assert len(rows) == 1  # one record per inspection and year: the last share
    record = rows[0]
    assert (record["sequence"], record["basis"]) == (2, "evaluated")
    assert (record["round_id"], record["inspection_id"]) == (life.round_id, life.inspection_id)
    assert record["rectification"] == {
        "items_total": 1,
        "items_closed": 1,
        "items_long_term": 0,
        "items_reopened": 0,
        "items_extended": 0,
        "completion_rate": 1.0,
    }
    assert record["leads"] == leads
    assert record["evaluation_grade"] == "good"
    assert record["evaluation"] == {
        "evaluation_no": 1,
        "evaluated_on": day(0),
        "score": 88.0,
        "grade": "good",
    }
    assert record["responsible_leaders"] == ["局长"]  # the policy allows naming them

    # Filters and sorting.
    assert api.get("/shared-results", AUDITOR, round_id=life.round_id)["items"] == rows
    assert api.get("/shared-results", COMMITTEE, evaluation_grade="poor")["items"] == []
    assert api.get("/shared-results", LEADING_GROUP, year=year - 1)["items"] == []
    assert api.get("/shared-results", OFFICE, sort="-completion_rate")["items"] == rows

    # The inspected organization reads its own record only; others are 403.
    assert api.get("/shared-results", PRINCIPAL)["items"] == rows
    assert api.get("/shared-results", OTHER_PRINCIPAL)["items"] == []
    assert api.get("/shared-results", OTHER_PRINCIPAL, organization_id=TARGET_ORG)["items"] == []
    assert status_of(api, f"/shared-results/{TARGET_ORG}/{year}", OTHER_PRINCIPAL) == 404
    assert status_of(api, f"/shared-results/{TARGET_ORG}/{year}", DASHBOARD) == 403
    assert status_of(api, "/shared-results", LEADER) == 403
    assert status_of(api, f"/shared-results/{TARGET_ORG}/{year - 1}", OFFICE) == 404
    assert status_of(api, f"/shared-results/{TARGET_ORG}/12", OFFICE) == 422
    assert status_of(api, "/shared-results", OFFICE, sort="grade") == 422
    assert status_of(api, "/shared-results", OFFICE, round_id="not-a-uuid") == 422

    # Corrections: the share stays, marked; the evaluation recorded in error is not shown.
    assert record["recorded_in_error"] is None
    record_in_error(api, shared, "线索数字有误")
    record_in_error(api, evaluated, "评估未按规定组织")
    [record] = api.get("/shared-results", ORG_DEPT, organization_id=TARGET_ORG)["items"]
    assert (record["sequence"], record["recorded_in_error"]) == (2, "线索数字有误")
    assert (record["evaluation_grade"], record["evaluation"]) == ("good", None)
    assert equal_to_a_rebuild(api, "shared_results")


def test_shared_results_name_no_leaders_under_the_default_policy(api: Api) -> None:
    life = Lifecycle(api)
    life.to_rectifying()
    api.command(f"{life.at}/shared-results", {"leads": None}, OFFICE)
    [record] = api.get("/shared-results", ORG_DEPT, organization_id=TARGET_ORG)["items"]
    assert record["rectification"]["items_total"] == 1
    assert record["rectification"]["completion_rate"] == 0.0
    assert record["responsible_leaders"] is None


def test_a_result_shared_again_the_next_year_gives_one_record_per_year(api: Api) -> None:
    policy = {
        "jurisdiction_id": "yulin",
        "effective_from": day(-300),
        "parameters": {"evaluation_delay_months": 0},
    }
    api.command("/policy-versions", policy, OFFICE)
    life = Lifecycle(api)
    life.to_rectifying()
    api.command(f"{life.at}/shared-results", {"leads": None}, OFFICE)
    life.close_item(life.item_ids[0])
    life.rectification_report_accepted()
    evaluation = {
        "evaluated_on": day(0),
        "score": 95.5,
        "grade": "excellent",
        "indicators": [{"name": "整改完成率", "score": 20, "max_score": 20}],
        "evaluators": ["巡察办"],
    }
    api.command(f"{life.at}/follow-up/evaluate", evaluation, OFFICE)
    # The office shares the evaluated result in January of the next year.
    app = api.client.app.state.container.app  # type: ignore[attr-defined]
    year = lifecycle.TODAY.year
    january = datetime(year + 1, 1, 15, 9, tzinfo=UTC)
    app.clock = lambda: january
    try:
        api.command(f"{life.at}/shared-results", {"leads": None}, OFFICE)
    finally:
        app.clock = utc_now

    rows = api.get("/shared-results", ORG_DEPT, organization_id=TARGET_ORG, sort="year")["items"]
    assert [(r["year"], r["sequence"], r["basis"]) for r in rows] == [
        (year, 1, "report_approved"),
        (year + 1, 2, "evaluated"),
    ]
    this_year, next_year = rows
    assert this_year["rectification"]["completion_rate"] == 0.0  # as shared: nothing closed
    assert next_year["rectification"]["completion_rate"] == 1.0
    assert (this_year["evaluation_grade"], next_year["evaluation_grade"]) == (None, "excellent")
    done = {"evaluation_no": 1, "evaluated_on": day(0), "score": 95.5, "grade": "excellent"}
    assert this_year["evaluation"] == next_year["evaluation"] == done  # evaluated this year
    assert next_year["published_on"] == f"{year + 1}-01-15"
    assert api.get(f"/shared-results/{TARGET_ORG}/{year + 1}", PRINCIPAL)["items"] == [next_year]
    assert api.get("/shared-results", AUDITOR, sort="-year")["items"] == [next_year, this_year]
    assert equal_to_a_rebuild(api, "shared_results")


# Inspector record ----------------------------------------------------------------------------


def test_inspector_record_collects_service_evaluations_training_recusals_and_sanctions(
    api: Api,
) -> None:
    member_id = nominate(api, MEMBER.user_id)
    life = Lifecycle(api)
    life.to_stationed()
    mgmt = f"{life.at}/management"
    training = {
        "kind": "external_training",
        "user_ids": [MEMBER.user_id, MEMBER_2.user_id],
        "title": "巡察业务培训",
        "provider": "省委巡视办",
        "completed_on": day(-60),
        "hours": 16,
    }
    api.command(f"{mgmt}/training", training, OFFICE)
    commend = {"user_id": MEMBER.user_id, "reason_text": "发现重要线索", "decided_on": day(-50)}
    api.command(f"{mgmt}/commendations", commend, LEADING_GROUP)
    penalty = {
        "user_id": MEMBER.user_id,
        "penalty": "通报批评",
        "reason_text": "迟到",
        "decided_on": day(-45),
    }
    api.command(f"{mgmt}/penalties", penalty, OFFICE)
    wrong = {**penalty, "penalty": "诫勉谈话", "decided_on": day(-44)}
    record_in_error(api, api.command(f"{mgmt}/penalties", wrong, OFFICE), "记错了人")
    # A conflict found after the authorization: member-3 is recused from group and inspection.
    recuse = {"user_id": MEMBER_3.user_id, "why": "配偶在被巡察单位任职"}
    api.command(f"/groups/{life.group_id}/recuse-member", recuse, OFFICE)
    life.withdraw()
    api.command(f"/groups/{life.group_id}/dissolve", {"dissolved_on": day(-5)}, OFFICE)
    evaluation = {
        "group_id": life.group_id,
        "grade": "excellent",
        "text": "工作认真",
        "issued_on": day(-1),
    }
    api.command(f"/talent-pool/members/{member_id}/service-evaluations", evaluation, OFFICE)

    record = api.get(f"/inspectors/{MEMBER.user_id}/record", OFFICE)
    assert (record["name"], record["member_id"], record["pool_status"]) == (
        "name of member-1",
        member_id,
        "admitted",
    )
    assert (record["jurisdiction_id"], record["external"]) == ("yulin", False)
    counts = (
        "rounds_served",
        "as_leader",
        "as_deputy",
        "as_member",
        "evaluations",
        "trainings",
        "training_hours",
        "recusals",
        "commendations",
        "penalties",
        "accountability",
    )
    assert [record[c] for c in counts] == [1, 0, 0, 1, 1, 1, 16, 0, 1, 1, 0]
    [service] = record["services"]
    assert (service["group_id"], service["round_id"], service["role"], service["status"]) == (
        life.group_id,
        life.round_id,
        "member",
        "served",
    )
    assert service["dissolved_on"] == day(-5)
    assert [i["inspection_id"] for i in service["inspections"]] == [life.inspection_id]
    [ev] = record["service_evaluations"]
    assert (ev["grade"], ev["text"], ev["issued_on"]) == ("excellent", "工作认真", day(-1))
    [course] = record["training"]
    assert (course["kind"], course["hours"], course["completed_on"]) == (
        "external_training",
        16,
        day(-60),
    )
    assert [r["kind"] for r in record["recusal_history"]] == ["declared", "cleared"]
    assert record["recusal_history"][0]["conflict_kinds"] == []
    entries = record["rewards_and_penalties"]
    assert [(s["kind"], s["measure"], s["recorded_in_error"]) for s in entries] == [
        ("commendation", None, None),
        ("penalty", "通报批评", None),
        ("penalty", "诫勉谈话", "记错了人"),  # listed, marked, not counted
    ]

    recused = api.get(f"/inspectors/{MEMBER_3.user_id}/record", OFFICE)
    assert [recused[c] for c in ("rounds_served", "as_member", "recusals")] == [0, 0, 1]
    assert recused["services"][0]["status"] == "recused"
    assert [r["kind"] for r in recused["recusal_history"]] == [
        "declared",
        "cleared",
        "recused",
        "recused_from_inspection",
    ]
    assert recused["recusal_history"][2]["reason"] == "配偶在被巡察单位任职"
    assert recused["pool_status"] is None  # never in the pool: known from the group only

    leader = api.get(f"/inspectors/{LEADER.user_id}/record", AUDITOR)
    assert [leader[c] for c in ("name", "rounds_served", "as_leader")] == ["张组长", 1, 1]

    # The roster: filters and sorting.
    everyone = api.get("/inspectors", ORG_DEPT, sort="user_id")["items"]
    assert [p["user_id"] for p in everyone] == sorted(
        w.user_id for w in (LEADER, DEPUTY, MEMBER, MEMBER_2, MEMBER_3)
    )
    pool = api.get("/inspectors", OFFICE, pool_status="admitted")["items"]
    assert [p["user_id"] for p in pool] == [MEMBER.user_id]
    served = api.get("/inspectors", OFFICE, min_rounds_served=1, sort="-commendations")["items"]
    assert [p["user_id"] for p in served] == [
        MEMBER.user_id,  # one commendation, then the others by user id
        DEPUTY.user_id,
        LEADER.user_id,
        MEMBER_2.user_id,
    ]

    # An inspector reads their own record only; the office and others as the brief says.
    assert api.get(f"/inspectors/{MEMBER.user_id}/record", MEMBER) == record
    assert status_of(api, f"/inspectors/{MEMBER.user_id}/record", MEMBER_2) == 404
    assert status_of(api, f"/inspectors/{MEMBER.user_id}/record", PRINCIPAL) == 403
    assert status_of(api, f"/inspectors/{MEMBER.user_id}/record", DASHBOARD) == 403
    assert status_of(api, "/inspectors", MEMBER) == 403
    assert status_of(api, "/inspectors/nobody/record", OFFICE) == 404
    assert status_of(api, "/inspectors", OFFICE, sort="age") == 422
    assert status_of(api, "/inspectors", OFFICE, pool_status="retired") == 422
    assert equal_to_a_rebuild(api, "inspector_record")


def test_record_queries_refuse_identifiers_postgresql_cannot_hold(api: Api) -> None:
    cases: list[tuple[str, dict[str, Any]]] = [
        ("/coverage/terms/yulin:a%00b", {}),
        ("/coverage/terms", {"jurisdiction_id": "yu\x00lin"}),
        ("/shared-results", {"organization_id": "org\x00"}),
        ("/shared-results/org%00/2026", {}),
        ("/inspectors/member%001/record", {}),
        ("/inspectors", {"jurisdiction_id": "\x00"}),
        ("/coverage/terms/" + "x" * 201, {}),
        ("/shared-results", {"year": 10000}),
        ("/inspectors", {"min_rounds_served": -1}),
    ]
    for path, params in cases:
        assert status_of(api, path, OFFICE, **params) == 422, (path, params)


def test_a_county_term_counts_inspections_planned_by_the_city_s_escalated_rounds(
    api: Api,
) -> None:
    register_yulin(api, [TARGET_ORG])
    county = {
        "jurisdiction_id": "shenmu",
        "name": "神木市",
        "level": "county",
        "parent_id": "yulin",
        "committee": "神木市委",
    }
    api.command("/jurisdictions", county, OFFICE)
    for organization in ("org-shenmu-finance", "org-shenmu-town"):
        body = {
            "jurisdiction_id": "shenmu",
            "organization_id": organization,
            "name": f"name of {organization}",
            "organization_type": "township",
        }
        api.command("/jurisdictions/organizations", body, OFFICE)
    plan = {
        "jurisdiction_id": "shenmu",
        "term": "第十七届",
        "term_start": day(-400),
        "term_end": day(800),
        "organization_ids": ["org-shenmu-finance", "org-shenmu-town"],
    }
    api.command("/coverage-plans", plan, OFFICE)
    escalated = {
        "jurisdiction_id": "yulin",
        "committee": "中共榆林市委",
        "name": "提级巡察",
        "round_type": "escalated",
        "planned_start": day(-10),
        "planned_end": day(100),
    }
    round_id = api.command("/rounds", escalated, OFFICE, 201)["created_id"]
    api.command(f"/rounds/{round_id}/approve", {}, COMMITTEE)
    body = {
        "organization_id": "org-shenmu-finance",
        "organization_name": "财政局",
        "group_name": "一组",
        "organization_jurisdiction_id": "shenmu",
    }
    api.command(f"/rounds/{round_id}/inspections", body, OFFICE, 201)

    term = api.get("/coverage/terms/shenmu:第十七届", COMMITTEE)
    statuses = {r["organization_id"]: r["status"] for r in term["organizations"]["items"]}
    assert statuses == {"org-shenmu-finance": "scheduled", "org-shenmu-town": "due"}
    assert (term["planned"], term["scheduled"], term["due"], term["coverage_rate"]) == (
        2,
        1,
        1,
        0.0,
    )
    # The city's own term does not list the county's organizations.
    assert api.get("/coverage/terms", COMMITTEE, jurisdiction_id="yulin")["items"] == []

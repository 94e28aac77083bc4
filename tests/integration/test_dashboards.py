"""Dashboards over HTTP on real PostgreSQL: the round, rectification and lead dashboards,
each figure checked against a count done by hand here, with rates and aging at a fixed
`as_of`; a rebuilt copy of each read model equals the live one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from tests.integration.test_fieldwork import meeting, petition
from tests.integration.test_leads import classify_and_approve, publish_lead_policy, register
from tests.support.api import (
    DEPUTY,
    DISCIPLINE,
    LEADER,
    LEADING_GROUP,
    MEMBER,
    MEMBER_2,
    OFFICE,
    PRINCIPAL,
    Api,
    Who,
)
from tests.support.lifecycle import FINDING, Lifecycle, day
from xuncha.events.base import Role
from xuncha.projections.rebuild import verify
from xuncha.projections.taxonomy import ORGANIZATIONAL_LINE

READER = Who("reader-1", Role.DASHBOARD_READER, "org-city-committee")
ORG_DEPARTMENT = Who("zzb-1", Role.ORGANIZATION_DEPARTMENT, "org-zzb")
ROADS = "org-roads"
WATER = "org-water-bureau"
APPROVER = {"user_id": "director-1", "name": "王主任"}
ROADS_PRINCIPAL = Who("principal-9", Role.INSPECTED_ORG_PRINCIPAL, ROADS)


def container_of(api: Api) -> Any:
    return api.client.app.state.container  # type: ignore[attr-defined]


@contextmanager
def clock_at(api: Api, offset: int) -> Iterator[None]:
    """Commands decide as of `offset` days from today (dates facts are checked against)."""
    container = container_of(api)
    original = container.app
    container.app = original.at(datetime.fromisoformat(day(offset)).replace(hour=9, tzinfo=UTC))
    try:
        yield
    finally:
        container.app = original


def refused(api: Api, path: str, who: Who, status: int, **params: Any) -> dict[str, Any]:
    response = api.client.get(path, params=params, headers=api.headers(who))
    assert response.status_code == status, (path, response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    return problem


def consistent(api: Api, name: str) -> bool:
    return bool(verify(container_of(api).runner, name).equal)


def in_error(api: Api, stream_id: str) -> None:
    """The office records the stream's first (creating) event as recorded in error."""
    body = {"stream_version": 1, "why": "重复录入", "approved_by": APPROVER}
    api.command(f"/streams/{stream_id}/events-recorded-in-error", body, OFFICE)


def draft(api: Api, life: Lifecycle, taxonomy_version: str, tags: list[str]) -> str:
    content = {**FINDING, "taxonomy_version": taxonomy_version, "tags": tags}
    result = api.command(f"{life.at}/findings", {"content": content}, MEMBER, 201)
    return str(result["created_id"])


# ---- round dashboard ----------------------------------------------------------------------


def test_round_dashboard_per_group(api: Api) -> None:
    life = Lifecycle(api)
    life.to_stationed()
    second = api.command(
        f"/rounds/{life.round_id}/inspections",
        {"organization_id": ROADS, "organization_name": "市交通局党组", "group_name": "第二巡察组"},
        OFFICE,
        201,
    )["created_id"]

    # Petitions: three received, one in scope, one out of scope and forwarded.
    meeting_id = meeting(api, life)
    in_scope, forwarded, duplicate = (petition(api, life) for _ in range(3))
    triage = {
        "decision": "in_scope",
        "meeting_id": meeting_id,
        "basis": "leadership_team",
        "disciplines": ["integrity"],
    }
    api.command(f"/petitions/{in_scope}/triage", triage, DEPUTY)
    out = {
        "decision": "out_of_scope",
        "meeting_id": meeting_id,
        "out_of_scope_reason": "personal_claim",
        "note": "个人诉求",
    }
    api.command(f"/petitions/{forwarded}/triage", out, DEPUTY)
    forward = {"department_id": "org-xfj", "department_name": "市信访局", "forwarded_on": day(-58)}
    api.command(f"/petitions/{forwarded}/forward", forward, DEPUTY)

    # Interviews: two held, one record signed.
    interview = {
        "interviewers": ["member-1", "member-2"],
        "category": "leadership_team",
        "conducted_on": day(-60),
        "interviewee": {"name": "被谈话人", "position": "副局长"},
        "record": "谈话笔录内容",
    }
    signed = api.command(f"{life.at}/interviews", interview, MEMBER, 201)["created_id"]
    api.command(f"{life.at}/interviews", interview, MEMBER, 201)
    api.command(f"/interviews/{signed}/sign", {"signed_on": day(-60)}, MEMBER_2)

    # Findings under two taxonomy versions: 党的建设缺失 (2017) maps to 落实新时代党的组织路线.
    approved = draft(api, life, "four-implementations-2022", ["三重一大"])
    life.review_and_approve_finding(approved)
    draft(api, life, "three-problems-2017", ["党的建设缺失"])
    draft(api, life, "four-implementations-2022", [ORGANIZATIONAL_LINE, "三重一大"])
    untagged = draft(api, life, "four-implementations-2022", [])

    # Leads: one registered, one classified.
    register(api, life)
    classified = register(api, life)
    body = {"lead_type": "discipline", "fast_track": None, "meeting_ref": "第5次组务会"}
    api.command(f"/leads/{classified}/classify", body, LEADER)

    board = api.get(f"/dashboards/rounds/{life.round_id}", READER)
    assert (board["round"]["name"], board["round"]["stage"]) == ("2026年第一轮巡察", "approved")
    first = {
        "group_id": life.group_id,
        "group_name": "第一巡察组",
        "inspections": 1,
        "stages": {"stationed": 1},
        "petitions_received": 3,
        "petitions_in_scope": 1,
        "petitions_forwarded": 1,
        "interviews_held": 2,
        "interview_records_signed": 1,
        "findings": 4,
        "findings_approved": 1,
        "leads": 2,
        "leads_open": 2,
    }
    by_category = {
        "三重一大": (2, 1, [("four-implementations-2022", "三重一大", 2)]),
        ORGANIZATIONAL_LINE: (
            2,
            0,
            [
                ("four-implementations-2022", ORGANIZATIONAL_LINE, 1),
                ("three-problems-2017", "党的建设缺失", 1),
            ],
        ),
        "untagged": (1, 0, [("four-implementations-2022", "untagged", 1)]),
    }
    states = {
        "registered": 1,
        "classified": 1,
        "transfer_approved": 0,
        "transferred": 0,
        "acknowledged": 0,
        "disposed": 0,
        "outcome_reported": 0,
        "closed": 0,
    }

    def categories(lines: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            line["category"]: (
                line["findings"],
                line["approved"],
                [
                    (r["taxonomy_version"], r["category"], r["findings"])
                    for r in line["recorded_as"]
                ],
            )
            for line in lines
        }

    groups = board["groups"]
    assert (groups["total"], [g["group_name"] for g in groups["items"]]) == (
        2,
        ["第一巡察组", "第二巡察组"],
    )
    one, two = groups["items"]
    assert {k: one[k] for k in first} == first
    assert categories(one["findings_by_category"]) == by_category
    assert one["leads_by_state"] == states
    assert [
        (i["inspection_id"], i["stage"], i["stationed_on"], i["withdrawn_on"])
        for i in one["inspections_detail"]
    ] == [(life.inspection_id, "stationed", day(-70), None)]
    assert (two["group_id"], two["stages"], two["findings"], two["petitions_received"]) == (
        None,
        {"planned": 1},
        0,
        0,
    )
    assert [i["inspection_id"] for i in two["inspections_detail"]] == [second]
    totals = board["totals"]
    assert (totals["inspections"], totals["groups"], totals["stages"]) == (
        2,
        2,
        {"stationed": 1, "planned": 1},
    )
    counts = {k: v for k, v in first.items() if k.startswith(("petitions", "interview", "find"))}
    counts |= {"leads": 2, "leads_open": 2}
    assert {k: totals[k] for k in counts} == counts
    assert categories(totals["findings_by_category"]) == by_category
    assert totals["leads_by_state"] == states

    # Sorting, paging and filters of the groups.
    page = api.get(f"/dashboards/rounds/{life.round_id}", READER, sort="-group_name", limit=1)
    assert [g["group_name"] for g in page["groups"]["items"]] == ["第二巡察组"]
    page = api.get(f"/dashboards/rounds/{life.round_id}", READER, sort="-findings", offset=1)
    assert [g["group_name"] for g in page["groups"]["items"]] == ["第二巡察组"]
    only = api.get(f"/dashboards/rounds/{life.round_id}", READER, stage="planned")
    assert (only["totals"]["inspections"], only["totals"]["findings"]) == (1, 0)

    # The list of rounds.
    api.command(
        "/rounds",
        {
            "jurisdiction_id": "yulin",
            "committee": "中共榆林市委",
            "name": "2026年第二轮巡察",
            "round_type": "regular",
            "planned_start": day(-10),
            "planned_end": day(100),
        },
        OFFICE,
        201,
    )
    rounds = api.get("/dashboards/rounds", READER, sort="-findings")
    assert rounds["total"] == 2
    assert [
        (r["name"], r["inspections"], r["findings"], r["petitions_received"])
        for r in rounds["items"]
    ] == [("2026年第一轮巡察", 2, 4, 3), ("2026年第二轮巡察", 0, 0, 0)]
    newest = api.get("/dashboards/rounds", READER, limit=1)
    assert (newest["total"], newest["items"][0]["name"]) == (2, "2026年第二轮巡察")

    # Nothing sealed reaches the dashboard; bad parameters and roles are refused.
    text = repr(board)
    assert ("谈话笔录内容" in text, "被谈话人" in text, str(FINDING["facts"]) in text) == (
        False,
        False,
        False,
    )
    refused(api, "/dashboards/rounds", READER, 422, sort="secret")
    refused(api, f"/dashboards/rounds/{life.round_id}", READER, 422, sort="-group_name;drop")
    refused(api, f"/dashboards/rounds/{life.round_id}", READER, 422, group_name="第一\x00组")
    refused(api, f"/dashboards/rounds/{life.round_id}", MEMBER, 403)
    refused(api, f"/dashboards/rounds/{life.inspection_id}", READER, 404)

    # Records whose creating event was recorded in error no longer count.
    in_error(api, duplicate)
    in_error(api, untagged)
    totals = api.get(f"/dashboards/rounds/{life.round_id}", READER)["totals"]
    assert (totals["petitions_received"], totals["petitions_in_scope"], totals["findings"]) == (
        2,
        1,
        3,
    )
    assert "untagged" not in categories(totals["findings_by_category"])
    assert consistent(api, "round_dashboard")


def test_round_dashboard_counts_only_the_rounds_own_records(api: Api) -> None:
    """Each round's figures come from its own inspections' records only (the query narrows
    every table to the round's inspections before aggregating)."""
    first, second = Lifecycle(api), Lifecycle(api)
    first.to_stationed()
    second.to_stationed()
    for _ in range(2):
        petition(api, first)
    petition(api, second)
    draft(api, second, "four-implementations-2022", ["三重一大"])
    register(api, second)

    def figures(life: Lifecycle) -> tuple[int, ...]:
        totals = api.get(f"/dashboards/rounds/{life.round_id}", READER)["totals"]
        keys = ("inspections", "petitions_received", "findings", "leads", "leads_open")
        return tuple(totals[k] for k in keys)

    assert figures(first) == (1, 2, 0, 0, 0)
    assert figures(second) == (1, 1, 1, 1, 1)
    rounds = api.get("/dashboards/rounds", READER, sort="-petitions_received")["items"]
    assert [(r["round_id"], r["petitions_received"], r["findings"]) for r in rounds] == [
        (first.round_id, 2, 0),
        (second.round_id, 1, 1),
    ]


# ---- rectification dashboard --------------------------------------------------------------


def register_organizations(api: Api) -> None:
    jurisdiction = {
        "jurisdiction_id": "yulin",
        "name": "榆林市",
        "level": "city",
        "committee": "中共榆林市委",
    }
    api.command("/jurisdictions", jurisdiction, OFFICE)
    for organization, supervisor in (("org-water-bureau", "市住建局"), (ROADS, "市交通局")):
        body = {
            "jurisdiction_id": "yulin",
            "organization_id": organization,
            "name": organization,
            "organization_type": "department",
            "supervising_department": supervisor,
        }
        api.command("/jurisdictions/organizations", body, OFFICE)


def plan(api: Api, life: Lifecycle, principal: Who, items: list[tuple[str, int]]) -> list[str]:
    """Feedback with one ledger problem and a plan with one item per (leader, deadline)."""
    ledger = [{"item_no": 1, "problem": "违规拆分采购", "finding_ids": life.finding_ids}]
    api.command(f"{life.at}/feedback/opinion", {"opinion": "整改意见", "ledger": ledger}, LEADER)
    api.command(f"{life.at}/feedback/deliver", {"delivered_on": day(-20)}, LEADER)
    body = [
        {
            "ledger_item_no": 1,
            "measures": f"措施 {n}",
            "responsible_leader": leader,
            "responsible_department": "财务科",
            "deadline": day(deadline),
        }
        for n, (leader, deadline) in enumerate(items)
    ]
    api.command(f"{life.at}/rectification-plan", {"items": body}, principal)
    accepted = api.command(f"{life.at}/rectification-plan/accept", {"plan_version": 1}, OFFICE)
    return [e["stream_id"] for e in accepted["events"] if e["type"] == "rectification.item_opened"]


def tick(api: Api, offset: int) -> None:
    container = container_of(api)
    now = datetime.fromisoformat(day(offset)).replace(hour=9, tzinfo=UTC)
    container.timers["rectification_deadline_warnings"].tick(now)
    api.position = container.store.head()


def test_rectification_dashboard_rates_aging_and_groupings(api: Api) -> None:
    register_organizations(api)
    water = Lifecycle(api)
    water.to_report_approved()
    late, reopened, far, near, long_term = plan(
        api,
        water,
        PRINCIPAL,
        [("局长", -10), ("局长", 30), ("副局长", 5), ("副局长", 80), ("局长", 40)],
    )
    roads = Lifecycle(api)
    roads.propose_round()
    roads.approve_round()
    roads.plan_inspection(ROADS)
    for step in ("authorize_group", "issue_notice", "announce", "station"):
        getattr(roads, step)()
    roads.draft_finding()
    roads.review_and_approve_finding(roads.finding_ids[0])
    roads.withdraw()
    roads.report_through_approval()
    roads_items = plan(api, roads, ROADS_PRINCIPAL, [("局长", 200), ("局长", 240)])

    # Closed late (deadline 10 days ago) and on time; the second is reopened and closed again.
    water.close_item(late)
    water.close_item(reopened)
    visit = {"planned_on": day(0), "methods": ["listen", "check"], "item_ids": [reopened]}
    api.command(f"{water.at}/follow-up/return-visits", visit, OFFICE)
    record = {
        "visit_no": 1,
        "conducted_on": day(0),
        "checked_items": [{"item_id": reopened, "result": "paper_rectification"}],
    }
    api.command(f"{water.at}/follow-up/return-visits/record", record, OFFICE)
    reopen = {"visit_no": 1, "comments": "现场未整改"}
    api.command(f"/rectification-items/{reopened}/reopen", reopen, DISCIPLINE)
    water.close_item(reopened)
    milestones = {
        "justification": "需跨年度推进",
        "milestones": [
            {"due": day(100), "description": "制度建立"},
            {"due": day(300), "description": "全面完成"},
        ],
    }
    api.command(f"/rectification-items/{long_term}/reclassify-long-term", milestones, OFFICE)
    tick(api, 250)  # the four open items past their deadline turn red
    tick(api, 285)  # the long-term item (due on day 300) turns green
    del far, near

    as_of = day(250)
    board = api.get("/dashboards/rectification", READER, as_of=as_of)
    # By hand, as of day 250: water bureau items closed late (-10), closed on time after a
    # reopening (30), open 245 days overdue (5), open 170 days overdue (80), long-term due on
    # day 300; roads items open 50 (200) and 10 (240) days overdue.
    water_row = {
        "key": "org-water-bureau",
        "total": 5,
        "closed": 2,
        "closed_on_time": 1,
        "overdue": 2,
        "not_overdue": 1,
        "overdue_1_30": 0,
        "overdue_31_90": 0,
        "overdue_91_180": 1,
        "overdue_over_180": 1,
        "green": 1,
        "yellow": 0,
        "red": 2,
        "reopened": 1,
        "reopens": 1,
        "long_term": 1,
        "completion_rate": round(2 / 5, 4),
        "completion_rate_excluding_long_term": round(2 / 4, 4),
        "on_time_rate": round(1 / (2 + 2), 4),
        "reopen_rate": round(1 / 5, 4),
    }
    roads_row = {
        "key": ROADS,
        "total": 2,
        "closed": 0,
        "closed_on_time": 0,
        "overdue": 2,
        "not_overdue": 0,
        "overdue_1_30": 1,
        "overdue_31_90": 1,
        "overdue_91_180": 0,
        "overdue_over_180": 0,
        "green": 0,
        "yellow": 0,
        "red": 2,
        "reopened": 0,
        "reopens": 0,
        "long_term": 0,
        "completion_rate": 0.0,
        "completion_rate_excluding_long_term": 0.0,
        "on_time_rate": 0.0,
        "reopen_rate": 0.0,
    }
    totals = {
        "total": 7,
        "closed": 2,
        "closed_on_time": 1,
        "overdue": 4,
        "not_overdue": 1,
        "overdue_1_30": 1,
        "overdue_31_90": 1,
        "overdue_91_180": 1,
        "overdue_over_180": 1,
        "green": 1,
        "red": 4,
        "reopened": 1,
        "long_term": 1,
        "completion_rate": round(2 / 7, 4),
        "completion_rate_excluding_long_term": round(2 / 6, 4),
        "on_time_rate": round(1 / (2 + 4), 4),
    }

    def pick(row: dict[str, Any], like: dict[str, Any]) -> dict[str, Any]:
        return {k: row[k] for k in like}

    assert (board["as_of"], board["group_by"], board["groups"]["total"]) == (
        as_of,
        "organization",
        2,
    )
    assert [pick(r, water_row) for r in board["groups"]["items"]] == [roads_row, water_row]
    assert pick(board["totals"], totals) == totals

    # Per supervising department (业务主管单位, from the registry) and per responsible leader
    # (责任领导, a post of one organization: the two organizations' 局长 are two rows).
    by_supervisor = api.get(
        "/dashboards/rectification",
        READER,
        as_of=as_of,
        group_by="supervising_department",
        sort="-total",
    )
    assert [
        (r["key"], r["organizations"], r["total"], r["overdue"])
        for r in by_supervisor["groups"]["items"]
    ] == [("市住建局", 1, 5, 2), ("市交通局", 1, 2, 2)]
    by_leader = api.get("/dashboards/rectification", READER, as_of=as_of, group_by="leader")
    assert [
        (r["key"], r["organization_id"], r["total"], r["closed"], r["long_term"])
        for r in by_leader["groups"]["items"]
    ] == [("副局长", WATER, 2, 0, 0), ("局长", ROADS, 2, 0, 0), ("局长", WATER, 3, 2, 1)]
    assert by_leader["groups"]["items"][2]["completion_rate"] == round(2 / 3, 4)

    # Aging depends on the day asked about: today nothing open is overdue yet.
    today = api.get("/dashboards/rectification", READER, as_of=day(0))["totals"]
    assert (today["overdue"], today["not_overdue"], today["on_time_rate"]) == (0, 5, 0.5)

    # Sorting, paging, filters.
    page = api.get(
        "/dashboards/rectification", READER, as_of=as_of, sort="-completion_rate", limit=1
    )
    groups = page["groups"]
    assert (groups["total"], [r["key"] for r in groups["items"]]) == (2, ["org-water-bureau"])
    page = api.get("/dashboards/rectification", READER, as_of=as_of, sort="-total", offset=1)
    assert [r["key"] for r in page["groups"]["items"]] == [ROADS]
    leader = api.get("/dashboards/rectification", READER, as_of=as_of, responsible_leader="局长")
    assert [(r["key"], r["total"]) for r in leader["groups"]["items"]] == [(ROADS, 2), (WATER, 3)]
    one_round = api.get("/dashboards/rectification", READER, as_of=as_of, round_id=roads.round_id)
    assert pick(one_round["totals"], {"total": 2, "red": 2}) == {"total": 2, "red": 2}

    for params in (
        {"sort": "organization_name"},
        {"group_by": "colour"},
        {"as_of": "yesterday"},
        {"as_of": "0"},
        {"as_of": "2026-02-30"},
        {"responsible_leader": "局\x00长"},
    ):
        refused(api, "/dashboards/rectification", READER, 422, **params)
    too_many = api.client.get(
        "/dashboards/rectification", params={"limit": 501}, headers=api.headers(READER)
    )
    assert too_many.status_code in (400, 422), too_many.text  # a page size out of range
    refused(api, "/dashboards/rectification", PRINCIPAL, 403)
    assert api.get("/dashboards/rectification", ORG_DEPARTMENT)["totals"]["total"] == 7
    # A supervising department sees the organizations the registry places under it.
    transport = Who("jtj-1", Role.SUPERVISING_DEPARTMENT, "市交通局")
    mine = api.get("/dashboards/rectification", transport, as_of=as_of)
    assert ([r["key"] for r in mine["groups"]["items"]], mine["totals"]["total"]) == ([ROADS], 2)
    elsewhere = Who("dept-9", Role.SUPERVISING_DEPARTMENT, "市农业农村局")
    assert api.get("/dashboards/rectification", elsewhere)["totals"]["total"] == 0

    # An item opened in error (the roads item due on day 240) no longer counts.
    in_error(api, roads_items[1])
    after = api.get("/dashboards/rectification", READER, as_of=as_of)["totals"]
    assert (after["total"], after["overdue_1_30"], after["red"]) == (6, 0, 3)
    assert consistent(api, "rectification_dashboard")


# ---- lead dashboard -----------------------------------------------------------------------


def test_lead_dashboard_disposal_rate_lag_forms_and_clearing(api: Api) -> None:
    life = Lifecycle(api)
    life.to_stationed()
    publish_lead_policy(api)
    a, b, c, d, e, f = (register(api, life) for _ in range(6))
    for lead in (a, b, c, d):
        classify_and_approve(api, lead)
    body = {"lead_type": "cadre_selection", "fast_track": None, "meeting_ref": "第5次组务会"}
    api.command(f"/leads/{e}/classify", body, LEADER)
    api.command(f"/leads/{e}/approve-transfer", {"note": "同意"}, LEADING_GROUP)
    life.draft_finding()
    life.review_and_approve_finding(life.finding_ids[0])
    life.withdraw()
    transfer = {"package_ref": "移交函", "transferred_on": day(0)}
    for lead in (a, b, c, d, e):
        api.command(f"/leads/{lead}/transfer", transfer, OFFICE)

    # Acknowledged 3, 4, 10 and 13 days after the transfer; e (组织部) not acknowledged.
    for lead, lag in ((a, 3), (b, 4), (c, 10), (d, 13)):
        with clock_at(api, lag):
            ack = {"receiver_case_no": f"JW-{lag}", "acknowledged_on": day(lag)}
            api.command(f"/leads/{lead}/acknowledge", ack, DISCIPLINE)
    with clock_at(api, 14):
        decided = {"decided_on": day(14), "note": "处置意见"}
        api.command(
            f"/leads/{a}/disposition",
            {**decided, "category": "talk_or_inquiry", "four_forms_level": 1},
            DISCIPLINE,
        )
        api.command(f"/leads/{b}/disposition", {**decided, "category": "shelved"}, DISCIPLINE)
        api.command(
            f"/leads/{c}/disposition",
            {**decided, "category": "concluded", "four_forms_level": 1},
            DISCIPLINE,
        )
        outcome = {"summary": "诫勉谈话", "four_forms_level": 2, "reported_on": day(14)}
        api.command(f"/leads/{c}/outcome", outcome, DISCIPLINE)
        api.command(f"/leads/{c}/close", {}, OFFICE)

    whole = api.get("/dashboards/leads", READER, round_id=life.round_id)
    board = whole["totals"]
    # By hand: 6 leads, 5 transferred (a-e), 3 disposed (a, b shelved, c), c closed.
    assert (board["total"], board["open"], board["cleared"]) == (6, 5, False)
    assert (board["transferred"], board["disposed"], board["disposal_rate"]) == (5, 3, 0.6)
    assert board["acknowledgement"] == {
        "acknowledged": 4,
        "open_unacknowledged": 1,
        "average_days": (3 + 4 + 10 + 13) / 4,
        "p50_days": (4 + 10) / 2,
        "max_days": 13,
    }
    assert board["dispositions"] == {
        "talk_or_inquiry": 1,
        "preliminary_verification": 0,
        "shelved": 1,
        "concluded": 1,
        "case_filed": 0,
    }
    # c's outcome (level 2) replaces its disposition's level 1; b has none.
    assert board["four_forms"] == {"1": 1, "2": 1, "3": 0, "4": 0, "none": 1}
    assert whole["rounds"]["total"] == 1
    assert [
        (r["round_id"], r["total"], r["open"], r["closed"], r["cleared"])
        for r in whole["rounds"]["items"]
    ] == [(life.round_id, 6, 5, 1, False)]

    # A receiving authority sees only the leads transferred to it.
    commission = api.get("/dashboards/leads", DISCIPLINE)["totals"]
    assert (commission["total"], commission["transferred"], commission["disposal_rate"]) == (
        4,
        4,
        0.75,
    )
    assert commission["acknowledgement"]["open_unacknowledged"] == 0
    zzb = api.get("/dashboards/leads", ORG_DEPARTMENT)["totals"]
    assert (zzb["total"], zzb["disposal_rate"], zzb["acknowledgement"]["open_unacknowledged"]) == (
        1,
        0.0,
        1,
    )
    assert zzb["acknowledgement"]["average_days"] is None

    # A lead registered in error no longer counts.
    in_error(api, f)
    after = api.get("/dashboards/leads", READER, round_id=life.round_id)["totals"]
    assert (after["total"], after["open"], after["transferred"]) == (5, 4, 5)

    # Another round without leads is cleared; rounds sort by open leads.
    other = Lifecycle(api)
    other.propose_round()
    empty = api.get("/dashboards/leads", READER, round_id=other.round_id)
    figures = empty["totals"]
    assert (figures["total"], figures["cleared"], figures["disposal_rate"]) == (0, True, None)
    assert empty["rounds"]["total"] == 1
    assert [
        (r["round_id"], r["total"], r["open"], r["cleared"]) for r in empty["rounds"]["items"]
    ] == [(other.round_id, 0, 0, True)]
    everything = api.get("/dashboards/leads", READER, sort="-open")
    assert [(r["round_id"], r["open"], r["cleared"]) for r in everything["rounds"]["items"]] == [
        (life.round_id, 4, False),
        (other.round_id, 0, True),
    ]
    one = api.get("/dashboards/leads", READER, inspection_id=life.inspection_id, sort="open")
    assert [r["round_id"] for r in one["rounds"]["items"]] == [life.round_id]

    refused(api, "/dashboards/leads", READER, 422, sort="subject_name")
    refused(api, "/dashboards/leads", MEMBER, 403)
    refused(api, "/dashboards/leads", PRINCIPAL, 403)
    assert consistent(api, "lead_dashboard")

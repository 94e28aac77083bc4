"""Over HTTP on real PostgreSQL: the round's 报备 and mobilization, inspection side-exits
(suspend, resume, cancel), the report's fact check and results-use decision, and 见底清零
recorded when the round closes over cancelled inspections."""

from __future__ import annotations

from typing import Any

from tests.support.api import COMMITTEE, LEADER, LEADING_GROUP, OFFICE, Api
from tests.support.lifecycle import Lifecycle, day


def types(result: Any) -> list[str]:
    return [e["type"] for e in result["events"]]


def refused_409(api: Api, path: str, body: Any, who: Any, *words: str) -> None:
    response = api.post(path, body, who)
    assert response.status_code == 409, response.text
    detail = response.json()["detail"]
    for word in words:
        assert word in detail, detail


def test_side_exits_round_steps_and_report_decisions(api: Api) -> None:
    life = Lifecycle(api)
    life.propose_round()
    life.approve_round()
    rounds = f"/rounds/{life.round_id}"

    # 报备 and mobilization of the round, shown in the overview
    filed = {"upper_office": "省委巡视办", "filed_on": day(-95)}
    assert types(api.command(f"{rounds}/file-plan-with-upper-office", filed, OFFICE)) == [
        "round.plan_filed_with_upper_office"
    ]
    refused_409(api, f"{rounds}/file-plan-with-upper-office", filed, OFFICE, "already filed")
    api.command(f"{rounds}/mobilize", {"meeting_on": day(-90)}, OFFICE)
    row = api.get(rounds)
    assert (row["stage"], row["mobilized_on"], row["plan_filed_on"]) == (
        "mobilized",
        day(-90),
        day(-95),
    )

    # A second inspection, planned only: suspend, refused while suspended, resume, cancel
    life.plan_inspection("org-roads-bureau")
    other = f"/inspections/{life.inspection_id}"
    other_id = life.inspection_id
    result = api.command(f"{other}/suspend", {"why": "被巡察单位机构改革"}, OFFICE)
    assert types(result) == ["inspection.suspended"]
    row = api.get(other)
    assert (row["stage"], row["suspended_from"]) == ("suspended", "planned")
    notice = {"notice_date": day(-80), "planned_stationing_date": day(-70), "addressee": "局党组"}
    refused_409(api, f"{other}/issue-notice", notice, OFFICE, "'suspended'")
    refused_409(api, f"{other}/suspend", {"why": "again"}, LEADING_GROUP, "'suspended'")
    api.command(f"{other}/resume", {}, LEADING_GROUP)
    row = api.get(other)
    assert (row["stage"], row["suspended_from"]) == ("planned", None)
    refused_409(api, f"{other}/resume", {}, OFFICE, "resume the inspection", "'planned'")
    api.command(f"{other}/suspend", {"why": "暂缓"}, OFFICE)
    result = api.command(f"{other}/cancel", {"why": "被巡察单位撤销"}, COMMITTEE)
    assert types(result) == ["inspection.cancelled"]
    trail = api.get("/audit-trail", stream_id=other_id, type="inspection.cancelled")["items"]
    assert (trail[0]["data"]["cancelled_from"], trail[0]["reason"]) == ("planned", "被巡察单位撤销")
    assert api.get(other)["stage"] == "cancelled"
    refused_409(api, f"{other}/resume", {}, OFFICE, "'cancelled'")
    forbidden = api.post(f"{other}/cancel", {"why": "x"}, OFFICE)
    assert forbidden.status_code == 403, forbidden.text

    # The main inspection through its report, with the fact check and the results-use decision
    life.plan_inspection()
    for step in (life.authorize_group, life.issue_notice, life.announce, life.station):
        step()
    life.draft_finding()
    life.review_and_approve_finding(life.finding_ids[0])
    life.withdraw()
    at = life.at
    api.command(
        f"{at}/report", {"summary": "总体评价与问题", "finding_ids": life.finding_ids}, LEADER
    )
    views = {
        "report_version": 1,
        "exchanged_on": day(-35),
        "principal_name": "王书记",
        "views": "对问题事实无异议",
    }
    result = api.command(f"{at}/report/exchange-views-on-facts", views, LEADER)
    assert types(result) == ["inspection.factual_views_exchanged"]
    assert api.get(at)["stage"] == "report_drafted"
    decision = {
        "decided_on": day(-30),
        "meeting": "市委常委会",
        "decisions": [{"addressee": "组织部", "use": "干部考察任用参考"}],
    }
    refused_409(api, f"{at}/report/decide-results-use", decision, COMMITTEE, "report_drafted")
    api.command(f"{at}/report/review-by-office", {"report_version": 1}, OFFICE)
    api.command(f"{at}/report/deliberate", {"report_version": 1}, LEADING_GROUP)
    approval = {"report_version": 1, "approved_on": day(-30), "meeting": "书记专题会"}
    api.command(f"{at}/report/approve", approval, COMMITTEE)
    refused_409(api, f"{at}/report/exchange-views-on-facts", views, LEADER, "report_approved")
    result = api.command(f"{at}/report/decide-results-use", decision, COMMITTEE)
    assert types(result) == ["inspection.results_use_decided"]

    # The round does not close while an inspection is open; a cancelled one counts as closed
    refused_409(api, f"{rounds}/close", {}, OFFICE, "1 inspection(s) not closed")
    api.command(f"{at}/cancel", {"why": "领导小组决定终止"}, LEADING_GROUP)
    result = api.command(f"{rounds}/close", {}, OFFICE)
    assert types(result) == ["round.leads_cleared", "round.closed"]
    trail = api.get("/audit-trail", stream_id=life.round_id, type="round.leads_cleared")["items"]
    assert trail[0]["data"]["leads_closed"] == 0
    assert api.get(rounds)["stage"] == "closed"
    assert {
        r["inspection_id"]: r["stage"]
        for r in api.get("/inspections", round_id=life.round_id)["items"]
    } == {
        other_id: "cancelled",
        life.inspection_id: "cancelled",
    }

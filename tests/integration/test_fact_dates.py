"""Dates of facts over HTTP on real PostgreSQL: a history entered months after it happened
keeps its days, and the dashboards' lags and 按期完成率 count those days, not the days the
commands were typed in."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from tests.integration.test_leads import publish_lead_policy, register
from tests.support import lifecycle
from tests.support.api import DISCIPLINE, LEADER, LEADING_GROUP, OFFICE, PRINCIPAL, Api
from tests.support.lifecycle import Lifecycle

# The lifecycle's days are relative to its TODAY: moved back, the whole inspection happened
# in the first half of 2026 and is entered now (stationed 2026-02-20, withdrawn 2026-03-22,
# feedback 2026-04-11, the item due 2026-05-31).
PAST = date(2026, 5, 1)


@pytest.fixture
def past(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lifecycle, "TODAY", PAST)


def figures(dashboard: dict[str, Any]) -> dict[str, Any]:
    """The dashboard's figures (every dashboard puts them under `totals`)."""
    figures: dict[str, Any] = dashboard["totals"]
    return figures


@pytest.mark.usefixtures("past")
def test_a_leads_whole_history_is_entered_with_its_own_days(api: Api) -> None:
    life = Lifecycle(api)
    life.to_stationed()
    publish_lead_policy(api)
    lead = register(api, life)
    at = f"/leads/{lead}"
    api.command(f"{at}/classify", {"lead_type": "discipline", "meeting_ref": "第5次组务会"}, LEADER)
    life.draft_finding()
    life.review_and_approve_finding(life.finding_ids[0])
    life.withdraw()

    api.command(f"{at}/approve-transfer", {"approved_on": "2026-03-01"}, LEADING_GROUP)
    transfer = {"package_ref": "移交函 2026-3", "transferred_on": "2026-03-02"}
    api.command(f"{at}/transfer", transfer, OFFICE)
    # The clock ticks before the rest is entered: the acknowledgement (due 2026-03-12) and
    # the outcome (due 2026-06-02) are flagged overdue.
    overdue = api.client.app.state.container.timers["lead_overdue"]  # type: ignore[attr-defined]
    assert overdue.tick(datetime.now(UTC)) == 2
    ack = {"receiver_case_no": "JW-2026-031", "acknowledged_on": "2026-03-05"}
    api.command(f"{at}/acknowledge", ack, DISCIPLINE)
    decided = {"category": "concluded", "four_forms_level": 1, "decided_on": "2026-03-20"}
    api.command(f"{at}/disposition", decided, DISCIPLINE)
    outcome = {"summary": "批评教育", "reported_on": "2026-03-25"}
    api.command(f"{at}/outcome", outcome, DISCIPLINE)
    api.command(f"{at}/close", {"closed_on": "2026-03-26"}, OFFICE)

    row = api.get(at)
    assert (row["transferred_on"], row["acknowledged_on"], row["closed_on"]) == (
        "2026-03-02",
        "2026-03-05",
        "2026-03-26",
    )
    lag = figures(api.get("/dashboards/leads", round_id=life.round_id))["acknowledgement"]
    assert (lag["acknowledged"], lag["average_days"], lag["max_days"]) == (1, 3.0, 3)
    # Answered on time, recorded late: not counted as overdue.
    assert (row["acknowledgement_overdue"], row["outcome_overdue"]) == (False, False)
    summary = api.get("/lead-summary", round_id=life.round_id)
    assert (summary["acknowledgement_overdue"], summary["outcome_overdue"]) == (0, 0)


@pytest.mark.usefixtures("past")
def test_a_lead_dated_before_its_approval_or_in_the_future_is_refused(api: Api) -> None:
    life = Lifecycle(api)
    life.to_stationed()
    publish_lead_policy(api)
    lead = register(api, life)
    at = f"/leads/{lead}"
    api.command(f"{at}/classify", {"lead_type": "discipline", "meeting_ref": "组务会"}, LEADER)
    life.withdraw()
    before = api.event_count()
    future = api.post(f"{at}/approve-transfer", {"approved_on": "2999-01-01"}, LEADING_GROUP)
    assert future.status_code == 422
    assert "cannot be in the future" in future.json()["detail"]
    api.command(f"{at}/approve-transfer", {"approved_on": "2026-03-10"}, LEADING_GROUP)
    early = {"package_ref": "移交函", "transferred_on": "2026-03-09"}
    refused = api.post(f"{at}/transfer", early, OFFICE)
    assert refused.status_code == 422
    assert "before its transfer was approved (2026-03-10)" in refused.json()["detail"]
    assert api.event_count() == before + 1  # the approval only


def item_history(api: Api, item: str, requested: str, verified: str, closed: str) -> Any:
    at = f"/rectification-items/{item}"
    request = {"summary": "整改完成", "evidence_refs": ["doc-101"], "requested_on": requested}
    api.command(f"{at}/request-closure", request, PRINCIPAL)
    api.command(f"{at}/verify", {"note": "核查属实", "verified_on": verified}, DISCIPLINE)
    return api.command(f"{at}/close", {"closed_on": closed}, OFFICE)


@pytest.mark.usefixtures("past")
def test_an_item_closed_on_a_past_day_before_its_deadline_counts_as_on_time(api: Api) -> None:
    life = Lifecycle(api)
    life.to_rectifying()
    (item,) = life.item_ids
    closed = item_history(api, item, "2026-05-20", "2026-05-25", "2026-05-28")
    assert "rectification.item_closed" in [e["type"] for e in closed["events"]]

    row = api.get(f"/rectification-items/{item}")
    assert (row["closure_requested_on"], row["verified_on"], row["closed_on"]) == (
        "2026-05-20",
        "2026-05-25",
        "2026-05-28",
    )
    assert row["closed_on_time"] is True
    summary = api.get("/rectification-summary", inspection_id=life.inspection_id)
    assert (summary["closed"], summary["closed_on_time"]) == (1, 1)
    dashboard = api.get("/dashboards/rectification", round_id=life.round_id)
    assert figures(dashboard)["on_time_rate"] == 1.0


@pytest.mark.usefixtures("past")
def test_an_item_step_before_the_one_it_follows_is_refused(api: Api) -> None:
    life = Lifecycle(api)
    life.to_rectifying()
    (item,) = life.item_ids
    at = f"/rectification-items/{item}"
    request = {"summary": "整改完成", "evidence_refs": ["doc-101"], "requested_on": "2026-05-20"}
    api.command(f"{at}/request-closure", request, PRINCIPAL)
    before = api.event_count()
    early = api.post(f"{at}/verify", {"verified_on": "2026-05-19"}, DISCIPLINE)
    assert early.status_code == 422
    assert "before the item's previous step (2026-05-20)" in early.json()["detail"]
    api.command(f"{at}/verify", {"verified_on": "2026-05-21"}, DISCIPLINE)
    early_close = api.post(f"{at}/close", {"closed_on": "2026-05-20"}, OFFICE)
    assert early_close.status_code == 422
    assert api.event_count() == before + 1


def plan_item(deadline: str) -> dict[str, Any]:
    return {
        "ledger_item_no": 1,
        "measures": "重新招标并建立采购审查制度",
        "responsible_leader": "局长",
        "responsible_department": "财务科",
        "deadline": deadline,
    }


@pytest.mark.usefixtures("past")
def test_a_plan_accepted_on_a_past_day_opens_its_items_in_that_month(api: Api) -> None:
    """Feedback 2026-04-11, the plan submitted 2026-04-20 and accepted 2026-04-25, all
    entered months later: the item opens on 2026-04-25, the trend counts it in 2026-04, and a
    closure three days later is a quick closure (opened 2026-04-25, not the day typed in)."""
    life = Lifecycle(api)
    life.to_report_approved()
    life.feedback()
    plan = {"items": [plan_item("2026-05-31")], "submitted_on": "2026-04-20"}
    api.command(f"{life.at}/rectification-plan", plan, PRINCIPAL)
    accept = {"plan_version": 1, "accepted_on": "2026-04-25"}
    accepted = api.command(f"{life.at}/rectification-plan/accept", accept, OFFICE)
    (item,) = [
        e["stream_id"] for e in accepted["events"] if e["type"] == "rectification.item_opened"
    ]
    for event_type, field in [
        ("inspection.rectification_plan_accepted", "accepted_on"),
        ("rectification.item_opened", "opened_on"),
    ]:
        (logged,) = api.get("/audit-trail", type=event_type)["items"]
        assert logged["data"][field] == "2026-04-25"

    row = api.get(f"/rectification-items/{item}")
    assert row["opened_on"] == "2026-04-25"
    assert row["opened_at"][:7] != "2026-04"  # recorded now, months later
    trend = api.get("/dashboards/rectification/trend")
    assert trend["months"] == [{"month": "2026-04", "opened": 1, "closed": 0}]
    record = api.get(f"{life.at}/rectification-plan")
    assert [v["submitted_on"] for v in record["versions"]] == ["2026-04-20"]
    assert [a["accepted_on"] for a in record["acceptances"]] == ["2026-04-25"]

    item_history(api, item, "2026-04-26", "2026-04-27", "2026-04-28")
    flagged = api.get("/audit-trail", type="rectification.quick_closure_flagged")["items"]
    assert [(f["data"]["opened_on"], f["data"]["days_open"]) for f in flagged] == [
        ("2026-04-25", 3)
    ]
    trend = api.get("/dashboards/rectification/trend")
    assert trend["months"] == [{"month": "2026-04", "opened": 1, "closed": 1}]
    assert trend["totals"] == {"opened": 1, "closed": 1}


@pytest.mark.usefixtures("past")
def test_an_acceptance_in_the_future_or_before_the_plan_is_refused(api: Api) -> None:
    life = Lifecycle(api)
    life.to_report_approved()
    life.feedback()  # delivered 2026-04-11
    early_plan = {"items": [plan_item("2026-05-31")], "submitted_on": "2026-04-10"}
    before = api.event_count()
    refused = api.post(f"{life.at}/rectification-plan", early_plan, PRINCIPAL)
    assert refused.status_code == 422
    assert "cannot precede the feedback (2026-04-11)" in refused.json()["detail"]
    plan = {"items": [plan_item("2026-05-31")], "submitted_on": "2026-04-20"}
    api.command(f"{life.at}/rectification-plan", plan, PRINCIPAL)
    at = f"{life.at}/rectification-plan/accept"
    future = api.post(at, {"plan_version": 1, "accepted_on": "2999-01-01"}, OFFICE)
    assert future.status_code == 422
    assert "cannot be in the future" in future.json()["detail"]
    early = api.post(at, {"plan_version": 1, "accepted_on": "2026-04-19"}, OFFICE)
    assert early.status_code == 422
    assert "cannot precede the plan's submission (2026-04-20)" in early.json()["detail"]
    bad = api.post(at, {"plan_version": 1, "accepted_on": "2026-04-31"}, OFFICE)
    assert bad.status_code == 422
    assert api.event_count() == before + 1  # the plan's submission only
    assert api.get("/dashboards/rectification/trend")["months"] == []

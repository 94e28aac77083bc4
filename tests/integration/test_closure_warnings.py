"""Data-consistency warnings at 销号 over HTTP on real PostgreSQL (DOMAIN.md §6.2, signs of
纸面整改): items closed the day they were opened are flagged as quick closures, and the
organization's second closure of the day reaches a published bulk threshold of 2. The
closures themselves succeed."""

from __future__ import annotations

from tests.support.api import LEADER, OFFICE, PRINCIPAL, Api
from tests.support.lifecycle import Lifecycle, day


def test_quick_and_bulk_closures_are_flagged_and_never_refused(api: Api) -> None:
    parameters = {"bulk_closure_threshold": 2, "quick_closure_days": 7}
    body = {"jurisdiction_id": "yulin", "effective_from": day(-365), "parameters": parameters}
    api.command("/policy-versions", body, OFFICE)
    life = Lifecycle(api)
    life.to_report_approved()
    ledger = [
        {"item_no": n, "problem": f"问题 {n}", "finding_ids": life.finding_ids} for n in (1, 2)
    ]
    api.command(f"{life.at}/feedback/opinion", {"opinion": "整改意见", "ledger": ledger}, LEADER)
    delivered = {"delivered_on": day(-20), "attendees": ["市水务局党组全体成员"]}
    api.command(f"{life.at}/feedback/deliver", delivered, LEADER)
    items = [
        {
            "ledger_item_no": n,
            "measures": f"措施 {n}",
            "responsible_leader": "局长",
            "responsible_department": "财务科",
            "deadline": day(30),
        }
        for n in (1, 2)
    ]
    api.command(f"{life.at}/rectification-plan", {"items": items}, PRINCIPAL)
    accepted = api.command(f"{life.at}/rectification-plan/accept", {"plan_version": 1}, OFFICE)
    item_ids = [
        e["stream_id"] for e in accepted["events"] if e["type"] == "rectification.item_opened"
    ]
    assert len(item_ids) == 2

    first = life.close_item(item_ids[0])
    assert [e["type"] for e in first["events"]] == [
        "rectification.item_closed",
        "rectification.quick_closure_flagged",
        "rectification.daily_closure_counted",
    ]
    second = life.close_item(item_ids[1])
    assert [e["type"] for e in second["events"]] == [
        "rectification.item_closed",
        "rectification.quick_closure_flagged",
        "rectification.bulk_closure_flagged",
        "rectification.daily_closure_counted",
    ]
    tally = {e["stream_id"] for e in (first["events"][-1], second["events"][-1])}
    assert len(tally) == 1  # one stream per organization and day
    assert second["events"][-1]["stream_version"] == 2
    for item_id in item_ids:
        assert api.get(f"/rectification-items/{item_id}")["status"] == "closed"

"""The whole lifecycle over HTTP on real PostgreSQL, checking the read models at each step."""

from __future__ import annotations

from tests.support import lifecycle
from tests.support.api import OFFICE, TARGET_ORG, Api
from tests.support.lifecycle import Lifecycle, day


def overview(api: Api, life: Lifecycle) -> dict:  # type: ignore[type-arg]
    return api.get(f"/inspections/{life.inspection_id}")  # type: ignore[no-any-return]


def test_lifecycle_from_proposed_round_to_closed_inspection(api: Api) -> None:
    life = Lifecycle(api)
    life.propose_round()
    assert api.get(f"/rounds/{life.round_id}")["stage"] == "proposed"
    life.approve_round()
    assert api.get(f"/rounds/{life.round_id}")["stage"] == "approved"

    life.plan_inspection()
    row = overview(api, life)
    assert (row["stage"], row["organization_id"], row["round_id"]) == (
        "planned",
        TARGET_ORG,
        life.round_id,
    )

    expected_stages = [
        (life.authorize_group, "group_authorized"),
        (life.issue_notice, "notified"),
        (life.announce, "announced"),
        (life.station, "stationed"),
    ]
    for step, stage in expected_stages:
        step()
        assert overview(api, life)["stage"] == stage
    row = overview(api, life)
    assert (row["leader_user_id"], row["notice_date"], row["stationed_on"]) == (
        "leader-1",
        day(-80),
        day(-70),
    )

    life.draft_finding()
    assert (overview(api, life)["findings_total"], overview(api, life)["findings_approved"]) == (
        1,
        0,
    )
    life.review_and_approve_finding(life.finding_ids[0])
    assert overview(api, life)["findings_approved"] == 1

    life.withdraw()
    assert overview(api, life)["stage"] == "withdrawn"
    life.report_through_approval()
    row = overview(api, life)
    assert (row["stage"], row["report_version"], row["report_approved_on"]) == (
        "report_approved",
        1,
        day(-30),
    )

    life.feedback()
    row = overview(api, life)
    assert row["stage"] == "feedback_delivered"
    assert row["ledger_items"] == 1
    assert row["written_report_due"] == _add_two_months(lifecycle.TODAY.toordinal() - 20)

    life.plan_accepted()
    assert overview(api, life)["stage"] == "rectifying"
    (item_id,) = life.item_ids
    item = api.get(f"/rectification-items/{item_id}")
    assert (item["status"], item["responsible_department"], item["deadline"]) == (
        "opened",
        "财务科",
        day(30),
    )
    summary = api.get("/rectification-summary", inspection_id=life.inspection_id)
    assert (summary["total"], summary["closed"], summary["completion_rate"]) == (1, 0, 0.0)

    life.close_item(item_id)
    item = api.get(f"/rectification-items/{item_id}")
    assert (item["status"], item["closed_on_time"], item["verifier_organization_id"]) == (
        "closed",
        True,
        "org-jw",
    )
    summary = api.get("/rectification-summary", inspection_id=life.inspection_id)
    assert (summary["closed"], summary["completion_rate"], summary["overdue"]) == (1, 1.0, 0)

    life.rectification_report_accepted()
    api.command(f"{life.at}/close", {}, OFFICE)
    row = overview(api, life)
    assert (row["stage"], row["closed_on"], row["items_total"], row["items_closed"]) == (
        "closed",
        day(0),
        1,
        1,
    )

    api.command(f"/rounds/{life.round_id}/close", {}, OFFICE)
    assert api.get(f"/rounds/{life.round_id}")["stage"] == "closed"

    trail = api.get("/audit-trail", stream_id=life.inspection_id, limit=500)["items"]
    assert trail[0]["type"] == "inspection.planned"
    assert trail[-1]["type"] == "inspection.closed"
    assert [row["stream_version"] for row in trail] == list(range(1, len(trail) + 1))
    everything = api.get("/audit-trail", limit=500)["items"]
    assert len(everything) == api.event_count()


def _add_two_months(ordinal: int) -> str:
    from datetime import date

    from xuncha.commands.dates import add_months

    return add_months(date.fromordinal(ordinal), 2).isoformat()

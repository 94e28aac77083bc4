"""The round dashboard's timeline of stages over HTTP on real PostgreSQL: an inspection driven
from planning to closure, with a suspension and a report returned for revision, its history
entered with days of fact months in the past. Each stage shows the fact's own day where the
event states one and the office day it was recorded otherwise; a rebuild gives the same."""

from __future__ import annotations

from datetime import date

import pytest

from tests.integration.test_dashboards import READER, consistent
from tests.support import lifecycle
from tests.support.api import (
    COMMITTEE,
    LEADER,
    LEADING_GROUP,
    OFFICE,
    PRINCIPAL,
    Api,
)
from tests.support.lifecycle import Lifecycle, day

# Every day of fact is counted from here: the inspection happened in the first half of 2026.
PAST = date(2026, 5, 1)


@pytest.fixture
def past(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lifecycle, "TODAY", PAST)


def timeline(api: Api, life: Lifecycle) -> list[tuple[str, str, str]]:
    board = api.get(f"/dashboards/rounds/{life.round_id}", READER)
    (group,) = board["groups"]["items"]
    (line,) = group["inspections_detail"]
    assert line["inspection_id"] == life.inspection_id
    return [(s["stage"], s["entered_on"], s["dated_by"]) for s in line["stages"]]


def report_returned_then_approved(api: Api, life: Lifecycle) -> None:
    body = {"summary": "总体评价与问题", "finding_ids": life.finding_ids}
    api.command(f"{life.at}/report", body, LEADER)
    api.command(f"{life.at}/report/review-by-office", {"report_version": 1}, OFFICE)
    back = {"report_version": 1, "comments": "问题定性需补充依据"}
    api.command(f"{life.at}/report/return-for-revision", back, OFFICE)
    api.command(f"{life.at}/report", {**body, "summary": "修改后的报告"}, LEADER)
    api.command(f"{life.at}/report/review-by-office", {"report_version": 2}, OFFICE)
    api.command(f"{life.at}/report/deliberate", {"report_version": 2}, LEADING_GROUP)
    approve = {"report_version": 2, "approved_on": day(-30), "meeting": "书记专题会"}
    api.command(f"{life.at}/report/approve", approve, COMMITTEE)


@pytest.mark.usefixtures("past")
def test_the_timeline_shows_each_stage_on_the_day_it_was_entered(
    api: Api, office_day: date
) -> None:
    recorded = office_day.isoformat()  # the office day the commands are typed in
    life = Lifecycle(api)
    life.propose_round()
    life.approve_round()
    life.plan_inspection()
    assert timeline(api, life) == [("planned", recorded, "recorded")]

    for step in (life.authorize_group, life.issue_notice, life.announce, life.station):
        step()
    api.command(f"{life.at}/suspend", {"why": "被巡察单位主要负责人调整"}, OFFICE)
    api.command(f"{life.at}/resume", {}, LEADING_GROUP)
    life.draft_finding()
    life.review_and_approve_finding(life.finding_ids[0])
    life.withdraw()
    report_returned_then_approved(api, life)
    life.feedback()
    life.plan_accepted()
    life.close_item(life.item_ids[0])
    life.rectification_report_accepted()
    api.command(f"{life.at}/close", {}, OFFICE)

    assert timeline(api, life) == [
        ("planned", recorded, "recorded"),
        ("group_authorized", recorded, "recorded"),
        ("notified", "2026-02-10", "fact"),
        ("announced", "2026-02-15", "fact"),
        ("stationed", "2026-02-20", "fact"),
        ("suspended", recorded, "recorded"),
        ("stationed", recorded, "recorded"),  # resumed to the stage it had left
        ("withdrawn", "2026-03-22", "fact"),
        ("report_drafted", recorded, "recorded"),
        ("report_office_reviewed", recorded, "recorded"),
        ("report_returned", recorded, "recorded"),
        ("report_drafted", recorded, "recorded"),
        ("report_office_reviewed", recorded, "recorded"),
        ("report_deliberated", recorded, "recorded"),
        ("report_approved", "2026-04-01", "fact"),
        ("feedback_delivered", "2026-04-11", "fact"),
        ("plan_submitted", "2026-05-01", "fact"),
        ("rectifying", "2026-05-01", "fact"),
        ("rectification_report_submitted", "2026-05-01", "fact"),
        ("rectification_report_accepted", recorded, "recorded"),
        ("closed", recorded, "fact"),  # closure is dated the office day it is decided
    ]
    # The facts' days are the ones given, not the day they were entered.
    assert recorded > "2026-05-01"
    board = api.get(f"/dashboards/rounds/{life.round_id}", READER)
    line = board["groups"]["items"][0]["inspections_detail"][0]
    assert (line["stage"], line["stationed_on"], line["withdrawn_on"]) == (
        "closed",
        "2026-02-20",
        "2026-03-22",
    )
    assert consistent(api, "round_dashboard")


def test_the_timeline_keeps_the_round_dashboards_readers_and_filters(api: Api) -> None:
    life = Lifecycle(api)
    life.to_stationed()
    other = api.command(
        f"/rounds/{life.round_id}/inspections",
        {
            "organization_id": "org-roads",
            "organization_name": "市交通局党组",
            "group_name": "第二巡察组",
        },
        OFFICE,
        201,
    )["created_id"]
    api.command(f"/inspections/{other}/suspend", {"why": "机构改革"}, OFFICE)
    only = api.get(f"/dashboards/rounds/{life.round_id}", READER, stage="suspended")
    (group,) = only["groups"]["items"]
    (line,) = group["inspections_detail"]
    today = day(0)
    assert (line["inspection_id"], line["stages"]) == (
        other,
        [
            {"stage": "planned", "entered_on": today, "dated_by": "recorded"},
            {"stage": "suspended", "entered_on": today, "dated_by": "recorded"},
        ],
    )
    # Whoever may not read the round dashboard may not read its timeline either.
    for who in (LEADER, PRINCIPAL):
        response = api.client.get(f"/dashboards/rounds/{life.round_id}", headers=api.headers(who))
        assert response.status_code == 403, (who, response.text)
    assert consistent(api, "round_dashboard")

"""Feedback and rectification complete, over HTTP on real PostgreSQL: joint feedback required
by policy, a long-term item, an extension, three-colour warnings from the clock at a chosen
`now` (twice → once), closure, a return visit that finds 纸面整改 and reopens the item, the
evaluation, the shared result published twice, and a look-back inspection linked to this one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.support.api import (
    COMMITTEE,
    DISCIPLINE,
    LEADER,
    LEADING_GROUP,
    OFFICE,
    PRINCIPAL,
    Api,
)
from tests.support.lifecycle import Lifecycle, day
from xuncha.commands.timers.deadline_warnings import DeadlineWarnings


def tick(api: Api, offset: int) -> int:
    """Run the three-colour timer as of `offset` days from today; follow the log's head."""
    container = api.client.app.state.container  # type: ignore[attr-defined]
    now = datetime.fromisoformat(day(offset)).replace(hour=9, tzinfo=UTC)
    warnings = container.timers["rectification_deadline_warnings"]
    assert isinstance(warnings, DeadlineWarnings)
    issued = warnings.tick(now)
    api.position = container.store.head()
    return issued


def item(api: Api, item_id: str) -> Any:
    return api.get(f"/rectification-items/{item_id}")


def events_of(result: Any) -> list[str]:
    return [e["type"] for e in result["events"]]


def test_feedback_rectification_follow_up_results_and_lookback(api: Api) -> None:
    policy = {
        "jurisdiction_id": "yulin",
        "effective_from": day(-300),
        "parameters": {
            "require_joint_feedback_team": True,
            "evaluation_delay_months": 0,
            "share_responsible_leaders": True,
        },
    }
    api.command("/policy-versions", policy, OFFICE)
    life = Lifecycle(api)
    life.to_report_approved()
    at = life.at

    first = api.command(f"{at}/shared-results", {"leads": None}, OFFICE)
    assert events_of(first) == ["results.inspection_result_shared"]

    # Feedback: the opinion, 双反馈, and no delivery without the joint team the policy requires.
    ledger = [
        {"item_no": 1, "problem": "违规拆分采购", "finding_ids": life.finding_ids},
        {"item_no": 2, "problem": "采购制度不健全", "finding_ids": life.finding_ids},
    ]
    api.command(f"{at}/feedback/opinion", {"opinion": "整改意见", "ledger": ledger}, LEADER)
    brief = {"principal_name": "党组书记", "briefed_on": day(-25)}
    api.command(f"{at}/feedback/one-to-one", brief, LEADER)
    before = api.event_count()
    refused = api.post(f"{at}/feedback/deliver", {"delivered_on": day(-20)}, LEADER)
    assert refused.status_code == 409, refused.text
    assert "joint feedback team" in refused.json()["detail"]
    assert api.event_count() == before
    partial = {"members": [{"unit": "inspection", "organization_id": "org-xcb", "name": "巡察办"}]}
    refused = api.post(f"{at}/feedback/joint-team", partial, LEADING_GROUP)
    assert refused.status_code == 422, refused.text
    team = {
        "members": [
            {"unit": "inspection", "organization_id": "org-xcb", "name": "巡察办"},
            {"unit": "discipline", "organization_id": "org-jw", "name": "市纪委监委"},
            {"unit": "organization", "organization_id": "org-zzb", "name": "市委组织部"},
            {"unit": "petitions", "organization_id": "org-xf", "name": "市信访局"},
        ]
    }
    api.command(f"{at}/feedback/joint-team", team, LEADING_GROUP)
    api.command(f"{at}/feedback/deliver", {"delivered_on": day(-20)}, LEADER)
    copies = {
        "recipients": [
            {"kind": "leader_in_charge", "name": "分管副市长"},
            {"kind": "supervising_department", "name": "市住建局"},
            {"kind": "discipline_commission", "name": "市纪委监委"},
            {"kind": "organization_department", "name": "市委组织部"},
        ],
        "sent_on": day(-19),
    }
    api.command(f"{at}/feedback/copies", copies, OFFICE)
    api.command(f"{at}/feedback/acknowledge", {"acknowledged_on": day(-19)}, PRINCIPAL)
    summary = {"scope": "internal", "summary": "反馈情况", "published_on": day(-18)}
    api.command(f"{at}/feedback/publish", summary, OFFICE)

    # Rectification as a whole, and the plan with two items.
    taskforce = {
        "leader_name": "党组书记",
        "members": ["局长", "副局长"],
        "office": "办公室",
        "established_on": day(-18),
    }
    api.command(f"{at}/rectification/taskforce", taskforce, PRINCIPAL)
    meeting = {"held_on": day(-10), "attendees": ["班子成员"], "topics": "对照检查"}
    held = api.command(f"{at}/rectification/life-meeting", meeting, PRINCIPAL)
    assert events_of(held) == ["rectification_plan.life_meeting_held"]
    items = [
        {
            "ledger_item_no": n,
            "measures": f"措施 {n}",
            "responsible_leader": leader,
            "responsible_department": "财务科",
            "deadline": day(30 + n),
        }
        for n, leader in ((1, "局长"), (2, "副局长"))
    ]
    api.command(f"{at}/rectification-plan", {"items": items}, PRINCIPAL)
    accepted = api.command(f"{at}/rectification-plan/accept", {"plan_version": 1}, OFFICE)
    first_item, second_item = (
        e["stream_id"] for e in accepted["events"] if e["type"] == "rectification.item_opened"
    )

    # Long-term work: the last milestone becomes the deadline; not counted as closed.
    long_term = {
        "justification": "需跨年度推进",
        "milestones": [
            {"due": day(100), "description": "制度建立"},
            {"due": day(200), "description": "全面完成"},
        ],
    }
    api.command(f"/rectification-items/{second_item}/reclassify-long-term", long_term, OFFICE)
    row = item(api, second_item)
    assert (row["status"], row["long_term"], row["deadline"]) == ("long_term", True, day(200))
    assert row["original_deadline"] == day(32)

    # An approved, counted extension of the first item's deadline.
    extension = {"deadline": day(45), "justification": "招标周期", "approval_ref": "领导小组批复"}
    api.command(f"/rectification-items/{first_item}/extend-deadline", extension, OFFICE)
    row = item(api, first_item)
    assert (row["deadline"], row["extensions"], row["original_deadline"]) == (day(45), 1, day(31))

    # Three colours from the clock, at chosen moments: each once.
    assert tick(api, 10) == 0
    assert tick(api, 30) == 1  # 15 days left: green
    assert tick(api, 30) == 0
    assert item(api, first_item)["colour"] == "green"
    assert tick(api, 36) == 1  # 9 days left: yellow
    assert tick(api, 46) == 1  # overdue: red
    assert tick(api, 46) == 0
    assert (item(api, first_item)["colour"], item(api, second_item)["colour"]) == ("red", None)
    sums = api.get("/rectification-summary", inspection_id=life.inspection_id, as_of=day(46))
    assert (sums["red"], sums["overdue"], sums["long_term"], sums["extended"]) == (1, 1, 1, 1)

    # Escalation on the item.
    notice = {"content": "限期整改", "respond_by": day(7)}
    api.command(f"/rectification-items/{first_item}/supervision-notice", notice, OFFICE)
    talk = {"interviewee": "局长", "held_on": day(0), "summary": "约谈"}
    api.command(f"/rectification-items/{first_item}/accountability-talk", talk, LEADING_GROUP)

    # Closure, then a return visit finds 纸面整改: reopened, back to work, closed again.
    life.close_item(first_item)
    row = item(api, first_item)
    assert (row["status"], row["colour"], row["closed_on_time"]) == ("closed", None, True)
    before = api.event_count()
    reopen = {"visit_no": 1, "comments": "现场未整改"}
    refused = api.post(f"/rectification-items/{first_item}/reopen", reopen, OFFICE)
    assert refused.status_code == 422, refused.text
    assert api.event_count() == before
    visit = {"planned_on": day(0), "methods": ["listen", "check"], "item_ids": [first_item]}
    api.command(f"{at}/follow-up/return-visits", visit, OFFICE)
    record = {
        "visit_no": 1,
        "conducted_on": day(0),
        "checked_items": [{"item_id": first_item, "result": "paper_rectification"}],
        "survey": {"respondents": 20, "satisfied": 12, "basically_satisfied": 5, "dissatisfied": 3},
    }
    recorded = api.command(f"{at}/follow-up/return-visits/record", record, OFFICE)
    assert events_of(recorded) == [
        "follow_up.return_visit_conducted",
        "follow_up.satisfaction_survey_recorded",
    ]
    api.command(f"/rectification-items/{first_item}/reopen", reopen, DISCIPLINE)
    row = item(api, first_item)
    assert (row["status"], row["reopens"], row["closed_on"]) == ("in_progress", 1, None)
    sums = api.get("/rectification-summary", inspection_id=life.inspection_id)
    assert (sums["closed"], sums["reopened"], sums["completion_rate"]) == (0, 1, 0.0)
    life.close_item(first_item)

    sums = api.get("/rectification-summary", inspection_id=life.inspection_id)
    assert (sums["total"], sums["closed"], sums["long_term"]) == (2, 1, 1)
    assert (sums["completion_rate"], sums["completion_rate_excluding_long_term"]) == (0.5, 1.0)
    assert (sums["reopened"], sums["reopens"], sums["extended"], sums["extensions"]) == (1, 1, 1, 1)

    # The written report, its disclosure (content as accepted), the stages, the evaluation.
    life.rectification_report_accepted()
    wrong = {"scope": "public", "content": "另写的文字", "disclosed_on": day(0), "channel": "网站"}
    assert api.post(f"{at}/rectification/disclose", wrong, PRINCIPAL).status_code == 422
    disclosure = {**wrong, "content": "整改情况报告"}
    disclosed = api.command(f"{at}/rectification/disclose", disclosure, PRINCIPAL)
    assert events_of(disclosed) == ["rectification_plan.disclosed_publicly"]
    api.command(f"{at}/rectification/end-centralized", {"ended_on": day(0)}, OFFICE)
    started = api.command(f"{at}/rectification/start-continuous", {"started_on": day(0)}, OFFICE)
    assert events_of(started) == ["rectification_plan.continuous_rectification_started"]
    done = {"summarized_on": day(0), "summary": "整改总结"}
    api.command(f"{at}/rectification/summarize", done, OFFICE)
    evaluation = {
        "evaluated_on": day(0),
        "score": 88,
        "grade": "good",
        "indicators": [{"name": "整改完成率", "score": 18, "max_score": 20}],
        "evaluators": ["巡察办", "市纪委监委", "市委组织部"],
    }
    api.command(f"{at}/follow-up/evaluate", evaluation, OFFICE)

    # Shared again after the evaluation (sequence 2), with what the policy allows.
    again = api.command(f"{at}/shared-results", {"leads": None}, OFFICE)
    assert [e["stream_version"] for e in again["events"]] == [2]
    trail = api.get("/audit-trail", type="results.inspection_result_shared")["items"]
    assert [row["stream_version"] for row in trail] == [1, 2]
    assert api.post(f"{at}/shared-results", {}, OFFICE).status_code == 409

    # 回头看: a new inspection in a look-back round, linked in the same transaction.
    round_body = {
        "jurisdiction_id": "yulin",
        "committee": "中共榆林市委",
        "name": "巡察整改回头看",
        "round_type": "lookback",
        "planned_start": day(-10),
        "planned_end": day(100),
    }
    lookback_round = api.command("/rounds", round_body, OFFICE, 201)["created_id"]
    api.command(f"/rounds/{lookback_round}/approve", {}, COMMITTEE)
    body = {
        "lookback_of_inspection_id": life.inspection_id,
        "provincial_feedback_refs": ["省委巡视反馈问题 7"],
        "group_name": "第三巡察组",
    }
    launched = api.command(f"/rounds/{lookback_round}/lookbacks", body, COMMITTEE, 201)
    lookback_id = launched["created_id"]
    assert sorted(events_of(launched)) == [
        "follow_up.lookback_inspection_launched",
        "inspection.lookback_linked",
        "inspection.planned",
        "round.target_assigned",
    ]
    assert len({e["stream_id"] for e in launched["events"]}) == 3
    new = api.get(f"/inspections/{lookback_id}")
    assert (new["stage"], new["organization_id"]) == ("planned", "org-water-bureau")
    trail = api.get("/audit-trail", stream_id=lookback_id)["items"]
    assert [row["type"] for row in trail] == ["inspection.planned", "inspection.lookback_linked"]


def test_bad_input_is_refused_and_appends_nothing(api: Api) -> None:
    life = Lifecycle(api)
    life.to_rectifying()
    (item_id,) = life.item_ids
    before = api.event_count()
    cases: list[tuple[str, Any, Any, int]] = [
        (f"/rectification-items/{item_id}/extend-deadline", {"deadline": day(5)}, OFFICE, 422),
        (
            f"/rectification-items/{item_id}/extend-deadline",
            {"deadline": day(10), "justification": "r", "approval_ref": "a"},
            OFFICE,
            422,
        ),
        (
            f"/rectification-items/{item_id}/reclassify-long-term",
            {"justification": "r", "milestones": [{"due": day(9), "description": "m"}]},
            PRINCIPAL,
            403,
        ),
        (f"/rectification-items/{item_id}/reopen", {"visit_no": 1, "comments": "c"}, OFFICE, 409),
        (f"{life.at}/follow-up/evaluate", {"evaluated_on": day(0)}, OFFICE, 422),
        (f"{life.at}/feedback/copies", {"recipients": [], "sent_on": day(0)}, OFFICE, 422),
        (
            f"{life.at}/rectification/disclose",
            {
                "scope": "public",
                "content": "c",
                "disclosed_on": day(0),
                "exemptions": ["state_secret"],
            },
            OFFICE,
            409,  # not yet accepted: the stage is checked first
        ),
        (
            f"{life.at}/follow-up/return-visits/record",
            {"visit_no": 1, "conducted_on": day(0)},
            OFFICE,
            409,
        ),
        (
            "/confession-books/00000000-0000-4000-8000-000000000001/entries",
            {"subject_label": "s", "text": "t", "case_ref": "c"},
            OFFICE,
            404,
        ),
    ]
    for path, body, who, status in cases:
        response = api.post(path, body, who)
        assert response.status_code == status, (path, response.status_code, response.text)
    assert api.event_count() == before


def test_warnings_follow_the_policy_version_the_item_was_opened_with(api: Api) -> None:
    life = Lifecycle(api)
    life.to_rectifying()  # under the built-in default: green 20 days, yellow 10 days before
    (item_id,) = life.item_ids  # due in 30 days
    later = {
        "jurisdiction_id": "yulin",
        "effective_from": day(0),
        "parameters": {"warn_green_days": 60, "warn_yellow_days": 50},
    }
    api.command("/policy-versions", later, OFFICE)
    assert tick(api, 0) == 0  # the later version would already say yellow
    assert tick(api, 10) == 1
    row = item(api, item_id)
    assert (row["colour"], row["policy_version"]) == ("green", 0)

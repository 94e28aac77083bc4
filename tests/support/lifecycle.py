"""The whole inspection lifecycle over HTTP, step by step, with dates relative to today.

Tests call the steps up to the stage they need; each step asserts its command succeeded.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.support.api import (
    COMMITTEE,
    DEPUTY,
    DISCIPLINE,
    LEADER,
    LEADING_GROUP,
    LIAISON,
    MEMBER,
    MEMBER_2,
    MEMBER_3,
    OFFICE,
    PRINCIPAL,
    TARGET_ORG,
    Api,
)
from xuncha.events.office_day import office_today

# The office day of the running test: set by tests/conftest.py's `office_day` when each test
# starts (never at import: a session can run across midnight).
TODAY = office_today()
GROUP = (LEADER, DEPUTY, MEMBER, MEMBER_2, MEMBER_3)


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def person(who: Any, name: str) -> dict[str, str]:
    return {"user_id": who.user_id, "name": name}


FINDING = {
    "title": "Procurement split to avoid tendering",
    "facts": "Three contracts of 190,000 yuan each went to one supplier within a month.",
    "basis": "Tendering Law Art. 4; 八项规定 implementation rules",
    "evidence_refs": ["doc-2026-017", "doc-2026-018"],
    "responsible_subject": "Party group of the water bureau",
    "taxonomy_version": "four-implementations-2022",
    "tags": ["三重一大"],
}


class Lifecycle:
    """Ids and steps of one inspection; `api.position` follows the last command."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.round_id = ""
        self.inspection_id = ""
        self.group_id = ""
        self.finding_ids: list[str] = []
        self.item_ids: list[str] = []

    @property
    def at(self) -> str:
        return f"/inspections/{self.inspection_id}"

    def propose_round(self) -> Any:
        body = {
            "jurisdiction_id": "yulin",
            "committee": "中共榆林市委",
            "name": "2026年第一轮巡察",
            "round_type": "regular",
            "planned_start": day(-100),
            "planned_end": day(200),
        }
        result = self.api.command("/rounds", body, OFFICE, 201)
        self.round_id = result["created_id"]
        return result

    def approve_round(self) -> Any:
        return self.api.command(f"/rounds/{self.round_id}/approve", {}, COMMITTEE)

    def plan_inspection(self, organization_id: str = TARGET_ORG) -> Any:
        body = {
            "organization_id": organization_id,
            "organization_name": "市水务局党组",
            "group_name": "第一巡察组",
        }
        result = self.api.command(f"/rounds/{self.round_id}/inspections", body, OFFICE, 201)
        self.inspection_id = result["created_id"]
        return result

    def form_group(self) -> Any:
        """Propose, declare, clear, form and pledge: a group ready to be authorized."""
        body = {
            "round_id": self.round_id,
            "name": "第一巡察组",
            "inspection_ids": [self.inspection_id],
            "leader": person(LEADER, "张组长"),
            "deputies": [person(DEPUTY, "李副组长")],
        }
        self.group_id = self.api.command("/groups", body, OFFICE, 201)["created_id"]
        at = f"/groups/{self.group_id}"
        for who in (LEADER, DEPUTY):
            self.api.command(f"{at}/recusal-declaration", {}, who)
        members = [person(MEMBER, "王组员"), person(MEMBER_2, "赵组员"), person(MEMBER_3, "钱组员")]
        self.api.command(f"{at}/form", {"members": members}, OFFICE)
        for who in (MEMBER, MEMBER_2, MEMBER_3):
            self.api.command(f"{at}/recusal-declaration", {}, who)
        people = [w.user_id for w in GROUP]
        self.api.command(f"{at}/clear-recusal", {"user_ids": people}, OFFICE)
        for who in GROUP:
            result = self.api.command(f"{at}/pledge", {"signed_on": day(-85)}, who)
        return result

    def authorize_group(self) -> Any:
        if not self.group_id:
            self.form_group()
        body = {"group_id": self.group_id, "window_start": day(-80), "window_end": day(-10)}
        return self.api.command(f"{self.at}/authorize-group", body, LEADING_GROUP)

    def issue_notice(self) -> Any:
        body = {
            "notice_date": day(-80),
            "planned_stationing_date": day(-70),
            "addressee": "市水务局党组书记",
        }
        return self.api.command(f"{self.at}/issue-notice", body, OFFICE)

    def announce(self) -> Any:
        body = {
            "published_on": day(-75),
            "scope": "市水务局党组及班子成员",
            "focus": "四个落实",
            "period_start": day(-70),
            "period_end": day(-40),
            "contacts": {
                "phone": "0912-1234567",
                "phone_hours": "工作日 8:00-18:00",
                "mailbox": "榆林市邮政信箱 001 号",
            },
            "intake_deadline": day(-45),
        }
        return self.api.command(f"{self.at}/publish-announcement", body, OFFICE)

    def station(self) -> Any:
        return self.api.command(f"{self.at}/station-group", {"stationed_on": day(-70)}, LEADER)

    def draft_finding(self) -> Any:
        result = self.api.command(f"{self.at}/findings", {"content": FINDING}, MEMBER, 201)
        self.finding_ids.append(result["created_id"])
        return result

    def review_and_approve_finding(self, finding_id: str) -> Any:
        self.api.command(
            f"/findings/{finding_id}/review", {"meeting_ref": "组务会 2026-07"}, DEPUTY
        )
        return self.api.command(f"/findings/{finding_id}/approve", {}, LEADER)

    def withdraw(self) -> Any:
        return self.api.command(f"{self.at}/end-stationing", {"withdrawn_on": day(-40)}, LEADER)

    def report_through_approval(self) -> Any:
        body = {"summary": "总体评价与问题", "finding_ids": self.finding_ids}
        self.api.command(f"{self.at}/report", body, LEADER)
        self.api.command(f"{self.at}/report/review-by-office", {"report_version": 1}, OFFICE)
        self.api.command(f"{self.at}/report/deliberate", {"report_version": 1}, LEADING_GROUP)
        body = {"report_version": 1, "approved_on": day(-30), "meeting": "书记专题会"}
        return self.api.command(f"{self.at}/report/approve", body, COMMITTEE)

    def feedback(self) -> Any:
        ledger = [{"item_no": 1, "problem": "违规拆分采购", "finding_ids": self.finding_ids}]
        self.api.command(
            f"{self.at}/feedback/opinion", {"opinion": "整改意见", "ledger": ledger}, LEADER
        )
        body = {"delivered_on": day(-20), "attendees": ["市水务局党组全体成员"]}
        return self.api.command(f"{self.at}/feedback/deliver", body, LEADER)

    def plan_accepted(self) -> Any:
        item = {
            "ledger_item_no": 1,
            "measures": "重新招标并建立采购审查制度",
            "responsible_leader": "局长",
            "responsible_department": "财务科",
            "deadline": day(30),
        }
        plan = {"items": [item], "submitted_on": day(0)}
        self.api.command(f"{self.at}/rectification-plan", plan, PRINCIPAL)
        result = self.api.command(
            f"{self.at}/rectification-plan/accept",
            {"plan_version": 1, "accepted_on": day(0)},
            OFFICE,
        )
        self.item_ids = [
            e["stream_id"] for e in result["events"] if e["type"] == "rectification.item_opened"
        ]
        return result

    def close_item(self, item_id: str) -> Any:
        at = f"/rectification-items/{item_id}"
        self.api.command(f"{at}/progress", {"percent": 60, "note": "已重新招标"}, LIAISON)
        self.api.command(
            f"{at}/request-closure",
            {"summary": "整改完成", "evidence_refs": ["doc-2026-101"]},
            PRINCIPAL,
        )
        self.api.command(f"{at}/verify", {"note": "核查属实"}, DISCIPLINE)
        return self.api.command(f"{at}/close", {}, OFFICE)

    def rectification_report_accepted(self) -> Any:
        body = {
            "organization_report": "整改情况报告",
            "principal_report": "组织落实情况报告",
            "submitted_on": day(0),
        }
        self.api.command(f"{self.at}/rectification-report", body, PRINCIPAL)
        return self.api.command(f"{self.at}/rectification-report/accept", {"report_no": 1}, OFFICE)

    def to_stationed(self) -> None:
        for step in (
            self.propose_round,
            self.approve_round,
            self.plan_inspection,
            self.authorize_group,
            self.issue_notice,
            self.announce,
            self.station,
        ):
            step()

    def to_report_approved(self) -> None:
        self.to_stationed()
        self.draft_finding()
        self.review_and_approve_finding(self.finding_ids[0])
        self.withdraw()
        self.report_through_approval()

    def to_rectifying(self) -> None:
        self.to_report_approved()
        self.feedback()
        self.plan_accepted()

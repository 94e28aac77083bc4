"""The warnings commands answer with, in one place: what happened and what to do next, in
Chinese and English (docs/architecture.md, "Warnings")."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from xuncha.commands.decision import CommandWarning, WarningCode
from xuncha.events.vocabulary import FindingStatus, GroupStage, label


def _numbers(values: Sequence[int]) -> str:
    return ", ".join(str(v) for v in values)


def group_back_to_proposed(user_id: str) -> CommandWarning:
    return CommandWarning(
        WarningCode.GROUP_BACK_TO_PROPOSED,
        f"{user_id} 回避后，巡察组退回“{label(GroupStage.PROPOSED).zh}”状态：须补充人员后重新组建，"
        "方可授权。",
        f"With {user_id} recused, the formed group went back to '{GroupStage.PROPOSED}': form "
        "it again "
        "(with a replacement) before it can be authorized.",
    )


def group_leaderless(user_id: str) -> CommandWarning:
    return CommandWarning(
        WarningCode.GROUP_LEADERLESS,
        f"组长 {user_id} 回避后，巡察组没有组长，不能组建：请重新提出巡察组人选。",
        f"The leader {user_id} was recused: the group has no leader and cannot be formed; "
        "propose a new group.",
    )


def member_left_inspections(user_id: str, inspections: int) -> CommandWarning:
    return CommandWarning(
        WarningCode.MEMBER_LEFT_INSPECTIONS,
        f"{user_id} 已退出本组已授权的 {inspections} 项巡察。",
        f"{user_id} left the {inspections} inspection(s) the group is authorized for.",
    )


def findings_review_required(user_id: str, findings: int) -> CommandWarning:
    return CommandWarning(
        WarningCode.FINDINGS_REVIEW_REQUIRED,
        f"{user_id} 起草的 {findings} 个问题须重新审核、签字。",
        f"{findings} finding(s) drafted by {user_id} went back to drafted: review and sign "
        "them again.",
    )


def report_returned_for_revision(reports: int) -> CommandWarning:
    return CommandWarning(
        WarningCode.REPORT_RETURNED_FOR_REVISION,
        f"引用上述问题的 {reports} 份巡察报告稿已退回修改。",
        f"{reports} report draft(s) citing those findings were returned for revision.",
    )


def recused_findings_in_approved_report(user_id: str, findings: int) -> CommandWarning:
    return CommandWarning(
        WarningCode.RECUSED_FINDINGS_IN_APPROVED_REPORT,
        f"已批准的巡察报告中有 {user_id} 起草的 {findings} 个问题：报告不变，已报巡察办研究处理。",
        f"{findings} finding(s) drafted by {user_id} are in an approved report, which stays "
        "as it is: they are reported to the inspection office to decide.",
    )


def finding_back_to_drafted(status: FindingStatus) -> CommandWarning:
    drafted = FindingStatus.DRAFTED
    return CommandWarning(
        WarningCode.FINDING_BACK_TO_DRAFTED,
        f"问题修改后由“{label(status).zh}”退回“{label(drafted).zh}”状态：须重新审核、批准。",
        f"The amended finding went back from '{status}' to '{drafted}': review and approve it"
        " again.",
    )


def plan_item_deadline_passed(ledger_item_nos: Sequence[int], today: date) -> CommandWarning:
    nos = _numbers(ledger_item_nos)
    return CommandWarning(
        WarningCode.PLAN_ITEM_DEADLINE_PASSED,
        f"问题台账第 {nos} 项的整改时限早于今天（{today}）：方案通过后，这些整改事项即为逾期"
        "（红色预警），直至销号。",
        f"The deadline of the plan items for ledger problems {nos} is before today ({today}): "
        "once the plan is accepted they are overdue (red warning) until closed.",
    )


def closed_after_deadline(closed_on: date, deadline: date) -> CommandWarning:
    return CommandWarning(
        WarningCode.CLOSED_AFTER_DEADLINE,
        f"销号日期 {closed_on} 晚于整改时限 {deadline}：不计入按期完成。",
        f"Closed on {closed_on}, after the deadline {deadline}: not counted as on time "
        "(按期完成率).",
    )


def quick_closure(days_open: int, within_days: int) -> CommandWarning:
    return CommandWarning(
        WarningCode.QUICK_CLOSURE,
        f"事项开启后 {days_open} 天即销号（不超过 {within_days} 天）：已记录可能纸面整改的预警，"
        "销号有效。",
        f"Closed {days_open} day(s) after opening (within {within_days}): flagged as a "
        "possible 纸面整改 (paper rectification); the closure stands.",
    )


def bulk_closure(closed_that_day: int, threshold: int, day: date) -> CommandWarning:
    return CommandWarning(
        WarningCode.BULK_CLOSURE,
        f"该单位 {day} 已销号 {closed_that_day} 项（阈值 {threshold}）：已记录集中销号预警，"
        "销号有效。",
        f"This is the organization's closure no. {closed_that_day} on {day} (threshold "
        f"{threshold}): flagged as bulk closure; the closure stands.",
    )


def lead_acknowledged_late(acknowledged_on: date, due: date) -> CommandWarning:
    return CommandWarning(
        WarningCode.LEAD_ACKNOWLEDGED_LATE,
        f"签收日期 {acknowledged_on} 晚于应签收日期 {due}：记为逾期签收。",
        f"Acknowledged on {acknowledged_on}, after it was due ({due}): recorded as late.",
    )


def lead_outcome_late(reported_on: date, due: date) -> CommandWarning:
    return CommandWarning(
        WarningCode.LEAD_OUTCOME_LATE,
        f"办理结果反馈日期 {reported_on} 晚于应反馈日期 {due}：记为逾期反馈。",
        f"Outcome reported on {reported_on}, after it was due ({due}): recorded as late.",
    )

"""Answers of `api/http/routes/queries.py`: rounds, inspections and the rectification ledger
(整改台账). The figures are defined in docs/read-models.md."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import Field

from xuncha.api.http.schemas.common import Answer
from xuncha.events.vocabulary import (
    InspectionStage,
    RectificationItemStatus,
    RoundStage,
    RoundType,
    WarningLevel,
)

VERSION = "The record's stream version: send it as `If-Match` (also the `ETag`)"


class Round(Answer):
    """A round (巡察轮次) of the committee's plan."""

    round_id: UUID
    jurisdiction_id: str
    committee: str
    name: str
    round_type: RoundType
    planned_start: date
    planned_end: date
    stage: RoundStage
    mobilized_on: date | None = Field(description="Day of the round's mobilization (动员部署)")
    plan_filed_on: date | None = Field(description="Day the round's plan was filed (备案)")
    stream_version: int = Field(description=VERSION)


class Inspection(Answer):
    """One inspection: one organization inspected by one group in one round."""

    inspection_id: UUID
    round_id: UUID
    jurisdiction_id: str
    round_type: RoundType
    organization_id: str
    organization_name: str
    group_name: str
    leader_user_id: str | None = Field(description="Group leader, once the group is authorized")
    stage: InspectionStage = Field(description="Inspection stage (docs/read-models.md)")
    window_start: date | None
    window_end: date | None
    notice_date: date | None
    planned_stationing_date: date | None
    announced_on: date | None
    stationed_on: date | None = Field(description="Day the group was stationed (进驻)")
    withdrawn_on: date | None
    report_version: int | None
    report_approved_on: date | None
    feedback_delivered_on: date | None
    plan_due: date | None = Field(description="Rectification plan due (feedback + policy days)")
    written_report_due: date | None
    plan_version: int | None
    rectification_report_submitted_on: date | None
    rectification_report_on_time: bool | None
    closed_on: date | None
    suspended_from: str | None = Field(description="Stage the inspection was suspended from")
    side_exit_reason: str | None
    findings_total: int = Field(description="Findings drafted (any status)")
    findings_approved: int = Field(description="Findings signed by the group leader")
    ledger_items: int = Field(description="Problems in the delivered feedback's 问题台账")
    items_total: int = Field(description="Rectification items opened from the accepted plan")
    items_closed: int = Field(description="Rectification items closed (销号)")
    stream_version: int = Field(description=VERSION)
    updated_at: datetime


class Milestone(Answer):
    """A step of long-term (持续整改) work."""

    due: date
    description: str


class RectificationItem(Answer):
    """A rectification item (整改事项) of the ledger."""

    item_id: UUID
    inspection_id: UUID
    round_id: UUID
    organization_id: str
    organization_name: str
    ledger_item_no: int = Field(description="The problem's number in the feedback ledger")
    problem: str
    measures: str
    responsible_leader: str = Field(description="责任领导")
    responsible_department: str = Field(description="责任部门")
    deadline: date = Field(description="Deadline in force (after extensions, reclassification)")
    original_deadline: date | None = Field(description="The plan's deadline, once changed")
    status: RectificationItemStatus
    percent: int = Field(description="Progress last reported, 0-100")
    opened_at: datetime = Field(description="When the item's opening was recorded")
    opened_on: date | None = Field(
        description="Day the item opened: the plan's acceptance (`accepted_on`, the date of the "
        "fact); null only in a ledger not rebuilt since the date was added"
    )
    closure_requested_at: datetime | None
    closure_requested_on: date | None = Field(
        description="Day the closure was asked for (the command's date of the fact)"
    )
    verified_at: datetime | None
    verified_on: date | None = Field(description="Day of the verification (date of the fact)")
    verifier_organization_id: str | None
    verification_failures: int
    closed_on: date | None = Field(description="Day of closure (销号)")
    closed_on_time: bool | None = Field(
        description="Closed on or before the deadline in force when it was closed"
    )
    policy_version: int
    long_term: bool = Field(description="Reclassified as long-term (持续整改)")
    milestones: list[Milestone] | None
    extensions: int = Field(description="Approved deadline extensions")
    reopens: int = Field(description="Reopenings after a return visit")
    colour: WarningLevel | None = Field(
        description="三色预警: the clock's last warning against the current deadline"
    )
    supervision_notices: int = Field(description="督办单 issued")
    accountability_talks: int = Field(description="约谈 held")
    overdue: bool = Field(description="Not closed and the deadline is before `as_of`")
    stream_version: int = Field(description=VERSION)


class RectificationSummary(Answer):
    """Ledger figures for the items in the filter and the reader's scope."""

    as_of: date = Field(description="Reference day for `overdue`")
    total: int = Field(description="Items opened from accepted plans")
    closed: int = Field(description="Items closed (销号) after verification")
    closed_on_time: int = Field(description="Closed on or before the deadline in force")
    overdue: int = Field(description="Not closed, deadline before `as_of`")
    awaiting_verification: int = Field(description="Closure requested, not yet verified")
    long_term: int = Field(description="Long-term (持续整改), not closed")
    reopened: int = Field(description="Items reopened at least once")
    reopens: int = Field(description="All reopenings")
    extended: int = Field(description="Items with at least one approved extension")
    extensions: int = Field(description="All approved extensions")
    green: int = Field(description="Items whose last warning is green")
    yellow: int = Field(description="Items whose last warning is yellow")
    red: int = Field(description="Items whose last warning is red")
    completion_rate: float | None = Field(
        description="整改完成率 = closed ÷ total, 4 decimals (long-term items stay in the "
        "denominator); null when total is 0"
    )
    completion_rate_excluding_long_term: float | None = Field(
        description="closed ÷ (total − long_term), 4 decimals; null when nothing is left"
    )

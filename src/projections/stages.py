"""The stage a read model shows for a round or an inspection, and every event that moves it.

One table for every read model that shows a stage (`inspection_overview`, `round_dashboard`,
`lead_dashboard`): a stage-changing event is then followed by all of them or by none, never
shown by `/rounds` and missed by a dashboard (tests/unit/test_stages.py checks the tables
against the aggregates' own `evolve`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from xuncha.events import inspection, round
from xuncha.events.base import DomainEvent, EventMetadata
from xuncha.events.office_day import office_date
from xuncha.events.vocabulary import InspectionStage, RoundStage, StageDating
from xuncha.projections.dashboard_support import class_entry

# A round's stage as shown: the aggregate's own stages plus `mobilized` (动员部署会 held).
ROUND_STAGES: dict[type[DomainEvent], str] = {
    round.RoundApproved: RoundStage.APPROVED,
    round.RoundMobilized: RoundStage.MOBILIZED,
    round.RoundClosed: RoundStage.CLOSED,
}
INSPECTION_STAGES: dict[type[DomainEvent], str] = {
    inspection.GroupAuthorized: InspectionStage.GROUP_AUTHORIZED,
    inspection.InspectionNoticeIssued: InspectionStage.NOTIFIED,
    inspection.InspectionAnnouncementPublished: InspectionStage.ANNOUNCED,
    inspection.GroupStationed: InspectionStage.STATIONED,
    inspection.GroupWithdrawn: InspectionStage.WITHDRAWN,
    inspection.InspectionReportDrafted: InspectionStage.REPORT_DRAFTED,
    inspection.ReportReviewedByOffice: InspectionStage.REPORT_OFFICE_REVIEWED,
    inspection.ReportReturnedForRevision: InspectionStage.REPORT_RETURNED,
    inspection.ReportDeliberatedByLeadingGroup: InspectionStage.REPORT_DELIBERATED,
    inspection.ReportApproved: InspectionStage.REPORT_APPROVED,
    inspection.InspectionFeedbackDelivered: InspectionStage.FEEDBACK_DELIVERED,
    inspection.RectificationPlanSubmitted: InspectionStage.PLAN_SUBMITTED,
    inspection.RectificationPlanReturned: InspectionStage.PLAN_RETURNED,
    inspection.RectificationPlanAccepted: InspectionStage.RECTIFYING,
    inspection.RectificationReportSubmitted: InspectionStage.RECTIFICATION_REPORT_SUBMITTED,
    inspection.RectificationReportReturned: InspectionStage.RECTIFICATION_REPORT_RETURNED,
    inspection.RectificationReportAccepted: InspectionStage.RECTIFICATION_REPORT_ACCEPTED,
    inspection.InspectionClosed: InspectionStage.CLOSED,
    inspection.InspectionSuspended: InspectionStage.SUSPENDED,
    inspection.InspectionCancelled: InspectionStage.CANCELLED,
}
# The day a stage was entered, where the event carries it: the date of the fact (the group was
# stationed on…, the report approved on…), which may be long before the event was recorded.
# Every other stage event carries no such day (an authorization's window, a notice's planned
# stationing day and a feedback's or report's due days are not the day the stage began): its
# stage was entered on the office day the event was recorded (`office_date(occurred_at)`).
FACT_DATES: dict[type[DomainEvent], str] = {
    inspection.InspectionNoticeIssued: "notice_date",
    inspection.InspectionAnnouncementPublished: "published_on",
    inspection.GroupStationed: "stationed_on",
    inspection.GroupWithdrawn: "withdrawn_on",
    inspection.ReportApproved: "approved_on",
    inspection.InspectionFeedbackDelivered: "delivered_on",
    inspection.RectificationPlanSubmitted: "submitted_on",
    inspection.RectificationPlanAccepted: "accepted_on",
    inspection.RectificationReportSubmitted: "submitted_on",
    inspection.InspectionClosed: "closed_on",
}
# Type names, for the read models' `handles`.
ROUND_STAGE_TYPES = frozenset(cls.type_name for cls in ROUND_STAGES)
INSPECTION_STAGE_TYPES = frozenset(
    [*(cls.type_name for cls in INSPECTION_STAGES), inspection.InspectionResumed.type_name]
)


def round_stage(event: Any) -> str | None:
    """The round's stage after `event`, or None if it does not move the stage."""
    return class_entry(ROUND_STAGES, event)


def inspection_stage(event: Any) -> str | None:
    """The inspection's stage after `event` (a resumption returns to the stage it left), or
    None if it does not move the stage."""
    if isinstance(event, inspection.InspectionResumed):
        return event.resumed_to
    return class_entry(INSPECTION_STAGES, event)


@dataclass(frozen=True)
class StageEntry:
    """An inspection entered `stage` on `entered_on`: the fact's own date (`fact`) or the
    office day the event was recorded (`recorded`)."""

    stage: str
    entered_on: date
    dated_by: StageDating


def inspection_stage_entry(event: Any, metadata: EventMetadata) -> StageEntry | None:
    """The stage `event` moves the inspection to and the day it did (its planning counts as
    entering `planned`), or None if it does not move the stage."""
    stage = (
        InspectionStage.PLANNED
        if isinstance(event, inspection.InspectionPlanned)
        else inspection_stage(event)
    )
    if stage is None:
        return None
    field = class_entry(FACT_DATES, event)
    if field is not None:
        return StageEntry(stage, getattr(event, field), StageDating.FACT)
    return StageEntry(stage, office_date(metadata.occurred_at), StageDating.RECORDED)

"""The stage a read model shows for a round or an inspection, and every event that moves it.

One table for every read model that shows a stage (`inspection_overview`, `round_dashboard`,
`lead_dashboard`): a stage-changing event is then followed by all of them or by none, never
shown by `/rounds` and missed by a dashboard (tests/unit/test_stages.py checks the tables
against the aggregates' own `evolve`).
"""

from __future__ import annotations

from typing import Any

from events import inspection, round
from events.base import DomainEvent
from events.vocabulary import InspectionStage, RoundStage
from projections.dashboard_support import class_entry

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

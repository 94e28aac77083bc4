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
from projections.dashboard_support import class_entry

# A round's stage as shown: the aggregate's own stages plus `mobilized` (动员部署会 held).
ROUND_STAGES: dict[type[DomainEvent], str] = {
    round.RoundApproved: "approved",
    round.RoundMobilized: "mobilized",
    round.RoundClosed: "closed",
}
INSPECTION_STAGES: dict[type[DomainEvent], str] = {
    inspection.GroupAuthorized: "group_authorized",
    inspection.InspectionNoticeIssued: "notified",
    inspection.InspectionAnnouncementPublished: "announced",
    inspection.GroupStationed: "stationed",
    inspection.GroupWithdrawn: "withdrawn",
    inspection.InspectionReportDrafted: "report_drafted",
    inspection.ReportReviewedByOffice: "report_office_reviewed",
    inspection.ReportReturnedForRevision: "report_returned",
    inspection.ReportDeliberatedByLeadingGroup: "report_deliberated",
    inspection.ReportApproved: "report_approved",
    inspection.InspectionFeedbackDelivered: "feedback_delivered",
    inspection.RectificationPlanSubmitted: "plan_submitted",
    inspection.RectificationPlanReturned: "plan_returned",
    inspection.RectificationPlanAccepted: "rectifying",
    inspection.RectificationReportSubmitted: "rectification_report_submitted",
    inspection.RectificationReportReturned: "rectification_report_returned",
    inspection.RectificationReportAccepted: "rectification_report_accepted",
    inspection.InspectionClosed: "closed",
    inspection.InspectionSuspended: "suspended",
    inspection.InspectionCancelled: "cancelled",
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

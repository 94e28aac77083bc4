"""Inspection report record (巡察报告): the report of one inspection with every drafted version
(summary, cited finding versions, content hash), the office's reviews, returns for revision,
the leading group's deliberations, the committee's approval, the exchange of views on the
facts and the decisions on the use of the results — for `GET /inspections/{id}/report`."""

from __future__ import annotations

from uuid import UUID

from xuncha.events import inspection as i
from xuncha.events.base import RecordedEvent
from xuncha.events.vocabulary import ReportStatus
from xuncha.projections.record_documents import Document, RecordDocuments, public

TYPES = frozenset(
    {
        i.InspectionReportDrafted.type_name,
        i.ReportReviewedByOffice.type_name,
        i.ReportReturnedForRevision.type_name,
        i.ReportDeliberatedByLeadingGroup.type_name,
        i.ReportApproved.type_name,
        i.FactualViewsExchanged.type_name,
        i.ResultsUseDecided.type_name,
    }
)
# event -> (the list it is added to, the status it leaves the report in, or None)
STEPS: dict[type[object], tuple[str, str | None]] = {
    i.InspectionReportDrafted: ("versions", ReportStatus.DRAFTED),
    i.ReportReviewedByOffice: ("office_reviews", ReportStatus.OFFICE_REVIEWED),
    i.ReportReturnedForRevision: ("returns", ReportStatus.RETURNED),
    i.ReportDeliberatedByLeadingGroup: ("deliberations", ReportStatus.DELIBERATED),
    i.ReportApproved: ("approvals", ReportStatus.APPROVED),
    i.FactualViewsExchanged: ("factual_views", None),
    i.ResultsUseDecided: ("results_use", None),
}


def fold(doc: Document | None, recorded: RecordedEvent) -> Document | None:
    e = recorded.event
    step = STEPS.get(type(e))
    if step is None:
        return doc
    if doc is None:
        if not isinstance(e, i.InspectionReportDrafted):
            return None
        doc = {"inspection_id": str(e.inspection_id), "status": ReportStatus.DRAFTED, "version": 1}
        doc.update({name: [] for name, _ in STEPS.values()})
    m = recorded.metadata
    entry = {
        **public(recorded, "inspection_id"),
        "at": m.occurred_at.isoformat(),
        "by": m.actor.user_id,
    }
    listing, status = step
    doc[listing].append(entry)
    if status is not None:
        doc["status"] = status
    if isinstance(e, i.InspectionReportDrafted):
        doc["version"] = e.report_version
    return doc


def _key(recorded: RecordedEvent) -> UUID | None:
    return getattr(recorded.event, "inspection_id", None)


class ReportRecord(RecordDocuments):
    """The projection behind `GET /inspections/{id}/report`."""

    def __init__(self) -> None:
        super().__init__("report_record", "rm_report", (), _key, fold, types=TYPES)

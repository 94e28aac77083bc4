"""Supplementary report record (专题报告, 线索报告, 选人用人报告): one report with its kind,
topic, addressees, every version's content hash (the content itself is sealed and never shown
here), the office's reviews, returns and the approval — for `GET /supplementary-reports/{id}`."""

from __future__ import annotations

from uuid import UUID

from xuncha.events import supplementary_report as s
from xuncha.events.base import RecordedEvent
from xuncha.events.vocabulary import SupplementaryReportStage
from xuncha.projections.record_documents import Document, RecordDocuments, public

STEPS: dict[type[object], tuple[str, str]] = {
    s.SupplementaryReportDrafted: ("versions", SupplementaryReportStage.DRAFTED),
    s.SupplementaryReportReviewed: ("office_reviews", SupplementaryReportStage.OFFICE_REVIEWED),
    s.SupplementaryReportReturned: ("returns", SupplementaryReportStage.RETURNED),
    s.SupplementaryReportApproved: ("approvals", SupplementaryReportStage.APPROVED),
}


def fold(doc: Document | None, recorded: RecordedEvent) -> Document | None:
    e = recorded.event
    step = STEPS.get(type(e))
    if step is None:
        return doc
    if doc is None:
        if not isinstance(e, s.SupplementaryReportDrafted):
            return None
        doc = {"report_id": str(e.report_id), "inspection_id": str(e.inspection_id)}
        doc.update({name: [] for name, _ in STEPS.values()})
    m = recorded.metadata
    data = public(recorded, "report_id", "inspection_id")
    doc[step[0]].append({**data, "at": m.occurred_at.isoformat(), "by": m.actor.user_id})
    doc["status"] = step[1]
    if isinstance(e, s.SupplementaryReportDrafted):
        doc.update(kind=e.kind.value, topic=e.topic, addressees=e.addressees, version=e.version)
    return doc


def _key(recorded: RecordedEvent) -> UUID | None:
    m = recorded.metadata
    return m.stream_id if m.stream_type == "supplementary_report" else None


class SupplementaryReportRecord(RecordDocuments):
    """The projection behind `GET /supplementary-reports/{id}`."""

    def __init__(self) -> None:
        super().__init__(
            "supplementary_report_record",
            "rm_supplementary_report",
            ("supplementary_report",),
            _key,
            fold,
            stream_type="supplementary_report",
        )

"""Warning-education record (警示教育): one warning bulletin (通报), confession book (忏悔录)
with its entries, warning study session or sector rectification recommendation (行业整顿) —
for `GET /education-records/{id}`."""

from __future__ import annotations

from uuid import UUID

from xuncha.events import results as r
from xuncha.events.base import RecordedEvent
from xuncha.events.vocabulary import EducationRecordKind, EducationRecordStatus
from xuncha.projections.record_documents import Document, RecordDocuments, public

KINDS: dict[type[object], str] = {
    r.WarningBulletinIssued: EducationRecordKind.BULLETIN,
    r.ConfessionBookCompiled: EducationRecordKind.CONFESSION_BOOK,
    r.WarningStudySessionHeld: EducationRecordKind.STUDY_SESSION,
    r.SectorRectificationRecommended: EducationRecordKind.SECTOR_RECTIFICATION,
}


def fold(doc: Document | None, recorded: RecordedEvent) -> Document | None:
    e = recorded.event
    m = recorded.metadata
    if type(e) in KINDS:
        return {
            **public(recorded),
            "kind": KINDS[type(e)],
            "status": EducationRecordStatus.COMPILED
            if isinstance(e, r.ConfessionBookCompiled)
            else EducationRecordStatus.RECORDED,
            "entries": [],
            "published_on": None,
            "recorded_at": m.occurred_at.isoformat(),
            "recorded_by": m.actor.user_id,
        }
    if doc is None:
        return None
    if isinstance(e, r.ConfessionEntryAdded):
        doc["entries"].append(public(recorded, "record_id"))
    elif isinstance(e, r.ConfessionBookPublished):
        doc.update(status=EducationRecordStatus.PUBLISHED, published_on=e.published_on.isoformat())
    return doc


def _key(recorded: RecordedEvent) -> UUID | None:
    m = recorded.metadata
    return m.stream_id if m.stream_type == "education_record" else None


class EducationRecordDocuments(RecordDocuments):
    """The projection behind `GET /education-records/{id}`."""

    def __init__(self) -> None:
        super().__init__(
            "education_record",
            "rm_education_record",
            ("education",),
            _key,
            fold,
            stream_type="education_record",
        )

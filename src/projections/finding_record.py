"""Finding record (问题底稿): one finding with every version of its content, the group
meeting's reviews, returns for amendment, the group leader's signature (approval), a review
required after a recusal, its taxonomy tags and status — for `GET /findings/{id}`."""

from __future__ import annotations

from uuid import UUID

from xuncha.events import finding as f
from xuncha.events.base import RecordedEvent
from xuncha.events.vocabulary import FindingStatus
from xuncha.projections.record_documents import Document, RecordDocuments


def _version(recorded: RecordedEvent, content: f.FindingContent, number: int) -> Document:
    m = recorded.metadata
    return {
        "version": number,
        "content": content.model_dump(mode="json"),
        "recorded_at": m.occurred_at.isoformat(),
        "recorded_by": m.actor.user_id,
    }


def _act(recorded: RecordedEvent, version: int, **more: object) -> Document:
    m = recorded.metadata
    return {"version": version, "at": m.occurred_at.isoformat(), "by": m.actor.user_id, **more}


def fold(doc: Document | None, recorded: RecordedEvent) -> Document | None:
    e = recorded.event
    if isinstance(e, f.FindingDrafted):
        return {
            "finding_id": str(e.finding_id),
            "inspection_id": str(e.inspection_id),
            "status": FindingStatus.DRAFTED,
            "version": 1,
            "content": e.content.model_dump(mode="json"),
            "review_required": False,
            "versions": [_version(recorded, e.content, 1)],
            "reviews": [],
            "returns": [],
            "approvals": [],
        }
    if doc is None:
        return None
    match e:
        case f.FindingReviewed():
            doc["reviews"].append(_act(recorded, e.version, meeting_ref=e.meeting_ref))
            doc["reviews"][-1]["opinion"] = e.opinion
            doc.update(status=FindingStatus.REVIEWED, review_required=False)
        case f.FindingReturned():
            doc["returns"].append(_act(recorded, e.version, comments=e.comments))
            doc["status"] = FindingStatus.RETURNED
        case f.FindingApproved():
            doc["approvals"].append(_act(recorded, e.version))
            doc["status"] = FindingStatus.APPROVED
        case f.FindingAmended():
            doc["versions"].append(_version(recorded, e.content, e.version))
            doc.update(content=e.content.model_dump(mode="json"), version=e.version)
            doc["status"] = FindingStatus.DRAFTED
        case f.FindingReviewRequired():
            if doc["status"] in (FindingStatus.REVIEWED, FindingStatus.APPROVED):
                doc["status"] = FindingStatus.DRAFTED
            doc["review_required"] = True
    return doc


def _key(recorded: RecordedEvent) -> UUID | None:
    return recorded.metadata.stream_id if recorded.metadata.stream_type == "finding" else None


class FindingRecord(RecordDocuments):
    """The projection behind `GET /findings/{id}`."""

    def __init__(self) -> None:
        super().__init__(
            "finding_record", "rm_finding", ("finding",), _key, fold, stream_type="finding"
        )

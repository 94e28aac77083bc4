"""Feedback record (反馈): the feedback of one inspection — the opinion and its problem ledger
(问题台账) as last drafted, every draft, the delivery, the joint feedback team, the one-to-one
briefing of the principal, copies sent, the acknowledgement and the publication — for
`GET /inspections/{id}/feedback`."""

from __future__ import annotations

from uuid import UUID

from xuncha.events import feedback as fb
from xuncha.events.base import RecordedEvent
from xuncha.events.vocabulary import FeedbackStatus
from xuncha.projections.record_documents import Document, RecordDocuments, public

# event -> (the key it is stored under, a list?, the status it leaves the feedback in)
STEPS: dict[type[object], tuple[str, bool, str | None]] = {
    fb.FeedbackDelivered: ("delivery", False, FeedbackStatus.DELIVERED),
    fb.JointFeedbackTeamFormed: ("joint_team", False, None),
    fb.PrincipalBriefedOneToOne: ("one_to_one", False, None),
    fb.FeedbackCopiedTo: ("copies", True, None),
    fb.FeedbackAcknowledged: ("acknowledgement", False, FeedbackStatus.ACKNOWLEDGED),
    fb.FeedbackPublished: ("publications", True, None),
}


def _new(e: fb.FeedbackOpinionDrafted | None, inspection_id: UUID, feedback_id: UUID) -> Document:
    return {
        "inspection_id": str(inspection_id),
        "feedback_id": str(feedback_id),
        "status": FeedbackStatus.DRAFTED if e else FeedbackStatus.NOT_DRAFTED,
        "draft_no": 0,
        "opinion": None,
        "ledger": [],
        "drafts": [],
        "delivery": None,
        "joint_team": None,
        "one_to_one": None,
        "copies": [],
        "acknowledgement": None,
        "publications": [],
    }


def fold(doc: Document | None, recorded: RecordedEvent) -> Document | None:
    e = recorded.event
    if not isinstance(e, (fb.FeedbackOpinionDrafted, *STEPS)):
        return doc
    if doc is None:
        opinion = e if isinstance(e, fb.FeedbackOpinionDrafted) else None
        # Every feedback event names its inspection and feedback (events/feedback.py).
        doc = _new(opinion, getattr(e, "inspection_id"), getattr(e, "feedback_id"))  # noqa: B009
    m = recorded.metadata
    if isinstance(e, fb.FeedbackOpinionDrafted):
        ledger = [item.model_dump(mode="json") for item in e.ledger]
        doc.update(draft_no=e.draft_no, opinion=e.opinion, ledger=ledger)
        doc["drafts"].append({"draft_no": e.draft_no, "at": m.occurred_at.isoformat()})
        doc["drafts"][-1]["by"] = m.actor.user_id
        if doc["status"] == FeedbackStatus.NOT_DRAFTED:
            doc["status"] = FeedbackStatus.DRAFTED
        return doc
    key, listed, status = STEPS[type(e)]
    data = {**public(recorded, "inspection_id", "feedback_id"), "at": m.occurred_at.isoformat()}
    if listed:
        doc[key].append(data)
    else:
        doc[key] = data
    if status is not None:
        doc["status"] = status
    return doc


def _key(recorded: RecordedEvent) -> UUID | None:
    return getattr(recorded.event, "inspection_id", None)


class FeedbackRecord(RecordDocuments):
    """The projection behind `GET /inspections/{id}/feedback`."""

    def __init__(self) -> None:
        super().__init__(
            "feedback_record", "rm_feedback", ("feedback",), _key, fold, stream_type="feedback"
        )

"""Talent-pool records (人才库): one pool member — profile, status, suspensions and removals,
service evaluations (鉴定) — for `GET /talent-pool/members/{id}`, and one random draw — its
seed, filters, candidate set, count, result and digest, enough to re-derive it — for
`GET /talent-pool/draws/{id}`.

A member's relatives' and past workplaces (the declared ties the recusal check uses) are not
shown: they serve the checks, not readers.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from xuncha.events import pool as p
from xuncha.events.base import RecordedEvent
from xuncha.events.vocabulary import PoolMemberStatus
from xuncha.projections.record_documents import Document, RecordDocuments, public

PRIVATE_TIES = ("relatives_organizations", "recent_work")
STATUS: dict[type[object], str] = {
    p.PoolMemberAdmitted: PoolMemberStatus.ADMITTED,
    p.PoolMemberSuspended: PoolMemberStatus.SUSPENDED,
    p.PoolMemberRemoved: PoolMemberStatus.REMOVED,
}


def _member(e: p.PoolMemberNominated | p.ExternalExpertEngaged) -> Document:
    profile = e.profile.model_dump(mode="json", exclude=set(PRIVATE_TIES))
    expert = e if isinstance(e, p.ExternalExpertEngaged) else None
    return {
        "member_id": str(e.member_id),
        "jurisdiction_id": e.jurisdiction_id,
        "profile": profile,
        "external": expert.external if expert else False,
        "expert_category": expert.category.value if expert else None,
        "nominating_organization": getattr(e, "nominating_organization", None),
        "status": PoolMemberStatus.ADMITTED if expert else PoolMemberStatus.NOMINATED,
        "status_changes": [],
        "service_evaluations": [],
    }


def fold_member(doc: Document | None, recorded: RecordedEvent) -> Document | None:
    e = recorded.event
    if isinstance(e, p.PoolMemberNominated | p.ExternalExpertEngaged):
        return _member(e)
    if doc is None:
        return None
    m = recorded.metadata
    if type(e) in STATUS:
        doc["status"] = STATUS[type(e)]
        change = {"status": doc["status"], "reason": getattr(e, "reason", None)}
        doc["status_changes"].append({**change, "at": m.occurred_at.isoformat()})
    elif isinstance(e, p.ServiceEvaluationIssued):
        doc["service_evaluations"].append(public(recorded, "member_id"))
    return doc


def fold_draw(doc: Document | None, recorded: RecordedEvent) -> Document | None:
    if not isinstance(recorded.event, p.PoolMembersDrawn):
        return doc
    m = recorded.metadata
    return {**public(recorded), "drawn_at": m.occurred_at.isoformat(), "drawn_by": m.actor.user_id}


def _own(stream_type: str) -> Callable[[RecordedEvent], UUID | None]:
    def key(recorded: RecordedEvent) -> UUID | None:
        m = recorded.metadata
        return m.stream_id if m.stream_type == stream_type else None

    return key


class PoolMemberRecord(RecordDocuments):
    """The projection behind `GET /talent-pool/members/{id}`."""

    def __init__(self) -> None:
        super().__init__(
            "pool_member_record",
            "rm_pool_member",
            ("pool_member",),
            _own("pool_member"),
            fold_member,
            stream_type="pool_member",
        )


class DrawRecord(RecordDocuments):
    """The projection behind `GET /talent-pool/draws/{id}`."""

    def __init__(self) -> None:
        super().__init__(
            "draw_record", "rm_draw", ("draw",), _own("draw"), fold_draw, stream_type="draw"
        )

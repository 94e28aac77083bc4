"""Group record (巡察组): one inspection group as it stands — its targets, leader, deputies and
members with their roles, recusals, confidentiality pledges, training, secondments,
composition warnings, authorizations and status — for `GET /groups/{id}`.

A recusal shows who declared, when, how many conflicts and of which kinds, and whether it was
cleared or led to a recusal; never the sealed declaration (relatives, past work) nor the
conflicts' details.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from xuncha.events import group as g
from xuncha.events.base import RecordedEvent
from xuncha.events.vocabulary import GroupRole, GroupStage, RecusalKind
from xuncha.projections.record_documents import Document, RecordDocuments, public


def _people(doc: Document, e: g.InspectionGroupFormed) -> None:
    doc["leader"] = {"user_id": e.leader.user_id, "name": e.leader.name}
    doc["deputies"] = [{"user_id": p.user_id, "name": p.name} for p in e.deputies]
    doc["members"] = [
        {"user_id": p.user_id, "name": p.name, "role": p.role.value, "external": p.external}
        for p in (e.leader, *e.deputies, *e.members)
    ]
    doc["status"] = GroupStage.FORMED


def _recusal(doc: Document, user_id: str) -> dict[str, Any]:
    found: dict[str, Any] | None = next(
        (r for r in doc["recusals"] if r["user_id"] == user_id), None
    )
    if found is None:
        found = {"user_id": user_id, "declared_on": None, "conflicts": 0, "conflict_kinds": []}
        found["status"] = RecusalKind.DECLARED
        doc["recusals"].append(found)
    return found


def _recused(doc: Document, e: g.MemberRecused) -> None:
    recusal = _recusal(doc, e.user_id)
    recusal.update(status=RecusalKind.RECUSED, recused_role=e.role.value, reason=e.reason)
    doc["deputies"] = [d for d in doc["deputies"] if d["user_id"] != e.user_id]
    doc["members"] = [m for m in doc["members"] if m["user_id"] != e.user_id]
    if doc["leader"] and doc["leader"]["user_id"] == e.user_id:
        doc["leader"], doc["status"] = None, GroupStage.LEADERLESS
    elif doc["status"] == GroupStage.FORMED:
        doc["status"] = GroupStage.PROPOSED  # as the group aggregate: forming again is needed


def _proposed(e: g.GroupLeadershipProposed) -> Document:
    return {
        "group_id": str(e.group_id),
        "round_id": str(e.round_id),
        "jurisdiction_id": e.jurisdiction_id,
        "round_type": e.round_type.value,
        "name": e.name,
        "status": GroupStage.PROPOSED,
        "home_jurisdiction": e.home_jurisdiction,
        "authorizer": e.authorizer.value,
        "targets": [t.model_dump(mode="json") for t in e.targets],
        "leader": e.leader.model_dump(mode="json"),
        "deputies": [d.model_dump(mode="json") for d in e.deputies],
        "members": [
            {"user_id": p.user_id, "name": p.name, "role": role, "external": False}
            for p, role in [
                (e.leader, GroupRole.LEADER),
                *((d, GroupRole.DEPUTY) for d in e.deputies),
            ]
        ],
        "recusals": [],
        "pledges": [],
        "training": [],
        "secondments": [],
        "warnings": [],
        "authorizations": [],
        "dissolved_on": None,
    }


def fold(doc: Document | None, recorded: RecordedEvent) -> Document | None:
    e = recorded.event
    if isinstance(e, g.GroupLeadershipProposed):
        return _proposed(e)
    if doc is None:
        return None
    match e:
        case g.RecusalDeclared():
            recusal = _recusal(doc, e.user_id)
            kinds = sorted({c.kind.value for c in e.conflicts})
            recusal.update(
                declared_on=e.declared_on.isoformat(),
                conflicts=len(e.conflicts),
                conflict_kinds=kinds,
                status=RecusalKind.DECLARED,
            )
        case g.RecusalCleared():
            _recusal(doc, e.user_id)["status"] = RecusalKind.CLEARED
        case g.MemberRecused():
            _recused(doc, e)
        case g.InspectionGroupFormed():
            _people(doc, e)
        case g.ConfidentialityPledgeSigned():
            doc["pledges"].append(public(recorded, "group_id"))
        case g.PreStationingTrainingCompleted():
            doc["training"].append(public(recorded, "group_id"))
        case g.InspectorSeconded():
            doc["secondments"].append(public(recorded, "group_id"))
        case g.CompositionWarningRaised() | g.LeadershipRotationWarningRaised():
            doc["warnings"].append({"type": e.type_name, **public(recorded, "group_id")})
        case g.GroupAuthorizedForTarget():
            doc["authorizations"].append(public(recorded, "group_id", "round_id"))
            doc["status"] = GroupStage.AUTHORIZED
        case g.GroupDissolved():
            doc.update(status=GroupStage.DISSOLVED, dissolved_on=e.dissolved_on.isoformat())
    return doc


def _key(recorded: RecordedEvent) -> UUID | None:
    if recorded.metadata.stream_type != "inspection_group":
        return None
    return recorded.metadata.stream_id


class GroupRecord(RecordDocuments):
    """The projection behind `GET /groups/{id}`."""

    def __init__(self) -> None:
        super().__init__(
            "group_record", "rm_group", ("group",), _key, fold, stream_type="inspection_group"
        )


def inspection_ids(document: Document) -> set[str]:
    """The inspections the group is meant for (object scope of group readers)."""
    return {str(t["inspection_id"]) for t in document["targets"]}


def people(document: Document) -> set[str]:
    """Everyone named in the group, recused people included (they may read their record)."""
    named = {m["user_id"] for m in document["members"]}
    return named | {r["user_id"] for r in document["recusals"]}

"""Auditors' proofs of the log (RFC 9162 inclusion and consistency) and a record's dossier:
what an auditor hands to an outside party, who checks it with `api/cli/verify_proof.py` alone."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from xuncha.api import proofs
from xuncha.api.http.access import readable_by
from xuncha.api.http.deps import CurrentActor, ReadConnection
from xuncha.api.http.routes.audit import READERS
from xuncha.events.base import Role

# Proofs are the auditors' tool (docs/security.md, "Proofs"); the dossier is part of the audit
# trail and has its readers.
AUDITORS = readable_by(Role.AUDITOR)
Position = Annotated[int, Query(ge=1, le=2**62, description="The event's log position")]
TreeSize = Annotated[
    int, Query(ge=1, le=2**62, description="Size of the tree (number of events) to prove under")
]


def proof_routes() -> APIRouter:
    r = APIRouter(tags=["audit"])

    @r.get(
        "/audit/proofs/inclusion",
        dependencies=[AUDITORS],
        response_model=proofs.InclusionProof,
        summary="Inclusion proof of one event in the log's Merkle tree of tree_size events",
        description="RFC 9162 §2.1.3 audit path; compare `root` with a published signed head "
        "of the same `tree_size`. 404 no event at `position`; 400 `position` not in the tree "
        "or `tree_size` beyond it.",
    )
    def inclusion(
        position: Position, tree_size: TreeSize, conn: ReadConnection, _: CurrentActor
    ) -> proofs.InclusionProof:
        return proofs.inclusion(conn, position, tree_size)

    @r.get(
        "/audit/proofs/consistency",
        dependencies=[AUDITORS],
        response_model=proofs.ConsistencyProof,
        summary="Consistency proof: the tree of `to` events extends the tree of `from` events",
        description="RFC 9162 §2.1.4; 400 unless 1 <= from <= to <= the tree's size.",
    )
    def consistency(
        first: Annotated[int, Query(alias="from", ge=1, le=2**62, description="Older size")],
        second: Annotated[int, Query(alias="to", ge=1, le=2**62, description="Newer size")],
        conn: ReadConnection,
        _: CurrentActor,
    ) -> proofs.ConsistencyProof:
        return proofs.consistency(conn, first, second)

    return r


def dossier_routes() -> APIRouter:
    r = APIRouter(tags=["audit"])

    @r.get(
        "/audit-trail/entities/{stream_id}/dossier",
        dependencies=[READERS],
        response_model=proofs.Dossier,
        summary="A record's dossier: its events as stored, their inclusion proofs under the "
        "latest signed tree head, and that head",
        description="Sealed fields stay sealed (ciphertext inside each entry). Events newer "
        "than the head have no proof yet. Check it with `xuncha verify-proof dossier`.",
    )
    def dossier(stream_id: UUID, conn: ReadConnection, _: CurrentActor) -> proofs.Dossier:
        return proofs.dossier(conn, stream_id)

    return r


def routers() -> list[APIRouter]:
    return [proof_routes(), dossier_routes()]

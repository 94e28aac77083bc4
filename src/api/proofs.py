"""Inclusion and consistency proofs of the log's Merkle tree, and a record's dossier, as the
typed answers shared by `GET /audit/proofs/…`, `GET /audit-trail/entities/{id}/dossier` and
`xuncha proof …`. Each answer is checkable by `api/cli/verify_proof.py` alone (docs/security.md).
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import Connection
from pydantic import Field

from xuncha.api.http.errors import BadRequest
from xuncha.api.http.schemas.common import FREE_FORM, Answer
from xuncha.commands.errors import NotFound
from xuncha.commands.eventstore import heads, integrity, tree_store

HEX = r"^[0-9a-f]{64}$"


class SignedHead(Answer):
    """A signed tree head (checkpoint format v2), as published on Kafka and in files."""

    format: str = Field(description="xuncha.checkpoint.v2")
    position: int = Field(description="notification id of the last event the head covers")
    link: str = Field(pattern=HEX, description="the hash chain's link at `position`")
    tree_size: int = Field(description="number of events (leaves) the tree covers")
    root: str = Field(pattern=HEX, description="RFC 9162 Merkle tree hash of those leaves")
    key_id: str = Field(description="first 16 hex digits of SHA-256 of the raw public key")
    signature: str = Field(description="Ed25519 signature (hex), see docs/security.md")
    signed_at: datetime
    timestamp_ms: int = Field(description="signed_at in milliseconds since the Unix epoch")

    @classmethod
    def of(cls, checkpoint: integrity.Checkpoint) -> SignedHead:
        return cls.model_validate(checkpoint.as_dict())


class InclusionProof(Answer):
    """RFC 9162 inclusion proof of one event in the tree of `tree_size` leaves."""

    position: int = Field(description="the event's notification id")
    leaf_index: int = Field(description="0-based leaf index of the event in the tree")
    tree_size: int
    entry: str = Field(description="base64 of the leaf entry: the event as stored")
    leaf_hash: str = Field(pattern=HEX, description="SHA-256(0x00 || entry)")
    audit_path: list[str] = Field(description="node hashes from the leaf's sibling upwards")
    root: str = Field(pattern=HEX, description="root of the tree of tree_size leaves")


class ConsistencyProof(Answer):
    """RFC 9162 proof that the tree of `second` leaves extends the tree of `first` leaves."""

    first: int
    second: int
    first_root: str = Field(pattern=HEX)
    second_root: str = Field(pattern=HEX)
    proof: list[str]


class DossierEvent(Answer):
    """One event of the record, as stored (sealed fields stay ciphertext inside `entry`)."""

    position: int
    stream_version: int
    type: str
    data: dict[str, Any] = Field(
        description="The stored public data (no sealed fields). Free-form: its fields are "
        "those of the event type and schema version (docs/contract)",
        json_schema_extra=FREE_FORM,
    )
    metadata: dict[str, Any] = Field(
        description="The envelope as stored (actor, command, correlation, occurred_at…). "
        "Free-form: exactly the stored JSON that `entry` hashes, whatever its envelope version",
        json_schema_extra=FREE_FORM,
    )
    proof: InclusionProof | None = Field(
        description="inclusion under `head`; null for an event newer than the head"
    )


class Dossier(Answer):
    """A record's events with their inclusion proofs under the latest signed head."""

    entity_id: UUID
    head: SignedHead | None = Field(description="null while no tree head has been signed")
    events: list[DossierEvent]


def _tree_error(error: tree_store.TreeError) -> BadRequest:
    return BadRequest(str(error))


def _entry(conn: Connection[Any], position: int) -> bytes:
    row = conn.execute(
        "SELECT notification_id, originator_id, originator_version, topic, state"
        " FROM stored_events WHERE notification_id = %s",
        (position,),
    ).fetchone()
    if row is None:
        raise NotFound(f"no event at position {position}")
    p, originator, version, topic, state = row
    return integrity.canonical(p, originator, version, topic, bytes(state or b""))


def inclusion(conn: Connection[Any], position: int, tree_size: int) -> InclusionProof:
    leaf = tree_store.leaf_of(conn, position)
    if leaf is None:
        _, last = tree_store.size_and_position(conn)
        if position > last:
            raise BadRequest(
                f"position {position} is not in the tree yet (it covers up to position {last})"
            )
        raise NotFound(f"no event at position {position}")
    try:
        path = tree_store.inclusion_path(conn, leaf, tree_size)
        root = tree_store.root(conn, tree_size)
    except tree_store.TreeError as error:
        raise _tree_error(error) from error
    return InclusionProof(
        position=position,
        leaf_index=leaf,
        tree_size=tree_size,
        entry=base64.b64encode(_entry(conn, position)).decode(),
        leaf_hash=tree_store.leaf_hash(conn, leaf).hex(),
        audit_path=[p.hex() for p in path],
        root=root.hex(),
    )


def consistency(conn: Connection[Any], first: int, second: int) -> ConsistencyProof:
    try:
        proof = tree_store.consistency_path(conn, first, second)
        roots = tree_store.root(conn, first), tree_store.root(conn, second)
    except tree_store.TreeError as error:
        raise _tree_error(error) from error
    return ConsistencyProof(
        first=first,
        second=second,
        first_root=roots[0].hex(),
        second_root=roots[1].hex(),
        proof=[p.hex() for p in proof],
    )


def dossier(conn: Connection[Any], entity_id: UUID) -> Dossier:
    rows = conn.execute(
        "SELECT notification_id, originator_version, topic, state FROM stored_events"
        " WHERE originator_id = %s ORDER BY originator_version",
        (entity_id,),
    ).fetchall()
    if not rows:
        raise NotFound(f"no record {entity_id}")
    head = heads.latest_head(conn)
    covers = (head.position, head.tree_size) if head and head.tree_size else None
    events = []
    for position, version, topic, state in rows:
        stored = json.loads(bytes(state))
        events.append(
            DossierEvent(
                position=position,
                stream_version=version,
                type=topic,
                data=stored.get("data", {}),
                metadata=stored.get("metadata", {}),
                proof=inclusion(conn, position, covers[1])
                if covers and position <= covers[0]
                else None,
            )
        )
    return Dossier(entity_id=entity_id, head=SignedHead.of(head) if head else None, events=events)

"""Signed tree heads (checkpoint format v2) and verifying the log against published heads.

A v2 checkpoint signs, with the same Ed25519 key as v1, the chain's (position, link), the
Merkle tree's (tree_size, root) over the same events, and the signing time (`integrity.
head_message`). Heads are published outside the database (Kafka topic
`xuncha.audit.checkpoint`, exported files); `verify_against_heads` recomputes the chain and
the tree from the stored events and compares them with every head it is given, so a
truncation or a rewrite with recomputed links of any event a published head covers is found
even when the database's own checkpoints were removed with it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from psycopg import Connection
from psycopg.sql import SQL, Identifier

from xuncha.commands.eventstore import integrity, merkle, tree_store
from xuncha.commands.eventstore.integrity import Checkpoint, Verification


def _link_at(conn: Connection[Any], position: int, schema: str) -> bytes:
    row = conn.execute(
        SQL("SELECT link FROM {} WHERE position = %s").format(
            Identifier(schema, integrity.CHAIN_TABLE)
        ),
        (position,),
    ).fetchone()
    if row is None:
        raise tree_store.TreeError(f"position {position} has no chain link")
    return bytes(row[0])


def sign_head(
    conn: Connection[Any],
    private: Ed25519PrivateKey,
    *,
    now: datetime | None = None,
    schema: str = "public",
) -> Checkpoint | None:
    """Extend the tree to the chain's head, then sign and store a v2 checkpoint of it; None
    if the log is empty. `conn` is in autocommit mode. Signing the same head twice keeps the
    first checkpoint."""
    tree_store.extend(conn, schema)
    size, position = tree_store.size_and_position(conn, schema)
    if size == 0:
        return None
    moment = now or datetime.now(UTC)
    signed_at = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    link = _link_at(conn, position, schema)
    root = tree_store.root(conn, size, schema)
    signature = private.sign(integrity.head_message(position, link, size, root, signed_at))
    conn.execute(
        SQL(
            "INSERT INTO {} (position, link, key_id, signature, signed_at, tree_size, root)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (position) DO NOTHING"
        ).format(Identifier(schema, integrity.CHECKPOINT_TABLE)),
        (position, link, integrity.key_id(private.public_key()), signature, signed_at, size, root),
    )
    return integrity.checkpoints(conn, schema, since=position - 1)[0]


def latest_head(conn: Connection[Any], schema: str = "public") -> Checkpoint | None:
    """The newest v2 checkpoint (the head the tree's proofs refer to by default)."""
    row = conn.execute(
        SQL(
            "SELECT position FROM {} WHERE tree_size IS NOT NULL ORDER BY position DESC LIMIT 1"
        ).format(Identifier(schema, integrity.CHECKPOINT_TABLE))
    ).fetchone()
    if row is None:
        return None
    return integrity.checkpoints(conn, schema, since=int(row[0]) - 1)[0]


def signing_due(
    conn: Connection[Any], every: int, seconds: float, now: datetime, schema: str = "public"
) -> bool:
    """Whether the log grew `every` events past the last checkpoint, or grew at all and the
    last checkpoint is at least `seconds` old (0 turns either rule off)."""
    head, _ = integrity.chain_head(conn, schema)
    row = conn.execute(
        SQL("SELECT position, signed_at FROM {} ORDER BY position DESC LIMIT 1").format(
            Identifier(schema, integrity.CHECKPOINT_TABLE)
        )
    ).fetchone()
    last, at = (0, None) if row is None else (int(row[0]), row[1])
    grown = head - last
    if every > 0 and grown >= every:
        return True
    too_old = at is None or now - at >= timedelta(seconds=seconds)
    return seconds > 0 and grown > 0 and too_old


# --- verifying the stored log against heads kept elsewhere ---------------------------------


def _events(conn: Connection[Any], schema: str) -> Iterator[tuple[Any, ...]]:
    query = SQL(
        "SELECT notification_id, originator_id, originator_version, topic, state FROM {}"
        " ORDER BY notification_id"
    ).format(Identifier(schema, "stored_events"))
    with conn.transaction(), conn.cursor(name="xuncha_verify_heads") as cur:
        cur.itersize = 2000
        cur.execute(query)
        yield from cur


def _valid(
    heads: Iterable[Checkpoint], public: Ed25519PublicKey, result: Verification
) -> list[Checkpoint]:
    signer, valid = integrity.key_id(public), []
    seen: dict[int, Checkpoint] = {}
    for head in heads:
        if head.key_id != signer or not head.signature_valid(public):
            result.problem(
                head.position,
                f"published head at position {head.position} has no valid signature of this "
                f"key ({signer}): forged or altered",
            )
        elif head.tree_size is not None and seen.setdefault(head.tree_size, head).root != head.root:
            result.problem(
                head.position,
                f"two published heads of tree size {head.tree_size} have different roots: "
                "the log was forked",
            )
        else:
            valid.append(head)
    return valid


def _compare(
    head: Checkpoint, position: int, link: bytes, root: bytes | None, result: Verification
) -> None:
    where = f"published head at position {head.position}"
    if position != head.position:
        result.problem(
            min(position, head.position),
            f"{where} (tree size {head.tree_size}): the log's event number {head.tree_size} "
            f"is at position {position}: events up to it were deleted or inserted",
        )
    elif link != head.link or (head.root is not None and root != head.root):
        result.problem(
            position,
            f"{where} does not match the log recomputed from the start: events up to it "
            "were rewritten",
        )
    else:
        result.checkpoints_verified += 1
        result.anchored_at = max(result.anchored_at, position)


def verify_against_heads(
    conn: Connection[Any],
    public: Ed25519PublicKey,
    heads: Iterable[Checkpoint],
    schema: str = "public",
) -> Verification:
    """Recompute chain and tree from the stored events; compare with every head: a v2 head
    at its tree size (its position, link and root), a v1 head at its position."""
    result = Verification()
    valid = _valid(heads, public, result)
    by_size = {h.tree_size: h for h in valid if h.tree_size is not None}
    by_position = {h.position: h for h in valid if h.tree_size is None}
    compact, link, position = merkle.CompactRange(), integrity.GENESIS, 0
    for position, originator, version, topic, state in _events(conn, schema):
        body = integrity.canonical(position, originator, version, topic, bytes(state or b""))
        link = hashlib.sha256(link + body).digest()
        compact.append(merkle.leaf_hash(body))
        if (head := by_size.pop(compact.size, None)) is not None:
            _compare(head, position, link, compact.root(), result)
        if (old := by_position.pop(position, None)) is not None:
            _compare(old, position, link, None, result)
    result.events, result.head, result.head_link = compact.size, position, link
    for head in [*by_size.values(), *by_position.values()]:
        result.problem(
            head.position,
            f"published head at position {head.position} (tree size {head.tree_size}): that "
            f"event is missing or beyond the end of the log ({compact.size} events up to position "
            f"{position}): events were deleted",
        )
    result.problems.sort(key=lambda p: p[0])
    return result

"""Tamper evidence for the event log: a hash chain, signed checkpoints, and the verifier.

The chain
    link_0 = 32 zero bytes
    link_n = SHA-256(link_{n-1} || canonical(notification_id, originator_id,
                                             originator_version, topic, state))
runs over the stored events in notification order and covers the *stored* bytes (the
ciphertext of sealed fields once they are encrypted). `canonical` is fixed-width big-endian
integers and length-prefixed strings, so no two different rows share canonical bytes:

    int8(notification_id) || uuid(originator_id) (16 bytes) || int8(originator_version)
    || int4(len(topic)) || topic (UTF-8) || int4(len(state)) || state

Links live in `event_chain (position, link)`, one row per event.

**Where links are computed: in the insert transaction**, by one SQL statement
(`link_statement`) that the append function (`store.append_function_statements`) runs right
after the INSERTs of a group-committed batch, while the append lock is held. Why there and not in an
asynchronous chain-keeper:

* Appends are already serialized (one writer at a time, so that commit order is notification
  order); the previous link read under that lock is the true predecessor, and a committed
  event always has its link: there is no unlinked tail, only the part after the last
  checkpoint that is not yet signed (the "unanchored tail", see docs/security.md).
* It costs no extra round trip: the statement runs in the same function call and reads the
  predecessor through the primary key; SHA-256 runs inside PostgreSQL (`sha256()`,
  PostgreSQL 11+). The measured cost on command throughput is in docs/security.md.
* A keeper would be one more process to run, watch and lock, and a lagging keeper would
  leave recent events without even a link.

The statement links every event after the last linked position, so a database that had
events before the chain existed gets them linked by its first append. `verify` recomputes
the same bytes in Python, so the two definitions are tested against each other.

Checkpoints sign (position, link) with Ed25519 and are stored in `chain_checkpoints`;
exported as JSON lines they can be kept elsewhere, which is what makes a consistent rewrite
of events *and* links by a database superuser detectable.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from psycopg import Connection
from psycopg.sql import SQL, Composed, Identifier

GENESIS = bytes(32)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
CHAIN_TABLE = "event_chain"
CHECKPOINT_TABLE = "chain_checkpoints"
CHECKPOINT_CONTEXT = b"xuncha.checkpoint.v1\x00"
# v2 also signs the Merkle tree head (commands/eventstore/merkle.py) and the signing time.
CHECKPOINT_CONTEXT_V2 = b"xuncha.checkpoint.v2\x00"


def canonical(
    notification_id: int, originator_id: UUID, originator_version: int, topic: str, state: bytes
) -> bytes:
    encoded = (topic or "").encode()
    return b"".join(
        (
            notification_id.to_bytes(8, "big", signed=True),
            originator_id.bytes,
            originator_version.to_bytes(8, "big", signed=True),
            len(encoded).to_bytes(4, "big"),
            encoded,
            len(state).to_bytes(4, "big"),
            state,
        )
    )


def next_link(
    previous: bytes,
    notification_id: int,
    originator_id: UUID,
    originator_version: int,
    topic: str,
    state: bytes,
) -> bytes:
    body = canonical(notification_id, originator_id, originator_version, topic, state)
    return hashlib.sha256(previous + body).digest()


def link_statement(schema: str, events_table: str) -> Composed:
    """Link every stored event after the last linked one, in order (run under the append
    lock, in the appending transaction)."""
    return SQL(
        "INSERT INTO {chain} (position, link) "
        "WITH RECURSIVE last AS ("
        "  SELECT position, link FROM {chain} ORDER BY position DESC LIMIT 1"
        "), walk (position, link) AS ("
        "  SELECT COALESCE((SELECT position FROM last), 0::bigint),"
        "         COALESCE((SELECT link FROM last), '\\x{genesis}'::bytea)"
        "  UNION ALL"
        "  SELECT e.notification_id, sha256(w.link || int8send(e.notification_id)"
        "    || uuid_send(e.originator_id) || int8send(e.originator_version)"
        "    || int4send(octet_length(convert_to(COALESCE(e.topic, ''), 'UTF8')))"
        "    || convert_to(COALESCE(e.topic, ''), 'UTF8')"
        "    || int4send(octet_length(COALESCE(e.state, ''::bytea)))"
        "    || COALESCE(e.state, ''::bytea))"
        "  FROM walk w CROSS JOIN LATERAL ("
        "    SELECT * FROM {events} n WHERE n.notification_id > w.position"
        "    ORDER BY n.notification_id LIMIT 1) e"
        ") SELECT position, link FROM walk WHERE position > COALESCE("
        "  (SELECT position FROM last), 0::bigint)"
    ).format(
        chain=Identifier(schema, CHAIN_TABLE),
        events=Identifier(schema, events_table),
        genesis=SQL(GENESIS.hex()),
    )


# --- checkpoints -----------------------------------------------------------------------------


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def checkpoint_message(position: int, link: bytes) -> bytes:
    return CHECKPOINT_CONTEXT + position.to_bytes(8, "big", signed=True) + link


def epoch_ms(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(milliseconds=1)


def head_message(
    position: int, link: bytes, tree_size: int, root: bytes, signed_at: datetime
) -> bytes:
    """What a v2 checkpoint signs: context, int8(position), link, int8(tree_size), root,
    int8(signed_at in milliseconds since the Unix epoch)."""
    return b"".join(
        (
            CHECKPOINT_CONTEXT_V2,
            position.to_bytes(8, "big", signed=True),
            link,
            tree_size.to_bytes(8, "big", signed=True),
            root,
            epoch_ms(signed_at).to_bytes(8, "big", signed=True),
        )
    )


@dataclass(frozen=True)
class Checkpoint:
    """A signed head: v1 (position, link) or v2 (also tree_size, root and signed_at)."""

    position: int
    link: bytes
    key_id: str
    signature: bytes
    signed_at: datetime | None = None
    tree_size: int | None = None
    root: bytes | None = None

    @property
    def format(self) -> str:
        return "xuncha.checkpoint.v1" if self.tree_size is None else "xuncha.checkpoint.v2"

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "position": self.position,
            "link": self.link.hex(),
            "key_id": self.key_id,
            "signature": self.signature.hex(),
            "signed_at": self.signed_at.isoformat() if self.signed_at else None,
        }
        if self.tree_size is not None and self.root is not None and self.signed_at:
            data |= {
                "format": self.format,
                "tree_size": self.tree_size,
                "root": self.root.hex(),
                "timestamp_ms": epoch_ms(self.signed_at),
            }
        return data

    def as_json(self) -> str:
        return json.dumps(self.as_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Checkpoint:
        signed_at = data.get("signed_at")
        at = datetime.fromisoformat(signed_at) if signed_at else None
        if "timestamp_ms" in data:  # v2: the signed milliseconds are the exact time
            at = EPOCH + timedelta(milliseconds=int(data["timestamp_ms"]))
        return cls(
            position=int(data["position"]),
            link=bytes.fromhex(data["link"]),
            key_id=str(data["key_id"]),
            signature=bytes.fromhex(data["signature"]),
            signed_at=at,
            tree_size=int(data["tree_size"]) if data.get("tree_size") is not None else None,
            root=bytes.fromhex(data["root"]) if data.get("root") is not None else None,
        )

    @classmethod
    def from_json(cls, line: str) -> Checkpoint:
        return cls.from_dict(json.loads(line))

    def message(self) -> bytes:
        if self.tree_size is None or self.root is None or self.signed_at is None:
            return checkpoint_message(self.position, self.link)
        return head_message(self.position, self.link, self.tree_size, self.root, self.signed_at)

    def signature_valid(self, public: Ed25519PublicKey) -> bool:
        try:
            public.verify(self.signature, self.message())
        except InvalidSignature:
            return False
        return True


def chain_head(conn: Connection[Any], schema: str = "public") -> tuple[int, bytes]:
    row = conn.execute(
        SQL("SELECT position, link FROM {} ORDER BY position DESC LIMIT 1").format(
            Identifier(schema, CHAIN_TABLE)
        )
    ).fetchone()
    return (0, GENESIS) if row is None else (int(row[0]), bytes(row[1]))


def sign_checkpoint(
    conn: Connection[Any], private: Ed25519PrivateKey, schema: str = "public"
) -> Checkpoint | None:
    """Sign the chain's head and store it; None if the log is empty. Signing the same head
    twice keeps the first checkpoint."""
    position, link = chain_head(conn, schema)
    if position == 0:
        return None
    signature = private.sign(checkpoint_message(position, link))
    conn.execute(
        SQL(
            "INSERT INTO {} (position, link, key_id, signature) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (position) DO NOTHING"
        ).format(Identifier(schema, CHECKPOINT_TABLE)),
        (position, link, key_id(private.public_key()), signature),
    )
    return next(c for c in checkpoints(conn, schema, since=position - 1))


def checkpoints(
    conn: Connection[Any], schema: str = "public", *, since: int = 0
) -> list[Checkpoint]:
    rows = conn.execute(
        SQL(
            "SELECT position, link, key_id, signature, signed_at, tree_size, root FROM {}"
            " WHERE position > %s ORDER BY position"
        ).format(Identifier(schema, CHECKPOINT_TABLE)),
        (since,),
    ).fetchall()
    return [
        Checkpoint(
            int(p),
            bytes(lk),
            k,
            bytes(s),
            at,
            None if n is None else int(n),
            None if r is None else bytes(r),
        )
        for p, lk, k, s, at, n, r in rows
    ]


def last_checkpoint_position(conn: Connection[Any], schema: str = "public") -> int:
    row = conn.execute(
        SQL("SELECT COALESCE(max(position), 0) FROM {}").format(
            Identifier(schema, CHECKPOINT_TABLE)
        )
    ).fetchone()
    return int(row[0]) if row else 0


# --- verification ----------------------------------------------------------------------------


@dataclass
class Verification:
    events: int = 0
    head: int = 0
    head_link: bytes = GENESIS
    problems: list[tuple[int, str]] = field(default_factory=list)
    checkpoints_verified: int = 0
    anchored_at: int = 0  # the highest position a valid checkpoint vouches for

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_bad_position(self) -> int | None:
        return min(p for p, _ in self.problems) if self.problems else None

    def problem(self, position: int, text: str) -> None:
        self.problems.append((position, text))


NO_END = 2**62  # beyond every position


def _rows(
    conn: Connection[Any], schema: str, events_table: str, after: int = 0, up_to: int = NO_END
) -> Iterator[tuple[Any, ...]]:
    """Events and links side by side at the positions after `after` up to `up_to`, in
    position order, streamed by a server-side cursor (each side read by its primary key's
    range, so a verification of the newest events reads only them)."""
    query = SQL(
        "SELECT COALESCE(e.notification_id, c.position), e.notification_id, e.originator_id,"
        " e.originator_version, e.topic, e.state, c.link"
        " FROM (SELECT * FROM {events} WHERE notification_id > %(after)s"
        "   AND notification_id <= %(up_to)s) e"
        " FULL JOIN (SELECT * FROM {chain} WHERE position > %(after)s"
        "   AND position <= %(up_to)s) c ON c.position = e.notification_id"
        " ORDER BY 1"
    ).format(events=Identifier(schema, events_table), chain=Identifier(schema, CHAIN_TABLE))
    with conn.transaction(), conn.cursor(name="xuncha_verify_log") as cur:
        cur.itersize = 2000
        cur.execute(query, {"after": after, "up_to": up_to})
        yield from cur


def link_at(conn: Connection[Any], position: int, schema: str = "public") -> bytes | None:
    """The stored link at `position` (None: no link there)."""
    row = conn.execute(
        SQL("SELECT link FROM {} WHERE position = %s").format(Identifier(schema, CHAIN_TABLE)),
        (position,),
    ).fetchone()
    return None if row is None else bytes(row[0])


def verify(
    conn: Connection[Any],
    public: Ed25519PublicKey,
    *,
    extra_checkpoints: Iterable[Checkpoint] = (),
    events_table: str = "stored_events",
    schema: str = "public",
    after_position: int = 0,
    after_link: bytes = GENESIS,
    up_to: int = NO_END,
) -> Verification:
    """Recompute the chain from the start; compare it with the stored links and with every
    checkpoint (stored and `extra_checkpoints`, e.g. an exported file kept elsewhere).

    With `after_position` (and `after_link`, the link a verification recomputed there) only
    the events after it, up to `up_to`, are checked: links are sequential, so this continues
    an earlier verification (`commands.log_verifications`). The stored link at
    `after_position` must still be `after_link`."""
    result = Verification(head=after_position, head_link=after_link)
    wanted: dict[int, list[tuple[str, Checkpoint]]] = {}
    signer = key_id(public)
    stored = checkpoints(conn, schema, since=after_position)
    for origin, cps in (("stored", stored), ("file", list(extra_checkpoints))):
        for cp in cps:
            if not after_position < cp.position <= up_to:
                continue
            if cp.key_id != signer or not cp.signature_valid(public):
                result.problem(
                    cp.position,
                    f"{origin} checkpoint at position {cp.position} has no valid signature "
                    f"of this key ({signer}): forged or altered",
                )
                continue
            wanted.setdefault(cp.position, []).append((origin, cp))
    recomputed, stored_previous, previous_position = after_link, after_link, after_position
    if after_position > 0 and link_at(conn, after_position, schema) != after_link:
        result.problem(
            after_position,
            f"position {after_position}: its link is not the one verified before: the link or "
            "events up to it were rewritten after they were verified",
        )
    seen: dict[int, bytes] = {}
    for position, event_id, originator_id, version, topic, state, link in _rows(
        conn, schema, events_table, after_position, up_to
    ):
        stored_link = None if link is None else bytes(link)
        if event_id is None:
            result.problem(
                position,
                f"position {position}: the event is missing but its link remains (deleted)",
            )
            stored_previous = stored_link or stored_previous
            previous_position = position
            continue
        result.events += 1
        body = canonical(position, originator_id, version, topic, bytes(state or b""))
        recomputed = hashlib.sha256(recomputed + body).digest()
        if stored_link is None:
            result.problem(
                position, f"position {position}: the event has no link (inserted outside the store)"
            )
        elif stored_link != hashlib.sha256(stored_previous + body).digest():
            result.problem(
                position,
                f"position {position}: the event does not match its link: it was edited or "
                f"moved here, or an event between positions {previous_position} and "
                f"{position} was deleted",
            )
        stored_previous = stored_link or recomputed
        previous_position = position
        if position in wanted:
            seen[position] = recomputed
    result.head, result.head_link = previous_position, recomputed
    for position, entries in sorted(wanted.items()):
        for origin, cp in entries:
            if position not in seen:
                where = "beyond the end of the log" if position > result.head else "missing"
                result.problem(
                    position,
                    f"{origin} checkpoint at position {position}: that event is {where} "
                    "(events were deleted)",
                )
            elif seen[position] != cp.link:
                result.problem(
                    position,
                    f"{origin} checkpoint at position {position} does not match the log "
                    "recomputed from the start: events up to it were rewritten",
                )
            else:
                result.checkpoints_verified += 1
                result.anchored_at = max(result.anchored_at, position)
    result.problems.sort(key=lambda p: p[0])
    return result

"""The Merkle tree of the event log in PostgreSQL: stored subtree hashes, grown incrementally.

`merkle_nodes (level, idx, hash)` holds every complete aligned subtree (level 0 = leaf hashes)
and `merkle_leaves (leaf, position)` maps leaf indexes to notification ids. `extend` appends
the events logged since the last leaf, reading only those events and the O(log n) nodes of
the tree's right edge; a head (`root`) or a proof reads only the nodes `commands.merkle` names.
Both tables are append-only for the application's role, like the chain (docs/security.md).

Extending is serialized by an advisory lock; appends commit in notification order (the append
lock), so when the tree reads events up to the chain's head no earlier event can still appear.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from psycopg import Connection
from psycopg.sql import SQL, Identifier

from xuncha.commands.eventstore import integrity, merkle

NODES_TABLE = "merkle_nodes"
LEAVES_TABLE = "merkle_leaves"
TREE_LOCK = 0x58554E43484100A1  # "XUNCHA" + 0xA1: one writer of the tree at a time
BATCH = 5000


class TreeError(Exception):
    """A request the stored tree cannot answer (beyond its size, no such leaf)."""


def size_and_position(conn: Connection[Any], schema: str = "public") -> tuple[int, int]:
    """(tree size, notification id of its last leaf); (0, 0) for an empty tree."""
    row = conn.execute(
        SQL("SELECT leaf, position FROM {} ORDER BY leaf DESC LIMIT 1").format(
            Identifier(schema, LEAVES_TABLE)
        )
    ).fetchone()
    return (0, 0) if row is None else (int(row[0]) + 1, int(row[1]))


def nodes(
    conn: Connection[Any], wanted: Iterable[merkle.Node], schema: str = "public"
) -> dict[merkle.Node, bytes]:
    pairs = sorted(set(wanted))
    if not pairs:
        return {}
    rows = conn.execute(
        SQL(
            "SELECT n.level, n.idx, n.hash FROM {} n"
            " JOIN unnest(%s::smallint[], %s::bigint[]) AS w(level, idx)"
            " ON n.level = w.level AND n.idx = w.idx"
        ).format(Identifier(schema, NODES_TABLE)),
        ([lv for lv, _ in pairs], [i for _, i in pairs]),
    ).fetchall()
    found = {(int(lv), int(i)): bytes(h) for lv, i, h in rows}
    if len(found) != len(pairs):
        missing = sorted(set(pairs) - set(found))[:3]
        raise TreeError(f"the stored tree lacks nodes {missing}: run the tree extension")
    return found


def root(conn: Connection[Any], size: int, schema: str = "public") -> bytes:
    if size == 0:
        return merkle.CompactRange().root()
    stored = nodes(conn, merkle.root_nodes(size), schema)
    return merkle.range_hash(0, size, stored)


def _events_after(
    conn: Connection[Any], after: int, up_to: int, schema: str
) -> list[tuple[Any, ...]]:
    return conn.execute(
        SQL(
            "SELECT notification_id, originator_id, originator_version, topic, state FROM {}"
            " WHERE notification_id > %s AND notification_id <= %s"
            " ORDER BY notification_id LIMIT %s"
        ).format(Identifier(schema, "stored_events")),
        (after, up_to, BATCH),
    ).fetchall()


def _copy(conn: Connection[Any], table: str, columns: str, rows: list[Any], schema: str) -> None:
    """COPY is several times faster than INSERTs for the initial build of a large log, and
    needs only the INSERT privilege the application's role has."""
    statement = SQL("COPY {} ({}) FROM STDIN").format(Identifier(schema, table), SQL(columns))
    with conn.cursor() as cur, cur.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _extend_batch(conn: Connection[Any], up_to: int, schema: str) -> int:
    """One transaction: append up to BATCH events to the tree; returns how many."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (TREE_LOCK,))
        size, last = size_and_position(conn, schema)
        rows = _events_after(conn, last, up_to, schema)
        if not rows:
            return 0
        edge = merkle.root_nodes(size)
        stored = nodes(conn, edge, schema)
        compact = merkle.CompactRange(size, [stored[n] for n in edge])
        new_nodes: list[tuple[int, int, bytes]] = []
        leaves: list[tuple[int, int]] = []
        for position, originator, version, topic, state in rows:
            entry = integrity.canonical(position, originator, version, topic, bytes(state or b""))
            leaves.append((compact.size, position))
            compact.append(merkle.leaf_hash(entry), lambda n, h: new_nodes.append((*n, h)))
        _copy(conn, NODES_TABLE, "level, idx, hash", new_nodes, schema)
        _copy(conn, LEAVES_TABLE, "leaf, position", leaves, schema)
        return len(rows)


def extend(conn: Connection[Any], schema: str = "public") -> int:
    """Add every linked event not yet in the tree; returns how many were added. `conn` must
    be in autocommit mode (each batch is its own transaction)."""
    head, _ = integrity.chain_head(conn, schema)
    total = 0
    while (added := _extend_batch(conn, head, schema)) > 0:
        total += added
    return total


def leaf_of(conn: Connection[Any], position: int, schema: str = "public") -> int | None:
    row = conn.execute(
        SQL("SELECT leaf FROM {} WHERE position = %s").format(Identifier(schema, LEAVES_TABLE)),
        (position,),
    ).fetchone()
    return None if row is None else int(row[0])


def position_of(conn: Connection[Any], leaf: int, schema: str = "public") -> int | None:
    row = conn.execute(
        SQL("SELECT position FROM {} WHERE leaf = %s").format(Identifier(schema, LEAVES_TABLE)),
        (leaf,),
    ).fetchone()
    return None if row is None else int(row[0])


def _check_size(conn: Connection[Any], size: int, schema: str) -> None:
    stored, _ = size_and_position(conn, schema)
    if size < 1 or size > stored:
        raise TreeError(f"tree_size must be between 1 and the tree's size {stored}; got {size}")


def inclusion_path(
    conn: Connection[Any], leaf: int, size: int, schema: str = "public"
) -> list[bytes]:
    """The audit path of leaf `leaf` in the tree of `size` leaves (RFC 9162 §2.1.3.1)."""
    _check_size(conn, size, schema)
    if not 0 <= leaf < size:
        raise TreeError(f"leaf {leaf} is not in the tree of size {size}")
    ranges = merkle.inclusion_ranges(leaf, size)
    stored = nodes(conn, merkle.needed(ranges), schema)
    return [merkle.range_hash(a, b, stored) for a, b in ranges]


def consistency_path(
    conn: Connection[Any], first: int, second: int, schema: str = "public"
) -> list[bytes]:
    """The proof that the tree of `second` leaves extends that of `first` (§2.1.4.1)."""
    _check_size(conn, second, schema)
    if not 1 <= first <= second:
        raise TreeError(f"from must be between 1 and to ({second}); got {first}")
    ranges = merkle.consistency_ranges(first, second)
    stored = nodes(conn, merkle.needed(ranges), schema)
    return [merkle.range_hash(a, b, stored) for a, b in ranges]


def leaf_hash(conn: Connection[Any], leaf: int, schema: str = "public") -> bytes:
    return nodes(conn, [(0, leaf)], schema)[(0, leaf)]

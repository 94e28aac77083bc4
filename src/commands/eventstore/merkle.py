"""A Merkle tree over the event log, hashed as RFC 9162 §2.1 (Certificate Transparency 2.0).

    leaf hash = SHA-256(0x00 || entry)
    node hash = SHA-256(0x01 || left || right)

The tree's leaves are the stored events in notification order: leaf i (0-based) is the i-th
event of the log (notification ids may have gaps; leaf indexes never do). A leaf's **entry**
is the event's canonical chain input (`integrity.canonical`): the same bytes the hash chain
links, covering the stored bytes (ciphertext of sealed fields), so no key is needed to check.

Storage: every *complete, aligned* subtree is a node `(level, index)` covering leaves
`[index * 2**level, (index + 1) * 2**level)`; level 0 holds the leaf hashes. Any range the
RFC's recursion asks for is a few such nodes (`cover`), so a head or a proof needs O(log n)
stored nodes, never the whole log. This module is pure: callers fetch the nodes it names.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

Node = tuple[int, int]  # (level, index)
Range = tuple[int, int]  # leaves [start, end)


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split(size: int) -> int:
    """The largest power of two smaller than `size` (size > 1): RFC 9162's k."""
    return 1 << ((size - 1).bit_length() - 1)


def cover(start: int, end: int) -> list[Node]:
    """The complete aligned subtrees covering [start, end), left to right (largest first).
    For the ranges RFC 9162's recursion produces, folding them from the right gives MTH."""
    nodes: list[Node] = []
    while start < end:
        level = (end - start).bit_length() - 1
        while start % (1 << level):
            level -= 1
        nodes.append((level, start >> level))
        start += 1 << level
    return nodes


def fold(hashes: list[bytes]) -> bytes:
    """MTH of a range from its cover's hashes: H(first || MTH(rest)), from the right."""
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """The ranges whose hashes form PATH(index, D[0:size]), in the RFC's order (leaf first)."""
    path: list[Range] = []
    start, end = 0, size
    while end - start > 1:
        k = split(end - start)
        if index < start + k:
            path.append((start + k, end))
            end = start + k
        else:
            path.append((start, start + k))
            start += k
    return list(reversed(path))


def consistency_ranges(first: int, second: int) -> list[Range]:
    """The ranges whose hashes form PROOF(first, D[0:second]) (RFC 9162 §2.1.4.1)."""
    proof: list[Range] = []
    start, end, complete = 0, second, True
    m = first
    while m != end - start:
        k = split(end - start)
        if m <= k:
            proof.append((start + k, end))
            end = start + k
        else:
            proof.append((start, start + k))
            start, m, complete = start + k, m - k, False
    if not complete:
        proof.append((start, end))
    return list(reversed(proof))


def needed(ranges: Iterable[Range]) -> set[Node]:
    return {node for start, end in ranges for node in cover(start, end)}


def range_hash(start: int, end: int, nodes: Mapping[Node, bytes]) -> bytes:
    return fold([nodes[n] for n in cover(start, end)])


def root_nodes(size: int) -> list[Node]:
    return cover(0, size)


@dataclass
class CompactRange:
    """The right edge of a growing tree: its complete subtrees, largest first. Appending a
    leaf merges equal neighbours and reports each completed node (for storing or checking)."""

    size: int = 0
    hashes: list[bytes] = field(default_factory=list)

    def append(self, leaf: bytes, completed: Callable[[Node, bytes], None] | None = None) -> None:
        index, level, current = self.size, 0, leaf
        if completed:
            completed((0, index), current)
        while index & 1:
            current = node_hash(self.hashes.pop(), current)
            index, level = index >> 1, level + 1
            if completed:
                completed((level, index), current)
        self.hashes.append(current)
        self.size += 1

    def root(self) -> bytes:
        if not self.hashes:
            return hashlib.sha256(b"").digest()  # RFC 9162: MTH({}) = SHA-256()
        return fold(self.hashes)

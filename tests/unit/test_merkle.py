"""The Merkle tree against RFC 9162 §2.1: a tiny reference written from the RFC's recursive
definitions (MTH, PATH, PROOF), fixed vectors, and the standalone verifier's checks."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xuncha.api.cli import verify_proof
from xuncha.commands.eventstore import merkle


# --- the reference, transcribed from RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1 -------------
def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def k_of(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(d: list[bytes]) -> bytes:
    if not d:
        return sha(b"")
    if len(d) == 1:
        return sha(b"\x00" + d[0])
    k = k_of(len(d))
    return sha(b"\x01" + mth(d[:k]) + mth(d[k:]))


def path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = k_of(len(d))
    if m < k:
        return [*path(m, d[:k]), mth(d[k:])]
    return [*path(m - k, d[k:]), mth(d[:k])]


def subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    if m == len(d):
        return [] if b else [mth(d)]
    k = k_of(len(d))
    if m <= k:
        return [*subproof(m, d[:k], b), mth(d[k:])]
    return [*subproof(m - k, d[k:], False), mth(d[:k])]


# --- the code under test, fed from an in-memory node store ---------------------------------
def stored(d: list[bytes]) -> tuple[dict[merkle.Node, bytes], merkle.CompactRange]:
    nodes: dict[merkle.Node, bytes] = {}
    compact = merkle.CompactRange()
    for entry in d:
        compact.append(merkle.leaf_hash(entry), lambda n, h: nodes.__setitem__(n, h))
    return nodes, compact


def our_path(m: int, size: int, nodes: dict[merkle.Node, bytes]) -> list[bytes]:
    return [merkle.range_hash(a, b, nodes) for a, b in merkle.inclusion_ranges(m, size)]


def our_consistency(m: int, n: int, nodes: dict[merkle.Node, bytes]) -> list[bytes]:
    return [merkle.range_hash(a, b, nodes) for a, b in merkle.consistency_ranges(m, n)]


# The eight leaves of Certificate Transparency's reference test data and their roots.
CT_LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


@pytest.mark.parametrize("size", range(1, 9))
def test_roots_match_the_fixed_vectors(size: int) -> None:
    nodes, _ = stored(CT_LEAVES[:size])
    assert merkle.range_hash(0, size, nodes).hex() == CT_ROOTS[size - 1]
    assert mth(CT_LEAVES[:size]).hex() == CT_ROOTS[size - 1]


def test_the_empty_tree_is_the_hash_of_nothing() -> None:
    expected = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert merkle.CompactRange().root().hex() == expected


def test_a_fixed_inclusion_and_consistency_vector() -> None:
    nodes, _ = stored(CT_LEAVES)
    # RFC 6962 test data: leaf 0 of 8 and the consistency of 6 with 8.
    assert [p.hex()[:16] for p in our_path(0, 8, nodes)] == [
        "96a296d224f285c6",
        "5f083f0a1a33ca07",
        "6b47aaf29ee3c2af",
    ]
    assert [p.hex()[:16] for p in our_consistency(6, 8, nodes)] == [
        "0ebc5d3437fbe2db",
        "ca854ea128ed050b",
        "d37ee418976dd957",
    ]


@given(st.lists(st.binary(max_size=8), min_size=1, max_size=40), st.data())
def test_heads_and_proofs_equal_the_reference(d: list[bytes], data: st.DataObject) -> None:
    nodes, compact = stored(d)
    n = len(d)
    assert compact.root() == mth(d)
    m = data.draw(st.integers(0, n - 1))
    size = data.draw(st.integers(m + 1, n))
    assert our_path(m, size, nodes) == path(m, d[:size])
    first = data.draw(st.integers(1, size))
    assert our_consistency(first, size, nodes) == subproof(first, d[:size], True)


@given(st.lists(st.binary(max_size=8), min_size=1, max_size=40), st.data())
def test_the_standalone_verifier_accepts_reference_proofs(
    d: list[bytes], data: st.DataObject
) -> None:
    n = len(d)
    m = data.draw(st.integers(0, n - 1))
    root = verify_proof.root_from_inclusion(m, n, sha(b"\x00" + d[m]), path(m, d))
    assert root == mth(d)
    first = data.draw(st.integers(1, n))
    verify_proof.check_consistency(first, n, mth(d[:first]), mth(d), subproof(first, d, True))


def accepted(index: int, size: int, leaf: bytes, proof: list[bytes], root: bytes) -> bool:
    try:
        return verify_proof.root_from_inclusion(index, size, leaf, proof) == root
    except verify_proof.Failed:
        return False


@given(st.lists(st.binary(max_size=8), min_size=2, max_size=40, unique=True), st.data())
def test_the_standalone_verifier_refuses_wrong_proofs(d: list[bytes], data: st.DataObject) -> None:
    n, root = len(d), mth(d)
    m = data.draw(st.integers(0, n - 1))
    proof, leaf = path(m, d), sha(b"\x00" + d[m])
    assert accepted(m, n, leaf, proof, root)
    assert not accepted(m, n, sha(b"\x00" + d[m] + b"x"), proof, root)  # another entry
    assert not accepted((m + 1) % n, n, leaf, proof, root)  # another place
    assert not accepted(m, n, leaf, proof[:-1], root)  # a shortened path
    assert not accepted(m, n, leaf, [*proof, root], root)  # a lengthened path
    first = data.draw(st.integers(1, n - 1))
    with pytest.raises(verify_proof.Failed):
        verify_proof.check_consistency(
            first, n, mth(d[:first]), sha(b"not the root"), subproof(first, d, True)
        )
    with pytest.raises(verify_proof.Failed):
        verify_proof.check_consistency(
            first, n, sha(b"not the root"), root, subproof(first, d, True)
        )

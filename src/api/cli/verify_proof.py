"""Standalone verifier of Xuncha's signed tree heads, proofs and record dossiers.

It imports nothing of Xuncha (only the standard library and `cryptography`), so an outside
party can copy this one file and run `python verify_proof.py …`; `xuncha verify-proof` runs
the same code. Hashing is RFC 9162 §2.1: leaf = SHA-256(0x00 || entry), node =
SHA-256(0x01 || left || right); the proof checks are the algorithms of §2.1.3.2 and §2.1.4.2.

An entry is the event as stored: int8(position) || uuid(stream id, 16 bytes) ||
int8(stream version) || int4(len(type)) || type (UTF-8) || int4(len(state)) || state
(the stored JSON, sealed fields as ciphertext). Integers are big-endian.

A head (checkpoint format v2) is valid when its Ed25519 signature verifies over
"xuncha.checkpoint.v2" 0x00 || int8(position) || link || int8(tree_size) || root ||
int8(timestamp_ms), with the public key obtained from the log's operator out of band.

    verify_proof.py head HEAD.json --public-key KEY.pem
    verify_proof.py inclusion PROOF.json --head HEAD.json --public-key KEY.pem
    verify_proof.py consistency PROOF.json --old-head A.json --new-head B.json --public-key KEY.pem
    verify_proof.py dossier DOSSIER.json --public-key KEY.pem [--heads COLLECTED.jsonl]

Exit status 0 when everything verifies, 1 when something does not, 2 on unusable input.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
import uuid
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

CONTEXT_V2 = b"xuncha.checkpoint.v2\x00"


class Failed(Exception):
    """Something does not verify."""


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_from_inclusion(index: int, size: int, leaf: bytes, path: list[bytes]) -> bytes:
    """RFC 9162 §2.1.3.2: the root the audit path leads to (Failed if it cannot)."""
    if index >= size:
        raise Failed(f"leaf index {index} is not below tree size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            raise Failed("the audit path is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise Failed("the audit path is too short")
    return r


def check_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: list[bytes]
) -> None:
    """RFC 9162 §2.1.4.2: the tree of `second` leaves extends the tree of `first` leaves."""
    if not 0 < first <= second:
        raise Failed(f"sizes {first} and {second} cannot be compared")
    if first == second:
        if proof or first_root != second_root:
            raise Failed("equal sizes need an empty proof and equal roots")
        return
    if not proof:
        raise Failed("the consistency proof is empty")
    if first & (first - 1) == 0:
        proof = [first_root, *proof]
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            raise Failed("the consistency proof is too long")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0 or fr != first_root or sr != second_root:
        raise Failed(f"the tree of size {second} does not extend the tree of size {first}")


def head_message(head: dict[str, Any]) -> bytes:
    return b"".join(
        (
            CONTEXT_V2,
            int(head["position"]).to_bytes(8, "big", signed=True),
            bytes.fromhex(head["link"]),
            int(head["tree_size"]).to_bytes(8, "big", signed=True),
            bytes.fromhex(head["root"]),
            int(head["timestamp_ms"]).to_bytes(8, "big", signed=True),
        )
    )


def key_id(public: Ed25519PublicKey) -> str:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return hashlib.sha256(public.public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()[:16]


def check_head(head: dict[str, Any], public: Ed25519PublicKey) -> None:
    if head.get("format") != "xuncha.checkpoint.v2":
        raise Failed("the head is not a signed tree head (format xuncha.checkpoint.v2)")
    if head.get("key_id") != key_id(public):
        raise Failed(f"the head names key {head.get('key_id')}, not this key ({key_id(public)})")
    try:
        public.verify(bytes.fromhex(head["signature"]), head_message(head))
    except InvalidSignature as error:
        raise Failed("the head's signature does not verify: forged or altered") from error


def decode_entry(entry: bytes) -> dict[str, Any]:
    """The fields of an entry (see the module's docstring)."""
    position = int.from_bytes(entry[0:8], "big", signed=True)
    stream_id = uuid.UUID(bytes=entry[8:24])
    version = int.from_bytes(entry[24:32], "big", signed=True)
    n = int.from_bytes(entry[32:36], "big")
    topic = entry[36 : 36 + n].decode()
    m = int.from_bytes(entry[36 + n : 40 + n], "big")
    state = entry[40 + n : 40 + n + m]
    if len(entry) != 40 + n + m:
        raise Failed("an entry is not in the documented format")
    return {
        "position": position,
        "stream_id": str(stream_id),
        "stream_version": version,
        "type": topic,
        "state": json.loads(state) if state else None,
    }


def verify_inclusion(proof: dict[str, Any], root: bytes) -> dict[str, Any]:
    entry = base64.b64decode(proof["entry"])
    leaf = leaf_hash(entry)
    if "leaf_hash" in proof and bytes.fromhex(proof["leaf_hash"]) != leaf:
        raise Failed(f"position {proof.get('position')}: the entry does not hash to its leaf")
    path = [bytes.fromhex(p) for p in proof["audit_path"]]
    if root_from_inclusion(int(proof["leaf_index"]), int(proof["tree_size"]), leaf, path) != root:
        raise Failed(f"position {proof.get('position')}: not included under the head's root")
    event = decode_entry(entry)
    if "position" in proof and event["position"] != int(proof["position"]):
        raise Failed(f"the entry is at position {event['position']}, not {proof['position']}")
    return event


def _root_of(head: dict[str, Any], tree_size: int) -> bytes:
    if int(head["tree_size"]) != tree_size:
        raise Failed(f"the proof is for tree size {tree_size}, the head has {head['tree_size']}")
    return bytes.fromhex(head["root"])


def run_head(args: argparse.Namespace, public: Ed25519PublicKey) -> str:
    head = _load(args.file)
    check_head(head, public)
    return (
        f"head ok: tree size {head['tree_size']}, root {head['root']}, signed {head['signed_at']}"
    )


def run_inclusion(args: argparse.Namespace, public: Ed25519PublicKey) -> str:
    proof, head = _load(args.file), _load(args.head)
    check_head(head, public)
    event = verify_inclusion(proof, _root_of(head, int(proof["tree_size"])))
    return (
        f"inclusion ok: position {event['position']} ({event['type']}, stream "
        f"{event['stream_id']} v{event['stream_version']}) is in the signed tree of size "
        f"{head['tree_size']}"
    )


def run_consistency(args: argparse.Namespace, public: Ed25519PublicKey) -> str:
    proof, old, new = _load(args.file), _load(args.old_head), _load(args.new_head)
    check_head(old, public)
    check_head(new, public)
    first, second = int(proof["first"]), int(proof["second"])
    check_consistency(
        first,
        second,
        _root_of(old, first),
        _root_of(new, second),
        [bytes.fromhex(p) for p in proof["proof"]],
    )
    return f"consistency ok: the signed tree of size {second} extends the one of size {first}"


def run_dossier(args: argparse.Namespace, public: Ed25519PublicKey) -> str:
    dossier = _load(args.file)
    head = dossier["head"]
    check_head(head, public)
    if args.heads:
        collected = [json.loads(x) for x in Path(args.heads).read_text().splitlines() if x.strip()]
        same = [h for h in collected if h.get("tree_size") == head["tree_size"]]
        if not any(h.get("root") == head["root"] for h in same):
            raise Failed("the dossier's head is not among the collected heads")
    entity = dossier["entity_id"]
    proven = [item for item in dossier["events"] if item.get("proof") is not None]
    versions = [_check_dossier_event(item, head, entity) for item in proven]
    if versions != list(range(1, len(versions) + 1)):
        raise Failed(f"the record's versions are not 1..{len(versions)} in order: {versions}")
    newer = len(dossier["events"]) - len(proven)
    return (
        f"dossier ok: record {entity}, versions 1..{len(versions)} included in the signed "
        f"tree of size {head['tree_size']} (signed {head['signed_at']})"
        + (f"; {newer} newer events not covered by this head" if newer else "")
    )


def _check_dossier_event(item: dict[str, Any], head: dict[str, Any], entity: str) -> int:
    """One event: included under the head, of this record, and shown as it is stored."""
    proof = item["proof"]
    event = verify_inclusion(proof, _root_of(head, int(proof["tree_size"])))
    where = f"position {event['position']}"
    if event["stream_id"] != entity:
        raise Failed(f"{where} belongs to another record")
    state = event["state"] or {}
    shown = (item.get("data"), item.get("metadata"), item.get("stream_version"), item.get("type"))
    stored = (state.get("data"), state.get("metadata"), event["stream_version"], event["type"])
    if shown != stored:
        raise Failed(f"{where}: the readable fields differ from the proven entry")
    return int(event["stream_version"])


def _load(path: str) -> dict[str, Any]:
    data = json.loads(Path(path).read_text())
    if not isinstance(data, dict):
        raise ValueError(f"{path} does not hold a JSON object")
    return data


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="verify-proof", description=(__doc__ or "").splitlines()[0])
    p.add_argument("--public-key", required=True, help="the log's Ed25519 public key (PEM)")
    sub = p.add_subparsers(dest="what", required=True)
    sub.add_parser("head", help="a signed tree head").add_argument("file")
    inc = sub.add_parser("inclusion", help="an inclusion proof under a signed head")
    inc.add_argument("file")
    inc.add_argument("--head", required=True)
    con = sub.add_parser("consistency", help="a later signed head extends an earlier one")
    con.add_argument("file")
    con.add_argument("--old-head", required=True)
    con.add_argument("--new-head", required=True)
    dos = sub.add_parser("dossier", help="a record's dossier")
    dos.add_argument("file")
    dos.add_argument("--heads", default=None, help="heads collected elsewhere (JSON lines)")
    return p


RUN = {"head": run_head, "inclusion": run_inclusion, "consistency": run_consistency}


def main(argv: list[str] | None = None) -> int:
    return run(parser().parse_args(argv))


def run(args: argparse.Namespace) -> int:
    try:
        loaded = load_pem_public_key(Path(args.public_key).read_bytes())
        if not isinstance(loaded, Ed25519PublicKey):
            raise ValueError("the public key is not an Ed25519 key")
        run = RUN.get(args.what, run_dossier)
        print(run(args, loaded))
        return 0
    except Failed as failure:
        print(f"verify-proof: FAILED: {failure}", file=sys.stderr)
        return 1
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"verify-proof: unusable input: {error!r}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

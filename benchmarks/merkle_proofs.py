"""Merkle heads and proofs at scale: signing a head and generating proofs read O(log n)
stored nodes, against a raw scan of the whole log in the same run.

Run by hand: `.venv/bin/python benchmarks/merkle_proofs.py [--events 1000000]` (see
benchmarks/README.md). It fills `stored_events` with synthetic events by SQL (about 300 bytes
of state each) and `event_chain` with placeholder links (the chain's own cost is measured
elsewhere; only the head's link is signed here), builds the tree once (`tree_store.extend`,
timed), then measures:

* head signing: append `--grow` events, then `heads.sign_head` (extend by those events, read
  the right edge, sign, store), repeated;
* proof generation: `api.proofs.inclusion` for random positions and `api.proofs.consistency`
  for random pairs of sizes, under the full tree;
* the baseline: one raw scan of every stored event through a server-side cursor (what a head
  or a proof would cost without stored subtree hashes), and the same scan hashing the leaves
  and folding the root in Python (what `verify-log --heads-from` does).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from typing import Any

import psycopg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from support import database, log, out, quantile_ms
from xuncha.api import proofs
from xuncha.commands.eventstore import heads, integrity, merkle, tree_store

FILL = """
INSERT INTO stored_events (originator_id, originator_version, topic, state)
SELECT gen_random_uuid(), 1, 'rectification.progress_reported',
    convert_to(json_build_object('version', 1, 'data', json_build_object(
        'item_id', gen_random_uuid(), 'percent', n %% 100,
        'note', repeat('已重新招标并建立采购审查制度', 6)))::text, 'UTF8')
FROM generate_series(1, %(count)s::bigint) AS n
"""
LINKS = """
INSERT INTO event_chain (position, link)
SELECT notification_id, sha256(int8send(notification_id)) FROM stored_events
WHERE notification_id > %(after)s
"""


def fill(conninfo: str, count: int) -> None:
    """`count` more events and their (placeholder) links, in chunks of 200,000."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        while count > 0:
            chunk = min(count, 200_000)
            head, _ = integrity.chain_head(conn)
            conn.execute(FILL, {"count": chunk})
            conn.execute(LINKS, {"after": head})
            count -= chunk
        conn.execute("ANALYZE")


def raw_scan(conninfo: str, *, hashing: bool) -> tuple[int, float]:
    started, count, compact = time.perf_counter(), 0, merkle.CompactRange()
    with psycopg.connect(conninfo) as conn, conn.cursor(name="scan") as cur:
        cur.itersize = 5000
        cur.execute(
            "SELECT notification_id, originator_id, originator_version, topic, state"
            " FROM stored_events ORDER BY notification_id"
        )
        for position, originator, version, topic, state in cur:
            count += 1
            if hashing:
                entry = integrity.canonical(position, originator, version, topic, bytes(state))
                compact.append(merkle.leaf_hash(entry))
    return count, time.perf_counter() - started


def timed(samples: list[float], run: Any) -> Any:
    started = time.perf_counter()
    result = run()
    samples.append(time.perf_counter() - started)
    return result


def row(name: str, samples: list[float], baseline: float) -> None:
    samples.sort()
    p50, p99 = quantile_ms(samples, 0.5), quantile_ms(samples, 0.99)
    ratio = baseline * 1000 / p99 if p99 else float("nan")
    out(f"{name:<34} {len(samples):>6} {p50:>9.2f} {p99:>9.2f} {ratio:>14.0f}x")


def measure(conninfo: str, events: int, grow: int, proofs_count: int) -> None:
    key = Ed25519PrivateKey.generate()
    log(f"filling {events} events")
    fill(conninfo, events)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        started = time.perf_counter()
        built = tree_store.extend(conn)
        build = time.perf_counter() - started
        out(f"tree built once: {built} events in {build:.1f} s ({built / build:,.0f} events/s)")
        _, scan = raw_scan(conninfo, hashing=False)
        _, hashed = raw_scan(conninfo, hashing=True)
        out(f"raw scan of the log: {scan:.2f} s; with leaf hashing and the root: {hashed:.2f} s")
        signing: list[float] = []
        for _ in range(20):
            fill(conninfo, grow)
            timed(signing, lambda: heads.sign_head(conn, key))
        size, last = tree_store.size_and_position(conn)
        rng = random.Random(7)
        inclusion: list[float] = []
        for _ in range(proofs_count):
            leaf = rng.randrange(size)
            position = tree_store.position_of(conn, leaf) or last
            timed(inclusion, lambda p=position: proofs.inclusion(conn, p, size))
        consistency: list[float] = []
        for _ in range(proofs_count):
            first = rng.randrange(1, size)
            timed(consistency, lambda f=first: proofs.consistency(conn, f, size))
        nodes = [len(merkle.needed(merkle.inclusion_ranges(rng.randrange(size), size)))]
    out(f"tree size {size}; stored nodes read per inclusion proof: {nodes[0]}")
    out(f"{'operation':<34} {'runs':>6} {'p50 ms':>9} {'p99 ms':>9} {'raw scan / p99':>15}")
    row(f"sign a head (+{grow} events)", signing, scan)
    row("inclusion proof", inclusion, scan)
    row("consistency proof", consistency, scan)
    out(f"(median head signing {statistics.median(signing) * 1000:.1f} ms)")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--grow", type=int, default=100, help="events appended per head")
    parser.add_argument("--proofs", type=int, default=1000)
    args = parser.parse_args()
    with database() as conninfo:
        measure(conninfo, args.events, args.grow, args.proofs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

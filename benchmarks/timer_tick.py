"""The deadline timers' tick on a large log, against the scan a tick without memory needs.
Run by hand: `.venv/bin/python benchmarks/timer_tick.py [--events N]` (see
benchmarks/README.md). It builds the log as `read_model_rebuild.py` does (the demo through the
commands, then copies of its events with new ids by COPY until the log holds N events), then
times, in one process:

* baseline: what a stateless three-colour tick did on every tick: find every item not
  closed (`OPEN_ITEMS` below: two scans of the log) and fold each one's stream;
* the first tick of a new process: the timers read the log once from position 0 (and
  raise what is due in the copies);
* the next ticks with nothing due: only the events appended since, and the items whose day
  has come. The target (the performance issue): at most 100 ms at 1,000,000 events.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from datetime import UTC, datetime

import psycopg
from read_model_rebuild import load_copies, template

from support import database, log, out, target
from xuncha.api.cli.demo import Progress, load
from xuncha.api.container import build
from xuncha.api.settings import Settings
from xuncha.commands.eventstore.integrity import link_statement
from xuncha.commands.rectification import RECTIFICATION_ITEM

# The stateless tick's query (before the timers kept their memory): the latest event of every
# stream that has an `item_opened`, kept when it is not a closure.
OPEN_ITEMS = """
SELECT originator_id FROM (
    SELECT DISTINCT ON (e.originator_id) e.originator_id, e.topic FROM stored_events e
    WHERE e.originator_id IN (
        SELECT originator_id FROM stored_events WHERE topic = 'rectification.item_opened'
    )
    ORDER BY e.originator_id, e.originator_version DESC
) latest WHERE topic <> 'rectification.item_closed'
"""


def stateless_scan(conninfo: str, store: object) -> tuple[int, float]:
    """Open items found and folded as the stateless tick did; (items, seconds)."""
    started = time.perf_counter()
    with psycopg.connect(conninfo) as conn:
        ids = [row[0] for row in conn.execute(OPEN_ITEMS).fetchall()]
    for item_id in ids:
        RECTIFICATION_ITEM.fold(r.event for r in store.load(item_id))  # type: ignore[attr-defined]
    return len(ids), time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=1_000_000, help="log size (default 1M)")
    parser.add_argument("--ticks", type=int, default=20, help="ticks with nothing due")
    args = parser.parse_args()
    with database() as conninfo:
        settings = Settings(database_url=conninfo, api_threads=8)
        log("loading the demo through the commands (the template)")
        container = build(settings, conninfo)
        load(container.app, seed=1, progress=Progress(2000, out=io.StringIO()))
        container.close()
        t = template(conninfo)
        load_copies(conninfo, t, args.events)
        with psycopg.connect(conninfo, autocommit=True) as conn:
            # The copies bypassed the appends: link them into the hash chain now (untimed),
            # or the first append of the timed ticks would link them all.
            log("linking the copies into the hash chain")
            conn.execute(link_statement("public", "stored_events"))
            conn.execute("VACUUM (ANALYZE) stored_events")
            total = int(conn.execute("SELECT count(*) FROM stored_events").fetchone()[0])  # type: ignore[index]
        out(f"log: {total:,} events (the demo and copies of its events with new ids)")

        container = build(settings, conninfo)  # a new process's memory: nothing followed yet
        timers, now = container.timers, datetime.now(UTC)
        stateless_scan(conninfo, container.store)  # warm the cache
        items, scan_seconds = stateless_scan(conninfo, container.store)
        out(
            f"baseline: the stateless scan finds and folds {items:,} open items in "
            f"{scan_seconds * 1000:,.0f} ms"
        )
        started = time.perf_counter()
        issued = timers.tick(now)
        first = time.perf_counter() - started
        out(
            f"first tick of a process (reads the log once, issues {issued}): "
            f"{first * 1000:,.0f} ms = {first / scan_seconds:.2f}x the scan"
        )
        timers.tick(now)  # follows what the first tick appended
        idle = []
        for _ in range(args.ticks):
            started = time.perf_counter()
            issued = timers.tick(now)
            idle.append(time.perf_counter() - started)
            assert sum(issued.values()) == 0, issued
        p50 = statistics.median(idle)
        out(
            f"tick with nothing due ({args.ticks} ticks): p50 {p50 * 1000:.1f} ms, max "
            f"{max(idle) * 1000:.1f} ms = {p50 / scan_seconds:.4f}x the scan "
            f"({scan_seconds / p50:,.0f} times faster); target <= 100 ms"
        )
        slowest = max(idle) * 1000
        target(
            4,
            f"slowest of {args.ticks} ticks with nothing due at {total:,} events",
            value=slowest,
            unit="ms",
            baseline=scan_seconds * 1000,
            baseline_name="stateless scan ms",
            goal="<= 100 ms",
            met=slowest <= 100,
        )
        container.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

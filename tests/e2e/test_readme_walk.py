"""The README's curl walk, run as written against a real `xuncha serve` process."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


def walk_script() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## A walk through one inspection", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    assert len(blocks) >= 8, "the README walk lost its code blocks"
    cli = Path(sys.executable).parent / "xuncha"
    script = "\n".join(blocks).replace("X=.venv/bin/xuncha", f"X={cli}")
    return "set -euo pipefail\n" + script


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "XUNCHA_DATABASE_URL": database_url, "XUNCHA_PORT": str(port)}
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "xuncha.api.cli", "serve"], env=env, stdout=log, stderr=log, cwd=ROOT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                if httpx.get(f"{url}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "xuncha serve did not become ready"
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(20)


def test_the_readme_walk_works_as_written(server: str) -> None:
    done = subprocess.run(
        ["bash", "-c", walk_script()],
        env={**os.environ, "XUNCHA_API": server},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    out = done.stdout
    assert '"completion_rate":1' in out
    assert '{"stage":"closed"' in out
    history = [line.split(" ", 1)[1] for line in out.splitlines() if line[:1].isdigit()]
    assert history[0] == "inspection.planned by office-1"
    assert history[-1] == "inspection.closed by office-1"
    refusal = json.loads(out[out.rindex("{\n") :])
    assert (refusal["status"], refusal["code"]) == (409, "invalid_transition")

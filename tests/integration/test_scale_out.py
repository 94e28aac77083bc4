"""`xuncha serve` as several real processes: N API processes sharing one port, the background
duties in a process of their own, and two process trees ("machines") against one database and
one Kafka with exactly one runner, relay, clock and checkpoint signer active, the standbys
taking over within seconds when the active tree is killed with SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.support.serve import Serve, free_port
from xuncha.api.workers.checkpoints import SIGNER_LOCK
from xuncha.api.workers.clock import CLOCK_LOCK
from xuncha.projections import kafka_relay
from xuncha.projections.kafka_relay import RELAY_LOCK
from xuncha.projections.runner import RUNNER_LOCK

# How long a standby may take to become active once the active tree is gone: the standby
# retries the lock every second; the rest is margin for a loaded 2-core machine.
TAKEOVER_SECONDS = 10.0
DUTIES = {"runner": RUNNER_LOCK, "relay": RELAY_LOCK, "clock": CLOCK_LOCK, "signer": SIGNER_LOCK}


def children(pid: int) -> list[int]:
    """The child processes of `pid` (Linux /proc)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.extend(int(p) for p in text)
    return found


def command_line(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")[:-1]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


def tree(serve: Serve) -> dict[str, list[int]]:
    """The parent's children by role: `work` (background) and `serve` (API)."""
    assert serve.process is not None
    roles: dict[str, list[int]] = {"work": [], "serve": []}
    for pid in children(serve.process.pid):
        args = command_line(pid)
        role = args[args.index("xuncha.api.cli") + 1]
        roles[role].append(pid)
    return roles


def holders(database_url: str, lock: int) -> tuple[int, int]:
    """Sessions holding advisory lock `lock`, and sessions waiting for it."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT granted, count(*) FROM pg_locks WHERE locktype = 'advisory'"
            " AND classid = %s AND objid = %s AND objsubid = 1 GROUP BY granted",
            ((lock >> 32) & 0xFFFFFFFF, lock & 0xFFFFFFFF),
        ).fetchall()
    counts = {bool(r[0]): int(r[1]) for r in rows}
    return counts.get(True, 0), counts.get(False, 0)


def holder(database_url: str, lock: int) -> int | None:
    """The PostgreSQL backend (pid) of the session holding advisory lock `lock`."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND classid = %s AND objid = %s AND objsubid = 1",
            ((lock >> 32) & 0xFFFFFFFF, lock & 0xFFFFFFFF),
        ).fetchone()
    return None if row is None else int(row[0])


def eventually(check: object, timeout: float, what: str) -> float:
    """Seconds until `check()` is true; fails after `timeout`."""
    assert callable(check)
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < timeout, f"not within {timeout} s: {what}"
        time.sleep(0.1)
    return time.monotonic() - started


def relay_caught_up(database_url: str) -> bool:
    """The relay has published every event of the log to Kafka (it records its position
    after Kafka acknowledged the batch)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        state = kafka_relay.status(conn)
    return state.get("state") != "never ran" and state["lag"] == 0


def round_shows_up(serve: Serve, n: int, timeout: float = 30) -> float:
    """Propose a round through `serve`; seconds until its read model shows it."""
    answer = serve.propose(n, uuid.uuid4().hex)
    assert answer.status == 201, answer.body
    path = f"/rounds/{answer.body['created_id']}"
    headers = {"Authorization": f"Bearer {serve.token}"}
    return eventually(
        lambda: serve.call("GET", path, headers=headers).status == 200,
        timeout,
        "the round reaches the read model",
    )


@pytest.fixture
def trees(database_url: str, tmp_path: Path) -> Iterator[list[Serve]]:
    made: list[Serve] = []
    yield made
    for serve in made:
        if serve.process is not None and serve.process.poll() is None:
            serve.stop(timeout=60)


def new_tree(trees: list[Serve], database_url: str, tmp_path: Path, name: str, **env: str) -> Serve:
    serve = Serve(
        database_url,
        tmp_path / f"{name}.log",
        XUNCHA_DATA_DIR=str(tmp_path / "data"),  # one checkpoint key for both "machines"
        XUNCHA_API_THREADS="4",
        XUNCHA_LOG_FORMAT="json",
        **env,
    )
    trees.append(serve)
    return serve


def test_two_api_processes_share_the_port_and_the_runner_runs_apart(
    trees: list[Serve], database_url: str, tmp_path: Path
) -> None:
    metrics_port = free_port()
    serve = new_tree(
        trees,
        database_url,
        tmp_path,
        "serve",
        XUNCHA_WORKERS="2",
        XUNCHA_WORK_METRICS_PORT=str(metrics_port),
    )
    serve.start(timeout=120)
    roles = tree(serve)
    assert (len(roles["serve"]), len(roles["work"])) == (2, 1), roles

    given: list[str] = []

    def probe(_: int) -> None:
        correlation = str(uuid.uuid4())
        given.append(correlation)
        # A new connection each time: the kernel hands each to whichever process accepts.
        headers = {"X-Correlation-Id": correlation, "Connection": "close"}
        assert serve.call("GET", "/healthz", headers=headers).status == 200

    def answering() -> set[int]:
        wanted = set(given)
        pids = set()
        for line in serve.log.read_text().splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # a line being written, or not one of ours
            if entry.get("event") == "request" and entry.get("correlation_id") in wanted:
                pids.add(int(entry["pid"]))
        return pids

    deadline = time.monotonic() + 60
    with ThreadPoolExecutor(8) as pool:
        while len(answering()) < 2 and time.monotonic() < deadline:
            list(pool.map(probe, range(80)))
    assert answering() == set(roles["serve"])

    # One runner, in the background process; the API processes start none (no standby).
    eventually(lambda: holders(database_url, RUNNER_LOCK) == (1, 0), 60, "the runner active")
    round_shows_up(serve, 1)
    # The runner's batches are measured in the background process, which serves them.
    work_metrics = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10).text
    assert 'xuncha_projection_batch_events_count{read_model="inspection_overview"}' in work_metrics
    serve.stop(timeout=60)
    assert serve.process is not None
    assert serve.process.returncode == 128 + signal.SIGTERM
    for pid in roles["serve"] + roles["work"]:
        assert not alive(pid)


def test_one_tree_holds_the_duties_and_the_other_takes_over_when_it_is_killed(
    trees: list[Serve], database_url: str, tmp_path: Path, kafka_bootstrap: str, topic_prefix: str
) -> None:
    on = {
        "XUNCHA_CLOCK_SECONDS": "30",
        "XUNCHA_CHECKPOINT_SECONDS": "60",
        "XUNCHA_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "XUNCHA_KAFKA_TOPIC_PREFIX": topic_prefix,
    }
    first = new_tree(trees, database_url, tmp_path, "first", **on)
    first.start(timeout=120)
    for name, lock in DUTIES.items():
        eventually(lambda lock=lock: holders(database_url, lock)[0] == 1, 60, f"{name} active")
    second = new_tree(trees, database_url, tmp_path, "second", XUNCHA_WORKERS="2", **on)
    second.start(timeout=120)
    for name, lock in DUTIES.items():
        # The standby's blocking lock request shows as a waiting lock between its retries.
        eventually(lambda lock=lock: holders(database_url, lock) == (1, 1), 60, f"{name} standby")
    round_shows_up(second, 1)  # a command through the standby's API, projected by the first
    eventually(lambda: relay_caught_up(database_url), 60, "the first tree's relay publishes")

    # The first "machine" dies at once: every process of its tree, SIGKILL.
    assert first.process is not None
    before = {name: holder(database_url, lock) for name, lock in DUTIES.items()}
    victims = [first.process.pid, *children(first.process.pid)]
    killed = time.monotonic()
    for pid in victims:
        os.kill(pid, signal.SIGKILL)
    took = {}
    for name, lock in DUTIES.items():
        eventually(
            lambda lock=lock, old=before[name]: holder(database_url, lock) not in (None, old),
            TAKEOVER_SECONDS,
            f"the second tree's {name} takes over",
        )
        took[name] = round(time.monotonic() - killed, 3)
    print(f"seconds from the SIGKILL until the second tree holds each lock: {took}")
    first.process.wait(10)
    for pid in victims:
        assert not alive(pid)
    assert round_shows_up(second, 2) < TAKEOVER_SECONDS
    eventually(lambda: relay_caught_up(database_url), 30, "the second tree's relay publishes")
    assert all(holders(database_url, lock) == (1, 0) for lock in DUTIES.values())


def test_a_background_process_that_dies_stops_its_tree_with_status_1(
    trees: list[Serve], database_url: str, tmp_path: Path
) -> None:
    serve = new_tree(trees, database_url, tmp_path, "serve", XUNCHA_WORKERS="2")
    serve.start(timeout=120)
    roles = tree(serve)
    os.kill(roles["work"][0], signal.SIGKILL)
    assert serve.process is not None
    assert serve.process.wait(60) == 1
    for pid in roles["serve"]:
        assert not alive(pid)
    log = serve.log.read_text()
    assert "the background process" in log
    assert "stopping the others" in log
    assert holders(database_url, RUNNER_LOCK) == (0, 0)

"""A command whose append transaction stays open for seconds while later commands try to
commit is not skipped by the running projection runner: appends take the append lock
before drawing notification ids, so no later id commits first and the runner, which reads
past its position, never moves beyond an event that is still to commit."""

from __future__ import annotations

import threading
import time
from datetime import date
from typing import Any

import psycopg
import pytest

from xuncha.api.database import make_recorder
from xuncha.commands.eventstore.store import EventStore
from xuncha.commands.round import ProposeRound
from xuncha.commands.service import Application, CommandResult
from xuncha.events.base import Actor, Role

OFFICE = Actor(user_id="office-1", role=Role.INSPECTION_OFFICE, organization_id="org-xcb")
HOLD_SECONDS = 3.0
LATER_COMMANDS = 6


def round_command(name: str) -> ProposeRound:
    return ProposeRound(
        jurisdiction_id="yulin",
        committee="中共榆林市委",
        name=name,
        round_type="regular",  # type: ignore[arg-type]
        planned_start=date(2026, 3, 1),
        planned_end=date(2026, 6, 30),
    )


@pytest.fixture
def settings(database_url: str) -> Any:
    """Later commands wait for the held append instead of timing out (XUNCHA_DB_LOCK_TIMEOUT
    is 3 s by default; the hold is as long)."""
    from xuncha.api.settings import Settings

    return Settings(
        database_url=database_url,
        api_threads=8,
        read_wait_max_seconds=10,
        db_lock_timeout_seconds=30,
    )


def test_an_append_held_open_is_applied_after_later_commands(container: Any) -> None:
    for k in range(3):  # the runner is live and has applied something already
        container.app.execute(round_command(f"before {k}"), OFFICE)

    # A second application whose recorder stops inside the append transaction, after its
    # notification id is drawn, until released.
    recorder = make_recorder(container.conninfo, pool_size=2)
    drawn, release = threading.Event(), threading.Event()

    original = recorder._execute_batch

    def held(conn: psycopg.Connection[Any], params: tuple[Any, ...]) -> Any:
        with conn.transaction():
            rows = original(conn, params)  # the batch's ids are drawn, the lock is held
            drawn.set()
            release.wait(30)
        return rows

    recorder._execute_batch = held  # type: ignore[method-assign]
    slow_app = Application(EventStore(recorder))
    results: dict[str, CommandResult] = {}
    errors: list[BaseException] = []

    def issue(app: Application, name: str) -> None:
        try:
            results[name] = app.execute(round_command(name), OFFICE)
        except BaseException as error:  # reported below
            errors.append(error)

    slow = threading.Thread(target=issue, args=(slow_app, "held open"))
    slow.start()
    assert drawn.wait(10), "the held append never drew its id"
    held_since = time.monotonic()
    later = [
        threading.Thread(target=issue, args=(container.app, f"later {k}"))
        for k in range(LATER_COMMANDS)
    ]
    for t in later:
        t.start()
    time.sleep(HOLD_SECONDS)  # the runner keeps running meanwhile
    committed_while_held = sorted(results)
    release.set()
    slow.join(30)
    for t in later:
        t.join(30)
    held_for = time.monotonic() - held_since
    recorder.datastore.close()
    assert errors == []
    assert held_for >= HOLD_SECONDS
    assert len(results) == 1 + LATER_COMMANDS
    first = results["held open"].position
    assert all(r.position > first for name, r in results.items() if name != "held open")

    head = container.store.head()
    deadline = time.monotonic() + 20
    with psycopg.connect(container.conninfo) as conn:
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT min(position) FROM projection_tracking WHERE name = ANY(%s)",
                ([p.name for p in container.projections],),
            ).fetchone()
            if row and row[0] >= head:
                break
            time.sleep(0.05)
        logged = [r[0] for r in conn.execute("SELECT notification_id FROM stored_events")]
        audited = [r[0] for r in conn.execute("SELECT position FROM rm_audit_event")]
        rounds = {r[0] for r in conn.execute("SELECT name FROM rm_round")}
    assert sorted(audited) == sorted(logged)
    assert "held open" in rounds
    assert rounds == {f"before {k}" for k in range(3)} | set(results)
    assert committed_while_held == []  # the later ones waited for the held append

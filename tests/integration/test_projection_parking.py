"""Poison events: a handler that keeps failing parks the event and the runner goes on to the
head; after the fix, `retry` applies it exactly once. On real PostgreSQL, also via the CLI."""

from __future__ import annotations

import json
from typing import Any

import psycopg
import pytest
from psycopg import Cursor

from tests.support.api import OFFICE, Api, Who
from tests.support.bodies import SPECIAL_ROUND
from xuncha.api.cli import main as cli
from xuncha.events.base import RecordedEvent, Role
from xuncha.projections import parking, tracking
from xuncha.projections.runner import ProjectionRunner

AUDITOR = Who("auditor-1", Role.AUDITOR, "org-audit-office")
ROUND = SPECIAL_ROUND


class Poisoned:
    """Records each position it applies (once: a duplicate would violate the key); fails on
    `fails_at` while `broken` is set, counting every try."""

    def __init__(self, name: str, fails_at: int) -> None:
        self.name, self.fails_at, self.broken = name, fails_at, True
        self.tables = (f"t_{name}",)
        self.version = 1
        self.tries = 0

    def create(self, cur: Cursor[Any]) -> None:
        cur.execute(f"CREATE TABLE IF NOT EXISTS t_{self.name} (position bigint PRIMARY KEY)")

    def handles(self, type_name: str) -> bool:
        return True

    def apply(self, cur: Cursor[Any], recorded: RecordedEvent) -> None:
        if recorded.position == self.fails_at:
            self.tries += 1
            if self.broken:
                raise RuntimeError(f"{self.name} cannot apply position {recorded.position}")
        cur.execute(f"INSERT INTO t_{self.name} VALUES (%s)", (recorded.position,))


def seed_rounds(api: Api, n: int) -> str:
    for k in range(n):
        api.command("/rounds", {**ROUND, "name": f"第{k}轮"}, OFFICE, status=201)
    return str(api.client.app.state.container.conninfo)  # type: ignore[attr-defined]


def applied(conninfo: str, name: str) -> list[int]:
    with psycopg.connect(conninfo) as conn:
        return [r[0] for r in conn.execute(f"SELECT position FROM t_{name} ORDER BY 1")]


def test_a_poisoned_handler_parks_the_event_and_retry_after_the_fix_applies_it_once(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    conninfo = seed_rounds(api, 5)
    poisoned = Poisoned("poisoned", fails_at=3)
    runner = ProjectionRunner(conninfo, [poisoned], retry_attempts=3, retry_backoff_seconds=0)
    runner.catch_up_once()
    (parked_line,) = [r for r in caplog.records if "parked the event" in r.getMessage()]

    assert poisoned.tries == 1 + 3  # in its batch, then 3 tries on its own, then parked
    assert applied(conninfo, "poisoned") == [1, 2, 4, 5]
    with psycopg.connect(conninfo) as conn:
        assert tracking.positions(conn)["poisoned"] == 5
        parked = parking.listing(conn, "poisoned")
        event_id = conn.execute(
            "SELECT state FROM stored_events WHERE notification_id = 3"
        ).fetchone()
    assert event_id is not None
    assert [(p.position, p.event_type, p.attempts) for p in parked] == [(3, "round.proposed", 3)]
    assert str(parked[0].event_id) in bytes(event_id[0]).decode()
    assert parked[0].error == "RuntimeError: poisoned cannot apply position 3"
    # The log line's fields name the event and its correlation id (the audit trail's join key).
    third = api.get("/audit-trail", who=AUDITOR, type="round.proposed", limit=500)["items"][2]
    assert third["position"] == 3
    logged = {k: getattr(parked_line, k) for k in ("read_model", "position", "event_type")}
    assert logged == {"read_model": "poisoned", "position": 3, "event_type": "round.proposed"}
    assert parked_line.event_id == str(parked[0].event_id)
    assert parked_line.correlation_id == third["correlation_id"]
    assert runner.status() == [
        {
            "name": "poisoned",
            "position": 5,
            "head": 5,
            "lag": 0,
            "lag_seconds": 0.0,
            "oldest_unapplied_at": None,
            "parked": 1,
            "version": 1,
            "declared_version": 1,
        }
    ]

    # Still broken: the retry fails, the event stays parked with one more attempt.
    result = runner.retry_parked("poisoned")
    assert (result.applied, result.still_parked) == ([], [("poisoned", 3)])
    with psycopg.connect(conninfo) as conn:
        assert [p.attempts for p in parking.listing(conn)] == [4]
    assert applied(conninfo, "poisoned") == [1, 2, 4, 5]

    poisoned.broken = False  # the fix
    result = runner.retry_parked("poisoned")
    assert (result.applied, result.still_parked) == ([("poisoned", 3)], [])
    assert applied(conninfo, "poisoned") == [1, 2, 3, 4, 5]
    assert runner.retry_parked().applied == []  # nothing left: applied exactly once
    runner.catch_up_once()
    assert applied(conninfo, "poisoned") == [1, 2, 3, 4, 5]
    with psycopg.connect(conninfo) as conn:
        assert parking.listing(conn) == []
    assert runner.status()[0] | {"head": 0} == {
        "name": "poisoned",
        "position": 5,
        "head": 0,
        "lag": 0,
        "lag_seconds": 0.0,
        "oldest_unapplied_at": None,
        "parked": 0,
        "version": 1,
        "declared_version": 1,
    }


def test_cli_status_parked_and_retry(
    api: Api, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    conninfo = seed_rounds(api, 4)
    poisoned = Poisoned("poisoned_cli", fails_at=2)
    monkeypatch.setenv("XUNCHA_DATABASE_URL", conninfo)
    monkeypatch.setenv("XUNCHA_PROJECTION_RETRY_BACKOFF_SECONDS", "0")
    monkeypatch.setattr("xuncha.api.container.read_models", lambda: [poisoned])
    ProjectionRunner(conninfo, [poisoned], retry_backoff_seconds=0).catch_up_once()
    capsys.readouterr()

    def run(*argv: str) -> tuple[int, str]:
        code = cli.main(list(argv))
        return code, capsys.readouterr().out

    code, out = run("projections", "status", "--json")
    assert code == 0
    assert json.loads(out) == [
        {
            "name": "poisoned_cli",
            "position": 4,
            "head": 4,
            "lag": 0,
            "lag_seconds": 0.0,
            "oldest_unapplied_at": None,
            "parked": 1,
            "version": 1,
            "declared_version": 1,
        }
    ]
    code, out = run("projections", "status")
    assert code == 0
    assert out.splitlines()[1].split()[0] == "poisoned_cli"
    assert out.splitlines()[1].split()[-1] == "1"  # the version column

    code, out = run("projections", "parked", "--json")
    listed = json.loads(out)
    assert code == 0
    assert [(p["name"], p["position"], p["attempts"]) for p in listed] == [("poisoned_cli", 2, 3)]

    code, out = run("projections", "retry", "poisoned_cli")
    assert code == 1
    assert json.loads(out)["still_parked"] == [{"name": "poisoned_cli", "position": 2}]

    poisoned.broken = False
    code, out = run("projections", "retry", "poisoned_cli")
    assert code == 0
    assert json.loads(out)["applied"] == [{"name": "poisoned_cli", "position": 2}]
    assert applied(conninfo, "poisoned_cli") == [1, 2, 3, 4]

    code, out = run("projections", "status", "--json")
    assert json.loads(out)[0]["parked"] == 0
    assert json.loads(out)[0]["lag"] == 0
    code, out = run("projections", "parked")
    assert code == 0
    assert "no parked events" in out

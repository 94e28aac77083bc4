"""`xuncha projections status` reports each read model's lag in events and in seconds (since
the oldest event it has not applied occurred), and `GET /metrics` exposes the same as
Prometheus gauges, with parked events, on the real PostgreSQL."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from psycopg import Cursor

from xuncha.api.cli import main as cli
from xuncha.api.container import build, read_models
from xuncha.api.http.app import create_app
from xuncha.commands.round import ProposeRound
from xuncha.events.base import Actor, RecordedEvent, Role

OFFICE = Actor(user_id="office-1", role=Role.INSPECTION_OFFICE, organization_id="org-xcb")
# A sample: its name, its labels (the read model's alone for the read side's gauges) and value.
SAMPLE = re.compile(r"^([a-z_]+)(\{(.*)\})? (-?[0-9.e+]+)$")
READ_MODEL = re.compile(r'^read_model="([a-z_]+)"$')


class AlwaysFails:
    """A read model whose handler fails on every round event: each one gets parked."""

    name = "status_always_fails"
    version = 1
    tables: tuple[str, ...] = ()

    def create(self, cur: Cursor[Any]) -> None:
        pass

    def handles(self, type_name: str) -> bool:
        return type_name == "round.proposed"

    def apply(self, cur: Cursor[Any], recorded: RecordedEvent) -> None:
        raise RuntimeError(f"cannot apply {recorded.position}")


@pytest.fixture
def idle(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The service with its runner not running, so read models lag until caught up."""
    monkeypatch.setattr("xuncha.api.container.read_models", lambda: [*read_models(), AlwaysFails()])
    container = build(
        settings.model_copy(update={"projection_retry_backoff_seconds": 0}), settings.database_url
    )
    yield container
    container.close()


def propose(container: Any, k: int) -> None:
    container.app.execute(
        ProposeRound(
            jurisdiction_id="yulin",
            committee="中共榆林市委",
            name=f"第{k}轮巡察",
            round_type="regular",  # type: ignore[arg-type]
            planned_start=date(2026, 3, 1),
            planned_end=date(2026, 6, 30),
        ),
        OFFICE,
    )


def scrape(client: TestClient) -> dict[tuple[str, str | None], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples: dict[tuple[str, str | None], float] = {}
    for line in response.text.splitlines():
        if line.startswith("#"):
            assert re.match(r"^# (HELP|TYPE) xuncha_[a-z_]+ \S", line), line
            continue
        match = SAMPLE.match(line)
        assert match, f"not in the exposition format: {line!r}"
        labels = match[3]
        if labels is not None and (only := READ_MODEL.match(labels)):
            labels = only[1]
        samples[(match[1], labels)] = float(match[4])
    return samples


def test_status_and_metrics_report_lag_in_events_and_seconds_and_parked_events(
    idle: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    container = idle
    client = TestClient(create_app(container))
    propose(container, 1)
    time.sleep(1.5)
    propose(container, 2)
    propose(container, 3)
    head = container.store.head()

    rows = {r["name"]: r for r in container.runner.status()}
    audit = rows["audit_trail"]
    assert (audit["position"], audit["head"], audit["lag"]) == (0, head, 3)
    assert 1.5 <= audit["lag_seconds"] < 60  # the first round waits since it was proposed
    assert audit["oldest_unapplied_at"] is not None

    samples = scrape(client)
    assert samples[("xuncha_log_head_position", None)] == head
    assert samples[("xuncha_projection_lag_events", "audit_trail")] == 3
    assert samples[("xuncha_projection_position", "audit_trail")] == 0
    assert 1.5 <= samples[("xuncha_projection_lag_seconds", "audit_trail")] < 60
    assert samples[("xuncha_projection_parked_events", "status_always_fails")] == 0
    names = {name for metric, name in samples if name and metric.startswith("xuncha_projection")}
    assert names == {p.name for p in container.projections}

    # The command line shows the same.
    monkeypatch.setenv("XUNCHA_DATABASE_URL", container.conninfo)
    monkeypatch.setattr("xuncha.api.container.read_models", lambda: container.projections)
    assert cli.main(["projections", "status", "--json"]) == 0
    listed = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert listed["audit_trail"]["lag"] == 3
    assert listed["audit_trail"]["lag_seconds"] >= 1.5
    assert cli.main(["projections", "status"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert "lag s" in table[0]
    audit_line = next(line for line in table if line.startswith("audit_trail "))
    assert float(audit_line.split()[4]) >= 1.5

    # Caught up: no lag; the failing read model parked all three rounds, and says so.
    parked_before = samples[("xuncha_projection_parked_total", "status_always_fails")]
    container.runner.catch_up_once()
    rows = {r["name"]: r for r in container.runner.status()}
    assert (rows["audit_trail"]["lag"], rows["audit_trail"]["lag_seconds"]) == (0, 0.0)
    assert rows["status_always_fails"]["parked"] == 3
    samples = scrape(client)
    assert samples[("xuncha_projection_lag_events", "audit_trail")] == 0
    assert samples[("xuncha_projection_lag_seconds", "audit_trail")] == 0
    assert samples[("xuncha_projection_parked_events", "status_always_fails")] == 3
    assert samples[("xuncha_projection_parked_total", "status_always_fails")] == parked_before + 3
    assert samples[("xuncha_projection_position", "audit_trail")] == head

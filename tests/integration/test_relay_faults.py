"""The relay and the consumers report a broker they cannot reach: `last_error`, the time of
their last success and their lag in `xuncha relay status`, `/readyz` and `/metrics`."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from tests.support.serve import free_port
from xuncha.api.cli import main as cli
from xuncha.api.container import build
from xuncha.api.http.app import create_app
from xuncha.api.workers.kafka_consumers import ResultsConsumer
from xuncha.projections import kafka_relay
from xuncha.projections.kafka_relay import KafkaRelay, KafkaTarget


def eventually(check: Callable[[], bool], timeout: float = 45) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "not within the time"
        time.sleep(0.2)


def relay_state(conninfo: str) -> dict[str, Any]:
    with psycopg.connect(conninfo) as conn:
        return kafka_relay.status(conn)


def test_an_unreachable_broker_shows_in_status_readiness_and_metrics(
    settings: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    dead = f"127.0.0.1:{free_port()}"  # nothing listens there
    settings = settings.model_copy(
        update={"kafka_bootstrap_servers": dead, "ready_refresh_seconds": 0.2}
    )
    container = build(settings, settings.database_url)
    relay = KafkaRelay(container.conninfo, KafkaTarget(dead))
    consumer = ResultsConsumer(container.conninfo, dead, group_id="faults-results")
    consuming = threading.Thread(target=consumer.run_forever)
    relay.start_thread()
    consuming.start()
    try:
        with TestClient(create_app(container)) as client:
            eventually(lambda: bool(relay_state(container.conninfo).get("failing")))
            state = relay_state(container.conninfo)
            assert state["last_error"]
            assert state["last_success_at"] is None

            eventually(lambda: "relay" in client.get("/readyz").json().get("problems", {}))
            ready = client.get("/readyz")
            assert ready.status_code == 503
            assert "relay" in ready.json()["detail"]
            metrics = client.get("/metrics").text
            assert "xuncha_relay_failing 1" in metrics
            assert "xuncha_ready_relay 0" in metrics

            def consumer_failing() -> bool:
                return 'xuncha_consumer_failing{consumer="faults-results"} 1' in (
                    client.get("/metrics").text
                )

            eventually(consumer_failing)
            consumers = client.get("/readyz").json()["consumers"]
            assert consumers[0]["name"] == "faults-results"
            assert consumers[0]["last_error"]

        monkeypatch.setenv("XUNCHA_DATABASE_URL", container.conninfo)
        assert cli.main(["relay", "status"]) == 0
        printed = json.loads(capsys.readouterr().out)
        assert printed["failing"] is True
        assert printed["last_error"]
        assert printed["consumers"][0]["failing"] is True
    finally:
        consumer.stopped.set()
        relay.stop()
        consuming.join(30)
        container.close()

"""Structured request logs: the correlation id a request's log lines carry is the one its
events carry (and the one echoed in `X-Correlation-Id`), so logs join the audit trail."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any
from uuid import UUID, uuid4

import pytest
import structlog
from fastapi.testclient import TestClient

from tests.support.api import OFFICE, Api, Who
from xuncha.api import logs
from xuncha.api.http.app import create_app
from xuncha.api.http.deps import read_connection
from xuncha.events.base import Role

AUDITOR = Who("auditor-1", Role.AUDITOR, "org-audit-office")
ROUND = {"jurisdiction_id": "yulin", "committee": "市委", "name": "第三轮"}
ROUND |= {"round_type": "regular", "planned_start": "2026-09-01", "planned_end": "2026-12-01"}


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    """The service's logging configured as JSON into a string, restored afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    stream = io.StringIO()
    logs.configure("json", stream, force=True)
    yield stream
    for handler in root.handlers[:]:
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
    structlog.reset_defaults()
    logging.captureWarnings(False)
    structlog.contextvars.clear_contextvars()


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    """Every line parsed: a line that is not a JSON object fails the test."""
    parsed = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert all(isinstance(line, dict) for line in parsed)
    return parsed


def request_line(stream: io.StringIO, correlation: str) -> dict[str, Any]:
    found = [
        line
        for line in lines(stream)
        if line["event"] == "request" and line.get("correlation_id") == correlation
    ]
    assert len(found) == 1, stream.getvalue()
    return found[0]


def trail_correlations(api: Api, stream_id: str) -> set[str]:
    page = api.get("/audit-trail", who=AUDITOR, stream_id=stream_id, limit=500)
    assert page["items"], page
    return {item["correlation_id"] for item in page["items"]}


def test_a_given_correlation_id_is_logged_echoed_and_carried_by_the_events(
    api: Api, log_stream: io.StringIO
) -> None:
    given = str(uuid4())
    response = api.client.post(
        "/rounds", json=ROUND, headers=api.headers(OFFICE, **{"X-Correlation-Id": given})
    )
    assert response.status_code == 201, response.text
    assert response.headers["x-correlation-id"] == given
    created = response.json()
    api.position = created["position"]

    line = request_line(log_stream, given)
    assert line["route"] == "/rounds"
    assert line["method"] == "POST"
    assert line["status"] == 201
    assert isinstance(line["duration_ms"], float)
    assert line["duration_ms"] >= 0
    assert line["command"] == "ProposeRound"
    assert (line["actor_user_id"], line["actor_role"]) == (OFFICE.user_id, str(OFFICE.role))
    assert (line["level"], line["logger"]) == ("info", "xuncha.api.request")
    assert line["timestamp"].endswith("Z")
    assert trail_correlations(api, created["stream_id"]) == {given}


def test_a_command_without_the_header_gets_one_id_for_logs_answer_and_events(
    api: Api, log_stream: io.StringIO
) -> None:
    response = api.client.post("/rounds", json=ROUND, headers=api.headers(OFFICE))
    assert response.status_code == 201, response.text
    made = response.headers["x-correlation-id"]
    assert str(UUID(made)) == made
    created = response.json()
    api.position = created["position"]

    line = request_line(log_stream, made)
    assert (line["route"], line["status"]) == ("/rounds", 201)
    assert trail_correlations(api, created["stream_id"]) == {made}


def test_a_header_that_is_not_a_uuid_is_replaced_and_refused_by_a_command(
    api: Api, log_stream: io.StringIO
) -> None:
    before = api.event_count()
    response = api.client.post(
        "/rounds", json=ROUND, headers=api.headers(OFFICE, **{"X-Correlation-Id": "not-a-uuid"})
    )
    assert response.status_code == 422, response.text
    assert api.event_count() == before
    made = response.headers["x-correlation-id"]
    assert request_line(log_stream, made)["status"] == 422
    assert "not-a-uuid" not in log_stream.getvalue()


def test_every_request_logs_one_line_with_its_route_template(
    api: Api, log_stream: io.StringIO
) -> None:
    response = api.client.get(f"/rounds/{uuid4()}", headers=api.headers(OFFICE))
    assert response.status_code == 404
    line = request_line(log_stream, response.headers["x-correlation-id"])
    assert (line["method"], line["route"], line["status"]) == ("GET", "/rounds/{round_id}", 404)
    assert "command" not in line  # queries bind no command
    missing = api.client.get("/no-such-page")
    assert request_line(log_stream, missing.headers["x-correlation-id"])["route"] == "unmatched"


def test_an_internal_error_logs_its_incident_with_the_correlation_id(
    container: Any, log_stream: io.StringIO
) -> None:
    client = TestClient(create_app(container), raise_server_exceptions=False)

    def broken() -> Any:
        raise RuntimeError("boom")

    client.app.dependency_overrides[read_connection] = broken  # type: ignore[attr-defined]
    api = Api(client, container.settings)
    given = str(uuid4())
    response = client.get("/rounds", headers=api.headers(OFFICE, **{"X-Correlation-Id": given}))
    assert response.status_code == 500
    assert response.headers["x-correlation-id"] == given
    incident = response.json()["incident"]
    errors = [line for line in lines(log_stream) if line.get("incident") == incident]
    assert len(errors) == 1, log_stream.getvalue()
    error = errors[0]
    assert (error["level"], error["logger"]) == ("error", "xuncha.api.http.errors")
    assert (error["correlation_id"], error["route"]) == (given, "/rounds")
    assert "RuntimeError: boom" in error["exception"]
    assert request_line(log_stream, given)["status"] == 500


def test_a_refusal_under_overload_is_counted_and_summarized_not_logged_one_by_one(
    container: Any, log_stream: io.StringIO
) -> None:
    app = create_app(container)
    client = TestClient(app)
    api = Api(client, container.settings)
    admission = app.state.admission
    admission.in_flight = admission.limit  # as if every slot were taken
    given = [str(uuid4()) for _ in range(3)]
    answers = [
        client.get("/rounds", headers=api.headers(OFFICE, **{"X-Correlation-Id": cid}))
        for cid in given
    ]
    admission.in_flight = 0
    for answer, cid in zip(answers, given, strict=True):
        assert answer.status_code == 503
        assert answer.json()["code"] == "overloaded"
        assert answer.headers["retry-after"] == str(container.settings.retry_after_seconds)
        assert answer.headers["x-correlation-id"] == cid
        assert answer.headers["x-content-type-options"] == "nosniff"  # the security headers
        assert answer.headers["cache-control"] == "no-store"
    assert admission.shed_total == 3
    logged = lines(log_stream)
    assert not [line for line in logged if line["event"] == "request"]  # none, one by one
    summaries = [line for line in logged if line["event"].startswith("overloaded: refused")]
    assert [s["event"].split()[2] for s in summaries] == ["1"]  # one line per interval
    after = client.get("/rounds", headers=api.headers(OFFICE))
    assert after.status_code == 200
    assert request_line(log_stream, after.headers["x-correlation-id"])["status"] == 200

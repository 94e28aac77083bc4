"""`GET /metrics` carries the service's own metrics after commands and queries, on real
PostgreSQL: HTTP durations by route template (never an id), command durations by type and
outcome (appended, replayed, refused), and the query pool's gauges."""

from __future__ import annotations

from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from tests.support.api import COMMITTEE, OFFICE, Api
from tests.support.lifecycle import Lifecycle


def samples(api: Api) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = api.client.get("/metrics")
    assert response.status_code == 200, response.text
    found: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(found: dict[Any, float], name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


def test_commands_and_requests_are_counted_by_type_outcome_and_route(api: Api) -> None:
    life = Lifecycle(api)
    life.propose_round()
    once = {"Idempotency-Key": "approve-1"}
    api.command(f"/rounds/{life.round_id}/approve", {}, COMMITTEE, **once)
    api.command(f"/rounds/{life.round_id}/approve", {}, COMMITTEE, **once)  # a retry
    refused = api.post(f"/rounds/{life.round_id}/approve", {}, COMMITTEE)  # approved already
    assert refused.status_code == 409, refused.text
    api.get(f"/rounds/{life.round_id}", OFFICE)

    found = samples(api)
    commands = "xuncha_command_duration_seconds_count"
    assert value(found, commands, command="ProposeRound", outcome="appended") == 1
    assert value(found, commands, command="ApproveRound", outcome="appended") == 1
    assert value(found, commands, command="ApproveRound", outcome="replayed") == 1
    assert value(found, commands, command="ApproveRound", outcome="InvalidTransition") == 1
    http = "xuncha_http_request_duration_seconds_count"
    approve = "/rounds/{round_id}/approve"
    assert value(found, http, method="POST", route="/rounds", status="201") == 1
    assert value(found, http, method="POST", route=approve, status="200") == 2
    assert value(found, http, method="POST", route=approve, status="409") == 1
    assert value(found, http, method="GET", route="/rounds/{round_id}", status="200") == 1
    routes = {
        dict(labels).get("route", "") for name, labels in found if name.startswith("xuncha_http")
    }
    assert not any(life.round_id in route for route in routes), routes  # templates, not ids
    for gauge in ("size", "available", "waiting"):
        assert (f"xuncha_read_pool_{gauge}", frozenset()) in found
    assert value(found, "xuncha_read_pool_size") >= 1


def test_a_path_no_route_matches_is_counted_as_unmatched(api: Api) -> None:
    assert api.client.get("/no-such-page/123").status_code == 404
    found = samples(api)
    http = "xuncha_http_request_duration_seconds_count"
    assert value(found, http, method="GET", route="unmatched", status="404") == 1

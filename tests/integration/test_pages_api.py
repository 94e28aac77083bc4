"""The API behind the pages: the rectification trend, the positions stream, and the
development sign-in (refused outside development)."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any, cast

import pytest
from fastapi.testclient import TestClient

from tests.support.api import PRINCIPAL, Api, Who
from tests.support.lifecycle import Lifecycle
from xuncha.api.container import Container
from xuncha.api.http.app import create_app
from xuncha.api.settings import Settings
from xuncha.api.telemetry import Telemetry
from xuncha.events.base import Role

pytestmark = pytest.mark.integration

NOBODYS_SUPERVISOR = Who("sd-1", Role.SUPERVISING_DEPARTMENT, "org-supervises-nothing")


def test_the_trend_counts_items_opened_and_closed_per_month_in_scope(api: Api) -> None:
    flow = Lifecycle(api)
    flow.to_rectifying()
    api.position = flow.close_item(flow.item_ids[0])["position"]
    item = api.get(f"/rectification-items/{flow.item_ids[0]}")
    trend = api.get("/dashboards/rectification/trend")
    months = trend["months"]
    assert trend["totals"] == {"opened": 1, "closed": 1}
    opened = item["opened_at"][:7]
    closed = item["closed_on"][:7]
    by_month = {m["month"]: (m["opened"], m["closed"]) for m in months}
    assert sum(o for o, _ in by_month.values()) == 1
    assert sum(c for _, c in by_month.values()) == 1
    assert by_month[opened][0] == 1
    assert by_month[closed][1] == 1
    # A supervising department sees only its organizations' items: none here.
    assert api.get("/dashboards/rectification/trend", NOBODYS_SUPERVISOR)["months"] == []
    refused = api.client.get("/dashboards/rectification/trend", headers=api.headers(PRINCIPAL))
    assert refused.status_code == 403


def _events(body: str) -> list[dict[str, Any]]:
    found = []
    for message in body.split("\n\n"):
        lines = message.split("\n")
        if "event: positions" in lines:
            data = next(line for line in lines if line.startswith("data: "))
            found.append(json.loads(data.removeprefix("data: ")))
    return found


def test_the_positions_stream_sends_the_read_models_positions(api: Api) -> None:
    flow = Lifecycle(api)
    api.position = flow.propose_round()["position"]
    api.get("/rounds")  # waits until the read models have the round
    answer = api.client.get("/read-models/positions/stream", headers=api.headers(PRINCIPAL))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/event-stream")
    events = _events(answer.text)
    assert events, answer.text
    assert events[0]["log_head"] >= api.position
    assert events[0]["read_models"]["inspection_overview"] >= api.position
    assert api.client.get("/read-models/positions/stream").status_code == 401
    no_token_in_url = api.client.get("/read-models/positions/stream?access_token=x")
    assert no_token_in_url.status_code == 401


def test_the_development_sign_in_mints_tokens_of_demo_users_only(api: Api) -> None:
    users = api.client.get("/dev/sign-in").json()["users"]
    roles = {u["role"] for u in users}
    assert {Role.COMMITTEE, Role.DASHBOARD_READER, Role.AUDITOR} <= roles
    signed = api.client.post("/dev/sign-in", json={"user_id": "dashboard-demo"})
    assert signed.status_code == 200
    token = signed.json()["token"]
    vocabulary = api.client.get("/vocabulary", headers={"Authorization": f"Bearer {token}"})
    assert vocabulary.status_code == 200
    refused = api.client.get("/dashboards/rounds", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 200  # a dashboard reader reads dashboards
    records = api.client.get("/history/" + "0" * 32, headers={"Authorization": f"Bearer {token}"})
    assert records.status_code == 403
    for body in ({"user_id": "anyone"}, {"role": "committee"}, [], None):
        answer = api.client.post("/dev/sign-in", json=body)
        assert answer.status_code == 422, body
        assert answer.headers["content-type"] == "application/problem+json"


def test_outside_development_there_is_no_development_sign_in() -> None:
    production = Settings().model_copy(update={"environment": "production"})
    container = SimpleNamespace(settings=production, telemetry=Telemetry())  # the parts it uses
    app = create_app(cast(Container, container))
    client = TestClient(app)  # no lifespan: nothing behind the app
    for answer in (client.get("/dev/sign-in"), client.post("/dev/sign-in", json={})):
        assert answer.status_code == 404
        assert answer.json()["code"] == "not_found"


def test_the_pages_are_served_with_their_own_files_only(api: Api) -> None:
    page = api.client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "http" not in page.text.replace("http-equiv", "")  # no CDN, no external font
    for asset in ("app.js", "pages.js", "timeline.js", "i18n.js", "style.css", "echarts.min.js"):
        assert api.client.get(f"/static/{asset}").status_code == 200
    assert "default-src 'none'" in api.client.get("/healthz").headers["content-security-policy"]


def test_the_pages_files_are_revalidated_not_refetched_while_answers_are_never_stored(
    api: Api,
) -> None:
    first = api.client.get("/static/echarts.min.js")
    assert first.status_code == 200
    assert first.headers["cache-control"] == "no-cache"  # kept, but checked on each use
    etag = first.headers["etag"]
    again = api.client.get("/static/echarts.min.js", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""  # the megabyte is not sent again
    changed = api.client.get("/static/echarts.min.js", headers={"If-None-Match": '"other"'})
    assert changed.status_code == 200
    assert len(changed.content) == len(first.content)
    for path in ("/", "/vocabulary", "/healthz"):
        assert api.client.get(path).headers["cache-control"] == "no-store", path

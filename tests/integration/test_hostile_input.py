"""Hostile and careless input: body size (413), page size (400), request rate (429),
security headers on every response, no internals in 500s, no secrets in logs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.api import OFFICE, Api, Who
from tests.support.lifecycle import Lifecycle
from xuncha.api.http.app import create_app
from xuncha.api.http.deps import read_connection
from xuncha.api.settings import Settings

ROUND = {"jurisdiction_id": "yulin", "committee": "市委", "name": "第三轮"}
ROUND |= {"round_type": "regular", "planned_start": "2026-09-01", "planned_end": "2026-12-01"}
HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


def problem(response: Any, status: int, *words: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    for word in words:
        assert word in body["detail"], body
    return body


def secured(response: Any) -> None:
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, (name, response.headers)
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def client_with(container: Any, **changes: Any) -> TestClient:
    container.settings = container.settings.model_copy(update=changes)
    return TestClient(create_app(container), raise_server_exceptions=False)


def test_a_body_over_the_limit_is_413_and_appends_nothing(api: Api) -> None:
    before = api.event_count()
    big = {**ROUND, "name": "x" * (1024 * 1024)}
    response = api.post("/rounds", big, OFFICE)
    problem(response, 413, "larger than 1048576 bytes")
    secured(response)
    assert api.event_count() == before


def test_a_chunked_body_over_the_limit_is_413(api: Api) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"name": "'
        for _ in range(20):
            yield b"x" * 65536
        yield b'"}'

    headers = {**api.headers(OFFICE), "Content-Type": "application/json"}
    response = api.client.post("/rounds", content=chunks(), headers=headers)
    assert "content-length" not in response.request.headers
    problem(response, 413, "larger than")


def test_a_body_under_the_limit_still_works(api: Api) -> None:
    response = api.post("/rounds", {**ROUND, "name": "第四轮"}, OFFICE)
    assert response.status_code == 201, response.text
    secured(response)


@pytest.mark.parametrize("limit", [501, 100_000, 0])
def test_a_page_size_out_of_range_is_400(api: Api, limit: int) -> None:
    response = api.client.get("/rounds", params={"limit": limit}, headers=api.headers(OFFICE))
    body = problem(response, 400, "limit must be between 1 and")
    assert body["code"] == "page_size_out_of_range"


def test_a_page_size_in_range_is_fine(api: Api) -> None:
    response = api.client.get("/rounds", params={"limit": 500}, headers=api.headers(OFFICE))
    assert response.status_code == 200, response.text


def test_other_invalid_parameters_stay_422(api: Api) -> None:
    response = api.client.get("/rounds", params={"offset": -1}, headers=api.headers(OFFICE))
    problem(response, 422, "offset")


def test_requests_over_the_rate_get_429_with_retry_after(container: Any) -> None:
    client = client_with(container, rate_limit_per_second=0.01, rate_limit_burst=3)
    api = Api(client, container.settings)
    office = api.headers(OFFICE)
    statuses = [client.get("/rounds", headers=office).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    refused = client.get("/rounds", headers=office)
    problem(refused, 429, "too many requests")
    assert int(refused.headers["retry-after"]) >= 1
    secured(refused)
    other = Who("office-2", OFFICE.role, OFFICE.organization_id)
    assert client.get("/rounds", headers=api.headers(other)).status_code == 200
    assert client.get("/healthz").status_code == 200  # probes are never limited


def test_anonymous_clients_share_their_address_bucket(container: Any) -> None:
    client = client_with(container, rate_limit_per_second=0.01, rate_limit_burst=2)
    forged = {"Authorization": "Bearer forged.token.value"}
    statuses = [client.get("/rounds", headers=forged).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]


def test_security_headers_on_every_kind_of_response(container: Any) -> None:
    client = client_with(container, hsts_seconds=31536000)
    api = Api(client, container.settings)
    for response in (
        client.get("/healthz"),
        client.get("/rounds"),  # 401
        client.get("/rounds/not-a-uuid", headers=api.headers(OFFICE)),  # 422
        client.get("/no-such-path"),  # 404
        client.get("/openapi.json"),
    ):
        secured(response)
        assert response.headers["strict-transport-security"].startswith("max-age=31536000")
    assert "default-src 'none'" in client.get("/healthz").headers["content-security-policy"]


def test_no_hsts_unless_configured(api: Api) -> None:
    assert "strict-transport-security" not in api.client.get("/healthz").headers


def test_an_internal_error_is_a_generic_500(container: Any, caplog: Any) -> None:
    client = client_with(container)

    def broken() -> Any:
        raise RuntimeError("connection to db.internal:5432 failed, password=hunter2")

    client.app.dependency_overrides[read_connection] = broken  # type: ignore[attr-defined]
    api = Api(client, container.settings)
    response = client.get("/rounds", headers=api.headers(OFFICE))
    body = problem(response, 500, "the server failed to handle this request")
    secured(response)
    assert set(body) == {"type", "title", "status", "code", "detail", "incident"}
    for leak in ("hunter2", "RuntimeError", "Traceback", "db.internal", ".py"):
        assert leak not in response.text
    assert body["incident"] in caplog.text  # the operator finds it in the log


def test_secrets_never_reach_the_logs(
    database_url: str, caplog: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xuncha.api.container import build

    caplog.set_level("DEBUG")
    secret = "s3cret-" + "k" * 40
    settings = Settings(database_url=database_url, jwt_secret=secret, api_threads=4)
    container = build(settings, database_url)
    container.runner.start_thread()
    try:
        with TestClient(create_app(container)) as client:
            api = Api(client, settings)
            Lifecycle(api).to_stationed()
            token = api.headers(OFFICE)["Authorization"].split()[1]
            client.get("/rounds", headers={"Authorization": "Bearer " + token[:-2] + "xx"})
    finally:
        container.close()
    assert caplog.records  # something was logged
    assert secret not in caplog.text
    assert token not in caplog.text

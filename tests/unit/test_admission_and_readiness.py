"""Load shedding counts requests in flight; readiness reports a stale check as the database."""

from __future__ import annotations

import contextlib
import time

import anyio
import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from xuncha.api.http.admission import Admission, AdmissionState
from xuncha.api.http.readiness import Readiness, ReadinessMonitor
from xuncha.api.settings import Settings


def shedding_app(state: AdmissionState, release: anyio.Event) -> Starlette:
    async def slow(_: Request) -> PlainTextResponse:
        await release.wait()
        return PlainTextResponse("done")

    async def fast(_: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    app = Starlette(routes=[Route("/rounds", slow), Route("/healthz", fast)])
    app.add_middleware(Admission, state=state, retry_after=3)
    return app


def test_beyond_the_limit_requests_get_503_at_once_and_probes_pass() -> None:
    async def scenario() -> None:
        state, release = AdmissionState(limit=2), anyio.Event()
        transport = httpx.ASGITransport(app=shedding_app(state, release))
        async with httpx.AsyncClient(transport=transport, base_url="http://x") as client:
            answers: list[httpx.Response] = []

            async def call() -> None:
                answers.append(await client.get("/rounds"))

            async with anyio.create_task_group() as group:
                group.start_soon(call)
                group.start_soon(call)
                await anyio.sleep(0.1)  # both admitted and waiting
                assert state.in_flight == 2
                refused = await client.get("/rounds")
                probe = await client.get("/healthz")
                release.set()
            assert refused.status_code == 503
            assert refused.headers["retry-after"] == "3"
            assert refused.json()["code"] == "overloaded"
            assert probe.status_code == 200
            assert sorted(a.status_code for a in answers) == [200, 200]
            assert (state.in_flight, state.shed_total, state.admitted_total) == (0, 1, 2)

    anyio.run(scenario)


def test_a_request_stops_counting_once_answered_though_its_teardown_still_runs() -> None:
    """A yield dependency's teardown (the read connection going back to its pool) runs after
    the answer is sent; the client's next request must not find the last one in flight."""

    async def scenario() -> None:
        state, teardown = AdmissionState(limit=1), anyio.Event()
        sent: list[tuple[int, bytes]] = []

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"part", "more_body": True})
            assert state.in_flight == 1  # still answering
            await send({"type": "http.response.body", "body": b"done"})
            if scope["path"] == "/first":
                await teardown.wait()  # the teardown, after the answer

        admission = Admission(app, state=state, retry_after=3)

        async def request(path: str) -> None:
            async def receive() -> Message:
                return {"type": "http.request", "body": b"", "more_body": False}

            async def send(message: Message) -> None:
                if message["type"] == "http.response.start":
                    sent.append((message["status"], path.encode()))

            scope = {"type": "http", "path": path, "method": "GET", "headers": []}
            await admission(scope, receive, send)

        async with anyio.create_task_group() as group:
            group.start_soon(request, "/first")
            await anyio.sleep(0.05)  # answered, its teardown waiting
            assert state.in_flight == 0
            await request("/second")  # admitted, not refused at the limit of 1
            teardown.set()
        assert sent == [(200, b"/first"), (200, b"/second")]
        assert (state.in_flight, state.shed_total, state.admitted_total) == (0, 0, 2)

    anyio.run(scenario)


def test_a_request_that_fails_before_answering_stops_counting() -> None:
    async def scenario() -> None:
        state = AdmissionState(limit=1)

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            raise RuntimeError("broken")

        admission = Admission(app, state=state, retry_after=3)

        async def receive() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: Message) -> None:
            pass

        for _ in range(2):
            with contextlib.suppress(RuntimeError):
                await admission({"type": "http", "path": "/x", "headers": []}, receive, send)
            assert state.in_flight == 0
        assert state.admitted_total == 2

    anyio.run(scenario)


def test_a_stale_readiness_check_reports_the_database() -> None:
    monitor = ReadinessMonitor("", Settings(ready_refresh_seconds=0.5), [])
    assert monitor.current().problems == {"database": "not checked yet"}
    monitor.state = Readiness(time.monotonic(), {})
    assert monitor.current().ready
    monitor.state = Readiness(time.monotonic() - 10, {})
    assert "no answer for" in monitor.current().problems["database"]

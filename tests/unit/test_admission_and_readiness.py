"""Load shedding counts requests in flight; readiness reports a stale check as the database."""

from __future__ import annotations

import time

import anyio
import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

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


def test_a_stale_readiness_check_reports_the_database() -> None:
    monitor = ReadinessMonitor("", Settings(ready_refresh_seconds=0.5), [])
    assert monitor.current().problems == {"database": "not checked yet"}
    monitor.state = Readiness(time.monotonic(), {})
    assert monitor.current().ready
    monitor.state = Readiness(time.monotonic() - 10, {})
    assert "no answer for" in monitor.current().problems["database"]

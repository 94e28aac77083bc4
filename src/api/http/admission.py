"""Load shedding: a bounded number of commands and queries in flight, the rest refused at once.

Sync endpoints queue for anyio's request threads; under overload that queue grows until every
request (and the probes) waits. Below the thread limit this middleware counts requests in
flight and answers `503` with `Retry-After` beyond `max_requests_in_flight`, so overload turns
into fast refusals. A request counts from its admission until its answer's last byte is sent.
The probes and `/metrics` are exempt: they run on the event loop or their
own threads.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xuncha.api.http.guard import _send_problem

EXEMPT_PATHS = ("/healthz", "/readyz", "/metrics")


@dataclass
class AdmissionState:
    """Counters shared with `/metrics` (one event loop: no lock needed)."""

    limit: int
    in_flight: int = 0
    shed_total: int = 0
    admitted_total: int = 0


class Admission:
    """ASGI middleware: admit up to `state.limit` requests at once (0 = no limit)."""

    def __init__(self, app: ASGIApp, state: AdmissionState, retry_after: int) -> None:
        self.app, self.state, self.retry_after = app, state, retry_after

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path", "").startswith(EXEMPT_PATHS):
            await self.app(scope, receive, send)
            return
        state = self.state
        if state.limit and state.in_flight >= state.limit:
            state.shed_total += 1
            detail = (
                f"the service is handling {state.in_flight} requests, its limit; "
                f"retry after {self.retry_after} s"
            )
            headers = [(b"retry-after", str(self.retry_after).encode())]
            await _send_problem(send, 503, "overloaded", detail, headers)
            return
        state.in_flight += 1
        state.admitted_total += 1
        counted = True

        def done() -> None:
            nonlocal counted
            if counted:
                counted = False
                state.in_flight -= 1

        async def answer(message: Message) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                # Answered: what the app still does (a dependency's teardown, in a request
                # thread) no longer counts, or a client's next request finds its own last one
                # still in flight and is refused below the limit.
                done()

        try:
            await self.app(scope, receive, answer)
        finally:
            done()

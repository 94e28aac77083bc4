"""Load shedding: a bounded number of commands and queries in flight, the rest refused at once.

Sync endpoints queue for anyio's request threads; under overload that queue grows until every
request (and the probes) waits. Below the thread limit this middleware counts requests in
flight and answers `503` with `Retry-After` beyond `max_requests_in_flight`, so overload turns
into fast refusals. A request counts from its admission until its answer's last byte is sent.
The probes and `/metrics` are exempt: they run on the event loop or their own threads.

It is the outermost layer, so a refusal costs the event loop as little as possible: it carries
the security headers and the request's correlation id itself, is counted
(`xuncha_requests_shed_total`), and is not logged one by one: one warning line at most every
`SUMMARY_SECONDS` says how many were refused since the last (a `request` line per refusal cost
more than the refusal itself under overload: benchmarks/README.md, read_concurrency.py).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xuncha.api.http.guard import _send_problem, security_headers
from xuncha.api.logs import incoming_id
from xuncha.api.settings import Settings

EXEMPT_PATHS = ("/healthz", "/readyz", "/metrics")
SUMMARY_SECONDS = 10.0
log = logging.getLogger(__name__)


@dataclass
class AdmissionState:
    """Counters shared with `/metrics` (one event loop: no lock needed)."""

    limit: int
    in_flight: int = 0
    shed_total: int = 0
    admitted_total: int = 0
    shed_logged: int = 0  # shed_total at the last summary line
    logged_at: float = 0.0  # time.monotonic() of the last summary line


class Admission:
    """ASGI middleware: admit up to `state.limit` requests at once (0 = no limit)."""

    def __init__(
        self,
        app: ASGIApp,
        state: AdmissionState,
        retry_after: int,
        settings: Settings | None = None,
    ) -> None:
        self.app, self.state, self.retry_after = app, state, retry_after
        self.settings = settings or Settings()

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
            headers = [
                (b"retry-after", str(self.retry_after).encode()),
                (b"x-correlation-id", str(incoming_id(scope)).encode()),
                *security_headers(self.settings, scope.get("path", "")),
            ]
            await _send_problem(send, 503, "overloaded", detail, headers)
            self.summarize()
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

    def summarize(self) -> None:
        """One warning line at most every `SUMMARY_SECONDS` while requests are refused."""
        state, now = self.state, time.monotonic()
        if now - state.logged_at < SUMMARY_SECONDS:
            return
        log.warning(
            "overloaded: refused %d requests since the last such line; %d in flight, the limit",
            state.shed_total - state.shed_logged,
            state.in_flight,
        )
        state.shed_logged, state.logged_at = state.shed_total, now

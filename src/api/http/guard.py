"""Hostile and careless input at the edge: body size, request rate, repeated query
parameters, security headers.

Pure ASGI middleware (no BaseHTTPMiddleware): they see every request before routing and every
response start, including error responses. Page sizes are checked where query parameters are
validated (`api.errors`), and internal errors become a generic 500 there too.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI

from xuncha.api.http.auth import Unauthenticated, verify
from xuncha.api.settings import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
Headers = list[tuple[bytes, bytes]]

DOC_PATHS = ("/docs", "/redoc", "/openapi.json")
UNLIMITED_PATHS = ("/healthz", "/readyz")


def security_headers(settings: Settings, path: str) -> list[tuple[bytes, bytes]]:
    """The headers every response carries (`path` decides the Content-Security-Policy: the
    interactive docs load their scripts, the API loads nothing)."""
    if path.startswith(DOC_PATHS):
        csp = "frame-ancestors 'none'"
    elif path == "/" or path.startswith("/static/"):
        # The pages load their own scripts and styles only (ECharts sets inline styles).
        csp = (
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline';"
            " frame-ancestors 'none'"
        )
    else:
        csp = "default-src 'none'; frame-ancestors 'none'"
    headers = [
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"content-security-policy", csp.encode()),
        (b"referrer-policy", b"no-referrer"),
        # Answers carry records: never stored. The pages' files (no data) may be kept and are
        # revalidated on each use (their ETag answers 304), so a visit does not fetch ECharts'
        # megabyte again and never runs a stale file.
        (b"cache-control", b"no-cache" if path.startswith("/static/") else b"no-store"),
    ]
    if settings.hsts_seconds > 0:
        value = f"max-age={settings.hsts_seconds}; includeSubDomains"
        headers.append((b"strict-transport-security", value.encode()))
    return headers


async def _send_problem(
    send: Send, status: int, code: str, detail: str, headers: Headers | None = None
) -> None:
    """A problem+json answer sent before the app runs (the SecurityHeaders middleware adds
    the security headers, but to a refusal of the admission layer, outside it, which sends its
    own)."""
    problem = {"type": "about:blank", "title": code.replace("_", " "), "status": status}
    body = json.dumps({**problem, "code": code, "detail": detail}).encode()
    start = [(b"content-type", b"application/problem+json")]
    start.append((b"content-length", str(len(body)).encode()))
    await send(
        {"type": "http.response.start", "status": status, "headers": start + (headers or [])}
    )
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """Adds `security_headers` to every response; a route's own Cache-Control wins."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app, self.settings = app, settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = security_headers(self.settings, scope.get("path", ""))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [
                    *message.get("headers", []),
                    *((n, v) for n, v in extra if n not in present),
                ]
            await send(message)

        await self.app(scope, receive, with_headers)


class BodyLimit:
    """Refuses bodies over `limit` bytes with 413, by Content-Length or while reading a
    chunked body (read whole before the app runs: bodies are small by construction)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app, self.settings, self.limit = app, settings, settings.max_body_bytes

    def _too_large(self) -> str:
        return (
            f"the request body is larger than {self.limit} bytes, the most this API accepts; "
            "send less (one command at a time, shorter texts)"
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _send_problem(send, 413, "request_too_large", self._too_large())
            return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # client went away
                await self.app(scope, _replay([message]), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await _send_problem(send, 413, "request_too_large", self._too_large())
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([body], receive), send)


class SingleQueryValues:
    """Refuses a query parameter given more than once (400). Every query parameter of this API
    is a single value; frameworks would silently keep the last one, so `?type=a&type=b` would
    filter on something other than what the client sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("query_string"):
            query = scope["query_string"].decode("latin-1")
            names = [name for name, _ in parse_qsl(query, keep_blank_values=True)]
            repeated = sorted({name for name in names if names.count(name) > 1})
            if repeated:
                detail = (
                    f"query parameter {', '.join(repeated)} given more than once; "
                    "each takes one value"
                )
                await _send_problem(send, 400, "repeated_query_parameter", detail)
                return
        await self.app(scope, receive, send)


def _replay(messages: list[Message], then: Receive | None = None) -> Receive:
    queue = list(messages)

    async def receive() -> Message:
        if queue:
            return queue.pop(0)
        if then is not None:
            return await then()
        return {"type": "http.disconnect"}

    return receive


class TokenBuckets:
    """One token bucket per key: `rate` tokens per second, at most `burst` saved up."""

    def __init__(self, rate: float, burst: int, max_keys: int = 100_000) -> None:
        self.rate, self.burst, self.max_keys = rate, float(burst), max_keys
        self.buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)
        self.lock = threading.Lock()

    def take(self, key: str, now: float | None = None) -> float:
        """Take one token; returns 0 if allowed, else the seconds until one is available."""
        now = time.monotonic() if now is None else now
        with self.lock:
            tokens, at = self.buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.rate)
            if tokens >= 1:
                self.buckets[key] = (tokens - 1, now)
                wait = 0.0
            else:
                self.buckets[key] = (tokens, now)
                wait = (1 - tokens) / self.rate
            if len(self.buckets) > self.max_keys:  # forget the keys that are full again
                full = [
                    k
                    for k, (t, a) in self.buckets.items()
                    if t + (now - a) * self.rate >= self.burst
                ]
                for k in full:
                    del self.buckets[k]
        return wait


class RateLimit:
    """429 with Retry-After once a client exceeds its rate. The client is the token's
    subject when the bearer token verifies, else the peer address (unverified subjects
    would let anyone pick a fresh bucket per request)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app, self.settings = app, settings
        self.buckets = TokenBuckets(settings.rate_limit_per_second, settings.rate_limit_burst)

    def client(self, scope: Scope) -> str:
        authorization = dict(scope.get("headers", [])).get(b"authorization", b"").decode("latin-1")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "bearer" and token:
            try:
                return f"user:{verify(self.settings, token.strip()).get('sub')}"
            except Unauthenticated:
                pass
        peer = scope.get("client") or ("unknown", 0)
        return f"ip:{peer[0]}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path", "").startswith(UNLIMITED_PATHS):
            await self.app(scope, receive, send)
            return
        wait = self.buckets.take(self.client(scope))
        if wait > 0:
            retry = str(max(1, math.ceil(wait)))
            headers = [(b"retry-after", retry.encode())]
            detail = (
                f"too many requests from this client (at most {self.settings.rate_limit_burst} "
                f"at once and {self.settings.rate_limit_per_second:g} per second); "
                f"retry after {retry} s"
            )
            await _send_problem(send, 429, "too_many_requests", detail, headers)
            return
        await self.app(scope, receive, send)


def install(app: FastAPI, settings: Settings) -> None:
    """Outermost first: headers on everything, then the rate, then the body size."""
    app.add_middleware(SingleQueryValues)
    app.add_middleware(BodyLimit, settings=settings)
    if settings.rate_limit_per_second > 0:
        app.add_middleware(RateLimit, settings=settings)
    app.add_middleware(SecurityHeaders, settings=settings)

"""The service's logs with `structlog`: one JSON object a line on stderr (or console rendering
on a terminal), configured once by the CLI. The modules keep their stdlib loggers
(`logging.getLogger(__name__)`); structlog's `ProcessorFormatter` runs their records through
the same processors, so every line has `timestamp` (ISO 8601, UTC), `level`, `logger`,
`event` and `pid` (the process: `xuncha serve` runs several), plus the fields bound to the
request being served (`RequestLog`): `correlation_id`, `method`, `path`, and on command
routes `command`, `actor_user_id`, `actor_role`.

The correlation id is the one a command's events carry in their envelope, so a log line joins
the audit trail (`GET /audit-trail?correlation_id=...`).
"""

from __future__ import annotations

import logging
import os
import sys
import time
from typing import IO, Any, Literal
from uuid import UUID, uuid4

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from structlog.contextvars import bind_contextvars, clear_contextvars, get_contextvars

LogFormat = Literal["json", "console", "auto"]
# The `request` line of each request; a stdlib logger, as everywhere, so that it stays in the
# standard logging tree (and pytest's capture) until `configure` renders it.
log = logging.getLogger("xuncha.api.request")


def add_pid(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    """The process id: `xuncha serve` runs several processes writing to one stream."""
    event.setdefault("pid", os.getpid())
    return event


def shared_processors() -> list[Any]:
    """What every line gets, from structlog or from a stdlib logger."""
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        add_pid,
    ]


def configure(
    log_format: LogFormat = "auto",
    stream: IO[str] | None = None,
    level: int = logging.INFO,
    *,
    force: bool = False,
) -> None:
    """Route stdlib logging and structlog to one handler on `stream` (stderr by default):
    JSON lines, or console rendering when `log_format` is `console`, or `auto` and the stream
    is a terminal; Python's warnings are logged too. Like `logging.basicConfig`, it leaves a
    root logger that already has handlers (a host such as pytest) alone unless `force`, which
    replaces them."""
    root = logging.getLogger()
    if root.handlers and not force:
        return
    out = stream if stream is not None else sys.stderr
    console = log_format == "console" or (log_format == "auto" and out.isatty())
    renderer: Any = (
        # A plain traceback: never a frame's local variables (a token, a secret) on screen.
        structlog.dev.ConsoleRenderer(
            colors=False, exception_formatter=structlog.dev.plain_traceback
        )
        if console
        else structlog.processors.JSONRenderer(ensure_ascii=False)
    )
    final: list[Any] = [structlog.stdlib.ProcessorFormatter.remove_processors_meta]
    if not console:  # the console renderer prints the traceback itself
        final.append(structlog.processors.format_exc_info)
    final.append(renderer)
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared_processors(), processors=final
    )
    handler = logging.StreamHandler(out)
    handler.setFormatter(formatter)
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)  # Python's warnings become `py.warnings` lines
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared_processors(),
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def correlation_id() -> UUID | None:
    """The correlation id bound to the request being served, if any."""
    value = get_contextvars().get("correlation_id")
    return UUID(value) if isinstance(value, str) else None


def bind_command(command: str, user_id: str, role: str) -> None:
    """Bind the command and its actor to the rest of the request's lines."""
    bind_contextvars(command=command, actor_user_id=user_id, actor_role=role)


def incoming_id(scope: Scope) -> UUID:
    """The request's `X-Correlation-Id` when it is a UUID, else a new one."""
    for name, value in scope.get("headers", []):
        if name == b"x-correlation-id":
            try:
                return UUID(value.decode("latin-1").strip())
            except ValueError:
                break
    return uuid4()


class RequestLog:
    """ASGI middleware: binds the correlation id (the request's `X-Correlation-Id` when it is a
    UUID, else a new one), the method and the path to every line logged while the request is
    served, echoes the id in the response's `X-Correlation-Id`, and logs one `request` line at
    the end with the route template, status and duration in milliseconds, which it also
    records in the container's request histogram (`api.telemetry`).

    The bound fields stay set after an unexpected error so that the 500 handler, which runs
    outside the middleware, logs its incident with them; the next request clears them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        clear_contextvars()
        cid = str(incoming_id(scope))
        bind_contextvars(correlation_id=cid, method=scope["method"], path=scope["path"])
        started, status, route = time.perf_counter(), 500, "unmatched"
        telemetry = scope["app"].state.container.telemetry

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k != b"x-correlation-id"
                ]
                message["headers"] = [*headers, (b"x-correlation-id", cid.encode())]
            await send(message)

        with telemetry.request_span(scope) as span:  # None unless tracing is on
            if span is not None:
                bind_contextvars(trace_id=telemetry.trace_id(span))
                span.set_attribute("xuncha.correlation_id", cid)
            try:
                await self.app(scope, receive, sending)
            finally:
                seconds = time.perf_counter() - started
                route = getattr(scope.get("route"), "path", None) or "unmatched"
                bind_contextvars(route=route)
                log.info(
                    "request", extra={"status": status, "duration_ms": round(seconds * 1000, 1)}
                )
                telemetry.request_observed(scope["method"], route, status, seconds)
                if span is not None:
                    telemetry.request_ended(span, scope["method"], route, status)

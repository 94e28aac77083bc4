"""Errors as HTTP: each DomainError class maps to one status, here and nowhere else.

Bodies are RFC 9457 problem details: ``{"type", "title", "status", "detail", "code"}``.
"""

from __future__ import annotations

import logging
from typing import Any
from uuid import uuid4

import psycopg
from eventsourcing import persistence
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from psycopg_pool import PoolTimeout
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.exceptions import HTTPException

from xuncha.api.http.auth import Unauthenticated
from xuncha.api.http.guard import security_headers
from xuncha.api.logs import correlation_id
from xuncha.commands import errors

log = logging.getLogger(__name__)
PAGE_SIZE_PARAMS = ("limit",)

STATUS: dict[type[errors.DomainError], int] = {
    errors.NotFound: 404,
    errors.NotPermitted: 403,
    errors.InvalidTransition: 409,
    errors.ConcurrencyConflict: 409,
    errors.VersionMismatch: 412,
    errors.RuleViolated: 422,
    errors.IdempotencyKeyReused: 422,
    errors.CommandTooLarge: 413,
}


class Problem(BaseModel):
    """An error as RFC 9457 problem details (`application/problem+json`)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="Always about:blank: `code` names the problem")
    title: str
    status: int
    code: str = Field(description="Stable machine-readable name, e.g. `invalid_request`")
    detail: str = Field(description="What went wrong, for a person to act on")


PROBLEM_SCHEMA = {"$ref": "#/components/schemas/Problem"}
PROBLEM_STATUSES = {
    400: "A malformed header or parameter (If-Match, page size)",
    401: "No bearer token, or one that is expired, forged or incomplete",
    403: "The token's role or organization may not do this (or separation of duties)",
    404: "No such record, or none this actor may see",
    409: "Not possible in the record's current stage, or a concurrent change",
    412: "If-Match names a version that is no longer current",
    413: "The request body or the command's events are too large",
    422: "Invalid content (the schema, a field's bounds) or a broken rule",
    429: "Too many requests from this client (when rate limiting is on)",
    503: "Retry after Retry-After seconds: overloaded (`overloaded`), the database is busy"
    " or unreachable (`database_busy`, `database_unavailable`; nothing was recorded), or the"
    " read model has not reached min_position within the bounded wait",
}
# Declared on every operation: any route may answer with one of these problems.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {
        "description": text,
        "content": {"application/problem+json": {"schema": PROBLEM_SCHEMA}},
    }
    for status, text in PROBLEM_STATUSES.items()
}


class BadRequest(Exception):
    """A malformed header or parameter that the schema cannot express (400)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FileRefused(Exception):
    """An uploaded file that cannot be taken (malformed, too large, encrypted, carrying
    macros, or rows that break the rules): `errors` lists each problem with its row."""

    def __init__(
        self, status: int, code: str, detail: str, errors: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail
        self.errors = errors or []


class NotCaughtUp(Exception):
    """The read model did not reach the asked position within the bounded wait (503)."""


def problem(
    status: int,
    code: str,
    detail: str,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = {
        "type": "about:blank",
        "title": code.replace("_", " "),
        "status": status,
        "code": code,
        "detail": detail,
        **(extra or {}),
    }
    return JSONResponse(
        body, status_code=status, headers=headers, media_type="application/problem+json"
    )


def _http_error(_: Request, exc: HTTPException) -> JSONResponse:
    """Routing's own answers (no such path, method not allowed) as problems too."""
    codes = {400: "malformed_body", 404: "no_such_path", 405: "method_not_allowed"}
    code = codes.get(exc.status_code, "http_error")
    headers = dict(exc.headers) if exc.headers else None
    return problem(exc.status_code, code, str(exc.detail), headers=headers)


def _domain_error(_: Request, exc: errors.DomainError) -> JSONResponse:
    status = next((STATUS[t] for t in type(exc).__mro__ if t in STATUS), 422)
    return problem(status, exc.code, exc.message)


def _unauthenticated(_: Request, exc: Unauthenticated) -> JSONResponse:
    return problem(401, "unauthenticated", exc.message, headers={"WWW-Authenticate": "Bearer"})


def _bad_request(_: Request, exc: BadRequest) -> JSONResponse:
    return problem(400, "bad_request", exc.message)


def _file_refused(_: Request, exc: FileRefused) -> JSONResponse:
    return problem(exc.status, exc.code, exc.detail, {"errors": exc.errors})


def _not_caught_up(_: Request, exc: NotCaughtUp) -> JSONResponse:
    return problem(503, "read_model_behind", str(exc), headers={"Retry-After": "1"})


def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """The database is unreachable, a pooled connection broke, or a wait ran out: the
    transaction rolled back (nothing appended); the client may retry after a moment."""
    code, detail = database_problem(exc)
    log.warning("503 %s on %s %s: %s", code, request.method, request.url.path, exc)
    retry = str(request.app.state.container.settings.retry_after_seconds)
    return problem(503, code, detail, headers={"Retry-After": retry})


def _invalid(_: Request, exc: RequestValidationError | ValidationError) -> JSONResponse:
    page = [e for e in exc.errors() if _is_page_size(e)]
    if page:
        bound = page[0].get("ctx", {})
        most = bound.get("le", bound.get("lt", "the maximum"))
        return problem(
            400,
            "page_size_out_of_range",
            f"limit must be between 1 and {most} rows per page; page through more with offset",
        )
    details = [
        {"location": list(e.get("loc", ())), "message": e.get("msg", ""), "type": e.get("type")}
        for e in exc.errors()
    ]
    summary = "; ".join(
        f"{'.'.join(str(p) for p in d['location'])}: {d['message']}" for d in details[:5]
    )
    return problem(
        422, "invalid_request", summary or "the request is not valid", {"errors": details}
    )


def _internal(request: Request, exc: Exception) -> JSONResponse:
    """Anything unexpected: logged here with an incident id, never shown to the client.
    The line carries the request's bound correlation id, route, command and actor
    (`api/logs.py`); the answer echoes the correlation id as the middleware does."""
    incident = uuid4().hex[:12]
    log.error(
        "internal error %s on %s %s",
        incident,
        request.method,
        request.url.path,
        exc_info=(type(exc), exc, exc.__traceback__),
        extra={"incident": incident},
    )
    settings = request.app.state.container.settings
    headers = {k.decode(): v.decode() for k, v in security_headers(settings, request.url.path)}
    correlation = correlation_id()
    if correlation is not None:
        headers["X-Correlation-Id"] = str(correlation)
    return problem(
        500,
        "internal_error",
        f"the server failed to handle this request; it has been logged as incident {incident}",
        {"incident": incident},
        headers=headers,
    )


# Each kind of error and the function that answers it as a problem.
_HANDLERS: list[tuple[type[Exception], Any]] = [
    (HTTPException, _http_error),
    (errors.DomainError, _domain_error),
    (Unauthenticated, _unauthenticated),
    (BadRequest, _bad_request),
    (FileRefused, _file_refused),
    (NotCaughtUp, _not_caught_up),
    (psycopg.OperationalError, _database_unavailable),
    (psycopg.InterfaceError, _database_unavailable),
    (persistence.OperationalError, _database_unavailable),
    (persistence.InterfaceError, _database_unavailable),
    (ValidationError, _invalid),
    (RequestValidationError, _invalid),
    (Exception, _internal),
]


def install(app: FastAPI) -> None:
    """Map errors to problems and declare those problems on every route added afterwards."""
    app.router.responses = {**PROBLEM_RESPONSES, **app.router.responses}
    _document_problem(app)
    for error, handler in _HANDLERS:
        app.add_exception_handler(error, handler)


def database_problem(exc: BaseException) -> tuple[str, str]:
    """(code, detail) of a database failure; the library wraps psycopg's errors."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, psycopg.errors.LockNotAvailable):
            return "database_busy", "the record store is locked longer than the lock timeout"
        if isinstance(cause, psycopg.errors.QueryCanceled):
            return "database_busy", "the database did not answer within the statement timeout"
        if isinstance(cause, PoolTimeout):
            return "database_unavailable", "no database connection within the pool timeout"
        cause = cause.__cause__
    return "database_unavailable", "the database cannot be reached or the connection broke"


def _document_problem(app: FastAPI) -> None:
    """Add the `Problem` schema that PROBLEM_RESPONSES refer to to the OpenAPI document."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            schemas["Problem"] = Problem.model_json_schema()
        return app.openapi_schema or generate()

    app.openapi = openapi  # type: ignore[method-assign]


def _is_page_size(error: Any) -> bool:
    location = tuple(error.get("loc", ()))
    return (
        len(location) == 2
        and location[0] == "query"
        and location[1] in PAGE_SIZE_PARAMS
        and error.get("type") in ("less_than_equal", "less_than", "greater_than_equal")
    )

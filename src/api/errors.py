"""Errors as HTTP: each DomainError class maps to one status, here and nowhere else.

Bodies are RFC 9457 problem details: ``{"type", "title", "status", "detail", "code"}``.
"""

from __future__ import annotations

import logging
from typing import Any
from uuid import uuid4

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from api.auth import Unauthenticated
from api.guard import security_headers
from commands import errors

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


class BadRequest(Exception):
    """A malformed header or parameter that the schema cannot express (400)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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


def install(app: FastAPI) -> None:
    @app.exception_handler(errors.DomainError)
    def domain_error(_: Request, exc: errors.DomainError) -> JSONResponse:
        status = next((STATUS[t] for t in type(exc).__mro__ if t in STATUS), 422)
        return problem(status, exc.code, exc.message)

    @app.exception_handler(Unauthenticated)
    def unauthenticated(_: Request, exc: Unauthenticated) -> JSONResponse:
        return problem(401, "unauthenticated", exc.message, headers={"WWW-Authenticate": "Bearer"})

    @app.exception_handler(BadRequest)
    def bad_request(_: Request, exc: BadRequest) -> JSONResponse:
        return problem(400, "bad_request", exc.message)

    @app.exception_handler(NotCaughtUp)
    def not_caught_up(_: Request, exc: NotCaughtUp) -> JSONResponse:
        return problem(503, "read_model_behind", str(exc), headers={"Retry-After": "1"})

    @app.exception_handler(ValidationError)
    @app.exception_handler(RequestValidationError)
    def invalid(_: Request, exc: RequestValidationError | ValidationError) -> JSONResponse:
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

    @app.exception_handler(Exception)
    def internal(request: Request, exc: Exception) -> JSONResponse:
        """Anything unexpected: logged here with an incident id, never shown to the client."""
        incident = uuid4().hex[:12]
        log.error(
            "internal error %s on %s %s",
            incident,
            request.method,
            request.url.path,
            exc_info=(type(exc), exc, exc.__traceback__),
        )
        settings = request.app.state.container.settings
        headers = {k.decode(): v.decode() for k, v in security_headers(settings, request.url.path)}
        return problem(
            500,
            "internal_error",
            f"the server failed to handle this request; it has been logged as incident {incident}",
            {"incident": incident},
            headers=headers,
        )


def _is_page_size(error: Any) -> bool:
    location = tuple(error.get("loc", ()))
    return (
        len(location) == 2
        and location[0] == "query"
        and location[1] in PAGE_SIZE_PARAMS
        and error.get("type") in ("less_than_equal", "less_than", "greater_than_equal")
    )

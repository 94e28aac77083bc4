"""Errors as HTTP: each DomainError class maps to one status, here and nowhere else.

Bodies are RFC 9457 problem details: ``{"type", "title", "status", "detail", "code"}``.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from api.auth import Unauthenticated
from commands import errors

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
        return problem(STATUS.get(type(exc), 422), exc.code, exc.message)

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

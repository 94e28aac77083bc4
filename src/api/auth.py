"""Bearer JWT authentication: every request's actor comes from the token, never the body."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
from pydantic import ValidationError

from api.settings import Settings
from events.base import Actor, Role

ALGORITHM = "HS256"


class Unauthenticated(Exception):
    """No token, or a token that is expired, forged, or lacks user, role or organization."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def mint(
    settings: Settings,
    *,
    user_id: str,
    role: Role,
    organization_id: str,
    ttl: timedelta = timedelta(hours=8),
) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": user_id,
        "role": role.value,
        "org": organization_id,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + ttl,
    }
    return jwt.encode(claims, settings.signing_key, algorithm=ALGORITHM)


def actor_from_header(settings: Settings, authorization: str | None) -> Actor:
    if not authorization:
        raise Unauthenticated("this request needs a bearer token (Authorization: Bearer …)")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("the Authorization header must be 'Bearer <token>'")
    try:
        claims = jwt.decode(
            token,
            settings.signing_key,
            algorithms=[ALGORITHM],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": ["exp", "iss", "aud", "sub"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("the bearer token has expired") from None
    except jwt.InvalidTokenError as error:
        raise Unauthenticated(f"the bearer token is not valid: {error}") from None
    try:
        return Actor(
            user_id=claims["sub"], role=claims.get("role"), organization_id=claims.get("org")
        )
    except ValidationError:
        raise Unauthenticated(
            "the bearer token must name a known role ('role') and an organization ('org')"
        ) from None

"""Bearer JWT authentication: every request's actor comes from the token, never the body.

Tokens are verified against the configured keys only:

* `HS256` with `XUNCHA_JWT_SECRET` (development, and `xuncha token`);
* `RS256` with a PEM public key (`XUNCHA_JWT_PUBLIC_KEY_FILE`) or a JWKS document
  (`XUNCHA_JWT_JWKS_FILE`, the key chosen by the token's `kid`), for an identity provider
  that signs tokens with its private key.

The algorithm is fixed by the settings, never taken from the token (no `none`, no HS256
token accepted against an RSA key). Issuer, audience, expiry and subject are required and
checked; the token must name a known role and an organization. The `system` role is never
granted by a token: the clock and process managers act only inside the service.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from pydantic import ValidationError

from xuncha.api.settings import Settings
from xuncha.events.base import Actor, Role

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
    """A development token signed with the HS256 secret (`xuncha token`)."""
    if settings.jwt_algorithm != "HS256":
        raise ValueError(
            "tokens can only be minted with the HS256 secret; with RS256 the identity provider"
            " holding the private key issues them"
        )
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


class _KeyFiles:
    """Public keys read from files, re-read when a file changes (key rotation)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cache: dict[Path, tuple[int, Any]] = {}

    def load(self, path: Path, parse: Any) -> Any:
        try:
            stamp = path.stat().st_mtime_ns
        except OSError as error:
            raise Unauthenticated(f"the token verification key is unavailable: {error}") from None
        with self._lock:
            cached = self._cache.get(path)
            if cached is not None and cached[0] == stamp:
                return cached[1]
            value = parse(path.read_text())
            self._cache[path] = (stamp, value)
            return value


KEY_FILES = _KeyFiles()


def _jwks(text: str) -> jwt.PyJWKSet:
    return jwt.PyJWKSet.from_dict(json.loads(text))


def verification_key(settings: Settings, token: str) -> Any:
    """The key that must have signed `token` under the configured algorithm."""
    if settings.jwt_algorithm == "HS256":
        return settings.signing_key
    if settings.jwt_public_key_file is not None:
        return KEY_FILES.load(settings.jwt_public_key_file, lambda text: text)
    assert settings.jwt_jwks_file is not None  # the settings require one of the two
    keys: jwt.PyJWKSet = KEY_FILES.load(settings.jwt_jwks_file, _jwks)
    try:
        kid = jwt.get_unverified_header(token).get("kid")
    except jwt.InvalidTokenError as error:
        raise Unauthenticated(f"the bearer token is not valid: {error}") from None
    # Only RSA signing keys can verify RS256; other keys of the set are never tried.
    usable = [k for k in keys.keys if k.key_type == "RSA" and k.public_key_use in (None, "sig")]
    candidates = [k for k in usable if k.key_id == kid] if kid else usable
    if len(candidates) != 1:
        raise Unauthenticated(
            "the bearer token's key id ('kid') names no single key of the configured JWKS"
        )
    return candidates[0].key


def verify(settings: Settings, token: str) -> dict[str, Any]:
    """The token's claims once signature, issuer, audience, expiry and subject are checked."""
    key = verification_key(settings, token)
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[settings.jwt_algorithm],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": ["exp", "iss", "aud", "sub"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("the bearer token has expired") from None
    except jwt.PyJWTError as error:  # also a key of the set that cannot verify RS256
        raise Unauthenticated(f"the bearer token is not valid: {error}") from None
    return claims


def actor_from_header(settings: Settings, authorization: str | None) -> Actor:
    if not authorization:
        raise Unauthenticated("this request needs a bearer token (Authorization: Bearer …)")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("the Authorization header must be 'Bearer <token>'")
    claims = verify(settings, token.strip())
    try:
        actor = Actor(
            user_id=claims["sub"], role=claims.get("role"), organization_id=claims.get("org")
        )
    except ValidationError:
        raise Unauthenticated(
            "the bearer token must name a known role ('role') and an organization ('org')"
        ) from None
    if actor.role == Role.SYSTEM:
        raise Unauthenticated("no token may carry the 'system' role; it acts only inside Xuncha")
    return actor

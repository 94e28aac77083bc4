"""RS256 bearer tokens, verified with a PEM public key or a JWKS document (production), and
the checks every token passes whatever its algorithm."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from pydantic import ValidationError

from xuncha.api.http.auth import Unauthenticated, actor_from_header, mint
from xuncha.api.settings import Settings
from xuncha.events.base import Role

KEK = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return {**data, "kid": kid, "use": "sig", "alg": "RS256"}


def claims(**overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    base = {
        "sub": "auditor-1",
        "role": "auditor",
        "org": "org-audit-office",
        "iss": "https://idp.example/realms/xuncha",
        "aud": "xuncha-api",
        "iat": now,
        "exp": now + timedelta(minutes=5),
    }
    return {k: v for k, v in {**base, **overrides}.items() if v is not None}


def sign(key: Any, kid: str | None = None, algorithm: str = "RS256", **overrides: Any) -> str:
    headers = {"kid": kid} if kid else None
    return jwt.encode(claims(**overrides), key, algorithm=algorithm, headers=headers)


def hs256_by_hand(payload: dict[str, Any], secret: bytes) -> str:
    """An HS256 token keyed with any bytes (PyJWT itself refuses a PEM as HMAC secret)."""

    def part(data: bytes) -> bytes:
        return base64.urlsafe_b64encode(data).rstrip(b"=")

    body = json.dumps(payload, default=lambda d: int(d.timestamp())).encode()
    signing_input = part(b'{"alg":"HS256","typ":"JWT"}') + b"." + part(body)
    mac = hmac.new(secret, signing_input, hashlib.sha256).digest()
    return (signing_input + b"." + part(mac)).decode()


def bearer(token: str) -> str:
    return f"Bearer {token}"


@pytest.fixture
def key() -> rsa.RSAPrivateKey:
    return rsa_key()


@pytest.fixture
def pem_settings(tmp_path: Path, key: rsa.RSAPrivateKey) -> Settings:
    path = tmp_path / "idp.pem"
    path.write_bytes(public_pem(key))
    return Settings(
        jwt_algorithm="RS256",
        jwt_public_key_file=path,
        jwt_issuer="https://idp.example/realms/xuncha",
    )


def test_a_token_signed_by_the_identity_provider_gives_its_actor(
    pem_settings: Settings, key: rsa.RSAPrivateKey
) -> None:
    actor = actor_from_header(pem_settings, bearer(sign(key)))
    assert (actor.user_id, actor.role, actor.organization_id) == (
        "auditor-1",
        Role.AUDITOR,
        "org-audit-office",
    )


def test_another_key_expiry_issuer_audience_and_missing_claims_are_refused(
    pem_settings: Settings, key: rsa.RSAPrivateKey
) -> None:
    refused = {
        "another key": (sign(rsa_key()), "signature"),
        "expired": (sign(key, exp=datetime.now(UTC) - timedelta(seconds=5)), "expired"),
        "issuer": (sign(key, iss="https://evil.example"), "issuer"),
        "audience": (sign(key, aud="another-api"), "audience"),
        "no expiry": (sign(key, exp=None), "exp"),
        "no subject": (sign(key, sub=None), "sub"),
        "no role": (sign(key, role=None), "role"),
        "unknown role": (sign(key, role="superuser"), "role"),
        "no organization": (sign(key, org=None), "org"),
    }
    for token, reason in refused.values():
        with pytest.raises(Unauthenticated, match=rf"(?i){reason}"):
            actor_from_header(pem_settings, bearer(token))


def test_the_algorithm_is_the_configured_one_never_the_tokens(
    pem_settings: Settings, key: rsa.RSAPrivateKey
) -> None:
    assert pem_settings.jwt_public_key_file is not None
    pem = pem_settings.jwt_public_key_file.read_text()
    # HS256 keyed with the public key (algorithm confusion), an unsigned token, another curve.
    forged = [
        hs256_by_hand(claims(), pem.encode()),
        jwt.encode(claims(), None, algorithm="none"),
        sign(ec.generate_private_key(ec.SECP256R1()), algorithm="ES256"),
    ]
    for token in forged:
        with pytest.raises(Unauthenticated, match="not valid"):
            actor_from_header(pem_settings, bearer(token))
    # and the development HS256 secret no longer signs anything
    hs = mint(Settings(), user_id="u", role=Role.AUDITOR, organization_id="o")
    with pytest.raises(Unauthenticated, match="not valid"):
        actor_from_header(pem_settings, bearer(hs))


def test_a_jwks_file_picks_the_key_by_kid_and_follows_rotation(tmp_path: Path) -> None:
    old, new, stranger = rsa_key(), rsa_key(), rsa_key()
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": [jwk(old, "2026-01"), jwk(new, "2026-07")]}))
    settings = Settings(
        jwt_algorithm="RS256", jwt_jwks_file=path, jwt_issuer="https://idp.example/realms/xuncha"
    )
    assert actor_from_header(settings, bearer(sign(old, "2026-01"))).role == Role.AUDITOR
    assert actor_from_header(settings, bearer(sign(new, "2026-07"))).role == Role.AUDITOR
    with pytest.raises(Unauthenticated, match=r"(?i)signature"):
        actor_from_header(settings, bearer(sign(old, "2026-07")))  # the kid of another key
    with pytest.raises(Unauthenticated, match="kid"):
        actor_from_header(settings, bearer(sign(stranger, "unknown")))
    with pytest.raises(Unauthenticated, match="kid"):
        actor_from_header(settings, bearer(sign(old)))  # no kid, two keys: ambiguous

    # The provider retires the old key: the file changes and the next request sees it.
    path.write_text(json.dumps({"keys": [jwk(new, "2026-07")]}))
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    with pytest.raises(Unauthenticated, match="kid"):
        actor_from_header(settings, bearer(sign(old, "2026-01")))
    assert actor_from_header(settings, bearer(sign(new))).user_id == "auditor-1"  # single key


def test_a_jwks_key_of_another_type_never_verifies_rs256(tmp_path: Path) -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ec_jwk = {**json.loads(jwt.algorithms.ECAlgorithm.to_jwk(ec_key.public_key())), "kid": "ec"}
    rsa_private = rsa_key()
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": [jwk(rsa_private, "rsa"), ec_jwk]}))
    settings = Settings(
        jwt_algorithm="RS256", jwt_jwks_file=path, jwt_issuer="https://idp.example/realms/xuncha"
    )
    assert actor_from_header(settings, bearer(sign(rsa_private, "rsa"))).role == Role.AUDITOR
    with pytest.raises(Unauthenticated, match="kid"):
        actor_from_header(settings, bearer(sign(rsa_private, "ec")))
    with pytest.raises(Unauthenticated, match="kid"):
        actor_from_header(settings, bearer(sign(ec_key, "ec", algorithm="ES256")))
    # without a kid, the single RSA key of the set is the one
    assert actor_from_header(settings, bearer(sign(rsa_private))).role == Role.AUDITOR


def test_no_token_may_carry_the_system_role(pem_settings: Settings, key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(Unauthenticated, match="system"):
        actor_from_header(pem_settings, bearer(sign(key, role="system")))
    development = Settings()
    token = mint(development, user_id="clock", role=Role.SYSTEM, organization_id="system")
    with pytest.raises(Unauthenticated, match="system"):
        actor_from_header(development, bearer(token))


def test_rs256_settings_need_exactly_one_usable_key_file(
    tmp_path: Path, key: rsa.RSAPrivateKey
) -> None:
    pem = tmp_path / "idp.pem"
    pem.write_bytes(public_pem(key))
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [jwk(key, "k1")]}))
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a key")
    with pytest.raises(ValidationError, match="exactly one"):
        Settings(jwt_algorithm="RS256")
    with pytest.raises(ValidationError, match="exactly one"):
        Settings(jwt_algorithm="RS256", jwt_public_key_file=pem, jwt_jwks_file=jwks)
    with pytest.raises(ValidationError, match="not usable"):
        Settings(jwt_algorithm="RS256", jwt_public_key_file=garbage)
    with pytest.raises(ValidationError, match="not usable"):
        Settings(jwt_algorithm="RS256", jwt_public_key_file=tmp_path / "missing.pem")
    with pytest.raises(ValidationError, match="not usable"):
        Settings(jwt_algorithm="RS256", jwt_jwks_file=garbage)
    with pytest.raises(ValidationError, match="RS256"):
        Settings(jwt_public_key_file=pem)  # a key file with HS256 is a mistake
    # Production with RS256 needs no shared secret; with HS256 it still does.
    production: dict[str, Any] = {"environment": "production", "database_url": "postgresql://db/x"}
    rs = Settings(**production, key_encryption_key=KEK, jwt_algorithm="RS256", jwt_jwks_file=jwks)
    assert rs.jwt_secret is None
    with pytest.raises(ValidationError, match="XUNCHA_JWT_SECRET"):
        Settings(**production, key_encryption_key=KEK)
    with pytest.raises(ValueError, match="identity provider"):
        mint(rs, user_id="u", role=Role.AUDITOR, organization_id="o")


def test_xuncha_token_mints_only_with_hs256_and_never_for_system(
    tmp_path: Path,
    key: rsa.RSAPrivateKey,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from xuncha.api.cli.main import main

    args = ["token", "--user", "u-1", "--role", "auditor", "--org", "org-a"]
    assert main(args) == 0
    minted = capsys.readouterr().out.strip()
    assert actor_from_header(Settings(), bearer(minted)).user_id == "u-1"
    with pytest.raises(SystemExit):
        main(["token", "--user", "clock", "--role", "system", "--org", "system"])
    pem = tmp_path / "idp.pem"
    pem.write_bytes(public_pem(key))
    monkeypatch.setenv("XUNCHA_JWT_ALGORITHM", "RS256")
    monkeypatch.setenv("XUNCHA_JWT_PUBLIC_KEY_FILE", str(pem))
    assert main(args) == 2
    assert "identity provider" in capsys.readouterr().err

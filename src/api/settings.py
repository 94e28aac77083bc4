"""All configuration, from `XUNCHA_*` environment variables (or a `.env` file)."""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET = "xuncha-development-secret-not-for-production"
# The development key-encryption key of sealed data (base64 of 32 bytes); refused in production.
DEVELOPMENT_KEY_ENCRYPTION_KEY = base64.b64encode(
    hashlib.sha256(b"xuncha-development-key-encryption-key-not-for-production").digest()
).decode()


@dataclass(frozen=True)
class DatabaseTimeouts:
    """How long a request may wait on the database, at each step."""

    connect_seconds: int = 3
    pool_seconds: float = 3.0
    lock_seconds: int = 3
    statement_seconds: float = 15.0

    def connection_options(self) -> dict[str, Any]:
        """libpq parameters of every request connection (`options` sets server settings)."""
        statement_ms = int(self.statement_seconds * 1000)
        return {
            "connect_timeout": self.connect_seconds,
            "options": f"-c statement_timeout={statement_ms} -c lock_timeout={self.lock_seconds}s",
        }


class Settings(BaseSettings):
    """Xuncha's settings. Outside development, a real JWT secret and database are required."""

    model_config = SettingsConfigDict(env_prefix="XUNCHA_", env_file=".env", extra="ignore")

    environment: Literal["development", "production"] = "development"
    database_url: str | None = Field(
        default=None, description="PostgreSQL URL; unset = embedded PostgreSQL in data_dir"
    )
    data_dir: Path = Path(".xuncha")
    host: str = "127.0.0.1"
    port: int = 8000
    log_format: Literal["json", "console", "auto"] = Field(
        default="auto",
        description="Logs on stderr: JSON lines, console text, or auto (console on a terminal)",
    )
    tracing: Literal["off", "console", "otlp"] = Field(
        default="off",
        description="OpenTelemetry traces: off; console (spans on stdout); otlp (OTLP/HTTP to"
        " OTEL_EXPORTER_OTLP_ENDPOINT, default http://localhost:4318)",
    )
    jwt_secret: SecretStr | None = None
    jwt_issuer: str = "xuncha"
    jwt_audience: str = "xuncha-api"
    jwt_algorithm: Literal["HS256", "RS256"] = Field(
        default="HS256",
        description="HS256: tokens signed with jwt_secret (development, `xuncha token`);"
        " RS256: tokens of an identity provider, verified with jwt_public_key_file or"
        " jwt_jwks_file",
    )
    jwt_public_key_file: Path | None = Field(
        default=None, description="RS256: the PEM public key verifying tokens"
    )
    jwt_jwks_file: Path | None = Field(
        default=None, description="RS256: a JWKS document; the token's `kid` picks the key"
    )
    api_threads: int = Field(default=32, ge=1, le=512)
    # Timeouts and load shedding (docs/operations.md): every wait that can grow is bounded.
    db_connect_timeout_seconds: int = Field(
        default=3, ge=2, le=60, description="opening one database connection (libpq's minimum: 2)"
    )
    db_pool_timeout_seconds: float = Field(
        default=3.0, gt=0, le=60, description="waiting for a pooled connection before a 503"
    )
    db_lock_timeout_seconds: int = Field(
        default=3, ge=1, le=600, description="a command waiting for the append lock before a 503"
    )
    db_statement_timeout_seconds: float = Field(
        default=15.0, ge=0, le=3600, description="one SQL statement of a request; 0 = no limit"
    )
    retry_after_seconds: int = Field(
        default=2, ge=1, le=600, description="Retry-After of a 503 (overload, database busy)"
    )
    max_requests_in_flight: int = Field(
        default=24,
        ge=0,
        le=10_000,
        description="commands and queries handled at once; more get 503 at once; 0 = no limit."
        " Keep it below api_threads so the probes always find a thread",
    )
    ready_max_lag_events: int = Field(
        default=10_000, ge=0, description="/readyz is 503 while a read model lags more; 0 = off"
    )
    ready_refresh_seconds: float = Field(
        default=0.5, gt=0, le=60, description="how often the readiness state is refreshed"
    )
    shutdown_grace_seconds: int = Field(
        default=10, ge=0, le=600, description="SIGTERM: in-flight requests get this long"
    )
    background: Literal["process", "thread", "off"] = Field(
        default="process",
        description="where `xuncha serve` runs the runner, relay, clock and checkpoint signer:"
        " process (a child process of their own, `xuncha work`), thread (inside the one API"
        " process; needs workers = 1), off (not here: `xuncha work` runs elsewhere)",
    )
    workers: int = Field(
        default=1, ge=1, le=64, description="API processes of `xuncha serve` sharing its port"
    )
    work_metrics_port: int = Field(
        default=0,
        ge=0,
        le=65535,
        description="port (on XUNCHA_HOST) where `xuncha work` serves its own metrics: the"
        " projection and relay batch histograms; 0 = off",
    )
    run_projections: bool = True
    projection_batch_size: int = Field(default=500, ge=1, le=100_000)
    projection_retry_attempts: int = Field(
        default=3, ge=1, le=100, description="tries of a failing handler before parking"
    )
    projection_retry_backoff_seconds: float = Field(
        default=0.1, ge=0, le=60, description="first backoff between tries; doubles each try"
    )
    read_wait_max_seconds: float = Field(default=5.0, ge=0, le=60)
    position_stream_seconds: float = Field(
        default=55.0,
        gt=0,
        le=3600,
        description="life of one `/read-models/positions/stream` answer; the page reconnects",
    )
    clock_seconds: float = Field(
        default=60.0, ge=0, le=86400, description="tick interval of timers; 0 = off"
    )
    kafka_bootstrap_servers: str | None = Field(
        default=None, description="e.g. 127.0.0.1:9092; unset = events wait in the log"
    )
    kafka_topic_prefix: str = Field(default="", max_length=100, description="prefix of topics")
    kafka_source: str = Field(default="urn:xuncha", description="CloudEvents ce_source")
    kafka_partitions: int = Field(default=3, ge=1, le=1000, description="of new topics only")
    kafka_replication_factor: int = Field(default=1, ge=1, le=10)
    relay_batch_size: int = Field(default=500, ge=1, le=100_000)
    discipline_commission_org: str = Field(
        default="city-discipline-commission",
        description="organization acting for inbound lead dispositions (the default lead route)",
    )

    # Security (docs/security.md)
    checkpoint_key_file: Path | None = Field(
        default=None,
        description="Ed25519 PEM key signing log checkpoints; unset = data_dir/checkpoint-key.pem"
        " (generated in development if absent)",
    )
    checkpoint_every: int = Field(
        default=1000, ge=0, description="sign a checkpoint every N events in serve; 0 = off"
    )
    checkpoint_seconds: float = Field(
        default=60,
        ge=0,
        le=86400,
        description="sign a checkpoint in serve when the log grew and the last one is this "
        "old; bounds the unanchored window in time; 0 = off",
    )
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024, le=64 * 1024 * 1024)
    rate_limit_per_second: float = Field(
        default=0, ge=0, description="requests per second per client; 0 = no rate limit"
    )
    rate_limit_burst: int = Field(default=100, ge=1)
    hsts_seconds: int = Field(default=0, ge=0, description="Strict-Transport-Security max-age")
    key_encryption_key: SecretStr | None = Field(
        default=None,
        description="base64 of 32 random bytes wrapping the data keys of sealed personal data"
        " (subject_keys); unset = a fixed development key, refused in production",
    )

    wrapping_key_dir: Path | None = Field(
        default=None,
        description="directory of the bucket keys wrapping subject keys, outside PostgreSQL;"
        " erasure destroys files here (docs/security.md); unset = data_dir/wrapping-keys",
    )

    @model_validator(mode="after")
    def _refuse_defaults_outside_development(self) -> Settings:
        if self.environment != "development":
            secret = self.jwt_secret.get_secret_value() if self.jwt_secret else ""
            weak = len(secret) < 32 or secret == DEVELOPMENT_SECRET
            if self.jwt_algorithm == "HS256" and weak:
                raise ValueError("XUNCHA_JWT_SECRET must be set (32+ characters) in production")
            if not self.database_url:
                raise ValueError("XUNCHA_DATABASE_URL must be set in production")
            kek = self.key_encryption_key.get_secret_value() if self.key_encryption_key else ""
            if not kek or kek == DEVELOPMENT_KEY_ENCRYPTION_KEY:
                raise ValueError("XUNCHA_KEY_ENCRYPTION_KEY must be set in production")
        _ = self.kek_bytes  # refuse a malformed key at start-up
        return self

    @model_validator(mode="after")
    def _require_one_verification_key_for_rs256(self) -> Settings:
        files = [f for f in (self.jwt_public_key_file, self.jwt_jwks_file) if f is not None]
        if self.jwt_algorithm == "RS256":
            if len(files) != 1:
                raise ValueError(
                    "XUNCHA_JWT_ALGORITHM=RS256 needs exactly one of XUNCHA_JWT_PUBLIC_KEY_FILE"
                    " and XUNCHA_JWT_JWKS_FILE"
                )
            _check_public_keys(self.jwt_public_key_file, self.jwt_jwks_file)
        elif files:
            raise ValueError("a JWT public key or JWKS file needs XUNCHA_JWT_ALGORITHM=RS256")
        return self

    @property
    def timeouts(self) -> DatabaseTimeouts:
        return DatabaseTimeouts(
            connect_seconds=self.db_connect_timeout_seconds,
            pool_seconds=self.db_pool_timeout_seconds,
            lock_seconds=self.db_lock_timeout_seconds,
            statement_seconds=self.db_statement_timeout_seconds,
        )

    @property
    def wrapping_key_path(self) -> Path:
        return self.wrapping_key_dir or self.data_dir / "wrapping-keys"

    @property
    def checkpoint_key_path(self) -> Path:
        return self.checkpoint_key_file or self.data_dir / "checkpoint-key.pem"

    @property
    def kek_bytes(self) -> bytes:
        """The key-encryption key of sealed data (docs/security.md)."""
        text = (
            self.key_encryption_key.get_secret_value()
            if self.key_encryption_key is not None
            else DEVELOPMENT_KEY_ENCRYPTION_KEY
        )
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != 32:
            raise ValueError("XUNCHA_KEY_ENCRYPTION_KEY must be base64 of exactly 32 bytes")
        return raw

    @property
    def signing_key(self) -> str:
        if self.jwt_secret is not None:
            return self.jwt_secret.get_secret_value()
        return DEVELOPMENT_SECRET


def _check_public_keys(pem_file: Path | None, jwks_file: Path | None) -> None:
    """Refuse at start-up a key file that is missing or holds no RSA public key."""
    import json

    import jwt
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    path = pem_file or jwks_file
    assert path is not None
    try:
        text = path.read_text()
        if pem_file is not None:
            if not isinstance(load_pem_public_key(text.encode()), RSAPublicKey):
                raise ValueError("not an RSA public key")
        else:
            keys = jwt.PyJWKSet.from_dict(json.loads(text)).keys
            if not any(k.key_type == "RSA" for k in keys):
                raise ValueError("no RSA key in the set")
    except (OSError, ValueError, jwt.PyJWKSetError, jwt.PyJWKError) as error:
        raise ValueError(f"the JWT verification key file {path} is not usable: {error}") from None

"""The checkpoint signing key, and the thread that extends the Merkle tree and signs a
checkpoint (a v2 signed tree head) every N events or every T seconds, whichever comes first;
after each signature it verifies the events appended since the last verification and records
the result (commands/eventstore/log_verifications.py), which `GET /audit/log-integrity` reads.

The key is an Ed25519 private key in a PEM file (`XUNCHA_CHECKPOINT_KEY_FILE`). In
development a missing key is generated (file mode 0600); elsewhere it must be provided.
Key material is never logged: only the file's path and the key id (a hash of the public key).

Only one process signs at a time (the signer's advisory lock, through the shared
`LogFollower` loop): another `xuncha serve` or `xuncha work` waits as a standby.
"""

from __future__ import annotations

import logging
import os
import threading
from datetime import UTC, datetime
from typing import Any

import psycopg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from xuncha.api.settings import Settings
from xuncha.commands.eventstore import heads, integrity, log_verifications, tree_store
from xuncha.commands.eventstore.log_follower import LogFollower

log = logging.getLogger(__name__)
RUN_BY = "xuncha serve"  # who recorded the incremental verifications
SIGNER_LOCK = 0x58554E4348410004  # "XUNCHA" + 4: the checkpoint signer's advisory lock
APP_NAME = "xuncha-checkpoints"


class KeyUnavailable(Exception):
    pass


def load_key(settings: Settings) -> Ed25519PrivateKey:
    path = settings.checkpoint_key_path
    if not path.exists():
        if settings.environment != "development":
            raise KeyUnavailable(
                f"the checkpoint key {path} does not exist; set XUNCHA_CHECKPOINT_KEY_FILE to an "
                "Ed25519 private key in PEM (openssl genpkey -algorithm ed25519)"
            )
        key = Ed25519PrivateKey.generate()
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
        log.info(
            "generated a development checkpoint key in %s (key id %s)",
            path,
            integrity.key_id(key.public_key()),
        )
        return key
    loaded = load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise KeyUnavailable(f"the checkpoint key {path} is not an Ed25519 private key")
    return loaded


class CheckpointThread:
    """Extends the tree, then signs a head when the log has grown `every` events past the
    last checkpoint, or has grown at all and the last checkpoint is `seconds` old."""

    def __init__(
        self,
        conninfo: str,
        key: Ed25519PrivateKey,
        every: int,
        seconds: float = 0,
        interval: float = 5.0,
    ) -> None:
        self.conninfo, self.key, self.every, self.seconds = conninfo, key, every, seconds
        # Checked at least as often as the time rule asks, so the window stays `seconds`.
        self.interval = min(interval, seconds) if seconds > 0 else interval
        self.stopped = threading.Event()
        self.follower = LogFollower(
            conninfo,
            name="checkpoint signer",
            lock=SIGNER_LOCK,
            application_name=APP_NAME,
            step=self._step,
            poll_seconds=self.interval,
            listen=False,  # driven by time and by the log's growth, checked every interval
            autocommit=True,
            on_error=self._failed,
            stopped=self.stopped,
        )

    def check(self, now: datetime | None = None) -> integrity.Checkpoint | None:
        """Sign a head if one is due, then verify the events after the last verification
        when a head was signed or the verification is behind the last checkpoint."""
        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            tree_store.extend(conn)  # keep proofs available between heads
            signed = None
            if heads.signing_due(conn, self.every, self.seconds, now or datetime.now(UTC)):
                signed = heads.sign_head(conn, self.key, now=now)
            if signed is not None or _verification_behind(conn):
                self.verify(conn)
            return signed

    def verify(self, conn: psycopg.Connection[Any]) -> log_verifications.Run | None:
        """One incremental verification of the chain (commands/eventstore/log_verifications.py)."""
        run = log_verifications.verify_increment(conn, self.key.public_key(), RUN_BY)
        if run is not None and not run.ok:
            log.error(
                "the log's hash chain is broken at position %s: %s",
                run.first_bad_position,
                run.reason,
            )
        return run

    def _step(self, _: psycopg.Connection[Any]) -> None:
        signed = self.check()
        if signed is not None:
            log.info("signed a log checkpoint at position %s", signed.position)

    @staticmethod
    def _failed(_: psycopg.Connection[Any], error: Exception) -> None:
        log.error("signing a checkpoint failed; trying again next interval", exc_info=error)

    def start(self) -> None:
        self.follower.start_thread("checkpoints")

    def stop(self) -> None:
        self.follower.stop(self.interval + 5)


def _verification_behind(conn: psycopg.Connection[Any]) -> bool:
    """Nothing verified yet, or the newest verification passed and ends before the last
    checkpoint (a failed one stands until a full `xuncha verify-log`)."""
    last = log_verifications.latest(conn)
    if last is None:
        return integrity.chain_head(conn)[0] > 0
    return last.ok and last.through_position < integrity.last_checkpoint_position(conn)


def start_thread(settings: Settings, conninfo: str) -> CheckpointThread | None:
    """The checkpoint thread of `xuncha serve`, unless XUNCHA_CHECKPOINT_EVERY and
    XUNCHA_CHECKPOINT_SECONDS are both 0."""
    if settings.checkpoint_every <= 0 and settings.checkpoint_seconds <= 0:
        return None
    thread = CheckpointThread(
        conninfo, load_key(settings), settings.checkpoint_every, settings.checkpoint_seconds
    )
    thread.start()
    return thread


def public_key(settings: Settings) -> Ed25519PublicKey | None:
    """The public half of the deployment's checkpoint key, read from its file now (a key
    replaced on disk is seen at once); None when there is no key file (never generated
    here: that is `xuncha serve`'s and `xuncha checkpoint`'s job in development)."""
    path = settings.checkpoint_key_path
    try:
        loaded = load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        return None
    if not isinstance(loaded, Ed25519PrivateKey):
        raise KeyUnavailable(f"the checkpoint key {path} is not an Ed25519 private key")
    return loaded.public_key()

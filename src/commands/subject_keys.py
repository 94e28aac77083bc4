"""The key table of data subjects: one AES-256 data key per subject, wrapped at rest.

    subject_keys (subject_id text PRIMARY KEY, wrapped_key bytea NULL, kek_id text,
                  created_at, erased_at, erased_by, reason)

A data key is generated on the subject's first sealed event and stored wrapped (AES-GCM) with
the key-encryption key from the settings (`XUNCHA_KEY_ENCRYPTION_KEY`), the subject id as
associated data, so a wrapped key moved to another subject's row does not open. Erasing a
subject sets `wrapped_key` to NULL and records when, by whom and why: every sealed field of
that subject is unreadable from then on (crypto-shredding), while the log stays intact.

Keys are never cached: every seal and open reads the row, so an erasure made by another
process (`xuncha erase-subject`) takes effect at once everywhere.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eventsourcing.postgres import PostgresDatastore
from psycopg import Cursor
from psycopg.sql import SQL, Identifier

from commands.errors import InvalidTransition, NotFound
from events import sealing

TABLE = "subject_keys"
WRAP_AAD = b"xuncha.subject_key.v1|"


class SubjectKeyDestroyed(InvalidTransition):
    """The data subject's key was destroyed: nothing more can be sealed for it (409)."""


class WrongKeyEncryptionKey(RuntimeError):
    """A data key was wrapped with another key-encryption key than the configured one."""


@dataclass(frozen=True)
class SubjectKey:
    subject_id: str
    created_at: datetime
    erased_at: datetime | None
    erased_by: str | None
    reason: str | None

    @property
    def erased(self) -> bool:
        return self.erased_at is not None


def kek_id_of(kek: bytes) -> str:
    return hashlib.sha256(b"xuncha.kek|" + kek).hexdigest()[:16]


class SubjectKeys:
    """The `Sealer` of the event store, backed by the `subject_keys` table."""

    def __init__(self, datastore: PostgresDatastore, key_encryption_key: bytes) -> None:
        if len(key_encryption_key) != sealing.KEY_BYTES:
            raise ValueError("the key-encryption key must be 32 bytes (AES-256)")
        self.datastore = datastore
        self.kek = key_encryption_key
        self.kek_id = kek_id_of(key_encryption_key)
        self.table = Identifier(datastore.schema or "public", TABLE)

    def create_table(self) -> None:
        with self.datastore.transaction(commit=True) as cur:
            cur.execute(
                SQL(
                    "CREATE TABLE IF NOT EXISTS {} (subject_id text PRIMARY KEY,"
                    " wrapped_key bytea, kek_id text NOT NULL,"
                    " created_at timestamptz NOT NULL DEFAULT now(),"
                    " erased_at timestamptz, erased_by text, reason text,"
                    " CHECK ((wrapped_key IS NULL) = (erased_at IS NOT NULL)))"
                ).format(self.table)
            )

    # wrapping ----------------------------------------------------------------------------------
    def _wrap(self, subject_id: str, key: bytes) -> bytes:
        nonce, wrapped = sealing.encrypt(self.kek, key, WRAP_AAD + subject_id.encode())
        return nonce + wrapped

    def _unwrap(self, subject_id: str, wrapped: bytes, kek_id: str) -> bytes:
        if kek_id != self.kek_id:
            raise WrongKeyEncryptionKey(
                f"the key of {subject_id} is wrapped with key-encryption key {kek_id}, "
                f"not the configured {self.kek_id}"
            )
        nonce, body = wrapped[: sealing.NONCE_BYTES], wrapped[sealing.NONCE_BYTES :]
        return sealing.decrypt(self.kek, nonce, body, WRAP_AAD + subject_id.encode())

    # Sealer -------------------------------------------------------------------------------------
    def seal(self, subject_id: str, plaintext: bytes, aad: bytes) -> tuple[bytes, bytes]:
        return sealing.encrypt(self._key_for_sealing(subject_id), plaintext, aad)

    def open(self, subject_id: str, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes | None:
        key = self._current_key(subject_id)
        if key is None:
            return None
        return sealing.decrypt(key, nonce, ciphertext, aad)

    def _key_for_sealing(self, subject_id: str) -> bytes:
        """The subject's key, created if it has none; race-safe: a concurrent creator's key
        wins and both use it."""
        fresh = sealing.new_key()
        with self.datastore.transaction(commit=True) as cur:
            cur.execute(
                SQL(
                    "INSERT INTO {} (subject_id, wrapped_key, kek_id) VALUES (%s, %s, %s)"
                    " ON CONFLICT (subject_id) DO NOTHING"
                ).format(self.table),
                (subject_id, self._wrap(subject_id, fresh), self.kek_id),
            )
            inserted = cur.rowcount == 1
            if not inserted:
                row = self._wrapped(cur, subject_id)
        if inserted:
            return fresh
        assert row is not None
        if row["wrapped_key"] is None:
            raise SubjectKeyDestroyed(
                f"the data subject {subject_id} was erased: nothing sealed can be recorded "
                "for it any more"
            )
        return self._unwrap(subject_id, bytes(row["wrapped_key"]), row["kek_id"])

    def _current_key(self, subject_id: str) -> bytes | None:
        with self.datastore.transaction(commit=False) as cur:
            row = self._wrapped(cur, subject_id)
        if row is None or row["wrapped_key"] is None:
            return None  # erased (a missing row can open nothing either)
        return self._unwrap(subject_id, bytes(row["wrapped_key"]), row["kek_id"])

    def _wrapped(self, cur: Cursor[Any], subject_id: str) -> Any:
        """The subject's row: its wrapped key (None once erased) and the KEK id, or None."""
        cur.execute(
            SQL("SELECT wrapped_key, kek_id FROM {} WHERE subject_id = %s").format(self.table),
            (subject_id,),
        )
        return cur.fetchone()

    # administration -----------------------------------------------------------------------------
    def get(self, subject_id: str) -> SubjectKey | None:
        with self.datastore.transaction(commit=False) as cur:
            cur.execute(
                SQL(
                    "SELECT subject_id, created_at, erased_at, erased_by, reason FROM {}"
                    " WHERE subject_id = %s"
                ).format(self.table),
                (subject_id,),
            )
            row = cur.fetchone()
        return None if row is None else SubjectKey(**row)

    def rewrap(self, old_key_encryption_key: bytes) -> int:
        """Rotate the key-encryption key: rewrap every data key wrapped with the old one under
        the configured one, in one transaction (rows locked). Returns how many were rewrapped;
        data keys, and so every ciphertext in the log, stay as they are."""
        old = SubjectKeys(self.datastore, old_key_encryption_key)
        if old.kek_id == self.kek_id:
            return 0
        count = 0
        with self.datastore.transaction(commit=True) as cur:
            cur.execute(
                SQL(
                    "SELECT subject_id, wrapped_key FROM {} WHERE kek_id = %s"
                    " AND wrapped_key IS NOT NULL FOR UPDATE"
                ).format(self.table),
                (old.kek_id,),
            )
            for row in cur.fetchall():
                subject = row["subject_id"]
                key = old._unwrap(subject, bytes(row["wrapped_key"]), old.kek_id)
                cur.execute(
                    SQL("UPDATE {} SET wrapped_key = %s, kek_id = %s WHERE subject_id = %s").format(
                        self.table
                    ),
                    (self._wrap(subject, key), self.kek_id, subject),
                )
                count += 1
            cur.execute(  # erased rows keep no key; they only carry the new key's id
                SQL("UPDATE {} SET kek_id = %s WHERE kek_id = %s AND wrapped_key IS NULL").format(
                    self.table
                ),
                (self.kek_id, old.kek_id),
            )
        return count

    def erase(self, subject_id: str, erased_by: str, reason: str) -> tuple[SubjectKey, bool]:
        """Destroy the subject's key; returns its row and whether this call destroyed it
        (False: it was erased before). NotFound if the subject never had a key."""
        with self.datastore.transaction(commit=True) as cur:
            cur.execute(
                SQL(
                    "UPDATE {} SET wrapped_key = NULL, erased_at = now(), erased_by = %s,"
                    " reason = %s WHERE subject_id = %s AND wrapped_key IS NOT NULL"
                ).format(self.table),
                (erased_by, reason, subject_id),
            )
            destroyed = cur.rowcount == 1
        found = self.get(subject_id)
        if found is None:
            raise NotFound(f"no data subject {subject_id} has a key")
        return found, destroyed

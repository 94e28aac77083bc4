"""The key table of data subjects: one AES-256 data key per subject, wrapped at rest.

    subject_keys (subject_id text PRIMARY KEY, wrapped_key bytea NULL, kek_id text,
                  created_at, erased_at, erased_by, reason)

A data key is generated on the subject's first sealed event and stored wrapped (AES-GCM) with
the key-encryption key from the settings (`XUNCHA_KEY_ENCRYPTION_KEY`), the subject id as
associated data, so a wrapped key moved to another subject's row does not open. Erasing a
subject sets `wrapped_key` to NULL and records when, by whom and why: every sealed field of
that subject is unreadable from then on (crypto-shredding), while the log stays intact.

With a wrapping-key directory (`commands.wrapping_keys`, as every service runs), the data
key is wrapped with its bucket's key instead, kept in a file outside PostgreSQL, and erasing
rotates the bucket and destroys the old key file: the copies of the erased wrapped key left
in the WAL and in backups taken afterwards then open nothing, even with the KEK.

Keys are never cached: every seal and open reads the row, so an erasure made by another
process (`xuncha erase-subject`) takes effect at once everywhere.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from eventsourcing.postgres import PostgresDatastore
from psycopg import Cursor
from psycopg.sql import SQL, Identifier

from xuncha.commands.errors import InvalidTransition, NotFound
from xuncha.commands.eventstore.wrapping_keys import WrappingKeyMissing, WrappingKeys, bucket_of
from xuncha.events import sealing

TABLE = "subject_keys"
WRAP_AAD = b"xuncha.subject_key.v1|"
RING_TABLE = "subject_key_ring"
# Advisory locks per bucket: sealers share one, an erasure rotating the bucket takes it alone.
BUCKET_LOCK = 0x58554E4348410B00  # "XUNCHA" + 0x0B00 + bucket
MIGRATION_LOCK = 0x58554E4348410AFF


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

    def __init__(
        self,
        datastore: PostgresDatastore,
        key_encryption_key: bytes,
        wrapping_dir: Path | None = None,
    ) -> None:
        if len(key_encryption_key) != sealing.KEY_BYTES:
            raise ValueError("the key-encryption key must be 32 bytes (AES-256)")
        self.datastore = datastore
        self.kek = key_encryption_key
        self.kek_id = kek_id_of(key_encryption_key)
        self.table = Identifier(datastore.schema or "public", TABLE)
        self.ring_table = Identifier(datastore.schema or "public", RING_TABLE)
        self.wrapping_dir = wrapping_dir
        self.wrapping: WrappingKeys | None = None  # set by open_ring with a directory

    def open_ring(self) -> None:
        """Name this database's key ring once (its first opener draws the id), then load the
        wrapping keys when a directory is set. The tables come from the migrations."""
        with self.datastore.transaction(commit=True) as cur:
            cur.execute(
                SQL("INSERT INTO {} SELECT %s WHERE NOT EXISTS (SELECT FROM {})").format(
                    self.ring_table, self.ring_table
                ),
                (secrets.token_hex(8),),
            )
            cur.execute(SQL("SELECT min(ring_id) AS ring FROM {}").format(self.ring_table))
            row = cur.fetchone()
            assert row is not None
            ring = str(row["ring"])
        if self.wrapping_dir is not None:
            self.wrapping = WrappingKeys(self.wrapping_dir, ring, self.kek)
            self.migrate_to_buckets()

    def migrate_to_buckets(self) -> int:
        """Rewrap data keys still wrapped with the KEK itself under their bucket's key."""
        count = 0
        with self.datastore.transaction(commit=True) as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            cur.execute(
                SQL(
                    "SELECT subject_id, wrapped_key, kek_id FROM {} WHERE key_epoch IS NULL"
                    " AND wrapped_key IS NOT NULL AND kek_id = %s FOR UPDATE"
                ).format(self.table),
                (self.kek_id,),
            )
            for row in cur.fetchall():
                subject = row["subject_id"]
                key = self._unwrap(subject, bytes(row["wrapped_key"]), row["kek_id"], None)
                self._store_wrapped(cur, subject, key)
                count += 1
        return count

    def _store_wrapped(self, cur: Cursor[Any], subject_id: str, key: bytes) -> None:
        wrapped, bucket, epoch = self._wrap(subject_id, key)
        cur.execute(
            SQL(
                "UPDATE {} SET wrapped_key = %s, kek_id = %s, key_bucket = %s, key_epoch = %s"
                " WHERE subject_id = %s"
            ).format(self.table),
            (wrapped, self.kek_id, bucket, epoch, subject_id),
        )

    # wrapping ----------------------------------------------------------------------------------
    def _wrap(self, subject_id: str, key: bytes) -> tuple[bytes, int | None, int | None]:
        """(wrapped key, bucket, epoch): under the bucket's newest key, or the KEK itself
        without a wrapping-key directory."""
        wrapping_key, bucket, epoch = self.kek, None, None
        if self.wrapping is not None:
            bucket = bucket_of(subject_id)
            epoch, wrapping_key = self.wrapping.current(bucket)
        nonce, wrapped = sealing.encrypt(wrapping_key, key, WRAP_AAD + subject_id.encode())
        return nonce + wrapped, bucket, epoch

    def _unwrap(self, subject_id: str, wrapped: bytes, kek_id: str, epoch: int | None) -> bytes:
        if kek_id != self.kek_id:
            raise WrongKeyEncryptionKey(
                f"the key of {subject_id} is wrapped with key-encryption key {kek_id}, "
                f"not the configured {self.kek_id}"
            )
        wrapping_key = self.kek
        if epoch is not None:
            if self.wrapping is None:
                raise WrappingKeyMissing(f"{subject_id}: no wrapping-key directory configured")
            wrapping_key = self.wrapping.key(bucket_of(subject_id), epoch)
        nonce, body = wrapped[: sealing.NONCE_BYTES], wrapped[sealing.NONCE_BYTES :]
        return sealing.decrypt(wrapping_key, nonce, body, WRAP_AAD + subject_id.encode())

    def _unwrap_row(self, subject_id: str, row: Any) -> bytes:
        return self._unwrap(
            subject_id, bytes(row["wrapped_key"]), row["kek_id"], row.get("key_epoch")
        )

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
            # Shared with other sealers; an erasure rotating this bucket waits for us, and we
            # read the bucket's newest key only once it is done.
            cur.execute(
                "SELECT pg_advisory_xact_lock_shared(%s)", (BUCKET_LOCK + bucket_of(subject_id),)
            )
            wrapped, bucket, epoch = self._wrap(subject_id, fresh)
            cur.execute(
                SQL(
                    "INSERT INTO {} (subject_id, wrapped_key, kek_id, key_bucket, key_epoch)"
                    " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (subject_id) DO NOTHING"
                ).format(self.table),
                (subject_id, wrapped, self.kek_id, bucket, epoch),
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
        return self._unwrap_row(subject_id, row)

    def _current_key(self, subject_id: str) -> bytes | None:
        for attempt in (1, 2):
            with self.datastore.transaction(commit=False) as cur:
                row = self._wrapped(cur, subject_id)
            if row is None or row["wrapped_key"] is None:
                return None  # erased (a missing row can open nothing either)
            try:
                return self._unwrap_row(subject_id, row)
            except WrappingKeyMissing:
                if attempt == 2:
                    raise
                # the bucket was rotated between reading the row and its key: read again
        raise AssertionError("unreachable")

    def _wrapped(self, cur: Cursor[Any], subject_id: str) -> Any:
        """The subject's row: its wrapped key (None once erased), the KEK id and the bucket
        key's epoch, or None."""
        cur.execute(
            SQL("SELECT wrapped_key, kek_id, key_epoch FROM {} WHERE subject_id = %s").format(
                self.table
            ),
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
        data keys, and so every ciphertext in the log, stay as they are. With a wrapping-key
        directory each bucket gets a new key file under the new KEK and the old files go."""
        old = SubjectKeys(self.datastore, old_key_encryption_key)
        if old.kek_id == self.kek_id:
            return 0
        buckets: set[int] = set()
        if self.wrapping is not None:
            old.wrapping = WrappingKeys(self.wrapping.root, self.wrapping.ring, old.kek)
        count = 0
        with self.datastore.transaction(commit=True) as cur:
            cur.execute(
                SQL(
                    "SELECT subject_id, wrapped_key, kek_id, key_epoch FROM {} WHERE kek_id = %s"
                    " AND wrapped_key IS NOT NULL FOR UPDATE"
                ).format(self.table),
                (old.kek_id,),
            )
            for row in cur.fetchall():
                subject = row["subject_id"]
                key = old._unwrap_row(subject, row)
                if self.wrapping is not None and bucket_of(subject) not in buckets:
                    buckets.add(bucket_of(subject))
                    self.wrapping.create(bucket_of(subject), self._next_epoch(subject))
                self._store_wrapped(cur, subject, key)
                count += 1
            cur.execute(  # erased rows keep no key; they only carry the new key's id
                SQL("UPDATE {} SET kek_id = %s WHERE kek_id = %s AND wrapped_key IS NULL").format(
                    self.table
                ),
                (self.kek_id, old.kek_id),
            )
        for bucket in buckets:
            self._destroy_unused(bucket)
        return count

    def _next_epoch(self, subject_id: str) -> int:
        assert self.wrapping is not None
        return (self.wrapping.epochs(bucket_of(subject_id)) or [0])[-1] + 1

    def erase(self, subject_id: str, erased_by: str, reason: str) -> tuple[SubjectKey, bool]:
        """Destroy the subject's key; returns its row and whether this call destroyed it
        (False: it was erased before). NotFound if the subject never had a key. With a
        wrapping-key directory the subject's bucket is rotated: the other live keys of the
        bucket are rewrapped under a new bucket key and the old key file is destroyed."""
        bucket, epoch = bucket_of(subject_id), 0
        if self.wrapping is not None:
            epoch, _ = self.wrapping.create(bucket, self._next_epoch(subject_id))
        with self.datastore.transaction(commit=True) as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (BUCKET_LOCK + bucket,))
            cur.execute(
                SQL(
                    "UPDATE {} SET wrapped_key = NULL, erased_at = now(), erased_by = %s,"
                    " reason = %s WHERE subject_id = %s AND wrapped_key IS NOT NULL"
                ).format(self.table),
                (erased_by, reason, subject_id),
            )
            destroyed = cur.rowcount == 1
            if self.wrapping is not None:
                self._rewrap_bucket(cur, bucket, epoch)
        if self.wrapping is not None:
            self._destroy_unused(bucket)
        found = self.get(subject_id)
        if found is None:
            raise NotFound(f"no data subject {subject_id} has a key")
        return found, destroyed

    def _rewrap_bucket(self, cur: Cursor[Any], bucket: int, epoch: int) -> None:
        """Every live key of the bucket under the bucket key of `epoch` (the newest)."""
        cur.execute(
            SQL(
                "SELECT subject_id, wrapped_key, kek_id, key_epoch FROM {} WHERE key_bucket = %s"
                " AND wrapped_key IS NOT NULL AND key_epoch <> %s FOR UPDATE"
            ).format(self.table),
            (bucket, epoch),
        )
        for row in cur.fetchall():
            self._store_wrapped(cur, row["subject_id"], self._unwrap_row(row["subject_id"], row))

    def _destroy_unused(self, bucket: int) -> int:
        """Destroy the bucket's key files no live row is wrapped with (but the newest), under
        the bucket's lock: no sealer or other erasure is between choosing a key and
        committing."""
        assert self.wrapping is not None
        with self.datastore.transaction(commit=True) as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (BUCKET_LOCK + bucket,))
            cur.execute(
                SQL(
                    "SELECT DISTINCT key_epoch FROM {} WHERE key_bucket = %s"
                    " AND wrapped_key IS NOT NULL"
                ).format(self.table),
                (bucket,),
            )
            used = {row["key_epoch"] for row in cur.fetchall()}
            epochs = self.wrapping.epochs(bucket)
            unused = [e for e in epochs[:-1] if e not in used]
            for epoch in unused:
                self.wrapping.destroy(bucket, epoch)
        return len(unused)


def readable_wrapping_keys(directory: Path, kek: bytes) -> list[tuple[bytes, bytes]]:
    """Every bucket key in `directory` that `kek` opens, as (key, b""): what someone holding
    the KEK and a copy of the directory can try on wrapped data keys (tests, audits)."""
    return [(key, b"") for key in WrappingKeys.readable(directory, kek)]

"""Wrapping keys kept outside PostgreSQL, so that an erasure can destroy a key for good.

A destroyed row stays readable in PostgreSQL's WAL (and in full-page images, replicas and
base backups) until the segments are recycled, so deleting a subject's wrapped data key from
the table does not make it unreadable to someone who also holds the key-encryption key.
Instead, each subject's data key is wrapped with the key of its *bucket* (one of
`BUCKETS`, by a hash of the subject id), and bucket keys live in files of their own:

    <directory>/<ring id>/<bucket>.<epoch>.key   (the bucket key, wrapped with the KEK)

Erasing a subject rotates its bucket: a new epoch's key is written, every other live data
key of the bucket is rewrapped under it, and the old epoch's file is overwritten and
deleted. Every copy of the erased subject's wrapped key, in the table, the WAL or a backup
taken afterwards, is then wrapped with a key that no longer exists. The ring id (kept in the
database) keeps several databases from sharing one directory's files by mistake.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from pathlib import Path

from xuncha.events import sealing

BUCKETS = 256
FILE_AAD = b"xuncha.wrapping_key.v1|"
NAME = re.compile(r"^(?P<bucket>[0-9a-f]{2})\.(?P<epoch>[0-9]+)\.key$")


class WrappingKeyMissing(RuntimeError):
    """The bucket key a data key is wrapped with is not in the key directory."""


def bucket_of(subject_id: str) -> int:
    return hashlib.sha256(subject_id.encode()).digest()[0] % BUCKETS


def file_aad(ring: str, bucket: int, epoch: int) -> bytes:
    return FILE_AAD + f"{ring}|{bucket}|{epoch}".encode()


class WrappingKeys:
    """The bucket keys of one database (its ring) in `directory`, wrapped with `kek`."""

    def __init__(self, directory: Path, ring: str, kek: bytes) -> None:
        self.ring, self.kek, self.root = ring, kek, directory
        self.directory = directory / ring

    def path(self, bucket: int, epoch: int) -> Path:
        return self.directory / f"{bucket:02x}.{epoch}.key"

    def epochs(self, bucket: int) -> list[int]:
        if not self.directory.is_dir():
            return []
        found = [NAME.match(p.name) for p in self.directory.iterdir()]
        return sorted(int(m["epoch"]) for m in found if m and int(m["bucket"], 16) == bucket)

    def key(self, bucket: int, epoch: int) -> bytes:
        try:
            data = self.path(bucket, epoch).read_bytes()
        except FileNotFoundError:
            raise WrappingKeyMissing(f"bucket {bucket:02x} epoch {epoch}") from None
        nonce, body = data[: sealing.NONCE_BYTES], data[sealing.NONCE_BYTES :]
        return sealing.decrypt(self.kek, nonce, body, file_aad(self.ring, bucket, epoch))

    def current(self, bucket: int) -> tuple[int, bytes]:
        """The newest epoch of the bucket and its key; epoch 1 is created on first use."""
        epochs = self.epochs(bucket)
        if not epochs:
            return self.create(bucket, 1)
        return epochs[-1], self.key(bucket, epochs[-1])

    def create(self, bucket: int, epoch: int) -> tuple[int, bytes]:
        """A new key file, written once: a concurrent creator's key wins.

        The key is written and synced under a private name first, then linked to its name
        (atomic, and refused if the name exists), so a reader never sees a partial file."""
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = sealing.new_key()
        nonce, body = sealing.encrypt(self.kek, key, file_aad(self.ring, bucket, epoch))
        path = self.path(bucket, epoch)
        fd, draft = tempfile.mkstemp(dir=self.directory, prefix=".draft-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(nonce + body)
                out.flush()
                os.fsync(out.fileno())
            try:
                os.link(draft, path)
            except FileExistsError:
                return epoch, self.key(bucket, epoch)
        finally:
            os.unlink(draft)
        _sync_directory(self.directory)
        return epoch, key

    def destroy(self, bucket: int, epoch: int) -> None:
        """Overwrite the key file, then delete it (and sync the directory)."""
        path = self.path(bucket, epoch)
        with contextlib.suppress(FileNotFoundError):
            with path.open("r+b") as out:
                out.write(b"\0" * path.stat().st_size)
                out.flush()
                os.fsync(out.fileno())
            path.unlink()
        _sync_directory(self.directory)

    @staticmethod
    def readable(root: Path, kek: bytes) -> list[bytes]:
        """Every bucket key under `root` (all rings) that `kek` opens."""
        keys = []
        for ring_dir in root.iterdir() if root.is_dir() else []:
            ring = WrappingKeys(root, ring_dir.name, kek)
            for path in ring_dir.iterdir():
                if match := NAME.match(path.name):
                    with contextlib.suppress(Exception):
                        keys.append(ring.key(int(match["bucket"], 16), int(match["epoch"])))
        return keys


def _sync_directory(directory: Path) -> None:
    """A created or deleted file survives a crash only once its directory is synced."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

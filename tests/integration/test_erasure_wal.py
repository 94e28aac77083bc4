"""Erasure holds against the WAL: after `xuncha erase-subject`, an attacker holding the
key-encryption key and a copy of the whole data directory (every table file and `pg_wal`)
and of the wrapping-key directory finds no key that opens the subject's sealed fields, and
none of its plaintext (docs/security.md, "Erasing a subject")."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tests.support.api import MEMBER, OFFICE, Api
from tests.support.lifecycle import Lifecycle, day
from xuncha.api.cli import main as cli
from xuncha.commands.eventstore import subject_keys
from xuncha.events import sealing

WRAPPED_BYTES = sealing.NONCE_BYTES + sealing.KEY_BYTES + 16  # nonce, key, GCM tag
WINDOW = 400  # bytes after the subject id in a row or WAL record where its key may sit


def data_files(conninfo: str) -> Iterator[Path]:
    with psycopg.connect(conninfo) as conn:
        row = conn.execute("SHOW data_directory").fetchone()
    assert row is not None
    for root, _, files in os.walk(row[0]):
        for name in files:
            yield Path(root) / name


def attacker_keys(settings: Any) -> list[tuple[bytes, bytes]]:
    """(key, associated-data prefix) pairs the attacker can try on a wrapped data key: the
    key-encryption key itself, and every wrapping key in the key directory it opens."""
    keys = [(settings.kek_bytes, b"")]
    opened = getattr(subject_keys, "readable_wrapping_keys", None)
    if opened is not None:
        keys += opened(settings.wrapping_key_path, settings.kek_bytes)
    return keys


def keys_found(conninfo: str, subject: str, keys: list[tuple[bytes, bytes]]) -> int:
    """How many wrapped data keys of `subject` anywhere in the data directory open."""
    needle, found = subject.encode(), 0
    aads = [prefix + subject_keys.WRAP_AAD + needle for _, prefix in keys]
    for path in data_files(conninfo):
        try:
            data = path.read_bytes()
        except OSError:
            continue
        at = data.find(needle)
        while at >= 0:
            tail = data[at + len(needle) : at + len(needle) + WINDOW]
            for offset in range(max(0, len(tail) - WRAPPED_BYTES + 1)):
                window = tail[offset : offset + WRAPPED_BYTES]
                nonce, body = window[: sealing.NONCE_BYTES], window[sealing.NONCE_BYTES :]
                for (key, _), aad in zip(keys, aads, strict=True):
                    try:
                        AESGCM(key).decrypt(nonce, body, aad)
                        found += 1
                    except InvalidTag:
                        pass
            at = data.find(needle, at + 1)
    return found


def plaintext_files(conninfo: str, markers: list[str]) -> list[str]:
    hits = []
    for path in data_files(conninfo):
        try:
            data = path.read_bytes()
        except OSError:
            continue
        hits += [f"{path.name}: {m}" for m in markers if m.encode() in data]
    return hits


def test_after_erasure_no_file_of_the_data_directory_yields_the_subject(
    api: Api, settings: Any, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    life = Lifecycle(api)
    life.to_stationed()
    marker = uuid4().hex[:12]
    name, contact, content = f"信访人{marker}", f"139{marker}", f"举报内容{marker}"
    petition = {
        "channel": "letter",
        "received_on": day(-60),
        "petitioner": {"name": name, "contact": contact},
        "content": content,
    }
    petition_id = api.command(f"{life.at}/petitions", petition, MEMBER, 201)["created_id"]
    subject = f"petitioner:{petition_id}"
    read = api.post(
        f"/petitions/{petition_id}/sealed-reads", {"justification": "核查信访件的办理情况"}, OFFICE
    )
    assert read.json()["fields"]["content"] == content
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("CHECKPOINT")  # the table's pages on disk too, not only in the WAL
    assert keys_found(database_url, subject, attacker_keys(settings)) > 0  # the scan works

    monkeypatch.setenv("XUNCHA_DATABASE_URL", database_url)
    monkeypatch.setenv("XUNCHA_DATA_DIR", str(settings.data_dir))
    erased = cli.main(["erase-subject", subject, "--reason", "保存期满", "--by", "dpo-1"])
    assert erased == 0
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("CHECKPOINT")

    assert keys_found(database_url, subject, attacker_keys(settings)) == 0
    assert plaintext_files(database_url, [name, contact, content]) == []
    read = api.post(
        f"/petitions/{petition_id}/sealed-reads", {"justification": "核查信访件的办理情况"}, OFFICE
    )
    assert read.json()["erased"] is True

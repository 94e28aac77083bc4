"""Sealed personal data on the real PostgreSQL: per-subject encryption at rest, justified and
audited reads, and crypto-shredding with `xuncha erase-subject` (docs/security.md)."""

from __future__ import annotations

import base64
import threading
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from psycopg.sql import SQL, Identifier

from tests.integration.test_fieldwork import meeting
from tests.support.api import DEPUTY, LEADER, MEMBER, MEMBER_2, OFFICE, Api, Who
from tests.support.lifecycle import Lifecycle, day
from xuncha.api.cli import main as cli
from xuncha.api.container import read_models
from xuncha.commands.eventstore import integrity
from xuncha.commands.eventstore.subject_keys import (
    SubjectKeyDestroyed,
    SubjectKeys,
    WrongKeyEncryptionKey,
)
from xuncha.events.base import Role
from xuncha.events.sealing import ERASED, associated_data, new_key
from xuncha.projections.kafka_relay import KafkaRelay, KafkaTarget
from xuncha.projections.runner import ProjectionRunner

AUDITOR = Who("auditor-1", Role.AUDITOR, "org-audit-office")
OTHER_LEADER = Who("leader-9", Role.GROUP_LEADER, "org-xcb")

PETITIONER = "信访人钱隐秘"
CONTACT = "13912345678"
PETITION_TEXT = "举报某处长收受购物卡三万元"
INTERVIEWEE = "谈话对象孙保密"
INTERVIEW_TEXT = "笔录：承认收受礼金两次"
SECRETS = [PETITIONER, CONTACT, PETITION_TEXT, INTERVIEWEE, INTERVIEW_TEXT]
WHY = "核查信访件与谈话记录是否为同一人反映的问题"


def seeded(api: Api) -> tuple[Lifecycle, str, str]:
    life = Lifecycle(api)
    life.to_stationed()
    petition = {
        "channel": "letter",
        "received_on": day(-60),
        "petitioner": {"name": PETITIONER, "contact": CONTACT},
        "content": PETITION_TEXT,
    }
    petition_id = api.command(f"{life.at}/petitions", petition, MEMBER, 201)["created_id"]
    interview = {
        "interviewers": ["member-1", "member-2"],
        "category": "leadership_team",
        "conducted_on": day(-60),
        "interviewee": {"name": INTERVIEWEE, "position": "处长"},
        "record": INTERVIEW_TEXT,
    }
    interview_id = api.command(f"{life.at}/interviews", interview, MEMBER, 201)["created_id"]
    return life, str(petition_id), str(interview_id)


def sealed_read(api: Api, kind: str, record_id: str, who: Who, body: Any, status: int) -> Any:
    before = api.event_count()
    response = api.post(f"/{kind}/{record_id}/sealed-reads", body, who)
    assert response.status_code == status, response.text
    assert api.event_count() == before + (1 if status == 200 else 0)
    if status == 200:
        api.position = max(api.position, response.json()["position"])
    return response.json()


def plaintext_found(conninfo: str) -> dict[str, list[str]]:
    """Every secret found in any table of the database (events decoded as UTF-8)."""
    found: dict[str, list[str]] = {}
    with psycopg.connect(conninfo) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            ).fetchall()
        ]
        for table in tables:
            if table == "stored_events":
                rows = conn.execute(
                    "SELECT convert_from(state, 'UTF8') FROM stored_events WHERE state IS NOT NULL"
                ).fetchall()
            else:
                rows = conn.execute(
                    SQL("SELECT t::text FROM {} t").format(Identifier(table))
                ).fetchall()
            text = "\n".join(str(r[0]) for r in rows)
            hits = [s for s in SECRETS if s in text]
            if hits:
                found[table] = hits
    return found


def erase(monkeypatch: pytest.MonkeyPatch, database_url: str, subject: str) -> int:
    monkeypatch.setenv("XUNCHA_DATABASE_URL", database_url)
    return int(
        cli.main(["erase-subject", subject, "--reason", "retention period ended", "--by", "dpo-1"])
    )


def test_sealed_data_is_encrypted_read_with_justification_and_erased(
    api: Api,
    container: Any,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    life, petition_id, interview_id = seeded(api)

    # At rest: the events carry ciphertext and a subject, the keys their own table.
    assert plaintext_found(database_url) == {}
    with psycopg.connect(database_url) as conn:
        subjects = {
            r[0]
            for r in conn.execute(
                "SELECT subject_id FROM subject_keys WHERE wrapped_key IS NOT NULL"
            ).fetchall()
        }
    assert {f"petitioner:{petition_id}", f"interviewee:{interview_id}"} <= subjects

    # A justified read answers the plaintext and is recorded first.
    read = sealed_read(api, "petitions", petition_id, OFFICE, {"justification": WHY}, 200)
    assert read["fields"] == {
        "content": PETITION_TEXT,
        "petitioner": {"name": PETITIONER, "contact": CONTACT},
    }
    assert (read["erased"], read["subject_id"]) == (False, f"petitioner:{petition_id}")
    read = sealed_read(api, "interviews", interview_id, LEADER, {"justification": WHY}, 200)
    assert read["fields"]["interviewee"] == {"name": INTERVIEWEE, "position": "处长"}
    assert read["fields"]["record"] == INTERVIEW_TEXT
    sealed_read(api, "petitions", petition_id, AUDITOR, {"justification": WHY}, 200)

    # No justification, a too short one, the wrong role or another group's leader: refused,
    # nothing recorded.
    assert sealed_read(api, "petitions", petition_id, OFFICE, {}, 422)["status"] == 422
    sealed_read(api, "petitions", petition_id, OFFICE, {"justification": "看看"}, 422)
    sealed_read(api, "petitions", petition_id, MEMBER, {"justification": WHY}, 403)
    sealed_read(api, "interviews", interview_id, DEPUTY, {"justification": WHY}, 403)
    # Another group's leader: outside the scope, answered as an unknown interview.
    sealed_read(api, "interviews", interview_id, OTHER_LEADER, {"justification": WHY}, 404)
    sealed_read(api, "interviews", petition_id, OFFICE, {"justification": WHY}, 404)

    accesses = api.get("/audit-trail", type="audit.sensitive_record_accessed")["items"]
    assert [(a["actor_user_id"], a["data"]["record_id"]) for a in accesses] == [
        ("office-1", petition_id),
        ("leader-1", interview_id),
        ("auditor-1", petition_id),
    ]
    assert {a["data"]["justification"] for a in accesses} == {WHY}
    assert accesses[0]["data"]["subject_id"] == f"petitioner:{petition_id}"
    timeline = api.get(f"/audit-trail/inspections/{life.inspection_id}/timeline", limit=500)
    types = [e["type"] for e in timeline["items"]]
    assert types.count("audit.sensitive_record_accessed") == 3
    assert plaintext_found(database_url) == {}

    # Crypto-shredding.
    assert erase(monkeypatch, database_url, f"petitioner:{petition_id}") == 0
    assert erase(monkeypatch, database_url, f"interviewee:{interview_id}") == 0
    out = capsys.readouterr().out
    assert f"erased petitioner:{petition_id}: key destroyed now" in out
    assert f"erased interviewee:{interview_id}: key destroyed now" in out
    assert erase(monkeypatch, database_url, f"petitioner:{petition_id}") == 0
    assert "key destroyed before" in capsys.readouterr().out
    assert erase(monkeypatch, database_url, "petitioner:no-such-petition") == 1

    read = sealed_read(api, "petitions", petition_id, OFFICE, {"justification": WHY}, 200)
    assert (read["erased"], read["fields"]) == (True, {"content": ERASED, "petitioner": ERASED})
    read = sealed_read(api, "interviews", interview_id, OFFICE, {"justification": WHY}, 200)
    assert (read["erased"], read["fields"]) == (True, {"interviewee": ERASED, "record": ERASED})

    erasures = api.get("/audit-trail", type="audit.subject_erased")["items"]
    assert [(e["actor_user_id"], e["data"]["subject_id"]) for e in erasures] == [
        ("dpo-1", f"petitioner:{petition_id}"),
        ("dpo-1", f"interviewee:{interview_id}"),
    ]
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT subject_id, wrapped_key IS NULL, erased_by, reason FROM subject_keys"
            " WHERE subject_id = ANY(%s) ORDER BY subject_id",
            ([f"petitioner:{petition_id}", f"interviewee:{interview_id}"],),
        ).fetchall()
    assert [r[1:] for r in rows] == [(True, "dpo-1", "retention period ended")] * 2

    # The records live on: their aggregates load and take further commands.
    api.command(f"/interviews/{interview_id}/sign", {"signed_on": day(-59)}, MEMBER_2)
    triage = {
        "decision": "in_scope",
        "meeting_id": meeting(api, life),
        "basis": "leadership_team",
        "disciplines": ["integrity"],
    }
    api.command(f"/petitions/{petition_id}/triage", triage, DEPUTY)
    (row,) = api.get(f"{life.at}/interviews")["items"]
    assert row["signed"] is True

    # Every read model rebuilds from scratch in a fresh runner, without any key.
    container.runner.stop()
    with psycopg.connect(database_url, autocommit=True) as conn:
        for projection in container.projections:
            for table in projection.tables:
                conn.execute(SQL("DROP TABLE IF EXISTS {} CASCADE").format(Identifier(table)))
        conn.execute("DELETE FROM projection_tracking")
    fresh = ProjectionRunner(database_url, read_models())
    assert fresh.catch_up_once() == container.store.head() * len(fresh.projections)
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT count(*) FROM projection_parked").fetchone() == (0,)
        trail = conn.execute(
            "SELECT count(*) FROM rm_audit_event WHERE type LIKE 'audit.%'"
        ).fetchone()
    assert trail == (7,)  # five reads and two erasures

    # The Kafka relay turns every stored event into its messages without any key either.
    relay = KafkaRelay(database_url, KafkaTarget(bootstrap_servers="unused:9092"))
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT notification_id, originator_id, originator_version, topic, state"
            " FROM stored_events ORDER BY notification_id"
        ).fetchall()
    messages = relay.messages(rows)
    payload = b"".join(m.value for m in messages).decode()
    assert [s for s in SECRETS if s in payload] == []

    assert plaintext_found(database_url) == {}
    with psycopg.connect(database_url) as conn:  # the erasure changed no stored byte
        verified = integrity.verify(conn, Ed25519PrivateKey.generate().public_key())
    assert (verified.ok, verified.head) == (True, container.store.head())


def test_subject_keys_are_created_once_under_concurrency_and_need_their_kek(
    container: Any,
) -> None:
    keys: SubjectKeys = container.keys
    subject = "petitioner:00000000-0000-0000-0000-000000000001"
    aad = associated_data(UUID(int=1), "petition.registered", 1, subject)
    sealed: list[tuple[bytes, bytes]] = []
    barrier = threading.Barrier(6)

    def seal(n: int) -> None:
        barrier.wait()
        sealed.append(keys.seal(subject, f"plaintext {n}".encode(), aad))

    threads = [threading.Thread(target=seal, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    opened = sorted(keys.open(subject, nonce, ct, aad) or b"" for nonce, ct in sealed)
    assert opened == [f"plaintext {n}".encode() for n in range(6)]

    other = SubjectKeys(keys.datastore, new_key())
    with pytest.raises(WrongKeyEncryptionKey):
        other.open(subject, *sealed[0], aad)

    keys.erase(subject, "dpo-1", "test")
    assert keys.open(subject, *sealed[0], aad) is None
    with pytest.raises(SubjectKeyDestroyed, match="was erased"):
        keys.seal(subject, b"more", aad)


def test_rotating_the_key_encryption_key_rewraps_every_subject_key(
    container: Any,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    old: SubjectKeys = container.keys
    aad = b"aad"
    sealed = {f"s:{n}": old.seal(f"s:{n}", f"secret {n}".encode(), aad) for n in range(3)}
    old.erase("s:2", "dpo-1", "test")
    new_kek = new_key()
    old_file = tmp_path / "old-kek"
    old_file.write_text(base64.b64encode(old.kek).decode())
    monkeypatch.setenv("XUNCHA_DATABASE_URL", database_url)
    monkeypatch.setenv("XUNCHA_KEY_ENCRYPTION_KEY", base64.b64encode(new_kek).decode())

    assert cli.main(["rotate-kek", "--old-key-file", str(old_file)]) == 0
    assert "rewrapped 2 subject keys" in capsys.readouterr().out

    new = SubjectKeys(old.datastore, new_kek, old.wrapping_dir)
    new.open_ring()
    assert [new.open(s, *sealed[s], aad) for s in ("s:0", "s:1", "s:2")] == [
        b"secret 0",
        b"secret 1",
        None,
    ]
    with pytest.raises(WrongKeyEncryptionKey):
        old.open("s:0", *sealed["s:0"], aad)
    with psycopg.connect(database_url) as conn:
        ids = conn.execute("SELECT DISTINCT kek_id FROM subject_keys").fetchall()
    assert ids == [(new.kek_id,)]
    assert cli.main(["rotate-kek", "--old-key-file", str(old_file)]) == 0  # nothing left
    assert "rewrapped 0 subject keys" in capsys.readouterr().out

"""The anchored, provable log on the real PostgreSQL: Merkle heads in signed checkpoints,
inclusion and consistency proofs over HTTP, heads signed on a schedule in time, and a
record's dossier that the standalone verifier checks after the database is gone."""

from __future__ import annotations

import base64
import json
import shutil
import struct
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.sql import SQL, Identifier

from tests.support.api import OFFICE, Api, Who
from tests.support.lifecycle import Lifecycle
from tests.unit.test_merkle import mth, path, subproof
from xuncha.api.cli import verify_proof
from xuncha.api.cli.main import main
from xuncha.api.workers.checkpoints import CheckpointThread
from xuncha.commands.eventstore import heads, tree_store
from xuncha.events.base import Role

AUDITOR = Who("auditor-1", Role.AUDITOR, "org-audit-office")
VERIFIER = Path(verify_proof.__file__)


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> Path:
    monkeypatch.setenv("XUNCHA_DATABASE_URL", database_url)
    monkeypatch.setenv("XUNCHA_CHECKPOINT_KEY_FILE", str(tmp_path / "checkpoint-key.pem"))
    return tmp_path


def entries(database_url: str) -> list[bytes]:
    """The leaf entries, built here from the documented format (docs/security.md)."""
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT notification_id, originator_id, originator_version, topic, state"
            " FROM stored_events ORDER BY notification_id"
        ).fetchall()
    out = []
    for position, stream, version, topic, state in rows:
        t, s = topic.encode(), bytes(state)
        out.append(
            struct.pack(">q16sqI", position, stream.bytes, version, len(t))
            + t
            + struct.pack(">I", len(s))
            + s
        )
    return out


def sign(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert main(["checkpoint"]) == 0
    return dict(json.loads(capsys.readouterr().out))


def proof_get(api: Api, path_: str, who: Who = AUDITOR, **params: Any) -> Any:
    return api.client.get(path_, params=params, headers=api.headers(who))


def test_a_signed_head_carries_the_rfc_9162_root_of_the_log(
    api: Api, database_url: str, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Lifecycle(api).to_stationed()
    head = sign(capsys)
    leaves = entries(database_url)
    assert head["format"] == "xuncha.checkpoint.v2"
    assert head["tree_size"] == len(leaves)
    assert head["root"] == mth(leaves).hex()


def test_inclusion_proofs_match_the_reference_and_verify_under_the_head(
    api: Api, database_url: str, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Lifecycle(api).to_stationed()
    head = sign(capsys)
    leaves = entries(database_url)
    with psycopg.connect(database_url) as conn:
        positions = [r[0] for r in conn.execute("SELECT position FROM merkle_leaves ORDER BY leaf")]
    size = head["tree_size"]
    for index in {0, 1, size // 2, size - 2, size - 1}:
        response = proof_get(
            api, "/audit/proofs/inclusion", position=positions[index], tree_size=size
        )
        assert response.status_code == 200, response.text
        proof = response.json()
        assert proof["leaf_index"] == index
        assert [bytes.fromhex(p) for p in proof["audit_path"]] == path(index, leaves)
        assert base64.b64decode(proof["entry"]) == leaves[index]
        verify_proof.verify_inclusion(proof, bytes.fromhex(head["root"]))
    smaller = proof_get(api, "/audit/proofs/inclusion", position=positions[2], tree_size=5)
    assert [bytes.fromhex(p) for p in smaller.json()["audit_path"]] == path(2, leaves[:5])


def test_a_later_head_is_proven_to_extend_an_earlier_one(
    api: Api, database_url: str, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    life = Lifecycle(api)
    life.propose_round()
    old = sign(capsys)
    life.approve_round()
    life.plan_inspection()
    new = sign(capsys)
    leaves = entries(database_url)
    response = proof_get(
        api, "/audit/proofs/consistency", **{"from": old["tree_size"], "to": new["tree_size"]}
    )
    assert response.status_code == 200, response.text
    proof = response.json()
    assert [bytes.fromhex(p) for p in proof["proof"]] == subproof(old["tree_size"], leaves, True)
    (cli_env / "old.json").write_text(json.dumps(old))
    (cli_env / "new.json").write_text(json.dumps(new))
    (cli_env / "proof.json").write_text(json.dumps(proof))
    pem = public_key(cli_env, capsys)
    args = ["--public-key", str(pem), "consistency", str(cli_env / "proof.json")]
    heads_args = ["--old-head", str(cli_env / "old.json"), "--new-head", str(cli_env / "new.json")]
    assert main(["verify-proof", *args, *heads_args]) == 0
    forged = {**new, "root": "00" * 32}
    (cli_env / "new.json").write_text(json.dumps(forged))
    assert main(["verify-proof", *args, *heads_args]) == 1


def test_bad_proof_parameters_are_clear_4xx_and_only_auditors_ask(
    api: Api, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Lifecycle(api).propose_round()
    head = sign(capsys)
    size = head["tree_size"]
    cases = [
        ("/audit/proofs/inclusion", {"position": 0, "tree_size": 1}, 422),
        ("/audit/proofs/inclusion", {"position": 1, "tree_size": size + 1}, 400),
        ("/audit/proofs/inclusion", {"position": head["position"] + 50, "tree_size": 1}, 400),
        ("/audit/proofs/inclusion", {"position": "x", "tree_size": 1}, 422),
        ("/audit/proofs/consistency", {"from": 2, "to": 1}, 400),
        ("/audit/proofs/consistency", {"from": 1, "to": size + 1}, 400),
        ("/audit/proofs/consistency", {"from": 1}, 422),
    ]
    for route, params, status in cases:
        response = proof_get(api, route, **params)
        assert response.status_code == status, (params, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    refused = proof_get(api, "/audit/proofs/inclusion", OFFICE, position=1, tree_size=1)
    assert refused.status_code == 403


def test_the_tree_grows_in_batches_to_the_same_root(
    api: Api, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    Lifecycle(api).to_stationed()
    monkeypatch.setattr(tree_store, "BATCH", 3)
    with psycopg.connect(database_url, autocommit=True) as conn:
        added = tree_store.extend(conn)
        size, _ = tree_store.size_and_position(conn)
        root = tree_store.root(conn, size)
        assert tree_store.extend(conn) == 0
    leaves = entries(database_url)
    assert added == size == len(leaves)
    assert root == mth(leaves)


def test_heads_are_signed_on_a_schedule_in_time_as_well_as_in_events(
    api: Api, database_url: str, tmp_path: Path
) -> None:
    key = Ed25519PrivateKey.generate()
    life = Lifecycle(api)
    life.propose_round()
    thread = CheckpointThread(database_url, key, every=1000, seconds=60)
    first = thread.check()
    assert first is not None  # the log grew and nothing was signed yet
    life.approve_round()
    assert thread.check(now=datetime.now(UTC) + timedelta(seconds=30)) is None
    later = thread.check(now=datetime.now(UTC) + timedelta(seconds=61))
    assert later is not None
    assert later.tree_size is not None
    assert later.tree_size > (first.tree_size or 0)
    assert thread.check(now=datetime.now(UTC) + timedelta(seconds=200)) is None  # no growth
    counted = CheckpointThread(database_url, key, every=1, seconds=0)
    life.plan_inspection()
    assert counted.check() is not None


def public_key(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    capsys.readouterr()
    assert main(["checkpoint", "public-key"]) == 0
    pem = cli_env / "public.pem"
    pem.write_text(capsys.readouterr().out)
    return pem


def run_verifier(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The verifier copied alone into `directory` and run isolated (no Xuncha on the path)."""
    alone = directory / "verify_proof.py"
    shutil.copy(VERIFIER, alone)
    command = [sys.executable, "-I", str(alone), *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=directory, timeout=60)


def drop(database_url: str) -> None:
    name = conninfo_to_dict(database_url)["dbname"]
    server = make_conninfo(database_url, dbname="postgres")
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(SQL("DROP DATABASE {} WITH (FORCE)").format(Identifier(str(name))))


def test_a_dossier_verifies_alone_after_the_database_is_dropped(
    api: Api, database_url: str, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    life = Lifecycle(api)
    life.to_stationed()
    sign(capsys)
    life.draft_finding()  # newer than the head: listed without a proof
    response = proof_get(api, f"/audit-trail/entities/{life.inspection_id}/dossier")
    assert response.status_code == 200, response.text
    dossier = response.json()
    assert dossier["events"][-1]["proof"] is None
    assert len([e for e in dossier["events"] if e["proof"] is not None]) >= 5
    pem = public_key(cli_env, capsys)
    folder = cli_env / "outside"
    folder.mkdir()
    (folder / "dossier.json").write_text(json.dumps(dossier))
    shutil.copy(pem, folder / "public.pem")
    api.client.close()
    drop(database_url)
    checked = run_verifier(folder, "--public-key", "public.pem", "dossier", "dossier.json")
    assert checked.returncode == 0, checked.stderr
    assert f"record {life.inspection_id}" in checked.stdout
    assert "1 newer events not covered" in checked.stdout
    shown = json.loads(json.dumps(dossier))
    shown["events"][0]["data"]["organization_id"] = "org-elsewhere"  # a doctored readable copy
    (folder / "dossier.json").write_text(json.dumps(shown))
    doctored = run_verifier(folder, "--public-key", "public.pem", "dossier", "dossier.json")
    assert doctored.returncode == 1, doctored.stdout
    assert "readable fields differ" in doctored.stderr
    entry = base64.b64decode(dossier["events"][1]["proof"]["entry"])
    dossier["events"][1]["proof"]["entry"] = base64.b64encode(entry.replace(b"2026", b"2025"))
    dossier["events"][1]["proof"]["entry"] = dossier["events"][1]["proof"]["entry"].decode()
    (folder / "dossier.json").write_text(json.dumps(dossier))
    tampered = run_verifier(folder, "--public-key", "public.pem", "dossier", "dossier.json")
    assert tampered.returncode == 1
    assert "FAILED" in tampered.stderr


def test_the_dossier_keeps_sealed_fields_sealed(
    api: Api, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.integration import test_crypto_shredding as sealed

    _, petition_id, _ = sealed.seeded(api)
    secrets = [sealed.PETITIONER, sealed.CONTACT, sealed.PETITION_TEXT]
    sign(capsys)
    response = proof_get(api, f"/audit-trail/entities/{petition_id}/dossier")
    assert response.status_code == 200, response.text
    text = response.text
    for secret in secrets:
        assert secret not in text
        for event in response.json()["events"]:
            entry = base64.b64decode(event["proof"]["entry"])
            assert secret.encode() not in entry
            assert json.dumps(secret).encode() not in entry


def load_private(path_: Path) -> Ed25519PrivateKey:
    key = load_pem_private_key(path_.read_bytes(), password=None)
    assert isinstance(key, Ed25519PrivateKey)
    return key


def latest(database_url: str) -> Any:
    with psycopg.connect(database_url, autocommit=True) as conn:
        return heads.latest_head(conn)


def test_old_v1_checkpoints_still_verify_beside_v2_heads(
    api: Api, database_url: str, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from xuncha.commands.eventstore import integrity

    life = Lifecycle(api)
    life.propose_round()
    assert main(["checkpoint", "public-key"]) == 0  # generates the development key
    capsys.readouterr()
    key = load_private(cli_env / "checkpoint-key.pem")
    with psycopg.connect(database_url, autocommit=True) as conn:
        old = integrity.sign_checkpoint(conn, key)  # the v1 format signed before
    assert old is not None
    assert old.tree_size is None
    life.approve_round()
    sign(capsys)
    exported = cli_env / "heads.jsonl"
    assert main(["checkpoint", "export", str(exported)]) == 0
    lines = [json.loads(x) for x in exported.read_text().splitlines()]
    assert [x.get("format") for x in lines] == [None, "xuncha.checkpoint.v2"]
    capsys.readouterr()
    assert main(["verify-log", "--heads-from", str(exported)]) == 0
    assert "4 checkpoints verified" in capsys.readouterr().out  # 2 stored + 2 from the file
    forged = {**lines[0], "link": "00" * 32}
    exported.write_text(json.dumps(forged) + "\n")
    assert main(["verify-log", "--heads-from", str(exported)]) == 1


def test_xuncha_proof_prints_what_the_api_answers_and_verify_proof_checks_it(
    api: Api, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Lifecycle(api).to_stationed()
    head = sign(capsys)
    assert main(["proof", "inclusion", "--position", "3"]) == 0  # under the latest head
    printed = json.loads(capsys.readouterr().out)
    answer = proof_get(api, "/audit/proofs/inclusion", position=3, tree_size=head["tree_size"])
    assert printed == answer.json()
    assert main(["proof", "consistency", "--from", "2", "--to", str(head["tree_size"])]) == 0
    consistency = json.loads(capsys.readouterr().out)
    assert consistency["second_root"] == head["root"]
    assert main(["proof", "inclusion", "--position", "999999"]) == 1
    pem = public_key(cli_env, capsys)
    (cli_env / "proof.json").write_text(json.dumps(printed))
    (cli_env / "head.json").write_text(json.dumps(head))
    args = ["verify-proof", "--public-key", str(pem), "inclusion", str(cli_env / "proof.json")]
    assert main([*args, "--head", str(cli_env / "head.json")]) == 0
    assert "inclusion ok: position 3" in capsys.readouterr().out
    (cli_env / "head.json").write_text(json.dumps({**head, "tree_size": head["tree_size"] + 1}))
    assert main([*args, "--head", str(cli_env / "head.json")]) == 1

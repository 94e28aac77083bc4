"""`GET /audit/log-integrity`: the chain's state from the recorded verifications of
`xuncha verify-log` (full) and of serve's checkpoint worker (incremental), on a real
PostgreSQL, after commands and after a superuser's edits of stored events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.support.api import OFFICE, PRINCIPAL, Api, Who
from tests.support.lifecycle import Lifecycle
from xuncha.api.cli.main import main
from xuncha.api.workers.checkpoints import CheckpointThread, load_key
from xuncha.commands.eventstore import integrity
from xuncha.events.base import Role

AUDITOR = Who("auditor-1", Role.AUDITOR, "org-audit")
DASHBOARD = Who("dashboard-1", Role.DASHBOARD_READER, "org-swb")
PATH = "/audit/log-integrity"


@pytest.fixture
def settings(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The API and `xuncha` on the test database, with one development checkpoint key."""
    from xuncha.api.settings import Settings

    key_file = tmp_path / "checkpoint-key.pem"
    monkeypatch.setenv("XUNCHA_DATABASE_URL", database_url)
    monkeypatch.setenv("XUNCHA_CHECKPOINT_KEY_FILE", str(key_file))
    made = Settings(
        database_url=database_url,
        api_threads=8,
        read_wait_max_seconds=10,
        checkpoint_key_file=key_file,
    )
    load_key(made)  # generated once, as `xuncha serve` does in development
    return made


@pytest.fixture
def life(api: Api) -> Lifecycle:
    found = Lifecycle(api)
    found.to_stationed()
    return found


def head(database_url: str) -> int:
    with psycopg.connect(database_url) as conn:
        return integrity.chain_head(conn)[0]


def superuser(database_url: str, *statements: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)  # type: ignore[arg-type]


def edit(database_url: str, position: int) -> None:
    """A superuser rewrites one stored event's payload (its link stays)."""
    superuser(
        database_url,
        "UPDATE stored_events SET state = convert_to(convert_from(state, 'UTF8') || ' ',"
        f" 'UTF8') WHERE notification_id = {position}",
    )


def worker(settings: Any) -> CheckpointThread:
    """Serve's checkpoint worker, signing at every new event (not started: `check()` runs
    one pass)."""
    return CheckpointThread(settings.database_url, load_key(settings), every=1)


def runs(database_url: str) -> int:
    with psycopg.connect(database_url) as conn:
        row = conn.execute("SELECT count(*) FROM log_verifications").fetchone()
    assert row is not None
    return int(row[0])


def test_unverified_until_verify_log_then_ok_with_its_positions(
    api: Api, life: Lifecycle, settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    end = head(settings.database_url)
    key_id = integrity.key_id(load_key(settings).public_key())
    before = api.get(PATH, AUDITOR)
    assert before["state"] == "unverified"
    assert before["head_position"] == end > 10
    assert before["unverified_events"] == end
    assert before["latest_verification"] is None
    assert before["last_checkpoint"] is None
    assert before["checkpoint_key_id"] == key_id

    assert main(["checkpoint"]) == 0
    assert main(["verify-log"]) == 0
    assert "1 checkpoints verified" in capsys.readouterr().out
    after = api.get(PATH, AUDITOR)
    latest = after["latest_verification"]
    assert after["state"] == "ok"
    assert latest["kind"] == "full"
    assert latest["run_by"] == "xuncha verify-log"
    assert latest["ok"] is True
    assert latest["first_bad_position"] is None
    assert latest["reason"] is None
    assert latest["problems"] == 0
    assert (latest["from_position"], latest["through_position"]) == (0, end)
    assert latest["events"] == api.event_count()
    assert latest["checkpoints_verified"] == 1
    assert latest["started_at"] <= latest["finished_at"]
    assert after["latest_full_verification"] == latest
    checkpoint = after["last_checkpoint"]
    assert checkpoint["position"] == checkpoint["tree_size"] == end
    assert checkpoint["format"] == "xuncha.checkpoint.v2"
    assert checkpoint["key_id"] == key_id
    assert checkpoint["signature_valid"] is True
    with psycopg.connect(settings.database_url) as conn:
        assert checkpoint["link"] == integrity.chain_head(conn)[1].hex()
    assert after["unverified_events"] == 0

    # A new command: the log grows past the verification until the next one.
    api.command("/rounds", _round(), OFFICE, status=201)
    grown = api.get(PATH, AUDITOR)
    assert grown["head_position"] == head(settings.database_url) > end
    assert grown["unverified_events"] == grown["head_position"] - end
    assert grown["latest_verification"] == latest


def test_the_worker_verifies_only_the_new_events_after_each_checkpoint(
    api: Api, life: Lifecycle, settings: Any
) -> None:
    signer = worker(settings)
    first_end = head(settings.database_url)
    assert signer.check() is not None
    first = api.get(PATH, AUDITOR)["latest_verification"]
    assert first["kind"] == "incremental"
    assert first["run_by"] == "xuncha serve"
    assert (first["from_position"], first["through_position"]) == (0, first_end)
    assert first["events"] == api.event_count()
    assert first["checkpoints_verified"] == 1

    api.command("/rounds", _round(), OFFICE, status=201)
    second_end = head(settings.database_url)
    signed = signer.check()
    assert signed is not None
    assert signed.position == second_end
    answer = api.get(PATH, AUDITOR)
    second = answer["latest_verification"]
    assert answer["state"] == "ok"
    assert answer["unverified_events"] == 0
    assert (second["from_position"], second["through_position"]) == (first_end, second_end)
    assert second["events"] == api.event_count() - first["events"]
    assert second["checkpoints_verified"] == 1
    assert answer["latest_full_verification"] is None
    # Nothing new: no verification recorded.
    count = runs(settings.database_url)
    assert signer.check() is None
    assert runs(settings.database_url) == count


def test_an_edited_event_shows_as_broken_at_its_position(
    api: Api, life: Lifecycle, settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    signer = worker(settings)
    signer.check()
    assert api.get(PATH, AUDITOR)["state"] == "ok"
    edit(settings.database_url, 3)
    assert main(["verify-log"]) == 1
    assert "FAILED at position 3" in capsys.readouterr().err
    answer = api.get(PATH, AUDITOR)
    latest = answer["latest_verification"]
    assert answer["state"] == "broken"
    assert latest["kind"] == "full"
    assert latest["ok"] is False
    assert latest["first_bad_position"] == 3
    assert latest["reason"].startswith("position 3: the event does not match its link")
    assert answer["latest_full_verification"] == latest

    # The worker does not overwrite a broken state with an "ok" of the newer events.
    count = runs(settings.database_url)
    api.command("/rounds", _round(), OFFICE, status=201)
    assert signer.check() is not None
    assert runs(settings.database_url) == count
    assert api.get(PATH, AUDITOR)["state"] == "broken"


def test_the_worker_finds_an_edit_after_the_verified_position(
    api: Api, life: Lifecycle, settings: Any
) -> None:
    signer = worker(settings)
    signer.check()
    verified = head(settings.database_url)
    for _ in range(2):
        api.command("/rounds", _round(), OFFICE, status=201)
    edit(settings.database_url, verified + 2)
    signer.check()
    answer = api.get(PATH, AUDITOR)
    latest = answer["latest_verification"]
    assert answer["state"] == "broken"
    assert latest["kind"] == "incremental"
    assert latest["from_position"] == verified
    assert latest["first_bad_position"] == verified + 2
    assert latest["reason"].startswith(f"position {verified + 2}: the event does not match")


def test_a_rewritten_link_at_the_verified_position_is_caught(
    api: Api, life: Lifecycle, settings: Any
) -> None:
    signer = worker(settings)
    signer.check()
    verified = head(settings.database_url)
    superuser(
        settings.database_url,
        f"UPDATE event_chain SET link = sha256(link) WHERE position = {verified}",
    )
    api.command("/rounds", _round(), OFFICE, status=201)
    signer.check()
    latest = api.get(PATH, AUDITOR)["latest_verification"]
    assert latest["ok"] is False
    assert latest["first_bad_position"] == verified
    assert "its link is not the one verified before" in latest["reason"]


def test_a_forged_checkpoint_signature_is_shown(api: Api, life: Lifecycle, settings: Any) -> None:
    assert main(["checkpoint"]) == 0
    superuser(settings.database_url, "UPDATE chain_checkpoints SET signature = sha256(signature)")
    checkpoint = api.get(PATH, AUDITOR)["last_checkpoint"]
    assert checkpoint["signature_valid"] is False


def test_who_may_read_it(api: Api, life: Lifecycle) -> None:
    before = api.event_count()
    for who in (AUDITOR, OFFICE):
        assert api.get(PATH, who)["head_position"] == before
    for who in (DASHBOARD, PRINCIPAL):
        response = api.client.get(PATH, headers=api.headers(who))
        assert response.status_code == 403, (who.role, response.text)
        assert "head_position" not in response.text
    assert api.client.get(PATH).status_code == 401
    assert api.event_count() == before


def test_an_upgrade_not_finished_by_the_owner_says_so(
    api: Api, life: Lifecycle, database_url: str
) -> None:
    superuser(database_url, "DROP TABLE log_verifications")  # as before `grant-app-role`
    response = api.client.get(PATH, headers=api.headers(AUDITOR))
    assert response.status_code == 503, response.text
    assert response.json()["code"] == "not_set_up"
    assert "xuncha db grant-app-role" in response.json()["detail"]


def _round() -> dict[str, Any]:
    return {
        "jurisdiction_id": "yulin",
        "committee": "市委",
        "name": "第三轮",
        "round_type": "regular",
        "planned_start": "2026-09-01",
        "planned_end": "2026-12-01",
    }

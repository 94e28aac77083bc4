"""The hash chain and signed checkpoints: `xuncha verify-log` names the first bad position
when a superuser edits, deletes or reorders events."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.support.api import OFFICE, Api
from tests.support.lifecycle import Lifecycle
from xuncha.api.cli.main import main
from xuncha.commands.eventstore import integrity


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> Path:
    """`xuncha` on the test database, with a development key in a temporary directory."""
    monkeypatch.setenv("XUNCHA_DATABASE_URL", database_url)
    monkeypatch.setenv("XUNCHA_CHECKPOINT_KEY_FILE", str(tmp_path / "checkpoint-key.pem"))
    return tmp_path


@pytest.fixture
def logged(api: Api) -> Api:
    Lifecycle(api).to_stationed()
    return api


def superuser(database_url: str, *statements: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)  # type: ignore[arg-type]


def verify(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["verify-log", *args])
    out = capsys.readouterr()
    return code, out.out + out.err


def head(database_url: str) -> int:
    with psycopg.connect(database_url) as conn:
        return integrity.chain_head(conn)[0]


def test_every_event_is_linked_and_the_sql_chain_matches_the_python_one(
    logged: Api, database_url: str
) -> None:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT e.notification_id, e.originator_id, e.originator_version, e.topic, e.state,"
            " c.link FROM stored_events e LEFT JOIN event_chain c"
            " ON c.position = e.notification_id ORDER BY 1"
        ).fetchall()
    assert len(rows) > 10
    link = integrity.GENESIS
    for position, originator, version, topic, state, stored in rows:
        link = integrity.next_link(link, position, originator, version, topic, bytes(state))
        assert stored is not None, position
        assert bytes(stored) == link, position


def test_a_clean_log_verifies_and_reports_its_unanchored_tail(
    logged: Api, database_url: str, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["checkpoint"]) == 0
    signed = json.loads(capsys.readouterr().out)
    assert signed["position"] == head(database_url)
    logged.command("/rounds", _round(), OFFICE, status=201)
    code, out = verify(capsys)
    assert code == 0, out
    assert "1 checkpoints verified" in out
    assert f"1 events after position {signed['position']}" in out


def test_an_edited_event_is_named(
    logged: Api, database_url: str, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    superuser(
        database_url,
        "UPDATE stored_events SET state = convert_to(replace(convert_from(state, 'UTF8'),"
        " 'yulin', 'xian'), 'UTF8') WHERE notification_id = 1",
    )
    code, out = verify(capsys)
    assert code == 1
    assert "FAILED at position 1" in out
    assert "position 1: the event does not match its link" in out


def test_a_deleted_event_is_named(
    logged: Api, database_url: str, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    superuser(database_url, "DELETE FROM stored_events WHERE notification_id = 5")
    code, out = verify(capsys)
    assert code == 1
    assert "FAILED at position 5" in out
    assert "the event is missing but its link remains" in out


def test_an_event_deleted_with_its_link_breaks_the_chain_at_the_next_one(
    logged: Api, database_url: str, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    superuser(
        database_url,
        "DELETE FROM stored_events WHERE notification_id = 5",
        "DELETE FROM event_chain WHERE position = 5",
    )
    code, out = verify(capsys)
    assert code == 1
    assert "FAILED at position 6" in out
    assert "between positions 4 and 6 was deleted" in out


def test_reordered_events_are_named(
    logged: Api, database_url: str, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    superuser(
        database_url,
        "UPDATE stored_events SET notification_id = -3 WHERE notification_id = 3",
        "UPDATE stored_events SET notification_id = 3 WHERE notification_id = 6",
        "UPDATE stored_events SET notification_id = 6 WHERE notification_id = -3",
    )
    code, out = verify(capsys)
    assert code == 1
    assert "FAILED at position 3" in out
    assert "position 6: the event does not match its link" in out


def test_a_consistent_rewrite_is_caught_only_by_an_exported_checkpoint(
    logged: Api, database_url: str, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["checkpoint"]) == 0
    exported = cli_env / "checkpoints.jsonl"
    assert main(["checkpoint", "export", str(exported)]) == 0
    capsys.readouterr()
    assert len(exported.read_text().splitlines()) == 1
    # A superuser edits an event, recomputes every link and removes the stored checkpoint.
    superuser(
        database_url,
        "UPDATE stored_events SET state = convert_to(replace(convert_from(state, 'UTF8'),"
        " 'yulin', 'xian'), 'UTF8') WHERE notification_id = 1",
        "DELETE FROM event_chain",
        "DELETE FROM chain_checkpoints",
    )
    _relink(database_url)
    code, out = verify(capsys)
    assert code == 0, out  # links and stored checkpoints alone cannot tell
    code, out = verify(capsys, "--checkpoints", str(exported))
    assert code == 1
    assert "does not match the log recomputed from the start" in out


def test_a_truncated_tail_is_caught_by_a_checkpoint(
    logged: Api, database_url: str, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["checkpoint"]) == 0
    last = head(database_url)
    capsys.readouterr()
    superuser(
        database_url,
        f"DELETE FROM stored_events WHERE notification_id >= {last - 1}",
        f"DELETE FROM event_chain WHERE position >= {last - 1}",
    )
    code, out = verify(capsys)
    assert code == 1
    assert f"checkpoint at position {last}: that event is beyond the end of the log" in out


def test_a_forged_checkpoint_is_refused(
    logged: Api, database_url: str, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["checkpoint"]) == 0
    superuser(database_url, "UPDATE chain_checkpoints SET link = sha256('forged'::bytea)")
    capsys.readouterr()
    code, out = verify(capsys)
    assert code == 1
    assert "has no valid signature" in out


def test_the_key_is_generated_private_and_never_printed(
    logged: Api, cli_env: Path, capsys: pytest.CaptureFixture[str], caplog: Any
) -> None:
    caplog.set_level("DEBUG")
    assert main(["checkpoint"]) == 0
    key_file = cli_env / "checkpoint-key.pem"
    assert key_file.stat().st_mode & 0o077 == 0
    secret = key_file.read_text().splitlines()[1]
    out = capsys.readouterr()
    assert secret not in out.out + out.err + caplog.text
    assert "key id" in caplog.text


def _relink(database_url: str) -> None:
    """What a careful attacker does: recompute every link over the edited events."""
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT notification_id, originator_id, originator_version, topic, state"
            " FROM stored_events ORDER BY notification_id"
        ).fetchall()
        link = integrity.GENESIS
        for position, originator, version, topic, state in rows:
            link = integrity.next_link(link, position, originator, version, topic, bytes(state))
            conn.execute("INSERT INTO event_chain VALUES (%s, %s)", (position, link))


def _round() -> dict[str, Any]:
    return {
        "jurisdiction_id": "yulin",
        "committee": "市委",
        "name": "第三轮",
        "round_type": "regular",
        "planned_start": "2026-09-01",
        "planned_end": "2026-12-01",
    }

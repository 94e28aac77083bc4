"""The application's database role can append and read events, never change them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import psycopg
import pytest
from psycopg import errors as pg
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.sql import SQL, Identifier

from xuncha.api.cli.main import main
from xuncha.api.container import build
from xuncha.api.database import make_recorder
from xuncha.api.settings import Settings
from xuncha.commands import round
from xuncha.commands.eventstore import integrity, migrate
from xuncha.commands.eventstore.store import EventStore
from xuncha.commands.service import Application
from xuncha.events.base import Actor, Role

OFFICE = Actor(user_id="office-1", role=Role.INSPECTION_OFFICE, organization_id="org-xcb")
COMMITTEE = Actor(user_id="sec-1", role=Role.COMMITTEE, organization_id="org-city-committee")
ROUND = {"jurisdiction_id": "yulin", "committee": "市委", "name": "第一轮"}
ROUND |= {"round_type": "regular", "planned_start": "2026-03-01", "planned_end": "2026-12-01"}


@pytest.fixture
def app_url(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """`xuncha db grant-app-role` run by the superuser; the restricted role's URL."""
    role = f"xuncha_app_{uuid4().hex[:8]}"
    monkeypatch.setenv("XUNCHA_DATABASE_URL", database_url)
    monkeypatch.setenv("XUNCHA_CHECKPOINT_KEY_FILE", str(tmp_path / "key.pem"))
    # History and read models written as the owner before the switch to the restricted role.
    owner = build(Settings(database_url=database_url, api_threads=2), database_url)
    owner.app.execute(round.ProposeRound.model_validate(ROUND), OFFICE)
    with psycopg.connect(database_url) as conn:
        owner.runner.catch_up(conn)
    owner.close()
    assert main(["db", "grant-app-role", "--role", role]) == 0
    yield make_conninfo(database_url, user=role)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(SQL("DROP OWNED BY {}").format(Identifier(role)))
        conn.execute(SQL("DROP ROLE {}").format(Identifier(role)))


def test_commands_and_read_models_work_as_the_restricted_role(app_url: str) -> None:
    app = Application(EventStore(make_recorder(app_url, pool_size=2)))
    result = app.execute(round.ProposeRound.model_validate(ROUND), OFFICE)
    approve = round.ApproveRound.model_validate({"round_id": result.created_id})
    approved = app.execute(approve, COMMITTEE)
    app.store.recorder.datastore.close()
    container = build(Settings(database_url=app_url, api_threads=2), app_url)
    try:
        with psycopg.connect(app_url) as conn:
            container.runner.catch_up(conn)
            rows = conn.execute(
                "SELECT count(*), count(*) FILTER (WHERE stage = 'approved') FROM rm_round"
            ).fetchone()
            head = integrity.chain_head(conn)[0]
    finally:
        container.close()
    assert head == approved.position
    assert rows == (2, 1)


@pytest.mark.parametrize(
    "table",
    [
        "stored_events",
        "event_chain",
        "chain_checkpoints",
        "merkle_nodes",
        "merkle_leaves",
        "log_verifications",
    ],
)
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {} SET position = position",
        "DELETE FROM {}",
        "TRUNCATE {}",
        "ALTER TABLE {} DISABLE TRIGGER ALL",
        "DROP TABLE {}",
    ],
)
def test_the_restricted_role_cannot_change_the_log(
    app_url: str, table: str, statement: str
) -> None:
    column = {"stored_events": "topic", "merkle_nodes": "level", "log_verifications": "ok"}.get(
        table, "position"
    )
    statement = statement.replace("position = position", f"{column} = {column}")
    with (
        psycopg.connect(app_url, autocommit=True) as conn,
        pytest.raises(pg.InsufficientPrivilege, match=r"permission denied|must be owner"),
    ):
        conn.execute(SQL(statement).format(Identifier(table)))  # type: ignore[arg-type]


def test_the_restricted_role_can_checkpoint_and_verify(
    app_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XUNCHA_DATABASE_URL", app_url)
    assert main(["checkpoint"]) == 0
    assert main(["verify-log"]) == 0
    out = capsys.readouterr()
    assert "1 checkpoints verified" in out.out
    assert "not recorded" not in out.err
    with psycopg.connect(app_url) as conn:  # the verdict is recorded by the application's role
        row = conn.execute("SELECT kind, ok, run_by FROM log_verifications").fetchall()
    assert row == [("full", True, "xuncha verify-log")]


def test_the_restricted_role_can_erase_a_subject(
    app_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Crypto-shredding runs as the application: it nulls a key and vacuums subject_keys."""
    container = build(Settings(database_url=app_url, api_threads=2), app_url)
    try:
        assert container.keys is not None
        nonce, ciphertext = container.keys.seal("petitioner:p-1", "张三".encode(), b"aad")
        monkeypatch.setenv("XUNCHA_DATABASE_URL", app_url)
        assert main(["erase-subject", "petitioner:p-1", "--reason", "到期", "--by", "dpo-1"]) == 0
        assert "erased petitioner:p-1" in capsys.readouterr().out
        key = container.keys.get("petitioner:p-1")
        assert key is not None
        assert key.erased
        assert container.keys.open("petitioner:p-1", nonce, ciphertext, b"aad") is None
    finally:
        container.close()


def test_the_restricted_role_reads_the_schema_version_and_cannot_change_it(
    app_url: str, database_url: str
) -> None:
    migrate.require_current(app_url)  # SELECT on schema_migrations: the start-up check passes
    for statement in (
        "UPDATE schema_migrations SET checksum = 'x'",
        "DELETE FROM schema_migrations",
        "INSERT INTO schema_migrations (version, name, checksum) VALUES (99, 'x', 'x')",
    ):
        with psycopg.connect(app_url) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(statement)  # type: ignore[arg-type]
    with psycopg.connect(database_url, autocommit=True) as conn:
        role = conninfo_to_dict(app_url)["user"]
        conn.execute(SQL("REVOKE SELECT ON schema_migrations FROM {}").format(Identifier(role)))
    with pytest.raises(migrate.MigrationError, match="grant-app-role"):
        migrate.require_current(app_url)

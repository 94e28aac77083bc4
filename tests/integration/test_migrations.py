"""Numbered schema migrations on a real PostgreSQL: from an empty database, from the previous
release's schema (tests/fixtures/schema_previous.sql, with events in it), a second run is a
no-op, two migrators at once apply each migration once, an edited applied migration is
refused, and `serve` against a database behind the code leaves with status 2."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest

from xuncha.api.cli.main import main
from xuncha.api.database import make_recorder
from xuncha.commands.eventstore import migrate
from xuncha.commands.eventstore.store import EventStore
from xuncha.commands.round import ApproveRound, ProposeRound
from xuncha.commands.service import Application
from xuncha.events.base import Actor, Role

ROOT = Path(__file__).resolve().parents[2]
PREVIOUS = ROOT / "tests/fixtures/schema_previous.sql"
OFFICE = Actor(user_id="office-1", role=Role.INSPECTION_OFFICE, organization_id="org-xcb")
COMMITTEE = Actor(user_id="sec-1", role=Role.COMMITTEE, organization_id="org-city-committee")

CATALOG = {
    "columns": """
        SELECT c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod),
               a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
          AND a.attnum > 0 AND NOT a.attisdropped ORDER BY 1, 2""",
    "tables": """
        SELECT relname, relkind, reloptions FROM pg_class
        WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p', 'S', 'v', 'm')
        ORDER BY 1""",
    "constraints": """
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
        WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2""",
    "indexes": "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1",
    "functions": """
        SELECT proname, pg_get_function_identity_arguments(oid), pg_get_function_result(oid),
               md5(prosrc) FROM pg_proc WHERE pronamespace = 'public'::regnamespace
        ORDER BY 1, 2""",
    "types": """
        SELECT typname, typtype FROM pg_type WHERE typnamespace = 'public'::regnamespace
        ORDER BY 1""",
    "sequences": """
        SELECT sequencename, data_type, start_value, increment_by FROM pg_sequences
        WHERE schemaname = 'public' ORDER BY 1""",
}


def catalog(conninfo: str) -> dict[str, list[Any]]:
    with psycopg.connect(conninfo) as conn:
        return {name: conn.execute(query).fetchall() for name, query in CATALOG.items()}  # type: ignore[arg-type]


def log_of(conninfo: str) -> tuple[list[Any], list[Any]]:
    with psycopg.connect(conninfo) as conn:
        events = conn.execute("SELECT * FROM stored_events ORDER BY notification_id").fetchall()
        chain = conn.execute("SELECT * FROM event_chain ORDER BY position").fetchall()
    return events, chain


def propose_rounds(conninfo: str, count: int) -> None:
    recorder = make_recorder(conninfo, pool_size=2)
    try:
        app = Application(EventStore(recorder))
        for n in range(count):
            command = ProposeRound(
                jurisdiction_id="yulin",
                committee="中共榆林市委",
                name=f"第{n}轮",
                round_type="regular",  # type: ignore[arg-type]
                planned_start=date(2026, 3, 1),
                planned_end=date(2026, 6, 30),
            )
            round_id = UUID(app.execute(command, OFFICE).created_id or "")
            app.execute(ApproveRound(round_id=round_id), COMMITTEE)
    finally:
        recorder.datastore.close()


def load_previous_schema(conninfo: str) -> None:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(PREVIOUS.read_bytes())


def test_migrate_from_an_empty_database(empty_database_url: str, database_url: str) -> None:
    started = time.perf_counter()
    applied = migrate.migrate(empty_database_url)
    seconds = time.perf_counter() - started
    assert [m.version for m in applied] == [m.version for m in migrate.migrations()]
    print(f"\nmigrated an empty database in {seconds:.3f} s")
    assert migrate.status(empty_database_url).current
    migrate.require_current(empty_database_url)
    assert migrate.migrate(empty_database_url) == []  # a second run is a no-op
    # database_url is a copy of the session's template, migrated the same way
    assert catalog(empty_database_url) == catalog(database_url)
    with psycopg.connect(empty_database_url) as conn:
        rows = conn.execute("SELECT version, name, checksum FROM schema_migrations").fetchall()
    assert rows == [(m.version, m.name, m.checksum) for m in migrate.migrations()]
    propose_rounds(empty_database_url, 2)  # the migrated schema takes commands
    events, chain = log_of(empty_database_url)
    assert len(events) == len(chain) == 4


def test_migrate_from_the_previous_release_schema(
    empty_database_url: str, database_url: str
) -> None:
    previous = empty_database_url
    load_previous_schema(previous)
    propose_rounds(previous, 3)  # the previous release's log, with its chain
    with psycopg.connect(previous) as conn:
        conn.execute("INSERT INTO projection_tracking (name, position) VALUES ('x', 6)")
    before = log_of(previous)
    assert len(before[0]) == len(before[1]) == 6
    found = migrate.status(previous)
    assert [m.version for m in found.pending] == [m.version for m in migrate.migrations()]
    with pytest.raises(migrate.SchemaBehind, match="xuncha db migrate"):
        migrate.require_current(previous)

    applied = migrate.migrate(previous)

    assert len(applied) == len(migrate.migrations())
    reference = catalog(database_url)
    assert {t[0] for t in reference["tables"]} >= {"stored_events", "schema_migrations"}
    assert {f[0] for f in reference["functions"]} >= {"xuncha_append"}
    assert len(reference["columns"]) > 100
    assert len(reference["constraints"]) > 20
    assert catalog(previous) == reference  # the same schema as from empty
    assert log_of(previous) == before  # every event and link intact
    with psycopg.connect(previous) as conn:
        tracked = conn.execute("SELECT name, position, version FROM projection_tracking")
        assert tracked.fetchall() == [("x", 6, 1)]  # built by the previous release: version 1
    assert migrate.migrate(previous) == []
    propose_rounds(previous, 1)  # appends go on, chained after the old links
    events, chain = log_of(previous)
    assert len(events) == len(chain) == 8
    assert chain[:6] == before[1]


def test_two_migrators_at_once_apply_each_migration_once(empty_database_url: str) -> None:
    results: list[list[migrate.Migration]] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(migrate.migrate(empty_database_url))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert sorted(len(r) for r in results) == [0, len(migrate.migrations())]
    with psycopg.connect(empty_database_url) as conn:
        count = conn.execute("SELECT count(*) FROM schema_migrations").fetchone()
    assert count == (len(migrate.migrations()),)


def test_an_edited_applied_migration_is_refused(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with psycopg.connect(database_url) as conn:
        conn.execute("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1")
        conn.execute(
            "DELETE FROM schema_migrations WHERE version = %s", (len(migrate.migrations()),)
        )
    with pytest.raises(migrate.MigrationError, match="never be edited"):
        migrate.migrate(database_url)
    with pytest.raises(migrate.MigrationError):
        migrate.require_current(database_url)
    with psycopg.connect(database_url) as conn:  # nothing was applied
        count = conn.execute("SELECT count(*) FROM schema_migrations").fetchone()
    assert count == (len(migrate.migrations()) - 1,)
    monkeypatch.setenv("XUNCHA_DATABASE_URL", database_url)
    assert main(["db", "status"]) == 1
    assert "CHANGED" in capsys.readouterr().out
    assert main(["db", "migrate"]) == 2
    assert "never be edited" in capsys.readouterr().err


def test_the_cli_migrates_and_reports(
    empty_database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XUNCHA_DATABASE_URL", empty_database_url)
    assert main(["db", "status"]) == 1
    out = capsys.readouterr().out
    assert out.count("pending") == len(migrate.migrations())
    assert main(["db", "migrate"]) == 0
    out = capsys.readouterr().out
    assert [line.split()[1] for line in out.splitlines()] == [
        m.file_name for m in migrate.migrations()
    ]
    assert main(["db", "status"]) == 0
    assert "the schema is current" in capsys.readouterr().out
    assert main(["db", "migrate"]) == 0
    assert "nothing to do" in capsys.readouterr().out


def _serve(database_url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "XUNCHA_DATABASE_URL": database_url,
        "XUNCHA_PORT": "0",
        "XUNCHA_DATA_DIR": str(tmp_path / "data"),
    }
    return subprocess.run(
        [sys.executable, "-m", "xuncha.api.cli", "serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def test_serve_refuses_a_database_behind_the_code(empty_database_url: str, tmp_path: Path) -> None:
    load_previous_schema(empty_database_url)
    before = catalog(empty_database_url)
    done = _serve(empty_database_url, tmp_path)
    assert done.returncode == 2, done.stderr
    assert "xuncha db migrate" in done.stderr
    assert "pending" in done.stderr
    assert catalog(empty_database_url) == before  # serve changed nothing

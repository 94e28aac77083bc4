"""A read model whose declared version changed is rebuilt by the runner beside the live one:
the live tables keep answering reads during the build, then one atomic switch puts the new
version's tables in their place and records the version in the tracking row."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import Cursor

from tests.integration.test_migrations import propose_rounds
from xuncha.api import container as container_module
from xuncha.api.settings import Settings
from xuncha.api.workers.background import start_duties
from xuncha.api.workers.shutdown import stop_all
from xuncha.events.base import RecordedEvent
from xuncha.projections.runner import ProjectionRunner

TABLE = "rm_test_round_name"


class RoundNames:
    """Version 1: each proposed round's name."""

    name = "test_round_names"
    version = 1
    tables: tuple[str, ...] = (TABLE,)

    def create(self, cur: Cursor[Any]) -> None:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS rm_test_round_name"
            " (round_id uuid PRIMARY KEY, name text NOT NULL)"
        )

    def handles(self, type_name: str) -> bool:
        return type_name == "round.proposed"

    def apply(self, cur: Cursor[Any], recorded: RecordedEvent) -> None:
        e: Any = recorded.event
        cur.execute("INSERT INTO rm_test_round_name VALUES (%s, %s)", (e.round_id, e.name))


class RoundNamesV2(RoundNames):
    """Version 2 adds the committee; its handler is slow, so the build takes a while."""

    version = 2

    def create(self, cur: Cursor[Any]) -> None:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS rm_test_round_name"
            " (round_id uuid PRIMARY KEY, name text NOT NULL, committee text NOT NULL)"
        )

    def apply(self, cur: Cursor[Any], recorded: RecordedEvent) -> None:
        e: Any = recorded.event
        cur.execute("SELECT pg_sleep(0.1)")
        cur.execute(
            "INSERT INTO rm_test_round_name VALUES (%s, %s, %s)", (e.round_id, e.name, e.committee)
        )


def tracked_version(conn: psycopg.Connection[Any]) -> int:
    row = conn.execute(
        "SELECT version FROM projection_tracking WHERE name = %s", (RoundNames.name,)
    ).fetchone()
    assert row is not None
    return int(row[0])


def live(conn: psycopg.Connection[Any]) -> tuple[int, list[str], int] | None:
    """The tracking row's version, the live table's columns and its rows; None when the switch
    committed between the reads (they are three statements, not one snapshot): the version is
    read before and after the others."""
    version = tracked_version(conn)
    columns = conn.execute(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = 'public' AND table_name = %s ORDER BY ordinal_position",
        (TABLE,),
    ).fetchall()
    count = conn.execute("SELECT count(*) FROM rm_test_round_name").fetchone()
    assert count is not None
    if tracked_version(conn) != version:
        return None
    return version, [c[0] for c in columns], int(count[0])


def test_a_new_version_is_built_beside_the_live_one_and_switched_in(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The background duties as `xuncha serve` starts them (`xuncha work`: the composition
    root's container and `start_duties`), on a read model whose declared version is raised."""
    propose_rounds(database_url, 20)
    ProjectionRunner(database_url, [RoundNames()]).catch_up_once()
    with psycopg.connect(database_url, autocommit=True) as reader:
        assert live(reader) == (1, ["round_id", "name"], 20)

        monkeypatch.setattr(container_module, "read_models", lambda: [RoundNamesV2()])
        settings = Settings(
            database_url=database_url, clock_seconds=0, checkpoint_every=0, data_dir=tmp_path
        )
        settings = settings.model_copy(update={"checkpoint_seconds": 0})
        container = container_module.build(settings, database_url)
        steps = start_duties(container)
        runner = container.runner
        try:
            propose_rounds(database_url, 1)  # appended while the new version is built
            (building,) = runner.status()
            assert (building["version"], building["declared_version"]) == (1, 2)
            reads_during_build = []
            deadline = time.monotonic() + 90
            while (state := live(reader)) is None or state[0] == 1:
                if state is not None:
                    reads_during_build.append(state)
                assert time.monotonic() < deadline, "the new version was never switched in"
                time.sleep(0.1)
            # The live tables answered throughout, as version 1 built them (the runner leaves
            # an outdated read model alone until its new version replaces it).
            assert len(reads_during_build) >= 5
            assert all(r == (1, ["round_id", "name"], 20) for r in reads_during_build)
            assert state[:2] == (2, ["round_id", "name", "committee"])
            deadline = time.monotonic() + 30
            while (now := live(reader)) is None or now[2] < 21:  # followed live
                assert time.monotonic() < deadline
                time.sleep(0.1)
        finally:
            stop_all(steps)
            container.close()
        rows = reader.execute("SELECT DISTINCT committee FROM rm_test_round_name").fetchall()
        assert rows == [("中共榆林市委",)]
        head = reader.execute("SELECT max(notification_id) FROM stored_events").fetchone()
        tracked = reader.execute(
            "SELECT name, position, version FROM projection_tracking ORDER BY name"
        ).fetchall()
        assert head is not None
        assert tracked == [(RoundNames.name, head[0], 2)]
        (switched,) = runner.status()
        assert (switched["version"], switched["declared_version"]) == (2, 2)
        scratch = reader.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'scratch%'"
        ).fetchall()
        assert scratch == []


def test_an_outdated_read_model_is_left_alone_without_an_upgrade(database_url: str) -> None:
    """Without `upgrade` (a runner not built by the composition root) an outdated read model
    is neither created over nor fed by the new version's handlers."""
    propose_rounds(database_url, 2)
    ProjectionRunner(database_url, [RoundNames()]).catch_up_once()
    propose_rounds(database_url, 1)
    ProjectionRunner(database_url, [RoundNamesV2()]).catch_up_once()
    with psycopg.connect(database_url, autocommit=True) as reader:
        assert live(reader) == (1, ["round_id", "name"], 2)

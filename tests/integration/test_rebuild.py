"""Operating the read side on the real PostgreSQL: `verify` compares a read model with a fresh
rebuild both ways; `rebuild` builds a new version beside the live one while commands and the
live runner keep going, and switches atomically: readers never fail nor see it half-built."""

from __future__ import annotations

import threading
import time
import zlib
from datetime import date
from typing import Any

import psycopg
import pytest

from tests.support.api import OFFICE as OFFICE_READER
from tests.support.api import Api
from tests.support.lifecycle import Lifecycle
from xuncha.api.cli import main as cli
from xuncha.api.container import read_models
from xuncha.commands.round import ProposeRound
from xuncha.events.base import Actor, Role
from xuncha.projections.rebuild import (
    REBUILD_LOCK_BASE,
    RebuildBusy,
    Scratch,
    compare_table,
    find,
    rebuild,
    verify,
)
from xuncha.projections.runner import ProjectionRunner

OFFICE = Actor(user_id="office-1", role=Role.INSPECTION_OFFICE, organization_id="org-xcb")


def propose(container: Any, k: int) -> int:
    command = ProposeRound(
        jurisdiction_id="yulin",
        committee="中共榆林市委",
        name=f"第{k}轮巡察",
        round_type="regular",  # type: ignore[arg-type]
        planned_start=date(2026, 3, 1),
        planned_end=date(2026, 6, 30),
    )
    return int(container.app.execute(command, OFFICE).position)


def seeded(api: Api) -> Lifecycle:
    """One inspection up to an approved finding, and a few more rounds."""
    life = Lifecycle(api)
    life.to_stationed()
    finding = life.draft_finding()["created_id"]
    life.review_and_approve_finding(finding)
    for k in range(5):
        propose(api.client.app.state.container, k)  # type: ignore[attr-defined]
    return life


def caught_up(container: Any) -> None:
    head = container.store.head()
    with psycopg.connect(container.conninfo) as conn:
        for _ in range(400):
            rows = conn.execute(
                "SELECT min(position) FROM projection_tracking WHERE name = ANY(%s)",
                ([p.name for p in container.projections],),
            ).fetchone()
            if rows and rows[0] >= head:
                return
            time.sleep(0.05)
    raise AssertionError(f"read models did not reach {head}")


def fresh_runner(container: Any, batch_size: int = 500) -> ProjectionRunner:
    return ProjectionRunner(container.conninfo, read_models(), batch_size=batch_size)


def scratch_schemas(conninfo: str) -> list[str]:
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'scratch_%' ORDER BY 1"
        ).fetchall()
        tracked = conn.execute(
            "SELECT name FROM projection_tracking WHERE name LIKE 'scratch_%'"
        ).fetchall()
    return [r[0] for r in rows] + [r[0] for r in tracked]


# ---- verify ---------------------------------------------------------------------------------


def test_verify_reports_equal_on_every_untouched_read_model(api: Api) -> None:
    seeded(api)
    container = api.client.app.state.container  # type: ignore[attr-defined]
    caught_up(container)
    runner = fresh_runner(container)
    for projection in runner.projections:
        report = verify(runner, projection.name)
        assert report.equal, report.text()
        assert report.position >= container.store.head() - 0
        assert {t.table for t in report.tables} >= set(projection.tables)
    assert scratch_schemas(container.conninfo) == []


def test_verify_reports_a_deleted_and_a_bogus_row_both_ways(
    api: Api, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    life = seeded(api)
    container = api.client.app.state.container  # type: ignore[attr-defined]
    caught_up(container)
    with psycopg.connect(container.conninfo) as conn:
        deleted = conn.execute(
            "DELETE FROM rm_round WHERE round_id = %s RETURNING name", (life.round_id,)
        ).fetchone()
        assert deleted is not None
        conn.execute(
            "INSERT INTO rm_round (round_id, jurisdiction_id, committee, name, round_type,"
            " planned_start, planned_end, stage, stream_version) VALUES"
            " (gen_random_uuid(), 'yulin', 'c', 'bogus round', 'regular', '2026-01-01',"
            " '2026-02-01', 'approved', 1)"
        )
        conn.execute(
            "UPDATE rm_inspection SET findings_approved = 7 WHERE inspection_id = %s",
            (life.inspection_id,),
        )
    report = verify(fresh_runner(container), "inspection_overview")
    assert not report.equal
    by_table = {t.table: t for t in report.tables}
    rounds = by_table["rm_round"]
    assert (rounds.only_live, rounds.only_rebuilt) == (1, 1)
    assert rounds.sample_live[0]["name"] == "bogus round"
    assert rounds.sample_rebuilt[0]["round_id"] == life.round_id
    inspections = by_table["rm_inspection"]
    assert (inspections.only_live, inspections.only_rebuilt) == (1, 1)
    assert inspections.sample_live[0]["findings_approved"] == 7
    assert inspections.sample_rebuilt[0]["findings_approved"] == 1
    assert by_table["rm_inspection_finding"].equal
    text = report.text()
    assert "DIFFERS" in text
    assert "bogus round" in text
    assert deleted[0] in text
    # Other read models are untouched.
    assert verify(fresh_runner(container), "audit_trail").equal
    assert scratch_schemas(container.conninfo) == []

    # The command line: exit 1 with the report, 0 on an equal model, 2 on an unknown name.
    monkeypatch.setenv("XUNCHA_DATABASE_URL", container.conninfo)
    assert cli.main(["projections", "verify", "inspection_overview"]) == 1
    out = capsys.readouterr().out
    assert "rm_round: 1 rows only in live, 1 rows only in the rebuild" in out
    assert cli.main(["projections", "verify", "rectification_ledger"]) == 0
    assert "equal to a fresh rebuild" in capsys.readouterr().out
    assert cli.main(["projections", "verify", "no_such_model"]) == 2


def test_verify_compares_at_the_live_position_while_commands_keep_arriving(api: Api) -> None:
    seeded(api)
    container = api.client.app.state.container  # type: ignore[attr-defined]
    stop = threading.Event()
    proposed: list[int] = []

    def writer() -> None:
        while not stop.is_set():
            proposed.append(propose(container, 100 + len(proposed)))

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        time.sleep(0.3)
        reports = [verify(fresh_runner(container, batch_size=3), "audit_trail") for _ in range(3)]
    finally:
        stop.set()
        thread.join()
    assert proposed
    assert all(r.equal for r in reports), [r.text() for r in reports]


# ---- rebuild --------------------------------------------------------------------------------


def test_rebuild_while_commands_arrive_ends_equal_to_a_fresh_build_and_reads_never_fail(
    api: Api,
) -> None:
    seeded(api)
    container = api.client.app.state.container  # type: ignore[attr-defined]
    caught_up(container)
    with psycopg.connect(container.conninfo) as conn:
        old_oid = conn.execute("SELECT 'rm_round'::regclass::oid").fetchone()
    stop = threading.Event()
    proposed: list[int] = []
    reads: list[tuple[int, int, int]] = []  # (sql count, http count, time)
    errors: list[str] = []

    def writer() -> None:
        while not stop.is_set():
            proposed.append(propose(container, 1000 + len(proposed)))
            time.sleep(0.005)

    def reader() -> None:
        with psycopg.connect(container.conninfo, autocommit=True) as conn:
            while not stop.is_set():
                try:
                    row = conn.execute("SELECT count(*) FROM rm_round").fetchone()
                    response = api.client.get(
                        "/rounds", params={"limit": 500}, headers=api.headers(OFFICE_READER)
                    )
                    if response.status_code != 200:
                        errors.append(f"{response.status_code} {response.text}")
                        continue
                    assert row is not None
                    reads.append((int(row[0]), len(response.json()["items"]), time.monotonic_ns()))
                except Exception as error:  # any failure of a read is the bug
                    errors.append(repr(error))

    threads = [threading.Thread(target=writer), threading.Thread(target=reader)]
    for t in threads:
        t.start()
    progress: list[int] = []

    def slow_progress(done: int) -> None:  # small batches, slowly: commands interleave
        progress.append(done)
        time.sleep(0.01)

    try:
        time.sleep(0.3)
        before = len(proposed)
        result = rebuild(
            fresh_runner(container, batch_size=4), "inspection_overview", slow_progress
        )
        during = len(proposed) - before
        switched_at = time.monotonic_ns()
        time.sleep(1.0)  # reads and writes go on against the new tables
    finally:
        stop.set()
        for t in threads:
            t.join()

    assert errors == []
    assert during > 0, "no command arrived during the rebuild"
    assert len(progress) > 5
    assert progress == sorted(progress)
    assert result.position > 0
    assert result.events > 0
    # Never half-built: the rounds a reader counts never go down (they only ever grow).
    sql_counts, http_counts = [r[0] for r in reads], [r[1] for r in reads]
    assert sum(r[2] < switched_at for r in reads) > 3
    assert sum(r[2] > switched_at for r in reads) > 3
    assert sql_counts == sorted(sql_counts), sql_counts
    assert http_counts == sorted(http_counts), http_counts
    with psycopg.connect(container.conninfo) as conn:
        new_oid = conn.execute("SELECT 'rm_round'::regclass::oid").fetchone()
    assert new_oid != old_oid, "the live tables were not replaced"
    assert scratch_schemas(container.conninfo) == []

    # The live runner goes on from the switched position, and the result equals a fresh
    # rebuild (verify's machinery) and an independent build into a schema of its own.
    caught_up(container)
    with psycopg.connect(container.conninfo) as conn:
        count = conn.execute("SELECT count(*) FROM rm_round").fetchone()
    assert count is not None
    assert count[0] == 1 + 5 + len(proposed)
    report = verify(fresh_runner(container), "inspection_overview")
    assert report.equal, report.text()

    independent = fresh_runner(container)
    projection = find(independent.projections, "inspection_overview")
    scratch = Scratch(projection, "independent_build")
    with psycopg.connect(container.conninfo) as conn:
        scratch.create(conn)
        try:
            head = container.store.head()
            independent.catch_up_target(conn, projection, scratch.upto(head))
            with conn.transaction(), conn.cursor() as cur:
                cur.execute(
                    "SELECT position FROM projection_tracking WHERE name = 'inspection_overview'"
                )
                live = cur.fetchone()
                assert live is not None
                assert live[0] == head
                for table in projection.tables:
                    diff = compare_table(cur, "public", scratch.schema, table)
                    assert diff.equal, diff.as_json()
        finally:
            scratch.drop(conn)


def test_rebuild_from_the_command_line_shows_progress_and_keeps_parked_events_consistent(
    api: Api, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seeded(api)
    container = api.client.app.state.container  # type: ignore[attr-defined]
    caught_up(container)
    with psycopg.connect(container.conninfo) as conn:
        conn.execute("DELETE FROM rm_audit_event WHERE position = 1")  # damaged live model
    assert not verify(fresh_runner(container), "audit_trail").equal
    monkeypatch.setenv("XUNCHA_DATABASE_URL", container.conninfo)
    assert cli.main(["projections", "rebuild", "audit_trail", "--batch-size", "7"]) == 0
    captured = capsys.readouterr()
    assert "rebuild audit_trail [" in captured.err
    assert "events/s" in captured.err
    assert '"read_model": "audit_trail"' in captured.out
    assert verify(fresh_runner(container), "audit_trail").equal
    with psycopg.connect(container.conninfo) as conn:
        row = conn.execute("SELECT count(*) FROM rm_audit_event WHERE position = 1").fetchone()
    assert row == (1,)
    assert cli.main(["projections", "rebuild", "no_such_model"]) == 2
    assert scratch_schemas(container.conninfo) == []


def test_a_second_rebuild_of_the_same_read_model_is_refused_while_one_runs(
    container: Any,
) -> None:
    database_url = container.conninfo
    runner = fresh_runner(container)
    key = REBUILD_LOCK_BASE + zlib.crc32(b"audit_trail")
    key = key - 2**64 if key >= 2**63 else key
    with psycopg.connect(database_url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (key,))  # a rebuild of it is running
        with pytest.raises(RebuildBusy, match="already running"):
            rebuild(runner, "audit_trail")
        assert rebuild(runner, "rectification_ledger").position == 0  # another model is free
    assert rebuild(runner, "audit_trail").switch_attempts == 1
    assert scratch_schemas(database_url) == []


def test_a_batch_applied_at_once_equals_its_events_applied_one_by_one(api: Api) -> None:
    """The audit trail applies a batch set-wise (COPY, then its indexes); a build in batches
    of 500 and a build event by event both equal the live model, corrections included."""
    life = seeded(api)
    (stationed,) = api.get(
        "/audit-trail", stream_id=life.inspection_id, type="inspection.group_stationed"
    )["items"]
    api.command(
        f"/streams/{life.inspection_id}/events-recorded-in-error",
        {
            "stream_version": stationed["stream_version"],
            "why": "进驻日期录错",
            "approved_by": {"user_id": "director-1", "name": "王主任"},
        },
        OFFICE_READER,
    )
    container = api.client.app.state.container  # type: ignore[attr-defined]
    caught_up(container)
    for batch_size in (1, 500):
        report = verify(fresh_runner(container, batch_size=batch_size), "audit_trail")
        assert report.equal, report.text()
    timeline = api.get(f"/audit-trail/inspections/{life.inspection_id}/timeline")
    assert any(r["recorded_in_error_reason"] == "进驻日期录错" for r in timeline["items"])

"""Class tests over a whole demo log (`xuncha demo`) plus a mobilization, a timer tick a month
ahead and a look-back: every version a read model shows is its stream's version in the event
store, every read model shows the same stage of a round or an inspection, and recorded times
never decrease along the log."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg.conninfo import make_conninfo
from psycopg.sql import SQL, Identifier

from tests.support.api import COMMITTEE, OFFICE, Api
from tests.support.lifecycle import day
from xuncha.api.cli.demo import ROUNDS, Progress, load, round_names
from xuncha.api.container import build, make_timers
from xuncha.api.http.app import create_app
from xuncha.api.settings import Settings
from xuncha.commands.eventstore.recorded_time import RECORDED_AT, first_decrease
from xuncha.events.office_day import office_today
from xuncha.projections.stages import INSPECTION_STAGE_TYPES
from xuncha.projections.wait import wait_for_position

# A table that exposes a record's version: (table, key column naming the record's stream).
# rm_audit_event is left out on purpose: it is one row per event, each with its own version.
PER_EVENT_TABLES = {"rm_audit_event"}


@dataclass
class Demo:
    api: Api
    conninfo: str
    lookback_id: str
    mobilized_round_id: str


@pytest.fixture(scope="module")
def demo(pg_server: str, template_database: str) -> Iterator[Demo]:
    name = f"xt_{uuid4().hex[:16]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(
            SQL("CREATE DATABASE {} TEMPLATE {}").format(
                Identifier(name), Identifier(template_database)
            )
        )
    url = make_conninfo(pg_server, dbname=name)
    settings = Settings(database_url=url, api_threads=4, read_wait_max_seconds=60)
    container = build(settings, url)
    container.runner.start_thread()
    try:
        with TestClient(create_app(container)) as client:
            api = Api(client, settings)
            load(container.app, seed=7, progress=Progress(1, out=io.StringIO()))
            api.position = container.store.head()
            yield Demo(api, url, *extra_steps(api))
    finally:
        container.close()
        with psycopg.connect(pg_server, autocommit=True) as conn:
            conn.execute(SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(Identifier(name)))


def extra_steps(api: Api) -> tuple[str, str]:
    """What the demo does not do: a mobilization and a look-back (two events on the new
    inspection's stream)."""
    rounds = {r["name"]: r for r in api.get("/rounds")["items"]}
    names = round_names(office_today())
    open_round = rounds[names["third"]]["round_id"]
    api.command(f"/rounds/{open_round}/mobilize", {"meeting_on": day(-1)}, OFFICE)
    # The timers as of a month ahead (`xuncha clock tick --now`, development), then more
    # commands: their events are recorded after the timers' in time as in position.
    app = api.client.app.state.container.app  # type: ignore[attr-defined]
    issued = make_timers(app).tick(datetime.now(UTC) + timedelta(days=30))
    assert sum(issued.values()) > 0, issued
    closed_round = rounds[names["first"]]["round_id"]
    earlier = api.get("/inspections", round_id=closed_round, limit=1)["items"][0]
    body = {
        "jurisdiction_id": earlier["jurisdiction_id"],
        "committee": "中共榆林市委",
        "name": "巡察整改回头看",
        "round_type": "lookback",
        "planned_start": day(-10),
        "planned_end": day(100),
    }
    lookback_round = api.command("/rounds", body, OFFICE, 201)["created_id"]
    api.command(f"/rounds/{lookback_round}/approve", {}, COMMITTEE)
    launch = {"lookback_of_inspection_id": earlier["inspection_id"], "group_name": "回头看组"}
    launched = api.command(f"/rounds/{lookback_round}/lookbacks", launch, COMMITTEE, 201)
    return launched["created_id"], open_round


def caught_up(demo: Demo) -> None:
    container = demo.api.client.app.state.container  # type: ignore[attr-defined]
    names = [p.name for p in container.projections]
    assert wait_for_position(container.read_pool, names, container.store.head(), 120)


def version_tables(conn: psycopg.Connection[Any]) -> list[tuple[str, str]]:
    """Every read-model table with a `stream_version` column, with the column naming the
    record's stream: `stream_id` where the table has one (a record keyed otherwise, e.g. a
    feedback record by its inspection), else its one-column primary key."""
    rows = conn.execute(
        "SELECT c.table_name, coalesce(s.column_name, k.column_name)"
        " FROM information_schema.columns c"
        " JOIN information_schema.table_constraints t ON t.table_name = c.table_name"
        "  AND t.table_schema = c.table_schema AND t.constraint_type = 'PRIMARY KEY'"
        " JOIN information_schema.key_column_usage k ON k.constraint_name = t.constraint_name"
        "  AND k.table_schema = t.table_schema"
        " LEFT JOIN information_schema.columns s ON s.table_schema = c.table_schema"
        "  AND s.table_name = c.table_name AND s.column_name = 'stream_id'"
        " WHERE c.table_schema = 'public' AND c.column_name = 'stream_version'"
        " ORDER BY 1"
    ).fetchall()
    return [(table, key) for table, key in rows if table not in PER_EVENT_TABLES]


def test_every_version_a_read_model_shows_is_its_streams_version(demo: Demo) -> None:
    caught_up(demo)
    shown = demo.api.get(f"/inspections/{demo.lookback_id}")
    assert shown["stream_version"] == 2  # inspection.planned + inspection.lookback_linked
    with psycopg.connect(demo.conninfo) as conn:
        tables = version_tables(conn)
        assert len(tables) >= 10, tables
        checked = 0
        for table, key in tables:
            stale = conn.execute(
                SQL(
                    "SELECT r.{key}::text, r.stream_version, s.v FROM {table} r"
                    " JOIN (SELECT originator_id, max(originator_version) AS v FROM stored_events"
                    "  GROUP BY originator_id) s ON s.originator_id = r.{key}"
                    " WHERE r.stream_version <> s.v"
                ).format(table=Identifier(table), key=Identifier(key))
            ).fetchall()
            assert stale == [], (table, stale[:5], len(stale))
            rows = conn.execute(SQL("SELECT count(*) FROM {}").format(Identifier(table)))
            count = rows.fetchone()
            checked += count[0] if count else 0
        assert checked > 300


def test_every_read_model_shows_the_same_stage(demo: Demo) -> None:
    caught_up(demo)
    api = demo.api
    assert api.get(f"/rounds/{demo.mobilized_round_id}")["stage"] == "mobilized"
    board = api.get(f"/dashboards/rounds/{demo.mobilized_round_id}")
    assert board["round"]["stage"] == "mobilized"
    leads = api.get("/dashboards/leads", round_id=demo.mobilized_round_id)
    assert [r["stage"] for r in leads["rounds"]["items"]] == ["mobilized"]
    with psycopg.connect(demo.conninfo) as conn:
        rounds = conn.execute(
            "SELECT r.round_id, r.stage, d.stage, l.stage FROM rm_round r"
            " FULL JOIN rm_rd_round d USING (round_id) FULL JOIN rm_ld_round l USING (round_id)"
        ).fetchall()
        assert len(rounds) == len(ROUNDS) + 1  # the demo's and the look-back round
        assert [r for r in rounds if len({r[1], r[2], r[3]}) != 1] == []
        inspections = conn.execute(
            "SELECT i.inspection_id, i.stage, d.stage FROM rm_inspection i"
            " FULL JOIN rm_rd_inspection d USING (inspection_id)"
        ).fetchall()
        assert len(inspections) > 50
        assert [r for r in inspections if r[1] != r[2]] == []


def test_recorded_times_never_decrease_along_the_log(demo: Demo) -> None:
    with psycopg.connect(demo.conninfo) as conn:
        assert first_decrease(conn) is None
        row = conn.execute(
            SQL("SELECT count(*), count(DISTINCT {at}) FROM stored_events").format(at=RECORDED_AT)
        ).fetchone()
    assert row is not None
    events, distinct_times = row
    assert events > 2000, row
    assert distinct_times > 500, row


def test_every_inspections_timeline_has_one_entry_per_stage_event_and_ends_at_its_stage(
    demo: Demo,
) -> None:
    """The round dashboard's stage timeline (`rm_rd_stage`) over the whole demo log: one entry
    per stage-moving event of each inspection's stream (planning included), the last one the
    stage the dashboard shows."""
    caught_up(demo)
    moving = sorted(INSPECTION_STAGE_TYPES | {"inspection.planned"})
    with psycopg.connect(demo.conninfo) as conn:
        counted = conn.execute(
            "SELECT d.inspection_id, d.stage,"
            " (SELECT count(*) FROM stored_events e WHERE e.originator_id = d.inspection_id"
            "   AND e.topic = ANY(%s)),"
            " (SELECT count(*) FROM rm_rd_stage s WHERE s.inspection_id = d.inspection_id),"
            " (SELECT s.stage FROM rm_rd_stage s WHERE s.inspection_id = d.inspection_id"
            "   ORDER BY s.at_version DESC LIMIT 1)"
            " FROM rm_rd_inspection d",
            (moving,),
        ).fetchall()
        kinds = conn.execute("SELECT DISTINCT dated_by FROM rm_rd_stage ORDER BY 1").fetchall()
    assert len(counted) > 50
    assert [r for r in counted if r[2] != r[3] or r[1] != r[4]] == []
    assert sum(r[3] for r in counted) > 500
    assert kinds == [("fact",), ("recorded",)]

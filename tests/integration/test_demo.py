"""`xuncha demo` loads the Yulin-like data set through the commands; the read models show it."""

from __future__ import annotations

import io
from typing import Any

import psycopg

from api.container import build
from api.demo import AlreadyLoaded, Progress, load
from api.settings import Settings
from tests.support.api import Api


def load_into(url: str, seed: int) -> Any:
    container = build(Settings(database_url=url, api_threads=4), url)
    return container, load(container.app, seed=seed, progress=Progress(1, out=io.StringIO()))


def stream_ids(url: str) -> list[tuple[str, int, str]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT originator_id::text, originator_version, topic FROM stored_events"
            " ORDER BY notification_id"
        ).fetchall()
    return [(r[0], r[1], r[2]) for r in rows]


def test_the_demo_loads_and_the_read_models_show_every_stage(api: Api) -> None:
    container = api.client.app.state.container  # type: ignore[attr-defined]
    issued = load(container.app, seed=7, progress=Progress(1, out=io.StringIO()))
    assert issued > 1000
    api.position = container.store.head()

    rounds = {r["name"]: r for r in api.get("/rounds")["items"]}
    assert len(rounds) == 4
    assert rounds["2025年第一轮巡察"]["stage"] == "closed"
    inspections = api.get("/inspections", limit=100)["items"]
    assert len(inspections) == 16 + 16 + 17 + 8
    by_round: dict[str, set[str]] = {}
    names = {r["round_id"]: r["name"] for r in rounds.values()}
    for row in inspections:
        by_round.setdefault(names[row["round_id"]], set()).add(row["stage"])
    assert by_round["2025年第一轮巡察"] == {"closed"}
    assert by_round["2025年第二轮巡察"] == {"rectifying"}
    assert by_round["2026年第一轮巡察"] == {"report_approved"}
    assert by_round["脱贫攻坚与扫黑除恶专项巡察"] == {"rectifying"}

    summary = api.get("/rectification-summary")
    assert 0 < summary["closed"] < summary["total"]
    assert summary["overdue"] > 0
    assert 0 < summary["completion_rate"] < 1
    cross = [r for r in inspections if r["round_type"] == "cross"]
    assert {r["organization_id"].split("-")[0] for r in cross} == {
        "yuyang",
        "hengshan",
        "shenmu",
        "fugu",
        "jingbian",
        "dingbian",
        "suide",
        "mizhi",
    }

    try:
        load(container.app, seed=7, progress=Progress(1, out=io.StringIO()))
        raise AssertionError("a second load must be refused")
    except AlreadyLoaded:
        pass


def test_the_same_seed_gives_the_same_records(database_url: str, pg_server: str) -> None:
    first, _ = load_into(database_url, seed=3)
    first.close()
    other = database_url.replace("dbname=", "dbname=x")
    with psycopg.connect(pg_server, autocommit=True) as conn:
        name = psycopg.conninfo.conninfo_to_dict(other)["dbname"]
        conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    try:
        second, _ = load_into(other, seed=3)
        second.close()
        assert stream_ids(database_url)[:500] == stream_ids(other)[:500]
        assert len(stream_ids(database_url)) == len(stream_ids(other))
    finally:
        with psycopg.connect(pg_server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]

"""`xuncha demo` loads a Yulin (榆林) that looks real through the commands; the read models show
it with a realistic spread (names, rates, colours, dispositions), repeatably for a seed."""

from __future__ import annotations

import io
import re
from datetime import datetime
from typing import Any

import psycopg

from tests.support.api import Api
from xuncha.api.cli.demo import ROUNDS, AlreadyLoaded, Progress, load, round_names
from xuncha.api.container import build
from xuncha.api.settings import Settings
from xuncha.events.lead import Disposition
from xuncha.events.office_day import office_today
from xuncha.projections.taxonomy import (
    ORGANIZATIONAL_LINE,
    PARTY_LINE,
    RECTIFICATION,
    STRICT_GOVERNANCE,
)

REAL_COUNTIES = {
    "榆阳区",
    "横山区",
    "神木市",
    "府谷县",
    "靖边县",
    "定边县",
    "绥德县",
    "米脂县",
    "佳县",
    "吴堡县",
    "清涧县",
    "子洲县",
}
# Months of the trend with items opened, at least: three rounds' plans, each round's accepted
# over some weeks (6 months on a run in 2026-12), months apart.
OPENING_MONTHS = 3
# A name made from an id or a number: Latin letters or digits anywhere (`yl-08`, `问题1`).
ID_LIKE = re.compile(r"[A-Za-z0-9０-９]")


def load_into(url: str, seed: int) -> Any:
    container = build(Settings(database_url=url, api_threads=4), url)
    return container, load(container.app, seed=seed, progress=Progress(1, out=io.StringIO()))


def records(url: str) -> list[tuple[str, int, str, str]]:
    """Every stored event as stream, version, type and payload without its envelope (ids and
    recording times differ between loads; what the commands said must not)."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT originator_id::text, originator_version, topic, state FROM stored_events"
            " ORDER BY notification_id"
        ).fetchall()
    return [(r[0], r[1], r[2], payload(bytes(r[3]))) for r in rows]


def payload(state: bytes) -> str:
    """The event's data as stored, without the envelope's volatile fields and the ciphertext of
    sealed fields (encrypted with a fresh nonce each time)."""
    text = re.sub(r'"sealed":\{[^{}]*\}', "", state.decode())
    return re.sub(r'"(event_id|occurred_at|correlation_id|causation_id)":\s*"[^"]*"', "", text)


def audit(api: Api, event_type: str) -> list[dict[str, Any]]:
    return [row["data"] for row in api.get("/audit-trail", type=event_type, limit=500)["items"]]


def test_the_demo_loads_a_city_that_looks_real(api: Api) -> None:
    container = api.client.app.state.container  # type: ignore[attr-defined]
    issued = load(container.app, seed=7, progress=Progress(1, out=io.StringIO()))
    assert issued > 1000
    api.position = container.store.head()

    # The city and its 12 counties and districts, by their real names, in the registry.
    jurisdictions = {row["name"] for row in audit(api, "jurisdiction.registered")}
    assert jurisdictions == REAL_COUNTIES | {"榆林市"}
    organizations = audit(api, "jurisdiction.organization_registered")
    kinds = {row["organization_type"] for row in organizations}
    assert {"department", "state_owned_enterprise", "school", "township"} <= kinds
    names = [row["name"] for row in organizations]
    assert [n for n in names if ID_LIKE.search(n)] == []
    assert "中共榆林市教育局党组" in names
    assert "榆阳区鱼河镇党委" in names

    # Rounds over two years, each as far as its stage.
    today = office_today()
    named = round_names(today)
    rounds = {r["name"]: r for r in api.get("/rounds")["items"]}
    assert set(rounds) == set(named.values())
    inspections = api.get("/inspections", limit=100)["items"]
    assert [row for row in inspections if ID_LIKE.search(row["organization_name"])] == []
    by_round: dict[str, set[str]] = {}
    ids = {r["round_id"]: r["name"] for r in rounds.values()}
    for row in inspections:
        by_round.setdefault(ids[row["round_id"]], set()).add(row["stage"])
    stages = {named[r.key]: r.stage for r in ROUNDS}
    assert by_round[named["first"]] == {"closed"}
    assert rounds[named["first"]]["stage"] == "closed"
    assert by_round[named["second"]] == by_round[named["special"]] == {"rectifying"}
    assert by_round[named["third"]] == {"report_approved"}
    assert by_round[named["next"]] == {stages[named["next"]]}
    stationed = sorted(row["stationed_on"] for row in inspections if row["stationed_on"])
    assert (today - datetime.fromisoformat(stationed[0]).date()).days > 600
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

    # Fieldwork: petitions and signed interviews in every round that has been stationed.
    boards = {r["name"]: r for r in api.get("/dashboards/rounds")["items"]}
    for key in ("first", "second", "special", "third"):
        board = boards[named[key]]
        assert board["petitions_received"] > 0, board
        assert board["interview_records_signed"] == board["interviews_held"] > 0, board

    # Problems worded as a report words them, across the four categories of 四个落实.
    items = api.get("/rectification-items", limit=500)["items"]
    assert [i["problem"] for i in items if ID_LIKE.search(i["problem"])] == []
    assert len({i["problem"] for i in items}) >= 12
    findings = audit(api, "finding.drafted")
    assert {f["content"]["taxonomy_version"] for f in findings} == {"four-implementations-2022"}
    tagged = {tag for f in findings for tag in f["content"]["tags"]}
    assert tagged == {PARTY_LINE, STRICT_GOVERNANCE, ORGANIZATIONAL_LINE, RECTIFICATION}

    # Rectification: a spread of rates, aging and all three colours.
    board = api.get("/dashboards/rectification")["totals"]
    assert 0 < board["on_time_rate"] < 1
    assert 0 < board["closed_on_time"] < board["closed"] < board["total"]
    assert 0 < board["completion_rate"] < 1
    assert min(board["red"], board["yellow"], board["green"]) > 0
    assert board["long_term"] > 0
    aging = ["not_overdue", "overdue_1_30", "overdue_31_90", "overdue_91_180"]
    assert sum(1 for bucket in aging if board[bucket] > 0) >= 3
    closed_on = {i["closed_on"][:7] for i in items if i["closed_on"]}
    assert len(closed_on) >= 6  # closures spread over months, not all on the run day

    # Items open on the day their plan was accepted, over the two years: the overview's trend
    # counts, per month, the items of the acceptances the log dates in that month.
    acceptances = audit(api, "inspection.rectification_plan_accepted")
    expected: dict[str, int] = {}
    for accepted in acceptances:
        month = accepted["accepted_on"][:7]
        expected[month] = expected.get(month, 0) + len(accepted["item_ids"])
    trend = api.get("/dashboards/rectification/trend", months=120)
    opened = {m["month"]: m["opened"] for m in trend["months"] if m["opened"]}
    assert opened == expected
    assert trend["totals"]["opened"] == len(items) == sum(expected.values())
    assert len(opened) >= OPENING_MONTHS, opened
    assert {i["opened_on"][:7] for i in items} == set(expected)
    first, last = (datetime.strptime(m, "%Y-%m") for m in (min(opened), max(opened)))
    assert (last.year - first.year) * 12 + last.month - first.month >= 12  # over the two years

    # Leads: every 处置方式, several 四种形态 levels, acknowledgement lags of days.
    leads = api.get("/dashboards/leads")["totals"]
    assert all(leads["dispositions"].get(d.value, 0) > 0 for d in Disposition)
    assert sum(1 for level in "1234" if leads["four_forms"].get(level, 0) > 0) >= 3
    lag = leads["acknowledgement"]
    assert 1 <= lag["average_days"] <= 10
    assert lag["max_days"] > lag["p50_days"]
    assert 0 < leads["disposal_rate"] < 1

    # Coverage of the term: inspected, scheduled and still due.
    (term,) = api.get("/coverage/terms")["items"]
    assert term["inspected"] > 0
    assert term["scheduled"] > 0
    assert term["due"] > 0

    try:
        load(container.app, seed=7, progress=Progress(1, out=io.StringIO()))
        raise AssertionError("a second load must be refused")
    except AlreadyLoaded:
        pass


def test_the_same_seed_gives_the_same_records(
    database_url: str, pg_server: str, template_database: str
) -> None:
    first, _ = load_into(database_url, seed=3)
    first.close()
    other = database_url.replace("dbname=", "dbname=x")
    with psycopg.connect(pg_server, autocommit=True) as conn:
        name = psycopg.conninfo.conninfo_to_dict(other)["dbname"]
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"')  # type: ignore[arg-type]
    try:
        second, _ = load_into(other, seed=3)
        second.close()
        assert records(database_url) == records(other)
    finally:
        with psycopg.connect(pg_server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]

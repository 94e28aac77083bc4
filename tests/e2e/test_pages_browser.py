"""The pages in a real browser: Debian's `chromium` driven by Playwright (`executable_path`),
against `xuncha serve`'s app on a real PostgreSQL with the demo loaded.

Figures are read from the page's DOM and compared with the API's answers for the same reader.
Screenshots of every page in both languages are written under the pytest basetemp
(`<basetemp>/screenshots/`).
"""

from __future__ import annotations

import io
import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from uuid import uuid4

import httpx
import psycopg
import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright
from psycopg.conninfo import make_conninfo
from psycopg.sql import SQL, Identifier

from xuncha.api.cli.demo import Progress, load
from xuncha.api.cli.main import main
from xuncha.api.container import build
from xuncha.api.http.app import create_app
from xuncha.api.http.auth import mint
from xuncha.api.settings import Settings
from xuncha.api.workers.checkpoints import load_key
from xuncha.events.base import Role
from xuncha.events.office_day import CHINA_STANDARD_TIME, office_today

pytestmark = pytest.mark.integration

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PAGES = ("overview", "rectification", "round", "leads", "results", "inspectors", "audit")
OFFICE = ("office-demo", Role.INSPECTION_OFFICE, "org-xcb")
DASHBOARD = ("dashboard-demo", Role.DASHBOARD_READER, "org-swb")
AUDITOR = ("auditor-demo", Role.AUDITOR, "org-audit")


class Server:
    """The app served by uvicorn on a free port, in a thread (as `xuncha serve` does)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.container = build(settings, settings.database_url)
        self.container.runner.start_thread()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        config = uvicorn.Config(
            create_app(self.container), host="127.0.0.1", port=self.port, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.container.close()

    def token(self, who: tuple[str, Role, str]) -> str:
        return mint(self.settings, user_id=who[0], role=who[1], organization_id=who[2])

    def get(self, who: tuple[str, Role, str], path: str, **params: Any) -> Any:
        head = self.container.store.head()
        answer = httpx.get(
            self.url + path,
            params={**params, "min_position": head},
            headers={"Authorization": f"Bearer {self.token(who)}"},
            timeout=30,
        )
        return answer

    def command(self, who: tuple[str, Role, str], path: str, body: Any) -> Any:
        answer = httpx.post(
            self.url + path,
            json=body,
            headers={"Authorization": f"Bearer {self.token(who)}"},
            timeout=30,
        )
        assert answer.status_code < 300, answer.text
        return answer.json()


@pytest.fixture(scope="module")
def server(
    pg_server: str, template_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    name = f"xt_{uuid4().hex[:16]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(
            SQL("CREATE DATABASE {} TEMPLATE {}").format(
                Identifier(name), Identifier(template_database)
            )
        )
    url = make_conninfo(pg_server, dbname=name)
    settings = Settings(
        database_url=url,
        api_threads=8,
        read_wait_max_seconds=20,
        position_stream_seconds=30,
        rate_limit_burst=10_000,
        rate_limit_per_second=10_000,
        checkpoint_key_file=tmp_path_factory.mktemp("keys") / "checkpoint-key.pem",
    )
    served = Server(settings)
    load(served.container.app, seed=7, progress=Progress(1, out=io.StringIO()))
    served.start()
    head = served.container.store.head()
    assert served.get(OFFICE, "/dashboards/rounds").status_code == 200
    assert head > 0
    yield served
    served.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.getbasetemp() / "screenshots"
    folder.mkdir(exist_ok=True)
    return folder


class Watched:
    """A browser page that records console errors and failed requests."""

    def __init__(self, browser: Browser, base: str, lang: str | None = "zh") -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        if lang:  # otherwise the page's own default and memory
            self.context.add_init_script(f"localStorage.setItem('xuncha.lang', '{lang}')")
        self.page: Page = self.context.new_page()
        self.base = base
        self.errors: list[str] = []
        self.failed: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", self._failed)
        self.page.on(
            "response",
            lambda r: self.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )

    def _failed(self, request: Any) -> None:
        # The positions stream is aborted on purpose when the page leaves.
        if "positions/stream" not in request.url:
            self.failed.append(f"failed {request.url} {request.failure}")

    def sign_in(self, user_id: str) -> None:
        self.page.goto(self.base + "/")
        self.page.select_option("#user", user_id)
        self.page.click("form button[type=submit]")
        self.page.wait_for_selector("#main[data-rendered]")

    def open(self, hash_: str) -> None:
        before = self.page.get_attribute("#main", "data-rendered")
        if self.page.evaluate("location.hash") == hash_:
            before = None  # already there: no new render comes
        self.page.evaluate(f"location.hash = {hash_!r}")
        self.page.wait_for_function(
            "([b, h]) => document.querySelector('#main').dataset.rendered !== b"
            " && document.querySelector('#main').dataset.hash === h",
            arg=[before, hash_],
        )

    def text(self, selector: str) -> str:
        return self.page.inner_text(selector).strip()

    def close(self) -> None:
        self.context.close()


def pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def test_every_page_renders_in_both_languages_without_errors(
    server: Server, browser: Browser, shots: Path
) -> None:
    for lang in ("zh", "en"):
        watched = Watched(browser, server.url, lang)
        watched.sign_in("office-demo")
        for name in PAGES:
            watched.open(f"#/{name}")
            assert watched.page.locator("#main h2").count() >= 1
            assert watched.page.locator("#main .refused").count() == 0, name
            watched.page.screenshot(path=str(shots / f"{name}-{lang}.png"), full_page=True)
        watched.close()
        assert (watched.errors, watched.failed) == ([], [])


MEASURE = """() => {
  const mark = (n) => performance.getEntriesByName(n)[0].startTime;
  const bytes = performance.getEntriesByType("resource").concat(
    performance.getEntriesByType("navigation")).reduce((s, e) => s + e.encodedBodySize, 0);
  return { first_chart_ms: mark("first-chart") - mark("signed-in"), bytes };
}"""


def test_overview_figures_equal_the_api_answers(
    server: Server, browser: Browser, shots: Path
) -> None:
    watched = Watched(browser, server.url)
    watched.sign_in("office-demo")
    watched.open("#/overview")
    measured = watched.page.evaluate(MEASURE)
    (shots / "overview-timing.json").write_text(json.dumps(measured))
    assert measured["bytes"] > 1_000_000  # ECharts is served by Xuncha itself
    totals = server.get(OFFICE, "/dashboards/rectification", limit=1).json()["totals"]
    for figure in ("total", "closed", "red", "yellow", "green"):
        assert watched.text(f"#rect-totals [data-figure={figure}]") == str(totals[figure])
    assert watched.text("#rect-totals [data-figure=completion_rate]") == pct(
        totals["completion_rate"]
    )
    assert watched.text("#rect-totals [data-figure=on_time_rate]") == pct(totals["on_time_rate"])
    leads = server.get(OFFICE, "/dashboards/leads", limit=100).json()["rounds"]["items"]
    shown = watched.page.locator("#open-leads [data-figure=open]").all_inner_texts()
    assert shown == [str(r["open"]) for r in leads]
    trend = server.get(OFFICE, "/dashboards/rectification/trend").json()["months"]
    assert trend, "the demo has rectification items"
    opened = watched.page.locator("#trend [data-figure=opened]").all_inner_texts()
    assert opened == [str(m["opened"]) for m in trend]
    rounds = server.get(OFFICE, "/dashboards/rounds", limit=100).json()["items"]
    in_progress = [r["round_id"] for r in rounds if r["stage"] != "closed"]
    rows = watched.page.locator("#rounds-in-progress tbody tr")
    assert [rows.nth(i).get_attribute("data-round") for i in range(rows.count())] == in_progress
    watched.close()
    assert watched.errors == []


OVERVIEW_QUERIES = (
    "/dashboards/rounds",
    "/coverage/terms",
    "/dashboards/rectification",
    "/dashboards/leads",
    "/dashboards/rectification/trend",
)


def test_signing_in_renders_the_overview_once_and_asks_each_query_once(
    server: Server, browser: Browser
) -> None:
    watched = Watched(browser, server.url)
    asked: list[str] = []
    watched.page.on("request", lambda r: asked.append(urlparse(r.url).path))
    watched.sign_in("office-demo")
    watched.page.wait_for_timeout(1_000)  # a second render, if one started, has asked by now
    assert watched.page.evaluate("location.hash") == "#/overview"
    assert watched.page.get_attribute("#main", "data-rendered") == "1"
    assert [p for p in asked if p in OVERVIEW_QUERIES] == list(OVERVIEW_QUERIES)
    asked.clear()
    watched.page.click("#signout")
    watched.page.wait_for_selector("#user")
    watched.page.wait_for_timeout(1_000)
    assert asked.count("/dev/sign-in") == 1  # one sign-in form, not two
    assert watched.page.evaluate("location.hash") == ""
    watched.close()
    assert (watched.errors, watched.failed) == ([], [])


def test_a_principal_sees_only_the_items_of_its_organization(
    server: Server, browser: Browser, shots: Path
) -> None:
    inspections = server.get(OFFICE, "/inspections", limit=200).json()["items"]
    organization = next(i for i in inspections if i["items_total"] > 0)["organization_id"]
    principal = (f"principal-{organization}", Role.INSPECTED_ORG_PRINCIPAL, organization)
    watched = Watched(browser, server.url)
    watched.sign_in(principal[0])
    watched.open("#/rectification")
    watched.page.screenshot(path=str(shots / "rectification-principal-zh.png"), full_page=True)
    rows = watched.page.locator("#ledger tbody tr")
    orgs = {rows.nth(i).get_attribute("data-organization") for i in range(rows.count())}
    assert orgs == {organization}
    total = server.get(principal, "/rectification-items", limit=500).json()["total"]
    everyone = server.get(OFFICE, "/rectification-items", limit=1).json()["total"]
    assert rows.count() == total < everyone
    # The dashboards are not the principal's: the page says why, in Chinese.
    assert "无权查看" in watched.text("#main section .refused")
    watched.close()


def test_a_dashboard_reader_sees_figures_but_no_record(server: Server, browser: Browser) -> None:
    watched = Watched(browser, server.url)
    watched.sign_in("dashboard-demo")
    watched.open("#/overview")
    totals = server.get(DASHBOARD, "/dashboards/rectification", limit=1).json()["totals"]
    assert watched.text("#rect-totals [data-figure=total]") == str(totals["total"])
    item = server.get(OFFICE, "/rectification-items", limit=1).json()["items"][0]
    watched.open(f"#/rectification/item/{item['item_id']}")
    refused = watched.page.locator("#main .refused")
    assert refused.get_attribute("data-status") == "403"
    assert "无权查看" in refused.inner_text()
    assert watched.page.locator("#history").count() == 0
    watched.open("#/audit")
    assert watched.page.locator("#main .refused").get_attribute("data-status") == "403"
    assert watched.page.locator("#audit-trail").count() == 0
    watched.close()


def _labels(page: Page) -> list[str]:
    return page.locator(
        "[data-t], #nav a, #main h2, #main h3, #main th, #main .card .k, #lang"
    ).all_inner_texts()


def test_the_language_toggle_changes_every_label_and_is_remembered(
    server: Server, browser: Browser
) -> None:
    watched = Watched(browser, server.url, lang=None)
    watched.sign_in("office-demo")  # the first visit: Chinese by default
    assert watched.text("#nav a[data-page=overview]") == "总览"
    for name in ("overview", "rectification"):
        watched.open(f"#/{name}")
        chinese = _labels(watched.page)
        before = watched.page.get_attribute("#main", "data-rendered")
        watched.page.click("#lang")
        watched.page.wait_for_function(
            "b => document.querySelector('#main').dataset.rendered !== b", arg=before
        )
        english = _labels(watched.page)
        assert len(chinese) == len(english) > 10
        same = [(zh, en) for zh, en in zip(chinese, english, strict=True) if zh == en]
        assert same == [], same
        before = watched.page.get_attribute("#main", "data-rendered")
        watched.page.click("#lang")
        watched.page.wait_for_function(
            "b => document.querySelector('#main').dataset.rendered !== b", arg=before
        )
    watched.page.click("#lang")
    watched.page.reload()  # the token is gone (memory only), the language stays
    watched.page.wait_for_selector("#user")
    assert watched.text("#signin-h") == "Sign in"
    assert watched.page.evaluate("Object.keys(localStorage)") == ["xuncha.lang"]
    watched.close()


def test_the_audit_page_exports_the_filtered_trail(server: Server, browser: Browser) -> None:
    watched = Watched(browser, server.url)
    watched.sign_in("auditor-demo")
    watched.open("#/audit?type=rectification.item_closed")
    shown = watched.page.locator("#audit-trail tbody tr").count()
    watched.page.fill("#export-reason", "年度检查")
    with watched.page.expect_download() as downloaded:
        watched.page.click("#export button[type=submit]")
    rows = Path(downloaded.value.path()).read_text().splitlines()
    assert 0 < shown == min(len(rows), 200)  # the page shows the first 200
    assert {json.loads(r)["type"] for r in rows} == {"rectification.item_closed"}
    watched.close()
    assert watched.errors == []


def test_time_travel_shows_the_state_the_api_gives(server: Server, browser: Browser) -> None:
    item = server.get(OFFICE, "/rectification-items", limit=1).json()["items"][0]
    history = server.get(AUDITOR, f"/history/{item['item_id']}", limit=500).json()["items"]
    assert len(history) >= 2
    first = datetime.fromisoformat(history[0]["occurred_at"])
    at = (first + timedelta(microseconds=1)).astimezone(UTC)
    at_text = at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    expected = server.get(AUDITOR, f"/history/{item['item_id']}/state", at=at_text).json()
    watched = Watched(browser, server.url)
    watched.sign_in("auditor-demo")
    watched.open(f"#/audit/{item['item_id']}/{at_text}")
    assert watched.text("#state-version [data-figure=version]") == str(expected["version"])
    assert watched.text("#state") == _pretty(expected["state"])
    watched.close()
    assert watched.errors == []


def _office_time(value: str) -> str:
    """How the page writes a moment in Chinese: China Standard Time, to the minute."""
    at = datetime.fromisoformat(value).astimezone(CHINA_STANDARD_TIME)
    return f"{at.year}年{at.month}月{at.day}日 {at:%H:%M}"


def test_the_audit_page_shows_the_log_integrity_the_api_gives(
    server: Server, browser: Browser, monkeypatch: pytest.MonkeyPatch, shots: Path
) -> None:
    load_key(server.settings)
    monkeypatch.setenv("XUNCHA_DATABASE_URL", server.settings.database_url or "")
    monkeypatch.setenv("XUNCHA_CHECKPOINT_KEY_FILE", str(server.settings.checkpoint_key_path))
    assert main(["checkpoint"]) == 0
    assert main(["verify-log"]) == 0
    watched = Watched(browser, server.url)
    watched.sign_in("auditor-demo")
    watched.open("#/audit")
    watched.page.screenshot(path=str(shots / "audit-integrity-zh.png"), full_page=True)
    answer = server.get(AUDITOR, "/audit/log-integrity").json()
    run, checkpoint = answer["latest_verification"], answer["last_checkpoint"]
    assert answer["state"] == "ok"
    state = watched.page.locator("#log-integrity-state")
    assert state.get_attribute("data-state") == "ok"
    assert "完好" in state.inner_text()  # in words, not only green

    def figure(name: str) -> str:
        return watched.text(f"#log-integrity [data-figure={name}]")

    assert figure("head_position") == str(answer["head_position"])
    assert figure("verified_through") == str(run["through_position"])
    assert figure("verified_events") == str(run["events"])
    assert figure("checkpoints_verified") == str(run["checkpoints_verified"]) == "1"
    assert figure("unverified_events") == str(answer["unverified_events"])
    assert figure("verification").startswith("完好")
    assert "全量校验" in figure("verification")
    assert figure("checkpoint_position") == str(checkpoint["position"])
    assert figure("checkpoint_tree_size") == str(checkpoint["tree_size"])
    assert figure("checkpoint_key") == checkpoint["key_id"] == answer["checkpoint_key_id"]
    assert figure("checkpoint_signature").startswith("有效")
    assert figure("checkpoint_link") == checkpoint["link"]
    assert watched.page.locator("#log-integrity [data-figure=first_bad_position]").count() == 0
    for name, value in (
        ("last_verified", run["finished_at"]),
        ("last_full_verified", answer["latest_full_verification"]["finished_at"]),
        ("checkpoint_signed_at", checkpoint["signed_at"]),
    ):
        shown = watched.page.locator(f"#log-integrity [data-figure={name}] time")
        assert shown.get_attribute("datetime") == value
        assert shown.inner_text() == _office_time(value)
    watched.close()
    assert (watched.errors, watched.failed) == ([], [])


def _pretty(state: Any) -> str:
    return json.dumps(state, indent=2, ensure_ascii=False)


def test_a_page_opened_before_a_command_shows_its_effect_without_a_reload(
    server: Server, browser: Browser
) -> None:
    watched = Watched(browser, server.url)
    watched.sign_in("office-demo")
    watched.open("#/overview")
    rows = watched.page.locator("#rounds-in-progress tbody tr")
    before = rows.count()
    today = office_today()
    created = server.command(
        OFFICE,
        "/rounds",
        {
            "jurisdiction_id": "yulin",
            "committee": "中共榆林市委",
            "name": "浏览器测试轮次",
            "round_type": "regular",
            "planned_start": str(today + timedelta(days=400)),
            "planned_end": str(today + timedelta(days=500)),
        },
    )
    round_id = created["created_id"]
    watched.page.wait_for_selector(
        f"#rounds-in-progress tr[data-round='{round_id}']", timeout=20_000
    )
    assert rows.count() == before + 1
    assert watched.page.evaluate("performance.getEntriesByType('navigation').length") == 1
    watched.close()


def office_date(iso: str) -> str:
    """A day as the round page writes it in Chinese: 2026年2月20日."""
    year, month, day = (int(part) for part in iso.split("-"))
    return f"{year}年{month}月{day}日"


def test_the_round_pages_stage_timeline_shows_the_days_the_api_gives(
    server: Server, browser: Browser, shots: Path
) -> None:
    rounds = server.get(DASHBOARD, "/dashboards/rounds", limit=100).json()["items"]
    closed = next(r for r in rounds if r["stage"] == "closed")
    board = server.get(DASHBOARD, f"/dashboards/rounds/{closed['round_id']}", limit=100).json()
    lines = [i for g in board["groups"]["items"] for i in g["inspections_detail"]]
    assert len(lines) > 3
    assert all(i["stages"][0]["stage"] == "planned" for i in lines)
    assert {s["dated_by"] for i in lines for s in i["stages"]} == {"fact", "recorded"}
    labels = {
        (entry["name"], v["value"]): v["zh"]
        for entry in server.get(DASHBOARD, "/vocabulary").json()["items"]
        for v in entry["values"]
    }
    watched = Watched(browser, server.url)
    watched.sign_in("dashboard-demo")
    watched.open(f"#/round/{closed['round_id']}")
    page = watched.page
    assert page.locator("#stage-timeline .tl-row").count() == len(lines)
    for line in lines:
        expected = [(s["stage"], s["entered_on"], s["dated_by"]) for s in line["stages"]]
        segments = page.locator(
            f"#stage-timeline .tl-row[data-inspection='{line['inspection_id']}'] li"
        )
        drawn = segments.evaluate_all(
            "nodes => nodes.map(n => [n.dataset.stage, n.dataset.enteredOn, n.dataset.datedBy])"
        )
        assert [tuple(d) for d in drawn] == expected
        # Each segment says its stage, its day and what the day is, in words (what a screen
        # reader reads): 已进驻：2025年1月15日（事实日期）.
        said = segments.all_text_contents()
        assert said == [
            f"{labels['inspection_stage', s]}：{office_date(d)}（{labels['stage_dated_by', by]}）"
            for s, d, by in expected
        ]
        rows = page.locator(f"#stage-timeline tbody[data-inspection='{line['inspection_id']}'] tr")
        shown = rows.evaluate_all(
            "rows => rows.map(r => [r.dataset.stage, r.querySelector('.entered-on').textContent])"
        )
        assert [tuple(r) for r in shown] == [(s, office_date(d)) for s, d, _ in expected]
    # Drawn in order along the axis, none of negative length: a day recorded after a later
    # stage's day of fact is drawn up to that stage only.
    boxes = page.locator("#stage-timeline .tl-track").evaluate_all(
        "tracks => tracks.map(t => [...t.children].map(n => [n.offsetLeft, n.offsetWidth]))"
    )
    assert len(boxes) == len(lines)
    for row in boxes:
        lefts = [left for left, _ in row]
        assert lefts == sorted(lefts)
        assert min(width for _, width in row) >= 3
    # Closed: the last segment of each row is a mark on its closing day, not a bar to today.
    widths = page.locator("#stage-timeline .tl-row li[data-stage=closed]").evaluate_all(
        "nodes => nodes.map(n => n.getBoundingClientRect().width)"
    )
    assert len(widths) == len(lines)
    assert max(widths) <= 4
    # By keyboard: each row is a stop that names its organization, and the table opens.
    first = page.locator("#stage-timeline .tl-track").first
    first.focus()
    assert lines[0]["organization_name"] in (first.get_attribute("aria-label") or "")
    summary = page.locator("#stage-timeline details summary").first
    summary.focus()
    page.keyboard.press("Enter")
    assert page.locator("#stage-timeline details").first.get_attribute("open") is not None
    assert page.locator("#stage-timeline details table").first.is_visible()
    page.screenshot(path=str(shots / "round-timeline-zh.png"), full_page=True)
    timeline = page.locator("#stage-timeline figure").first
    timeline.screenshot(path=str(shots / "round-timeline-group-zh.png"))
    watched.close()
    assert (watched.errors, watched.failed) == ([], [])

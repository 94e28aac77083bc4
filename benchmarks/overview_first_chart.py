"""Time to the first chart and page weight of the overview page, in chromium, on the demo and on
a log of N events, against a static page of the same weight drawn in the same run.

Run by hand: `.venv/bin/python benchmarks/overview_first_chart.py [--events N] [--runs N]`
(see benchmarks/README.md). For each database (the demo through the commands; then the log of
N events built as `read_model_rebuild.py` builds it) it rebuilds every read model, serves the
app with uvicorn in a thread (as `xuncha serve` does), signs in through the development
sign-in as the inspection office in Debian's chromium (Playwright, `executable_path`) and
measures, per visit: the shell's load to the sign-in form, the sign-in to the first chart
drawn, the bytes transferred by kind and each API answer's time as the browser saw it.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import socket
import statistics
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import psycopg
import uvicorn
from playwright.sync_api import Browser, Page, Response, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from read_model_rebuild import Rebuilt, build_log, rebuild_all

from support import database, log, out
from xuncha.api.cli.demo import Progress, load
from xuncha.api.container import build
from xuncha.api.http.app import create_app
from xuncha.api.settings import Settings
from xuncha.events.base import Role
from xuncha.projections import tracking

CHROMIUM = "/usr/bin/chromium"  # Debian's; never a downloaded browser
READER = ("office-demo", Role.INSPECTION_OFFICE)  # the overview's reader (docs/pages.md)
ECHARTS = "/static/echarts.min.js"
HEALTH_FETCHES = 5  # GET /healthz from the page after each visit: the per-request baseline

# Installed in every page before its own scripts. Marks, on the page's performance timeline:
# `form-shown` when the development sign-in's user list appears, `submitted` when the form is
# submitted, and `chart-drawn` at the first DOM change after which a chart's canvas
# (`[data-chart] canvas`) holds a drawn (non-transparent) pixel, read back with getImageData.
# The pages draw every chart of a render in one task (app.js, `render`), so `chart-drawn` is
# after ECharts has drawn them; the app's own `first-chart` mark is just before the first
# `echarts.init` (what tests/e2e/test_pages_browser.py reads).
OBSERVE = """(() => {
  const marked = (n) => performance.getEntriesByName(n).length > 0;
  const drawn = () => {
    for (const canvas of document.querySelectorAll("[data-chart] canvas")) {
      if (!canvas.width || !canvas.height) continue;
      const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 3; i < data.length; i += 4) if (data[i]) return true;
    }
    return false;
  };
  const watch = new MutationObserver(() => {
    if (!marked("form-shown") && document.getElementById("user")) performance.mark("form-shown");
    if (!marked("chart-drawn") && drawn()) {
      performance.mark("chart-drawn");
      watch.disconnect();
    }
  });
  watch.observe(document, { childList: true, subtree: true });
  const submitted = () => marked("submitted") || performance.mark("submitted");
  document.addEventListener("submit", submitted, true);
})();"""

# The baseline: a static page of the overview's weight without an API call. The shell's own
# files (style, scripts: fetched, not run, so that no API call starts) and ECharts, served by
# Xuncha, then one chart of the overview's size drawn from constant data.
BASELINE_PATH = "/bench-baseline"
BASELINE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>baseline</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/style.css">
<link rel="preload" as="fetch" href="/static/app.js" crossorigin>
<link rel="preload" as="fetch" href="/static/pages.js" crossorigin>
<link rel="preload" as="fetch" href="/static/i18n.js" crossorigin>
<script src="/static/echarts.min.js" defer></script>
</head><body><main id="main"><div class="chart" data-chart="1" id="c"></div></main>
<script>
document.addEventListener("DOMContentLoaded", () => {
  const chart = echarts.init(document.getElementById("c"), null, { renderer: "canvas" });
  chart.setOption({ animation: false, tooltip: {}, xAxis: { type: "category",
    data: ["一", "二", "三"] }, yAxis: { type: "value" },
    series: [{ type: "bar", data: [3, 5, 2] }] });
});
</script></body></html>"""

COLLECT = """() => {
  const mark = (n) => performance.getEntriesByName(n)[0]?.startTime ?? null;
  const entries = performance.getEntriesByType("navigation")
    .concat(performance.getEntriesByType("resource"))
    .map((e) => ({ url: e.name, kind: e.initiatorType, start: e.startTime, end: e.responseEnd,
                   body: e.encodedBodySize, transfer: e.transferSize }));
  return { marks: { form: mark("form-shown"), submitted: mark("submitted"),
                    signed_in: mark("signed-in"), first_chart: mark("first-chart"),
                    drawn: mark("chart-drawn") }, entries };
}"""

# The overview's five queries again after the visit, one at a time (the page asks them at
# once), with the reader's token: what each costs without the others.
OVERVIEW_QUERIES = ("GET /dashboards/", "GET /coverage/")
ALONE = """async ([token, urls]) => {
  const times = {};
  for (const url of urls) {
    const started = performance.now();
    await (await fetch(url, { headers: { Authorization: "Bearer " + token } })).text();
    times[url] = performance.now() - started;
  }
  return times;
}"""

HEALTH = """async (n) => {
  for (let i = 0; i < n; i++) await (await fetch("/healthz?i=" + i, { cache: "no-store" })).text();
  await new Promise((resolve) => setTimeout(resolve, 50)); // the last entry is queued after
  return performance.getEntriesByType("resource").filter((e) => e.name.includes("/healthz?"))
    .map((e) => e.responseEnd - e.startTime);
}"""


class Served:
    """The app served by uvicorn on a free port, in a thread, with the projection runner
    running (as `xuncha serve`)."""

    def __init__(self, conninfo: str) -> None:
        self.settings = Settings(
            database_url=conninfo,
            api_threads=8,
            rate_limit_burst=100_000,
            rate_limit_per_second=100_000,
        )
        self.container = build(self.settings, conninfo)
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

    def __enter__(self) -> Served:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.container.close()


# ---- one visit ------------------------------------------------------------------------------


def kind_of(url: str) -> str:
    path = urlsplit(url).path
    if path == ECHARTS:
        return "ECharts"
    if path in ("/", BASELINE_PATH) or path.startswith("/static/"):
        return "own files"
    return "API answers"


def call_of(url: str, order: dict[str, int]) -> str:
    """An API answer's name: its path; the development sign-in is first listed (GET, by the
    shell) and then posted (POST, the sign-in); resource timing does not give the method."""
    path = urlsplit(url).path
    if path == "/dev/sign-in":
        order[path] = order.get(path, 0) + 1
        return "GET /dev/sign-in" if order[path] == 1 else "POST /dev/sign-in"
    return f"GET {path}"


@dataclass
class Visit:
    """What one visit measured, in ms from its navigation start, and bytes."""

    marks: dict[str, float | None]
    bytes: dict[str, int]  # encoded body bytes by kind
    transfer: int  # bytes on the wire, headers included (0 for what came from the cache)
    calls: dict[str, float]  # API answer -> ms from request start to response end
    answer_bytes: dict[str, int]  # API answer -> body bytes
    asked: dict[str, int]  # API answer -> how many times the page asked it
    alone: dict[str, float]  # the overview's queries again, one at a time, after the visit
    health: list[float]
    refused: list[str]  # answers with a status >= 400 (none expected)

    def span(self, start: str, end: str) -> float | None:
        a, b = self.marks.get(start), self.marks.get(end)
        return None if a is None or b is None else b - a


def visit(page: Page, base: str, path: str, sign_in: bool) -> Visit:
    refused: list[str] = []
    signed: list[Response] = []

    def answered(response: Response) -> None:
        if response.status >= 400:
            refused.append(f"{response.status} {urlsplit(response.url).path}")
        if response.request.method == "POST" and urlsplit(response.url).path == "/dev/sign-in":
            signed.append(response)

    page.on("response", answered)
    page.goto(base + path)
    if sign_in:
        page.select_option("#user", READER[0])
        page.click("form button[type=submit]")
    # The overview is rendered when every section has its answer (or its refusal); the charts
    # are drawn in the same task.
    done = "#main[data-rendered]" if sign_in else "[data-chart] canvas"
    page.wait_for_selector(done, timeout=600_000)
    # Without a chart drawn (a section refused) `drawn` stays unmarked; the report counts it.
    with suppress(PlaywrightTimeoutError):
        page.wait_for_function(
            "() => performance.getEntriesByName('chart-drawn').length > 0", timeout=5_000
        )
    page.remove_listener("response", answered)
    collected = page.evaluate(COLLECT)
    health = page.evaluate(HEALTH, HEALTH_FETCHES)
    sizes: dict[str, int] = defaultdict(int)
    calls: dict[str, float] = {}
    answer_bytes: dict[str, int] = {}
    asked: dict[str, int] = defaultdict(int)
    queries: dict[str, str] = {}  # the overview's queries: name -> URL as the page asked
    order: dict[str, int] = {}
    transfer = 0
    for entry in collected["entries"]:
        sizes[kind_of(entry["url"])] += int(entry["body"])
        transfer += int(entry["transfer"])
        if entry["kind"] == "fetch" and kind_of(entry["url"]) == "API answers":
            name = call_of(entry["url"], order)
            calls[name] = entry["end"] - entry["start"]
            answer_bytes[name] = int(entry["body"])
            asked[name] += 1
            if name.startswith(OVERVIEW_QUERIES):
                queries[name] = entry["url"]
    alone: dict[str, float] = {}
    if signed and queries:
        token = signed[0].json()["token"]
        timed = page.evaluate(ALONE, [token, list(queries.values())])
        alone = {name: timed[url] for name, url in queries.items()}
    marks = {"navigation": 0.0, **collected["marks"]}
    return Visit(
        marks, dict(sizes), transfer, calls, answer_bytes, dict(asked), alone, health, refused
    )


# ---- many visits ----------------------------------------------------------------------------


def p50_p95(samples: list[float]) -> tuple[float, float]:
    if not samples:
        return math.nan, math.nan
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


@dataclass
class Series:
    """The visits of one kind: the first of a new browser context (empty cache), or the second
    in the same context (a new navigation: every response of Xuncha says `no-store`, so it
    transfers everything again; the browser and its connections are warm)."""

    visits: list[Visit] = field(default_factory=list)

    def spans(self, start: str, end: str) -> list[float]:
        return [s for v in self.visits if (s := v.span(start, end)) is not None]

    def total(self) -> list[float]:
        """Navigation to the sign-in form, plus submitting it to the chart drawn: the time a
        reader waits, without the time the reader takes to choose and click."""
        return [
            a + b
            for v in self.visits
            if (a := v.marks.get("form")) is not None
            and (b := v.span("submitted", "drawn")) is not None
        ]


KINDS = ("baseline first", "baseline second", "first", "second")


def measure(browser: Browser, base: str, runs: int) -> dict[str, Series]:
    """`runs` rounds, after one warm-up round; each round opens a new browser context for the
    baseline page and one for the overview (so both see the same load), two visits each."""
    series = {kind: Series() for kind in KINDS}
    for run in range(runs + 1):
        for baseline in (True, False):
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.add_init_script("localStorage.setItem('xuncha.lang', 'zh')")
            context.add_init_script(OBSERVE)
            context.route(
                base + BASELINE_PATH,
                lambda route: route.fulfill(status=200, content_type="text/html", body=BASELINE),
            )
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))  # noqa: B023 (read below)
            path, prefix = (BASELINE_PATH, "baseline ") if baseline else ("/", "")
            first = visit(page, base, path, sign_in=not baseline)
            second = visit(page, base, path, sign_in=not baseline)
            context.close()
            if errors:
                raise RuntimeError(f"the page failed: {errors}")
            if run:
                series[prefix + "first"].visits.append(first)
                series[prefix + "second"].visits.append(second)
        log(f"  run {run}/{runs}" + (" (warm-up)" if not run else ""))
    return series


# ---- report ---------------------------------------------------------------------------------


def row(
    name: str, samples: list[float], baseline: float | None = None, alone: list[float] | None = None
) -> None:
    p50, p95 = p50_p95(samples)
    ratio = f"{p50 / baseline:>9.2f}" if baseline else f"{'':>9}"
    line = f"{name:<60} {p50:>8.0f} {p95:>8.0f} {ratio}"
    if alone:
        a50, a95 = p50_p95(alone)
        line += f" {a50:>9.0f} {a95:>8.0f} {a50 / baseline if baseline else math.nan:>9.2f}"
    out(line)


def report(name: str, series: dict[str, Series], runs: int) -> None:
    first, second = series["first"], series["second"]
    visits = first.visits + second.visits
    weight = first.visits[0]
    out()
    out(f"== {name}: page weight of a first visit (bytes of bodies; no compression)")
    for kind in ("ECharts", "own files", "API answers"):
        out(f"  {kind:<14} {weight.bytes.get(kind, 0):>12,}")
    for call, size in sorted(weight.answer_bytes.items(), key=lambda c: -c[1]):
        times = weight.asked[call]
        out(f"    {call:<38} {size:>10,}" + (f"  (asked {times} times)" if times > 1 else ""))
    out(
        f"  {'total':<14} {sum(weight.bytes.values()):>12,}   (on the wire with headers"
        f" {weight.transfer:,}; second visit {second.visits[0].transfer:,}; the positions"
        " stream stays open and is not counted)"
    )
    out()
    out(f"{name}: {runs} runs, ms{'':<46} {'p50':>8} {'p95':>8} {'vs base':>9}")
    for visit_, s in (("first", first), ("second", second)):
        base = series[f"baseline {visit_}"].spans("navigation", "drawn")
        row(f"baseline, {visit_} visit: static page, one chart: nav → drawn", base)
        row(f"overview, {visit_} visit: navigation → sign-in form", s.spans("navigation", "form"))
        row(f"overview, {visit_} visit: submit → first chart drawn", s.spans("submitted", "drawn"))
        row(
            f"overview, {visit_} visit: signed-in → first-chart mark",
            s.spans("signed_in", "first_chart"),
        )
        row(f"overview, {visit_} visit: total (form + submit → drawn)", s.total(), p50_p95(base)[0])
    undrawn = sum(1 for v in visits if v.marks.get("drawn") is None)
    refused = sorted({r for v in visits for r in v.refused})
    if undrawn or refused:
        out(f"visits without a chart drawn: {undrawn}; answers refused: {', '.join(refused)}")
    out()
    health = [h for v in visits for h in v.health]
    h50 = p50_p95(health)[0]
    out(f"{name}: API answers as the browser saw them (request start → response end), ms")
    out(
        f"{'answer (first and second visits)':<60} {'p50':>8} {'p95':>8} {'vs health':>9}"
        f" {'alone p50':>9} {'p95':>8} {'vs health':>9}"
    )
    row("GET /healthz (baseline: no database; 5 after each visit)", health)
    names = sorted({c for v in visits for c in v.calls})
    alone = {c: [v.alone[c] for v in visits if c in v.alone] for c in names}
    for call in names:
        row(call, [v.calls[call] for v in visits if call in v.calls], h50, alone[call])
    waited = [c for c in names if alone[c]]
    if waited:
        slowest = max(waited, key=lambda c: p50_p95(alone[c])[0])
        p50 = p50_p95(alone[slowest])[0]
        out(f"the overview's most costly query, alone: {slowest} (p50 {p50:.0f} ms)")


# ---- the run --------------------------------------------------------------------------------


def prepare(conninfo: str) -> None:
    """Rebuild every read model (the first rebuild is also the first build)."""
    settings = Settings(database_url=conninfo, api_threads=8)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        head = tracking.head(conn)

    def show(r: Rebuilt) -> None:
        log(f"  rebuilt {r.name}: {r.events:,} events in {r.seconds:.1f} s")

    started = time.perf_counter()
    rebuild_all(settings, conninfo, head, show)
    out(f"read models rebuilt in {time.perf_counter() - started:.0f} s")


def bench(browser: Browser, conninfo: str, name: str, runs: int) -> None:
    with Served(conninfo) as served:
        log(f"{name}: {runs} runs at {served.url}")
        series = measure(browser, served.url, runs)
    report(name, series, runs)


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=1_000_000, help="log size (default 1M)")
    parser.add_argument("--runs", type=int, default=10, help="visits of each kind")
    parser.add_argument("--skip-demo", action="store_true", help="only the log of N events")
    args = parser.parse_args()
    run_started = time.perf_counter()
    with chromium() as browser:
        out(f"chromium {browser.version}; {os.cpu_count()} CPUs; reader {READER[0]}")
        if not args.skip_demo:
            with database() as conninfo:
                log("the demo: loading it through the commands (seed 7)")
                container = build(Settings(database_url=conninfo), conninfo)
                commands = load(container.app, seed=7, progress=Progress(2000, out=io.StringIO()))
                container.close()
                with psycopg.connect(conninfo) as conn:
                    events = conn.execute("SELECT count(*) FROM stored_events").fetchone()
                out(f"demo: {commands} commands, {events[0] if events else '?'} events")
                prepare(conninfo)
                bench(browser, conninfo, "demo", args.runs)
        with database() as conninfo:
            started = time.perf_counter()
            build_log(Settings(database_url=conninfo, api_threads=8), conninfo, args.events)
            out(f"log built in {time.perf_counter() - started:.0f} s")
            prepare(conninfo)
            bench(browser, conninfo, f"{args.events:,} events", args.runs)
    out(f"the whole run took {time.perf_counter() - run_started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

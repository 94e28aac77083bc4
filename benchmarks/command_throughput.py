"""Command throughput of Xuncha's write side against what PostgreSQL itself allows (raw
psycopg inserts, one per transaction, with and without the append lock): the append protocol
before group commit (`serial_append.py`) and the product's (group commit), in one process and
over HTTP.

Run by hand: `.venv/bin/python benchmarks/command_throughput.py` (see benchmarks/README.md).
"""

from __future__ import annotations

import http.client
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import psycopg
from serial_append import SerialRecorder

from support import caught_up, database, log, quantile_ms, serve_process, target
from xuncha.api.container import make_store
from xuncha.api.database import make_recorder
from xuncha.api.http.auth import mint
from xuncha.api.settings import Settings
from xuncha.commands import feedback, finding, group, rectification, round
from xuncha.commands.base import Command
from xuncha.commands.eventstore.store import APPEND_LOCK, XunchaRecorder
from xuncha.commands.inspection import plan, preparation, report
from xuncha.commands.service import Application, CommandResult
from xuncha.events.base import Actor, Role
from xuncha.events.office_day import office_today

CLIENTS = (1, 16)
RAW_COUNT = {1: 6000, 16: 16000}  # commands per measured run: a few seconds each
APP_COUNT = {1: 2000, 16: 6000}
HTTP_COUNT = {1: 1000, 16: 3000}
WARMUP = 200
EVENTS_PER_ITEM = 5  # progress reports per rectification item: streams stay realistically short
ITEMS_PER_PLAN = 100  # far below where one command's events hang the insert (see README)
TARGET_ORG = "org-water-bureau"
Op = Callable[[int, int], Any]  # op(client, i) issues one command


def who(user_id: str, role: Role, organization_id: str = "org-xcb") -> Actor:
    return Actor(user_id=user_id, role=role, organization_id=organization_id)


OFFICE = who("office-1", Role.INSPECTION_OFFICE)
COMMITTEE = who("secretary-1", Role.COMMITTEE, "org-city-committee")
LEADING_GROUP = who("lg-1", Role.LEADING_GROUP, "org-leading-group")
LEADER = who("leader-1", Role.GROUP_LEADER)
DEPUTY = who("deputy-1", Role.DEPUTY_GROUP_LEADER)
MEMBER = who("member-1", Role.GROUP_MEMBER, "org-audit")
PRINCIPAL = who("principal-1", Role.INSPECTED_ORG_PRINCIPAL, TARGET_ORG)
LIAISON = who("liaison-1", Role.INSPECTED_ORG_LIAISON, TARGET_ORG)


def day(offset: int) -> str:
    return (office_today() + timedelta(days=offset)).isoformat()


ROUND = {"jurisdiction_id": "yulin", "committee": "中共榆林市委", "name": "第一轮巡察"}
ROUND |= {"round_type": "regular", "planned_start": day(-100), "planned_end": day(200)}
FINDING: dict[str, Any] = {"title": "Split procurement", "facts": "Three contracts"}
FINDING |= {"basis": "Tendering Law", "evidence_refs": ["doc-1"], "responsible_subject": "党组"}
FINDING |= {"taxonomy_version": "four-implementations-2022"}
# A stored state of about the size of a real `rectification.progress_reported` envelope.
RAW_STATE = json.dumps({"data": {"note": "已重新招标", "percent": 60}, "pad": "x" * 540}).encode()
RAW_TABLE = (
    "CREATE TABLE raw_events (originator_id uuid NOT NULL, originator_version bigint NOT NULL,"
    " topic text, state bytea, notification_id bigserial,"
    " PRIMARY KEY (originator_id, originator_version));"
    " CREATE UNIQUE INDEX raw_events_notification_id ON raw_events (notification_id)"
)
RAW_INSERT = (
    "INSERT INTO raw_events (originator_id, originator_version, topic, state)"
    " VALUES (%s, 1, 'rectification.progress_reported', %s) RETURNING notification_id"
)
RAW_LOCK = f"SELECT pg_advisory_xact_lock({APPEND_LOCK})"


@dataclass
class Run:
    scenario: str
    clients: int
    commands: int
    seconds: float
    latencies: list[float]  # sorted, seconds

    @property
    def rate(self) -> float:
        return self.commands / self.seconds

    def ms(self, quantile: float) -> float:
        return quantile_ms(self.latencies, quantile)


def timed(scenario: str, clients: int, count: int, op: Op) -> Run:
    """`count` commands split over `clients` threads that start together."""
    per, barrier = count // clients, threading.Barrier(clients)

    def client(c: int) -> tuple[float, float, list[float]]:
        barrier.wait()
        started, latencies = time.perf_counter(), []
        for i in range(per):
            sent = time.perf_counter()
            op(c, i)
            latencies.append(time.perf_counter() - sent)
        return started, time.perf_counter(), latencies

    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(client, range(clients)))
    seconds = max(r[1] for r in results) - min(r[0] for r in results)
    merged = sorted(x for r in results for x in r[2])
    return Run(scenario, clients, per * clients, seconds, merged)


@contextmanager
def raw_clients(conninfo: str, clients: int) -> Iterator[Op]:
    """One connection per client; each insert is its own (autocommit) transaction."""
    conns = [psycopg.connect(conninfo, autocommit=True) for _ in range(clients)]
    try:
        yield lambda c, i: conns[c].execute(RAW_INSERT, (uuid4(), RAW_STATE), prepare=True)
    finally:
        for conn in conns:
            conn.close()


@contextmanager
def locked_clients(conninfo: str, clients: int) -> Iterator[Op]:
    """One connection per client; each insert is its own transaction under the append lock,
    sent as one pipeline (BEGIN, lock, INSERT, COMMIT: one round trip)."""
    conns = [psycopg.connect(conninfo) for _ in range(clients)]

    def op(c: int, i: int) -> None:
        conn = conns[c]
        with conn.pipeline(), conn.transaction():
            conn.execute(RAW_LOCK, prepare=True)
            conn.execute(RAW_INSERT, (uuid4(), RAW_STATE), prepare=True)

    try:
        yield op
    finally:
        for conn in conns:
            conn.close()


def person(actor: Actor) -> dict[str, str]:
    return {"user_id": actor.user_id, "name": actor.user_id}


# Bodies of tests/support/lifecycle.py, shortened.
MEMBERS = [person(MEMBER), {"user_id": "m-2", "name": "赵"}, {"user_id": "m-3", "name": "钱"}]
GROUP = {"leader": person(LEADER), "deputies": [person(DEPUTY)], "members": MEMBERS}
GROUP |= {"window_start": day(-80), "window_end": day(-10)}
NOTICE = {"notice_date": day(-80), "planned_stationing_date": day(-70), "addressee": "书记"}
ANNOUNCE: dict[str, Any] = {"published_on": day(-75), "scope": "党组", "focus": "四个落实"}
ANNOUNCE |= {"period_start": day(-70)}
ANNOUNCE |= {"period_end": day(-40), "intake_deadline": day(-45), "contacts": {"mailbox": "001"}}


def open_items(app: Application, n: int, jurisdiction: str = "yulin") -> list[UUID]:
    """Drive one inspection through the real commands until its plan of `n` items is accepted,
    in a round of `jurisdiction` (without a registry there: any organization may be
    inspected)."""

    def run(command: type[Command], actor: Actor, **data: Any) -> CommandResult:
        return app.execute(command.model_validate(data), actor)

    round_id = run(
        round.ProposeRound, OFFICE, **ROUND | {"jurisdiction_id": jurisdiction}
    ).created_id
    run(round.ApproveRound, COMMITTEE, round_id=round_id)
    target = {"organization_id": TARGET_ORG, "organization_name": "水务局", "group_name": "一组"}
    inspection = run(round.PlanInspection, OFFICE, round_id=round_id, **target).created_id
    at = {"inspection_id": inspection}
    proposal = {"round_id": round_id, "name": "一组", "inspection_ids": [inspection]}
    proposal |= {"leader": GROUP["leader"], "deputies": GROUP["deputies"]}
    group_id = run(group.ProposeGroupLeadership, OFFICE, **proposal).created_id
    run(group.FormInspectionGroup, OFFICE, group_id=group_id, members=GROUP["members"])
    people = [GROUP["leader"], *GROUP["deputies"], *GROUP["members"]]
    for who in people:
        self_ = Actor(user_id=who["user_id"], role=Role.GROUP_MEMBER, organization_id="org-xcb")
        run(group.SubmitRecusalDeclaration, self_, group_id=group_id)
        run(group.SignConfidentialityPledge, self_, group_id=group_id, signed_on=day(-85))
    ids = [p["user_id"] for p in people]
    run(group.ClearRecusal, OFFICE, group_id=group_id, user_ids=ids)
    window = {"window_start": GROUP["window_start"], "window_end": GROUP["window_end"]}
    run(preparation.AuthorizeGroup, LEADING_GROUP, **at, group_id=group_id, **window)
    run(preparation.IssueInspectionNotice, OFFICE, **at, **NOTICE)
    run(preparation.PublishInspectionAnnouncement, OFFICE, **at, **ANNOUNCE)
    run(preparation.StationGroup, LEADER, **at, stationed_on=day(-70))
    finding_id = run(finding.DraftFinding, MEMBER, **at, content=FINDING).created_id
    run(finding.ReviewFinding, DEPUTY, finding_id=finding_id, meeting_ref="组务会")
    run(finding.ApproveFinding, LEADER, finding_id=finding_id)
    run(preparation.EndStationing, LEADER, **at, withdrawn_on=day(-40))
    run(report.DraftInspectionReport, LEADER, **at, summary="总体评价", finding_ids=[finding_id])
    run(report.ReviewReportByOffice, OFFICE, **at, report_version=1)
    run(report.DeliberateReport, LEADING_GROUP, **at, report_version=1)
    approval = {"report_version": 1, "approved_on": day(-30), "meeting": "书记专题会"}
    run(report.ApproveReport, COMMITTEE, **at, **approval)
    ledger = [{"item_no": 1, "problem": "违规拆分采购", "finding_ids": [finding_id]}]
    run(feedback.DraftFeedbackOpinion, LEADER, **at, opinion="整改意见", ledger=ledger)
    run(feedback.DeliverFeedback, LEADER, **at, delivered_on=day(-20))
    item = {"ledger_item_no": 1, "measures": "重新招标", "responsible_leader": "局长"}
    items = [{**item, "responsible_department": "财务科", "deadline": day(30)}] * n
    run(plan.SubmitRectificationPlan, PRINCIPAL, **at, items=items)
    accepted = run(plan.AcceptRectificationPlan, OFFICE, **at, plan_version=1)
    return [UUID(e.stream_id) for e in accepted.events if e.type == "rectification.item_opened"]


def progress_items(app: Application, clients: int, count: int) -> list[list[UUID]]:
    """Open items for `count` progress reports, each client's on its own inspections."""
    n = -(-(count // clients) // EVENTS_PER_ITEM)  # items per client
    sizes = [min(ITEMS_PER_PLAN, n - k) for k in range(0, n, ITEMS_PER_PLAN)]
    return [[i for size in sizes for i in open_items(app, size)] for _ in range(clients)]


def progress_op(app: Application, clients: int, count: int) -> Op:
    """ReportItemProgress on items of the client's own inspection, round robin."""
    items = progress_items(app, clients, count)

    def op(c: int, i: int) -> CommandResult:
        item_id = items[c][i % len(items[c])]
        command = rectification.ReportItemProgress(item_id=item_id, percent=i % 100, note="已招标")
        return app.execute(command, LIAISON)

    return op


def propose_op(app: Application, clients: int, count: int) -> Op:
    command = round.ProposeRound.model_validate(ROUND)
    return lambda c, i: app.execute(command, OFFICE)


def print_table(runs: list[Run]) -> None:
    raw = {r.clients: r.rate for r in runs if r.scenario.startswith("pg_limits: insert")}
    print(
        f"{'scenario':<44}{'clients':>8}{'commands':>10}{'seconds':>9}"
        f"{'commands/s':>12}{'vs raw':>8}{'p50 ms':>8}{'p99 ms':>8}"
    )
    for r in runs:
        print(
            f"{r.scenario:<44}{r.clients:>8}{r.commands:>10}{r.seconds:>9.2f}{r.rate:>12.0f}"
            f"{r.rate / raw[r.clients]:>7.2f}x{r.ms(0.5):>8.2f}{r.ms(0.99):>8.2f}"
        )


def print_ratios(runs: list[Run]) -> None:
    """Group commit against the serial protocol and against the locked-insert limit."""
    rate = {(r.scenario, r.clients): r.rate for r in runs}
    print()
    print(
        f"{'scenario':<34}{'clients':>8}{'serial/s':>10}{'group/s':>10}{'group/serial':>14}"
        f"{'group/locked':>14}"
    )
    for name in [n for n, _ in SCENARIOS] + [HTTP_SCENARIO]:
        for clients in CLIENTS:
            old, new = rate.get((f"{name}, serial", clients)), rate.get((f"{name}, group", clients))
            locked = rate[("pg_limits: locked insert, 1 event/tx", clients)]
            if old and new:
                print(
                    f"{name:<34}{clients:>8}{old:>10.0f}{new:>10.0f}{new / old:>13.2f}x"
                    f"{new / locked:>13.2f}x"
                )


SCENARIOS = (
    ("ReportItemProgress (append)", progress_op),
    ("ProposeRound (new stream)", propose_op),
)
HTTP_SCENARIO = "ReportItemProgress over HTTP"
PROTOCOLS: dict[str, type[XunchaRecorder]] = {"serial": SerialRecorder, "group": XunchaRecorder}


def in_process(conninfo: str, protocol: str, runs: list[Run]) -> None:
    recorder = make_recorder(conninfo, pool_size=max(CLIENTS))
    if protocol == "serial":
        recorder = SerialRecorder(recorder.datastore)
    store, _ = make_store(Settings(database_url=conninfo), recorder)  # seals recusals
    app = Application(store)
    try:
        for name, make in SCENARIOS:
            for clients in CLIENTS:
                log(f"{name}, {protocol}, {clients} clients: setting up")
                timed("warm-up", clients, WARMUP, make(app, clients, WARMUP))
                op = make(app, clients, APP_COUNT[clients])
                runs.append(timed(f"{name}, {protocol}", clients, APP_COUNT[clients], op))
    finally:
        recorder.datastore.close()


@contextmanager
def server(conninfo: str, protocol: str) -> Iterator[int]:
    """`xuncha serve` (API, projection runner; timers off) with the given append protocol;
    yields its port once it answers."""
    with serve_process(conninfo, protocol) as (port, _):
        yield port


def post_progress(
    conns: list[http.client.HTTPConnection], items: list[list[UUID]], headers: dict[str, str]
) -> Op:
    """POST /rectification-items/{id}/progress, each client on its own connection and items."""

    def op(c: int, i: int) -> None:
        item_id = items[c][i % len(items[c])]
        body = json.dumps({"percent": i % 100, "note": "已招标"})
        conns[c].request("POST", f"/rectification-items/{item_id}/progress", body, headers)
        response = conns[c].getresponse()
        answer = response.read()
        if response.status != 200:
            raise RuntimeError(f"{response.status}: {answer[:300]!r}")

    return op


def over_http(conninfo: str, protocol: str, runs: list[Run]) -> None:
    recorder = make_recorder(conninfo, pool_size=4)
    store, _ = make_store(Settings(database_url=conninfo), recorder)
    app = Application(store)
    items = {c: progress_items(app, c, HTTP_COUNT[c] + WARMUP) for c in CLIENTS}
    recorder.datastore.close()
    token = mint(
        Settings(),
        user_id=LIAISON.user_id,
        role=LIAISON.role,
        organization_id=LIAISON.organization_id,
    )
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    with server(conninfo, protocol) as port:
        for clients in CLIENTS:
            log(f"{HTTP_SCENARIO}, {protocol}, {clients} clients")
            caught_up(conninfo)
            conns = [http.client.HTTPConnection("127.0.0.1", port) for _ in range(clients)]
            op = post_progress(conns, items[clients], headers)
            timed("warm-up", clients, WARMUP, op)
            runs.append(timed(f"{HTTP_SCENARIO}, {protocol}", clients, HTTP_COUNT[clients], op))
            for conn in conns:
                conn.close()


def main() -> int:
    runs: list[Run] = []
    with database() as conninfo:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(RAW_TABLE)
            names = ("server_version", "fsync", "synchronous_commit")
            settings = [f"{n}={conn.execute(f'SHOW {n}').fetchall()[0][0]}" for n in names]
        for clients in CLIENTS:
            with raw_clients(conninfo, clients) as op:
                timed("warm-up", clients, WARMUP, op)
                runs.append(timed("pg_limits: insert, 1 event/tx", clients, RAW_COUNT[clients], op))
            with locked_clients(conninfo, clients) as op:
                timed("warm-up", clients, WARMUP, op)
                scenario = "pg_limits: locked insert, 1 event/tx"
                runs.append(timed(scenario, clients, RAW_COUNT[clients], op))
        for protocol in PROTOCOLS:
            in_process(conninfo, protocol, runs)
        if "--no-http" not in sys.argv:
            for protocol in PROTOCOLS:
                over_http(conninfo, protocol, runs)
        with psycopg.connect(conninfo) as conn:
            query = "SELECT avg(length(state))::int FROM stored_events WHERE topic = %s"
            row = conn.execute(query, ("rectification.progress_reported",)).fetchone()
    print(f"PostgreSQL {', '.join(settings)}; {os.cpu_count()} CPUs; ", end="")
    print(f"state bytes: raw {len(RAW_STATE)}, Xuncha progress {row[0] if row else '?'} (mean)")
    print_table(runs)
    print_ratios(runs)
    print_targets(runs)
    return 0


def print_targets(runs: list[Run]) -> None:
    """Target 2 (benchmarks/README.md, "Targets"): ReportItemProgress at 16 clients."""
    rate = {(r.scenario, r.clients): r.rate for r in runs}
    name, clients = "ReportItemProgress (append)", max(CLIENTS)
    group, serial = rate[(f"{name}, group", clients)], rate[(f"{name}, serial", clients)]
    locked = rate[("pg_limits: locked insert, 1 event/tx", clients)]
    print()
    figure = f"{name} in process, {clients} clients"
    args = {"value": group, "unit": "commands/s"}
    target(
        2,
        figure,
        **args,
        baseline=serial,
        baseline_name="serial protocol",
        goal=">= 3.0×",
        met=group >= 3 * serial,
    )
    target(
        2,
        figure,
        **args,
        baseline=locked,
        baseline_name="pg_limits locked insert",
        goal=">= 1.0×",
        met=group >= locked,
    )
    http_group = rate.get((f"{HTTP_SCENARIO}, group", clients))
    http_serial = rate.get((f"{HTTP_SCENARIO}, serial", clients))
    if http_group and http_serial:
        target(
            2,
            f"{HTTP_SCENARIO}, {clients} clients",
            value=http_group,
            unit="commands/s",
            baseline=http_serial,
            baseline_name="serial protocol",
            goal=">= 2.5×",
            met=http_group >= 2.5 * http_serial,
        )


if __name__ == "__main__":
    sys.exit(main())

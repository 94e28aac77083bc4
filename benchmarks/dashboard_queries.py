"""How long the dashboards take on a city-sized history (8 rounds of 250 inspections, 2,000,
each with 10 petitions, 4 interviews, 8 findings, 3 leads and 10 rectification items: 20,000
items), and on copies of that city up to `--items` rectification items (default 1,000,000).

The dashboard read models (round, rectification, lead) and the rectification ledger (behind
the monthly trend) are filled by their own handlers (`apply`) from synthetic events, untimed;
every dashboard query the HTTP API serves is then timed (p50 and p99 of up to `--runs` calls)
against a baseline in the same database: a primary-key lookup of one row. The read models are
then grown by copying their rows in SQL with new ids (each copy a new set of rounds,
organizations, inspections and their records, related as the handlers relate them), ANALYZEd,
and the queries are timed again; target 5 (every dashboard query p99 <= 50 ms at 1,000,000
items) is recorded for each. Run by hand:

    .venv/bin/python benchmarks/dashboard_queries.py                  # 1,000,000 items
    .venv/bin/python benchmarks/dashboard_queries.py --items 20000    # the city only
    .venv/bin/python benchmarks/dashboard_queries.py --explain        # plans of slow queries

It starts an embedded PostgreSQL (or uses XUNCHA_BENCH_DATABASE_URL, creating and dropping a
database `xbench_…` on it).
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, ClassVar
from uuid import UUID

import psycopg

import support
from support import Log, database, fill, log, out, quantile_ms, uid
from xuncha.events import finding as fd
from xuncha.events import inspection as ins
from xuncha.events import interview as iv
from xuncha.events import lead as ld
from xuncha.events import petition as pt
from xuncha.events import rectification as rect
from xuncha.events import reference as ref
from xuncha.events import round as rnd
from xuncha.events.values import PolicyRef, RoundType
from xuncha.projections import (
    lead_dashboard,
    rectification_dashboard,
    rectification_ledger,
    round_dashboard,
    taxonomy,
)
from xuncha.projections.base import Projection

ROUNDS = 8
PER_ROUND = 250
GROUPS_PER_ROUND = 10
PETITIONS, INTERVIEWS, FINDINGS, LEADS, ITEMS = 10, 4, 8, 3, 10
LEADERS = ("书记", "局长", "副局长", "主任")
SUPERVISORS = 20
DAY0 = date(2024, 1, 1)
AS_OF = date(2026, 6, 30)
CITY_ITEMS = ROUNDS * PER_ROUND * ITEMS


def scenario() -> Log:
    log = Log()
    policy = PolicyRef(jurisdiction_id="city", version=0, effective_from=DAY0)
    receiver = ld.ReceivingAuthority(
        channel=ld.LeadChannel.DISCIPLINE, organization_id="org-jw", name="市纪委监委"
    )
    for o in range(ROUNDS * PER_ROUND):
        org = f"org-{o:05d}"
        log.add(
            uid("jurisdiction"),
            ref.OrganizationRegistered(
                jurisdiction_id="city",
                organization_id=org,
                name=f"name {org}",
                organization_type=ref.OrganizationType.DEPARTMENT,
                supervising_department=f"supervisor-{o % SUPERVISORS}",
            ),
        )
    for r in range(ROUNDS):
        round_id = uid("round", r)
        start = DAY0 + timedelta(days=90 * r)
        log.add(
            round_id,
            rnd.RoundProposed(
                round_id=round_id,
                jurisdiction_id="city",
                committee="Committee",
                name=f"round {r}",
                round_type=RoundType.REGULAR,
                topic=None,
                planned_start=start,
                planned_end=start + timedelta(days=200),
            ),
        )
        for n in range(PER_ROUND):
            org = f"org-{r * PER_ROUND + n:05d}"
            iid = uid("inspection", r, n)
            log.add(
                iid,
                ins.InspectionPlanned(
                    inspection_id=iid,
                    round_id=round_id,
                    jurisdiction_id="city",
                    round_type=RoundType.REGULAR,
                    organization_id=org,
                    organization_name=f"name {org}",
                    group_name=f"group {n % GROUPS_PER_ROUND}",
                ),
            )
            log.add(iid, ins.GroupStationed(inspection_id=iid, stationed_on=start))
            inspection_events(log, round_id, iid, org, start, policy, receiver)
    return log


def inspection_events(
    log: Log,
    round_id: UUID,
    iid: UUID,
    org: str,
    start: date,
    policy: PolicyRef,
    receiver: ld.ReceivingAuthority,
) -> None:
    for p in range(PETITIONS):
        pid = uid("petition", iid, p)
        log.add(
            pid,
            pt.PetitionRegistered(
                petition_id=pid,
                inspection_id=iid,
                channel=pt.PetitionChannel.LETTER,
                received_on=start,
                anonymous=True,
                petitioner=None,
                content="[sealed]",
            ),
        )
        if p % 2 == 0:
            log.add(
                pid,
                pt.PetitionAssessedInScope(
                    petition_id=pid,
                    inspection_id=iid,
                    basis=pt.InScopeBasis.LEADERSHIP_TEAM,
                    disciplines=[pt.Discipline.POLITICAL],
                    meeting_id=uid("meeting", iid),
                ),
            )
    for v in range(INTERVIEWS):
        vid = uid("interview", iid, v)
        log.add(
            vid,
            iv.InterviewConducted(
                interview_id=vid,
                inspection_id=iid,
                interviewers=["a", "b"],
                category=iv.IntervieweeCategory.LEADERSHIP_TEAM,
                conducted_on=start,
                interviewee=iv.Interviewee(name="[sealed]", position="[sealed]"),
                record="[sealed]",
            ),
        )
    for f in range(FINDINGS):
        fid = uid("finding", iid, f)
        old = f % 4 == 0
        content = fd.FindingContent(
            title="t",
            facts="f",
            basis="b",
            evidence_refs=[],
            responsible_subject="s",
            taxonomy_version="three-problems-2017" if old else round_dashboard.CURRENT_TAXONOMY,
            tags=["党的建设缺失"] if old else [taxonomy.STRICT_GOVERNANCE],
        )
        log.add(fid, fd.FindingDrafted(finding_id=fid, inspection_id=iid, content=content))
        log.add(fid, fd.FindingApproved(finding_id=fid, inspection_id=iid, version=1))
    for n in range(LEADS):
        lid = uid("lead", iid, n)
        log.add(
            lid,
            ld.LeadRegistered(
                lead_id=lid,
                inspection_id=iid,
                round_id=round_id,
                jurisdiction_id="city",
                organization_id=org,
                subject_name="[sealed]",
                subject_position="[sealed]",
                management_level=ld.CadreLevel.CITY_MANAGED,
                allegation="[sealed]",
                sources=[],
                during_fieldwork=True,
            ),
        )
        transferred = start + timedelta(days=60)
        log.add(
            lid,
            ld.LeadTransferred(
                lead_id=lid,
                inspection_id=iid,
                receiver=receiver,
                package_ref="p",
                transferred_on=transferred,
                acknowledgement_due=transferred + timedelta(days=10),
                outcome_due=transferred + timedelta(days=90),
                policy=policy,
            ),
        )
        log.add(
            lid,
            ld.LeadAcknowledged(
                lead_id=lid,
                inspection_id=iid,
                receiver_organization_id="org-jw",
                receiver_case_no="c",
                acknowledged_on=transferred + timedelta(days=n * 3),
                on_time=True,
            ),
        )
        if n:
            log.add(
                lid,
                ld.LeadDispositionRecorded(
                    lead_id=lid,
                    inspection_id=iid,
                    receiver_organization_id="org-jw",
                    category=ld.Disposition.TALK_OR_INQUIRY,
                    four_forms_level=n,
                    decided_on=transferred + timedelta(days=20),
                    note="[sealed]",
                ),
            )
    for n in range(ITEMS):
        item = uid("item", iid, n)
        deadline = start + timedelta(days=120 + 30 * n)
        log.add(
            item,
            rect.RectificationItemOpened(
                item_id=item,
                inspection_id=iid,
                round_id=round_id,
                organization_id=org,
                organization_name=f"name {org}",
                ledger_item_no=n + 1,
                problem="p",
                finding_ids=[],
                measures="m",
                responsible_leader=LEADERS[n % len(LEADERS)],
                responsible_department="d",
                deadline=deadline,
                policy=policy,
                opened_on=start + timedelta(days=90),
            ),
        )
        if n % 3 == 0:
            log.add(
                item,
                rect.RectificationItemClosed(
                    item_id=item, inspection_id=iid, closed_on=deadline, on_time=True
                ),
            )


# Columns a copy of the city rewrites, by name, in every dashboard table: record ids become
# md5-derived uuids of (id, copy), organization ids and names get the copy's suffix, so copy k
# is a new set of rounds, organizations, inspections and their records, related to each other
# as the handlers relate them. Every other column (statuses, dates, counts, the supervising
# department, the receiving authority, group names, tags) is copied as it is.
IDS = (
    "round_id",
    "inspection_id",
    "group_id",
    "petition_id",
    "interview_id",
    "finding_id",
    "lead_id",
    "item_id",
)
SUFFIXED = ("organization_id", "organization_name")
# The tables whose `name` column names a record that is copied (a round, an organization).
NAMED = ("rm_rd_round", "rm_ld_round", "rm_rx_organization")
RUNS, MIN_RUNS, SECONDS, GOAL_MS = 100, 10, 30.0, 50.0


def dashboard_tables(projections: list[Projection]) -> list[str]:
    return [table for projection in projections for table in projection.tables]


def grow(conn: psycopg.Connection[Any], projections: list[Projection], copies: int) -> float:
    """Add `copies` copies of every row of the dashboards' tables with their ids rewritten (one
    INSERT … SELECT per table, in one transaction), then ANALYZE; returns the seconds taken."""
    start = time.perf_counter()
    with conn.transaction():
        for table in dashboard_tables(projections):
            columns = [
                name
                for (name,) in conn.execute(
                    "SELECT column_name::text FROM information_schema.columns"
                    " WHERE table_name = %s ORDER BY ordinal_position",
                    (table,),
                )
            ]
            values = []
            for name in columns:
                if name in IDS:
                    values.append(f"md5({name}::text || ':' || k)::uuid")
                elif name in SUFFIXED or (name == "name" and table in NAMED):
                    values.append(f"{name} || '~' || k")
                else:
                    values.append(name)
            listed = ", ".join(columns)
            conn.execute(
                # Table and column names from the read models' own schema.
                f"INSERT INTO {table} ({listed}) SELECT {', '.join(values)}"
                f" FROM {table}, generate_series(1, %s) k",
                (copies,),
            )
            log(f"  {table} copied")
    seconds = time.perf_counter() - start
    conn.execute("ANALYZE")
    return seconds


def table_sizes(conn: psycopg.Connection[Any], projections: list[Projection]) -> None:
    out("| table | rows |")
    out("| --- | ---: |")
    for table in dashboard_tables(projections):
        row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()  # names from the code
        out(f"| {table} | {row[0] if row else 0:,} |")
    out()


class RecordingCursor(psycopg.Cursor[Any]):
    """A cursor that notes every statement it runs (for EXPLAIN ANALYZE afterwards)."""

    statements: ClassVar[list[tuple[Any, Any]]] = []

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
        RecordingCursor.statements.append((query, params))
        return super().execute(query, params, **kwargs)


def explain(conn: psycopg.Connection[Any], name: str, run: Callable[[], Any]) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of every statement `run` sends, to stderr."""
    RecordingCursor.statements = []
    factory = conn.cursor_factory
    conn.cursor_factory = RecordingCursor
    try:
        run()
    finally:
        conn.cursor_factory = factory
    for query, params in RecordingCursor.statements:
        plan = conn.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query}", params).fetchall()
        log(f"---- {name}\n" + "\n".join(line for (line,) in plan))


def timed(run: Callable[[], Any], runs: int, seconds: float) -> tuple[float, float, int]:
    """p50 and p99 in ms of up to `runs` calls of `run` (fewer when they take more than
    `seconds` together, at least MIN_RUNS), after one untimed warm-up call; and the calls made."""
    run()
    samples: list[float] = []
    began = time.perf_counter()
    while len(samples) < runs and (
        len(samples) < MIN_RUNS or time.perf_counter() - began < seconds
    ):
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)
    samples.sort()
    return quantile_ms(samples, 0.5), quantile_ms(samples, 0.99), len(samples)


def queries(conn: psycopg.Connection[Any], copies: int) -> list[tuple[str, Callable[[], Any]]]:
    """The dashboard queries the HTTP API serves (`api/http/routes/dashboards.py`), each as its
    route calls it, with the primary-key baseline first."""
    rounds = ROUNDS * (copies + 1)
    organizations = ROUNDS * PER_ROUND * (copies + 1)
    a_round = uid("round", ROUNDS // 2)
    # A supervising department (业务主管单位) reads the organizations the registry places under it.
    supervised = frozenset(
        org
        for (org,) in conn.execute(
            "SELECT organization_id FROM rm_rx_organization WHERE supervising_department = %s",
            ("supervisor-0",),
        )
    )

    def rectification(
        group_by: str, sort: str, scope: frozenset[str] | None = None
    ) -> Callable[[], Any]:
        return lambda: rectification_dashboard.dashboard(
            conn,
            group_by=group_by,
            as_of=AS_OF,
            round_id=None,
            inspection_id=None,
            organization_id=None,
            responsible_leader=None,
            supervising_department=None,
            sort=sort,
            organization_scope=scope,
            limit=100,
            offset=0,
        )

    def leads(round_id: UUID | None) -> Callable[[], Any]:
        return lambda: lead_dashboard.dashboard(
            conn,
            round_id=round_id,
            inspection_id=None,
            receiver_organization_id=None,
            sort="-open",
            limit=100,
            offset=0,
        )

    return [
        (
            "baseline: one row by primary key",
            lambda: conn.execute(
                "SELECT * FROM rm_rx_item WHERE item_id = %s",
                (uid("item", uid("inspection", ROUNDS // 2, 0), 0),),
            ).fetchone(),
        ),
        (
            f"rounds: {min(50, rounds)} of {rounds:,} rounds with their counts",
            lambda: round_dashboard.list_rounds(
                conn, stage=None, sort="-planned_start", limit=50, offset=0
            ),
        ),
        (
            f"round: {GROUPS_PER_ROUND} groups of {PER_ROUND} inspections",
            lambda: round_dashboard.round_dashboard(
                conn, a_round, group_name=None, stage=None, sort="-findings", limit=100, offset=0
            ),
        ),
        (
            f"rectification: 100 of {organizations:,} organizations by -overdue",
            rectification("organization", "-overdue"),
        ),
        (
            f"rectification: 100 of {organizations * len(LEADERS):,} leader rows"
            " by -completion_rate",
            rectification("leader", "-completion_rate"),
        ),
        (
            f"rectification: {SUPERVISORS} supervising departments",
            rectification("supervising_department", "-total"),
        ),
        (
            f"rectification: one supervising department's {len(supervised):,} organizations",
            rectification("organization", "key", supervised),
        ),
        (
            "rectification trend: 24 months",
            lambda: rectification_ledger.monthly_trend(conn, months=24),
        ),
        (f"leads: all leads, {min(100, rounds)} of {rounds:,} rounds by -open", leads(None)),
        ("leads: one round", leads(a_round)),
    ]


def measure(
    conn: psycopg.Connection[Any],
    copies: int,
    items: int,
    *,
    runs: int,
    seconds: float,
    targets: bool,
    explain_slow: bool,
) -> None:
    """Time every query; with `targets`, record target 5's figure for each."""
    out(f"| query at {items:,} items | p50 ms | p99 ms | runs |")
    out("| --- | ---: | ---: | ---: |")
    measured = []
    for name, run in queries(conn, copies):
        log(f"timing {name}")
        p50, p99, n = timed(run, runs, seconds)
        out(f"| {name} | {p50:.2f} | {p99:.2f} | {n} |")
        measured.append((name, run, p99))
    out()
    baseline = measured[0][2]
    for name, run, p99 in measured[1:]:
        if targets:
            support.target(
                5,
                f"{name} p99 at {items:,} items",
                value=p99,
                unit="ms",
                goal=f"<= {GOAL_MS:.0f} ms",
                met=p99 <= GOAL_MS,
                baseline=baseline,
                baseline_name="primary-key lookup p99",
            )
        if explain_slow and p99 > GOAL_MS:
            explain(conn, name, run)
    out()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--items",
        type=int,
        default=1_000_000,
        help="rectification items to grow the read models to, by whole copies of the city"
        f" (default 1,000,000; the city alone has {CITY_ITEMS:,})",
    )
    parser.add_argument("--runs", type=int, default=RUNS, help="timed calls per query")
    parser.add_argument(
        "--seconds",
        type=float,
        default=SECONDS,
        help=f"stop timing a query after this long (at least {MIN_RUNS} calls)",
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="EXPLAIN (ANALYZE, BUFFERS) to stderr every statement of a query whose p99 at"
        " the grown size misses the goal",
    )
    args = parser.parse_args()
    copies = max(1, round(args.items / CITY_ITEMS)) - 1
    projections: list[Projection] = [
        round_dashboard.RoundDashboard(),
        rectification_dashboard.RectificationDashboard(),
        lead_dashboard.LeadDashboard(),
        rectification_ledger.RectificationLedger(),
    ]
    events = scenario()
    with database() as conninfo, psycopg.connect(conninfo, autocommit=True) as conn:
        seconds = fill(conn, projections, events)
        log(
            f"applied {len(events.events):,} events to {len(projections)} read models"
            f" in {seconds:.1f} s"
        )
        load = os.getloadavg()
        out(
            f"load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f};"
            f" {os.cpu_count()} CPUs"
        )
        out()
        measure(
            conn,
            0,
            CITY_ITEMS,
            runs=args.runs,
            seconds=args.seconds,
            targets=False,
            explain_slow=False,
        )
        if not copies:
            return
        log(f"growing the read models to {copies + 1} copies of the city")
        seconds = grow(conn, projections, copies)
        items = CITY_ITEMS * (copies + 1)
        out(
            f"grew the read models to {items:,} items ({copies + 1} copies of the city)"
            f" in {seconds:.1f} s"
        )
        out()
        table_sizes(conn, projections)
        started = time.perf_counter()
        measure(
            conn,
            copies,
            items,
            runs=args.runs,
            seconds=args.seconds,
            targets=True,
            explain_slow=args.explain,
        )
        log(f"timed the queries at {items:,} items in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()

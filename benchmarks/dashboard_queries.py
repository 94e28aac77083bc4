"""How long the dashboards take on a city-sized history: 8 rounds of 250 inspections (2,000),
each with 10 petitions, 4 interviews, 8 findings, 3 leads and 10 rectification items.

The three dashboard read models are filled by their own handlers (`apply`) from synthetic
events, untimed; the queries are then timed (median and p95 of repeated runs) against a
baseline in the same database: a primary-key lookup of one row. Run by hand:

    .venv/bin/python benchmarks/dashboard_queries.py

It starts an embedded PostgreSQL (or uses XUNCHA_BENCH_DATABASE_URL, creating and dropping a
database `xbench_…` on it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import psycopg

from support import Log, database, fill, log, median_p95, out, uid
from xuncha.events import finding as fd
from xuncha.events import inspection as ins
from xuncha.events import interview as iv
from xuncha.events import lead as ld
from xuncha.events import petition as pt
from xuncha.events import rectification as rect
from xuncha.events import reference as ref
from xuncha.events import round as rnd
from xuncha.events.values import PolicyRef, RoundType
from xuncha.projections import lead_dashboard, rectification_dashboard, round_dashboard, taxonomy
from xuncha.projections.base import Projection

ROUNDS = 8
PER_ROUND = 250
GROUPS_PER_ROUND = 10
PETITIONS, INTERVIEWS, FINDINGS, LEADS, ITEMS = 10, 4, 8, 3, 10
LEADERS = ("书记", "局长", "副局长", "主任")
SUPERVISORS = 20
DAY0 = date(2024, 1, 1)
AS_OF = date(2026, 6, 30)


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


def main() -> None:
    projections: list[Projection] = [
        round_dashboard.RoundDashboard(),
        rectification_dashboard.RectificationDashboard(),
        lead_dashboard.LeadDashboard(),
    ]
    events = scenario()
    with database() as conninfo, psycopg.connect(conninfo, autocommit=True) as conn:
        seconds = fill(conn, projections, events)
        log(f"applied {len(events.events)} events to 3 read models in {seconds:.1f} s")
        a_round = uid("round", ROUNDS // 2)

        def rectification(group_by: str, sort: str) -> Callable[[], Any]:
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
                limit=100,
                offset=0,
            )

        queries: list[tuple[str, Callable[[], Any]]] = [
            (
                "baseline: one row by primary key",
                lambda: conn.execute(
                    "SELECT * FROM rm_rx_item WHERE item_id = %s",
                    (uid("item", uid("inspection", ROUNDS // 2, 0), 0),),
                ).fetchone(),
            ),
            (
                f"rounds: {ROUNDS} rounds with their counts",
                lambda: round_dashboard.list_rounds(
                    conn, stage=None, sort="-planned_start", limit=50, offset=0
                ),
            ),
            (
                f"round: {GROUPS_PER_ROUND} groups of {PER_ROUND} inspections",
                lambda: round_dashboard.round_dashboard(
                    conn,
                    a_round,
                    group_name=None,
                    stage=None,
                    sort="-findings",
                    limit=100,
                    offset=0,
                ),
            ),
            (
                f"rectification: 100 of {ROUNDS * PER_ROUND} organizations by -overdue",
                rectification("organization", "-overdue"),
            ),
            (
                "rectification: 100 leader rows by -completion_rate",
                rectification("leader", "-completion_rate"),
            ),
            (
                f"rectification: {SUPERVISORS} supervising departments",
                rectification("supervising_department", "-total"),
            ),
            (
                "leads: all leads, rounds by -open",
                lambda: lead_dashboard.dashboard(
                    conn,
                    round_id=None,
                    inspection_id=None,
                    receiver_organization_id=None,
                    sort="-open",
                    limit=100,
                    offset=0,
                ),
            ),
            (
                "leads: one round",
                lambda: lead_dashboard.dashboard(
                    conn,
                    round_id=a_round,
                    inspection_id=None,
                    receiver_organization_id=None,
                    sort="-open",
                    limit=100,
                    offset=0,
                ),
            ),
        ]
        out("| query | p50 ms | p95 ms |")
        out("| --- | --- | --- |")
        for name, run in queries:
            p50, p95 = median_p95(run)
            out(f"| {name} | {p50:.2f} | {p95:.2f} |")


if __name__ == "__main__":
    main()

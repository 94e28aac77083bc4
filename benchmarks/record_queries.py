"""How long the record queries take on a city-sized read model: term coverage of a 2,000
organization plan, shared results of 2,000 inspections, the records of 1,000 inspectors.

The read models are filled by their own handlers (`apply`) from synthetic events, untimed; the
queries are then timed (median and p95 of repeated runs) against a baseline in the same
database: a primary-key lookup of one row. Run by hand:

    .venv/bin/python benchmarks/record_queries.py

It starts an embedded PostgreSQL (or uses XUNCHA_BENCH_DATABASE_URL, creating and dropping a
database `xbench_…` on it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import psycopg

from support import Log, database, fill, median_p95, out, uid
from xuncha.events import group as grp
from xuncha.events import inspection as ins
from xuncha.events import management as mg
from xuncha.events import pool, results
from xuncha.events import reference as ref
from xuncha.events import round as rnd
from xuncha.events.follow_up import Grade, RectificationEvaluated
from xuncha.events.values import Member, PolicyRef, RoundType
from xuncha.projections import inspector_record, shared_results, term_coverage
from xuncha.projections.base import Projection

ORGS = 2000
ROUNDS = 8
PEOPLE = 1000
GROUP_SIZE = 5
DAY0 = date(2026, 1, 1)


def scenario() -> Log:
    log = Log(count_versions=False)
    j = uid("jurisdiction")
    log.add(
        j,
        ref.JurisdictionRegistered(
            jurisdiction_id="city",
            name="City",
            level=ref.JurisdictionLevel.CITY,
            parent_id=None,
            committee="Committee",
        ),
    )
    orgs = [f"org-{n:05d}" for n in range(ORGS)]
    for org in orgs:
        log.add(
            j,
            ref.OrganizationRegistered(
                jurisdiction_id="city",
                organization_id=org,
                name=f"name {org}",
                organization_type=ref.OrganizationType.DEPARTMENT,
                supervising_department=None,
            ),
        )
    log.add(
        j,
        ref.TermCoveragePlanDrafted(
            plan_id="city:T",
            jurisdiction_id="city",
            term="T",
            term_start=DAY0,
            term_end=DAY0 + timedelta(days=1800),
            organization_ids=orgs,
        ),
    )
    per_round = ORGS // ROUNDS
    policy = PolicyRef(jurisdiction_id="city", version=0, effective_from=DAY0)
    for r in range(ROUNDS):
        round_id = uid("round", r)
        start = DAY0 + timedelta(days=200 * r)
        log.add(
            round_id,
            rnd.RoundProposed(
                round_id=round_id,
                jurisdiction_id="city",
                committee="C",
                name=f"round {r}",
                round_type=RoundType.REGULAR,
                topic=None,
                planned_start=start,
                planned_end=start + timedelta(days=150),
            ),
        )
        for k in range(per_round):
            n = r * per_round + k
            i = uid("inspection", n)
            log.add(
                i,
                ins.InspectionPlanned(
                    inspection_id=i,
                    round_id=round_id,
                    jurisdiction_id="city",
                    round_type=RoundType.REGULAR,
                    organization_id=orgs[n],
                    organization_name=f"name {orgs[n]}",
                    group_name="g",
                ),
            )
            if r < ROUNDS - 2:
                log.add(i, ins.GroupStationed(inspection_id=i, stationed_on=start))
                log.add(
                    i,
                    ins.InspectionFeedbackDelivered(
                        inspection_id=i,
                        delivered_on=start + timedelta(days=60),
                        ledger_item_nos=[1],
                        plan_due=start,
                        written_report_due=start,
                        policy=policy,
                    ),
                )
                log.add(
                    i,
                    RectificationEvaluated(
                        follow_up_id=uid("fu", n),
                        inspection_id=i,
                        evaluation_no=1,
                        evaluated_on=start + timedelta(days=120),
                        score=80 + n % 20,
                        grade=Grade.GOOD,
                        indicators=[],
                        evaluators=["office"],
                        earliest_on=start,
                    ),
                )
                log.add(
                    uid("shared", n),
                    results.InspectionResultShared(
                        result_id=uid("shared", n),
                        sequence=1,
                        basis=results.ShareBasis.EVALUATED,
                        inspection_id=i,
                        round_id=round_id,
                        organization_id=orgs[n],
                        organization_name=f"name {orgs[n]}",
                        findings_total=n % 9,
                        findings_by_tag=[results.TagCount(tag=f"tag{n % 5}", count=n % 9)],
                        rectification=results.RectificationStatus(
                            items_total=10,
                            items_closed=n % 11,
                            items_long_term=0,
                            items_reopened=0,
                            items_extended=0,
                            completion_rate=(n % 11) / 10,
                        ),
                        leads=None,
                        evaluation_grade="good",
                        responsible_leaders=None,
                        published_on=start + timedelta(days=130),
                    ),
                )
    people = [f"person-{n:05d}" for n in range(PEOPLE)]
    for n, user in enumerate(people):
        member = uid("member", n)
        log.add(
            member,
            pool.PoolMemberNominated(
                member_id=member,
                jurisdiction_id="city",
                nominating_organization="org",
                profile=pool.InspectorProfile(
                    user_id=user,
                    name=f"name {user}",
                    seniority_years=5,
                    birth_year=1980,
                    gender=pool.Gender.FEMALE,
                    home_jurisdiction="city",
                    employer_organization="org",
                ),
            ),
        )
        log.add(member, pool.PoolMemberAdmitted(member_id=member))
    groups = ORGS // 2
    for g in range(groups):
        group_id = uid("group", g)
        team = [people[(g * GROUP_SIZE + k) % PEOPLE] for k in range(GROUP_SIZE)]
        log.add(
            group_id,
            grp.GroupLeadershipProposed(
                group_id=group_id,
                round_id=uid("round", g % ROUNDS),
                jurisdiction_id="city",
                round_type=RoundType.REGULAR,
                name=f"group {g}",
                targets=[],
                leader=Member(user_id=team[0], name=team[0]),
                deputies=[Member(user_id=team[1], name=team[1])],
                home_jurisdiction="city",
                authorizer=grp.AuthorizerKind.DISPATCHING_COMMITTEE,
                authorizing_committee=None,
            ),
        )
        log.add(
            group_id,
            grp.InspectionGroupFormed(
                group_id=group_id,
                policy_version=0,
                leader=grp.GroupPerson(user_id=team[0], name=team[0], role=grp.GroupRole.LEADER),
                deputies=[
                    grp.GroupPerson(user_id=team[1], name=team[1], role=grp.GroupRole.DEPUTY)
                ],
                members=[
                    grp.GroupPerson(user_id=u, name=u, role=grp.GroupRole.MEMBER) for u in team[2:]
                ],
            ),
        )
        inspection = uid("inspection", g)
        log.add(
            group_id,
            grp.GroupAuthorizedForTarget(
                group_id=group_id,
                round_id=uid("round", g % ROUNDS),
                inspection_id=inspection,
                organization_id=orgs[g],
                window_start=DAY0,
                window_end=DAY0,
                authorizer=grp.AuthorizerKind.DISPATCHING_COMMITTEE,
                authorizing_committee=None,
            ),
        )
        log.add(
            uid("mgmt", g),
            mg.TrainingRecorded(
                inspection_id=inspection,
                kind=mg.TrainingKind.PRE_INSPECTION_STUDY,
                user_ids=team,
                title="study",
                provider="office",
                completed_on=DAY0,
                hours=8,
            ),
        )
        log.add(
            uid("mgmt", g),
            mg.InspectorCommended(
                inspection_id=inspection,
                user_id=team[g % GROUP_SIZE],
                reason="good",
                decided_on=DAY0,
            ),
        )
        log.add(
            group_id, grp.GroupDissolved(group_id=group_id, dissolved_on=DAY0, served_user_ids=team)
        )
    return log


def main() -> None:
    projections: list[Projection] = [
        term_coverage.TermCoverage(),
        shared_results.SharedResults(),
        inspector_record.InspectorRecord(),
    ]
    log = scenario()
    with database() as conninfo, psycopg.connect(conninfo, autocommit=True) as conn:
        loaded = fill(conn, projections, log)
        out(f"{len(log.events)} events applied by the three read models in {loaded:.1f} s")
        person = "person-00042"
        queries: list[tuple[str, Callable[[], Any]]] = [
            (
                "baseline: one row by primary key",
                lambda: conn.execute(
                    "SELECT * FROM rm_ir_person WHERE user_id = %s", (person,)
                ).fetchone(),
            ),
            ("coverage: term figures (2,000 orgs)", lambda: term_coverage.get_term(conn, "city:T")),
            (
                "coverage: 100 organizations by status",
                lambda: term_coverage.list_organizations(
                    conn, "city:T", status=None, sort="status", limit=100, offset=0
                ),
            ),
            (
                "shared results: one organization",
                lambda: shared_results.list_results(
                    conn,
                    organization_id="org-00042",
                    year=None,
                    round_id=None,
                    evaluation_grade=None,
                    sort="organization",
                    limit=100,
                    offset=0,
                ),
            ),
            (
                "shared results: a year by -completion_rate",
                lambda: shared_results.list_results(
                    conn,
                    organization_id=None,
                    year=2026,
                    round_id=None,
                    evaluation_grade=None,
                    sort="-completion_rate",
                    limit=100,
                    offset=0,
                ),
            ),
            (
                "inspectors: 100 by -rounds_served",
                lambda: inspector_record.list_inspectors(
                    conn,
                    jurisdiction_id=None,
                    pool_status=None,
                    external=None,
                    min_rounds_served=None,
                    sort="-rounds_served",
                    limit=100,
                    offset=0,
                ),
            ),
            ("inspector: one record", lambda: inspector_record.get_record(conn, person)),
        ]
        base = None
        out(f"{'query':45} {'p50 ms':>8} {'p95 ms':>8} {'vs baseline':>12}")
        for name, run in queries:
            p50, p95 = median_p95(run)
            base = base or p50
            out(f"{name:45} {p50:8.2f} {p95:8.2f} {p50 / base:11.1f}x")


if __name__ == "__main__":
    main()

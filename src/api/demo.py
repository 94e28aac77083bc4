"""`xuncha demo`: a Yulin-like data set loaded through the command layer, never by writing rows.

The city, its 12 counties and districts, 42 departments and 7 state-owned enterprises in the
registry and the term coverage plan; a pool of 37 inspectors and 4 outside experts; three
regular rounds covering the 49 organizations (the first closed, the second rectifying with
overdue items, the third in fieldwork and reporting) and one special round on poverty
alleviation and anti-gang work in 8 counties by cross-county groups. Dates are relative to
today; `seed` makes every choice and id repeatable on an empty database.
"""

from __future__ import annotations

import random
import sys
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from api.demo_data import CITY, COUNTIES, DEPARTMENTS, ENTERPRISES, PROBLEMS
from commands import cross, feedback, finding, group, lead, pool, preparation, reference, report
from commands import rectification as item
from commands import rectification_plan as plan
from commands import round as round_
from commands.base import Command
from commands.errors import DomainError
from commands.service import Application, CommandResult
from events.base import Actor, Role
from events.vocabulary import Disposition, InspectionStage, RoundType

OFFICE = Actor(user_id="office-demo", role=Role.INSPECTION_OFFICE, organization_id="org-xcb")
COMMITTEE = Actor(user_id="secretary-demo", role=Role.COMMITTEE, organization_id="org-swb")
LEADING_GROUP = Actor(user_id="lg-demo", role=Role.LEADING_GROUP, organization_id="org-lg")
DISCIPLINE = Actor(
    user_id="jw-demo", role=Role.DISCIPLINE_COMMISSION, organization_id="city-discipline-commission"
)
VERIFIER = Actor(user_id="jw-verifier", role=Role.DISCIPLINE_COMMISSION, organization_id="org-jw")
GROUP_SIZE = 5
EXPECTED_COMMANDS = 1950  # with the default seed; only scales the progress bar


class AlreadyLoaded(Exception):
    """The database already holds the demo (its city is registered)."""


def seeded_ids(seed: int) -> Callable[[], UUID]:
    rng = random.Random(f"xuncha-demo-ids-{seed}")
    return lambda: uuid.UUID(int=rng.getrandbits(128), version=4)


@dataclass
class Progress:
    total: int
    done: int = 0
    out: Any = field(default=sys.stderr)

    def step(self, n: int = 1) -> None:
        """Redraw only when the bar or every 100th count changes, not on every command."""
        before = self._shown()
        self.done += n
        if self._shown() != before:
            bar = "#" * self._shown()[0]
            self.out.write(f"\r[{bar:.<40}] {self.done} commands")
            self.out.flush()

    def _shown(self) -> tuple[int, int]:
        return min(40, 40 * self.done // max(self.total, 1)), self.done // 100


class Demo:
    """Drives the application through the workflow, one command at a time."""

    def __init__(self, app: Application, seed: int, progress: Progress) -> None:
        app.new_id = seeded_ids(seed)
        self.app = app
        self.rng = random.Random(seed)
        self.seed = seed
        self.progress = progress
        self.today = app.clock().date()
        self.members: list[tuple[str, str]] = []  # (user id, name) of admitted inspectors

    def day(self, offset: int) -> date:
        return self.today + timedelta(days=offset)

    def do(self, command: Command, who: Actor) -> CommandResult:
        result = self.app.execute(command, who)
        self.progress.step()
        return result

    def make(self, cls: type[Command], who: Actor, **fields: Any) -> CommandResult:
        return self.do(cls.model_validate(fields), who)

    # Reference data and pool -----------------------------------------------------------

    def reference(self) -> list[str]:
        city_id, city_name, committee = CITY
        self.make(
            reference.RegisterJurisdiction,
            OFFICE,
            jurisdiction_id=city_id,
            name=city_name,
            level="city",
            committee=committee,
        )
        for county_id, name, level in COUNTIES:
            self.make(
                reference.RegisterJurisdiction,
                OFFICE,
                jurisdiction_id=county_id,
                name=name,
                level=level,
                parent_id=city_id,
                committee=f"中共{name}委",
            )
        targets = []
        for n, name in enumerate(DEPARTMENTS + ENTERPRISES, start=1):
            kind = "department" if n <= len(DEPARTMENTS) else "state_owned_enterprise"
            org_id = f"yl-{n:02d}"
            self.make(
                reference.RegisterOrganization,
                OFFICE,
                jurisdiction_id=city_id,
                organization_id=org_id,
                name=name,
                organization_type=kind,
            )
            targets.append(org_id)
        for county_id, name, _ in COUNTIES[:8]:
            self.make(
                reference.RegisterOrganization,
                OFFICE,
                jurisdiction_id=county_id,
                organization_id=f"{county_id}-xczx",
                name=f"{name}乡村振兴局",
                organization_type="department",
            )
        self.make(
            reference.DraftTermCoveragePlan,
            OFFICE,
            jurisdiction_id=city_id,
            term="第四届",
            term_start=self.day(-1500),
            term_end=self.day(300),
            organization_ids=targets,
        )
        self.make(
            reference.ApproveTermCoveragePlan, COMMITTEE, jurisdiction_id=city_id, term="第四届"
        )
        return targets

    def pool(self) -> None:
        specialties = ["纪检", "组织", "人事", "审计", "财税", "政法"]
        surnames = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈"
        for n in range(1, 38):
            user_id, name = f"inspector-{n:02d}", f"{surnames[n - 1]}巡察员"
            profile = {
                "user_id": user_id,
                "name": name,
                "specialties": [specialties[n % 6]],
                "seniority_years": 5 + n % 20,
                "birth_year": 1970 + n % 25,
                "gender": "female" if n % 3 == 0 else "male",
                "temperament": "稳重",
                "home_jurisdiction": "yulin",
                "employer_organization": f"org-employer-{n % 9}",
            }
            result = self.make(
                pool.NominatePoolMember,
                OFFICE,
                jurisdiction_id="yulin",
                profile=profile,
                nominating_organization="org-zzb",
            )
            self.make(pool.AdmitPoolMember, LEADING_GROUP, member_id=result.stream_id)
            self.members.append((user_id, name))
        experts = ["retired_cadre", "accountant", "auditor", "lawyer"]
        for n, category in enumerate(experts, start=1):
            profile = {
                "user_id": f"expert-{n}",
                "name": f"外聘专家{n}",
                "specialties": [category],
                "seniority_years": 20,
                "birth_year": 1962,
                "gender": "male",
                "home_jurisdiction": "yulin",
                "employer_organization": "org-outside",
            }
            self.make(
                pool.EngageExternalExpert,
                OFFICE,
                jurisdiction_id="yulin",
                profile=profile,
                category=category,
            )
            self.members.append((f"expert-{n}", f"外聘专家{n}"))

    # One round -------------------------------------------------------------------------

    def round(
        self,
        name: str,
        kind: RoundType,
        start: int,
        targets: Sequence[tuple[str, str | None]],
        stage: InspectionStage,
        topic: str | None = None,
    ) -> None:
        rid = self.make(
            round_.ProposeRound,
            OFFICE,
            jurisdiction_id="yulin",
            committee=CITY[2],
            name=name,
            round_type=kind,
            topic=topic,
            planned_start=self.day(start - 10),
            planned_end=self.day(start + 200),
        ).created_id
        self.make(round_.ApproveRound, COMMITTEE, round_id=rid)
        inspections = []
        for org_id, registry in targets:
            created = self.make(
                round_.PlanInspection,
                OFFICE,
                round_id=rid,
                organization_id=org_id,
                organization_name=org_id,
                group_name=f"{name}巡察组",
                organization_jurisdiction_id=registry,
            )
            inspections.append((UUID(str(created.created_id)), org_id, registry))
        per_group = 1 if kind == RoundType.CROSS else 4
        batches = [inspections[i : i + per_group] for i in range(0, len(inspections), per_group)]
        if kind == RoundType.CROSS:
            self.arrange_cross(UUID(str(rid)), batches)
        people = self.draw(UUID(str(rid)), len(batches) * GROUP_SIZE, start)
        for n, batch in enumerate(batches):
            crew = people[n * GROUP_SIZE : (n + 1) * GROUP_SIZE]
            gid = self.form_group(UUID(str(rid)), f"{name}第{n + 1}组", batch, crew, start)
            for inspection_id, org_id, _ in batch:
                self.inspection(inspection_id, org_id, gid, crew, start, stage)
        if stage == InspectionStage.CLOSED:
            self.make(round_.CloseRound, OFFICE, round_id=rid)

    def arrange_cross(self, rid: UUID, batches: list[list[tuple[UUID, str, str | None]]]) -> None:
        counties = [batch[0][2] for batch in batches]
        pairs = [
            {
                "from_jurisdiction": counties[(i + 1) % len(counties)],
                "to_jurisdiction": county,
                "inspection_ids": [str(batch[0][0])],
                "authorizer": "city_committee",
                "authorizing_committee": CITY[2],
            }
            for i, (county, batch) in enumerate(zip(counties, batches, strict=True))
        ]
        self.make(cross.ArrangeCrossInspection, OFFICE, round_id=rid, pairs=pairs)

    def draw(self, rid: UUID, count: int, start: int) -> list[tuple[str, str]]:
        count = min(count, len(self.members))
        result = self.make(
            pool.DrawPoolMembers,
            OFFICE,
            jurisdiction_id="yulin",
            count=count,
            purpose="组建巡察组",
            round_id=str(rid),
            seed=f"demo-{self.seed}-{start}",
        )
        drawn = self.app.store.load(UUID(result.stream_id))[0].event
        by_member = {pool.pool_member_id(u): (u, n) for u, n in self.members}
        chosen = [by_member[m] for m in getattr(drawn, "drawn", []) if m in by_member]
        rest = [m for m in self.members if m not in chosen]
        while len(chosen) < count and rest:  # a draw leaves out people tied to targets
            chosen.append(rest.pop(0))
        return chosen

    def form_group(
        self,
        rid: UUID,
        name: str,
        batch: list[tuple[UUID, str, str | None]],
        crew: list[tuple[str, str]],
        start: int,
    ) -> UUID:
        leader, deputy, *members = [{"user_id": u, "name": n} for u, n in crew]
        gid = UUID(
            str(
                self.make(
                    group.ProposeGroupLeadership,
                    OFFICE,
                    round_id=rid,
                    name=name,
                    inspection_ids=[str(b[0]) for b in batch],
                    leader=leader,
                    deputies=[deputy],
                ).created_id
            )
        )
        roles = [Role.GROUP_LEADER, Role.DEPUTY_GROUP_LEADER] + [Role.GROUP_MEMBER] * 3
        people = [
            Actor(user_id=u, role=r, organization_id="org-xcb")
            for (u, _), r in zip(crew, roles, strict=True)
        ]
        for person in people[:2]:
            self.make(group.SubmitRecusalDeclaration, person, group_id=gid)
        self.make(group.FormInspectionGroup, OFFICE, group_id=gid, members=members)
        for person in people[2:]:
            self.make(group.SubmitRecusalDeclaration, person, group_id=gid)
        self.make(group.ClearRecusal, OFFICE, group_id=gid, user_ids=[p.user_id for p in people])
        for person in people:
            self.make(
                group.SignConfidentialityPledge, person, group_id=gid, signed_on=self.day(start - 5)
            )
        return gid

    # One inspection, as far as its stage ----------------------------------------------

    def inspection(
        self,
        iid: UUID,
        org_id: str,
        gid: UUID,
        crew: list[tuple[str, str]],
        b: int,
        stage: InspectionStage,
    ) -> None:
        leader = Actor(user_id=crew[0][0], role=Role.GROUP_LEADER, organization_id="org-xcb")
        member = Actor(user_id=crew[2][0], role=Role.GROUP_MEMBER, organization_id="org-xcb")
        principal = Actor(
            user_id=f"principal-{org_id}", role=Role.INSPECTED_ORG_PRINCIPAL, organization_id=org_id
        )
        self.steps(iid, gid, b, leader, member, principal, stage)

    def steps(
        self,
        iid: UUID,
        gid: UUID,
        b: int,
        leader: Actor,
        member: Actor,
        principal: Actor,
        stage: InspectionStage,
    ) -> None:
        """Drive one inspection from authorization as far as `stage`."""
        self.make(
            preparation.AuthorizeGroup,
            LEADING_GROUP,
            inspection_id=iid,
            group_id=gid,
            window_start=self.day(b),
            window_end=self.day(b + 60),
        )
        self.make(
            preparation.IssueInspectionNotice,
            OFFICE,
            inspection_id=iid,
            notice_date=self.day(b),
            planned_stationing_date=self.day(b + 10),
            addressee="党组书记",
        )
        self.make(
            preparation.PublishInspectionAnnouncement,
            OFFICE,
            inspection_id=iid,
            published_on=self.day(b + 5),
            scope="党组及班子成员",
            focus="四个落实",
            period_start=self.day(b + 10),
            period_end=self.day(b + 40),
            intake_deadline=self.day(b + 35),
            contacts={"phone": "0912-3456789", "phone_hours": "工作日 8:00-18:00"},
        )
        self.make(
            preparation.StationGroup, leader, inspection_id=iid, stationed_on=self.day(b + 10)
        )
        findings = self.findings(iid, leader, member)
        lead_id = self.lead(iid, leader, member) if self.rng.random() < 0.5 else None
        if stage == InspectionStage.STATIONED:
            return
        self.make(
            preparation.EndStationing, leader, inspection_id=iid, withdrawn_on=self.day(b + 40)
        )
        if lead_id is not None and stage == InspectionStage.CLOSED:
            self.settle_lead(lead_id, b)
        if stage == InspectionStage.WITHDRAWN:
            return
        self.report(iid, leader, findings, b)
        if stage == InspectionStage.REPORT_APPROVED:
            return
        items = self.rectify(iid, leader, principal, findings, b)
        overdue_ok = stage == InspectionStage.RECTIFYING
        for n, item_id in enumerate(items):
            if stage == InspectionStage.CLOSED or (overdue_ok and n % 2 == 0):
                self.close_item(item_id, principal)
        if stage == InspectionStage.CLOSED:
            self.make(
                plan.SubmitRectificationReport,
                principal,
                inspection_id=iid,
                organization_report="整改情况报告",
                principal_report="组织落实情况报告",
                submitted_on=self.day(b + 110),
            )
            self.make(plan.AcceptRectificationReport, OFFICE, inspection_id=iid, report_no=1)
            self.make(plan.CloseInspection, OFFICE, inspection_id=iid)

    def findings(self, iid: UUID, leader: Actor, member: Actor) -> list[UUID]:
        ids = []
        for title, basis in self.rng.sample(PROBLEMS, self.rng.randint(1, 3)):
            content = {
                "title": title,
                "facts": f"经查，{title}。",
                "basis": basis,
                "evidence_refs": [f"doc-{self.rng.randint(100, 999)}"],
                "responsible_subject": "党组",
                "taxonomy_version": "four-implementations",
            }
            fid = UUID(
                str(
                    self.make(
                        finding.DraftFinding, member, inspection_id=iid, content=content
                    ).created_id
                )
            )
            self.make(finding.ReviewFinding, leader, finding_id=fid, meeting_ref="组务会")
            self.make(finding.ApproveFinding, leader, finding_id=fid)
            ids.append(fid)
        return ids

    def lead(self, iid: UUID, leader: Actor, member: Actor) -> UUID:
        lid = self.make(
            lead.RegisterLead,
            member,
            inspection_id=iid,
            subject_name="某某",
            subject_position="副局长",
            management_level="city_managed",
            allegation="反映违规收受礼金",
            sources=[{"kind": "petition", "ref": "p-1"}],
        ).created_id
        self.make(
            lead.ClassifyLead, leader, lead_id=lid, lead_type="discipline", meeting_ref="组务会"
        )
        self.make(lead.ApproveLeadTransfer, LEADING_GROUP, lead_id=lid)
        return UUID(str(lid))

    def settle_lead(self, lid: UUID, b: int) -> None:
        """Transferred, acknowledged, concluded, reported and closed: recorded today, since the
        transfer cannot precede its approval, which is recorded as the demo runs."""
        self.make(
            lead.TransferLead, OFFICE, lead_id=lid, package_ref="移交函", transferred_on=self.day(0)
        )
        self.make(
            lead.AcknowledgeLead,
            DISCIPLINE,
            lead_id=lid,
            receiver_case_no="案-001",
            acknowledged_on=self.day(0),
        )
        self.make(
            lead.RecordLeadDisposition,
            DISCIPLINE,
            lead_id=lid,
            category=Disposition.CONCLUDED,
            decided_on=self.day(0),
        )
        self.make(
            lead.ReportLeadOutcome,
            DISCIPLINE,
            lead_id=lid,
            summary="予以了结",
            reported_on=self.day(0),
        )
        self.make(lead.CloseLead, OFFICE, lead_id=lid)

    def report(self, iid: UUID, leader: Actor, findings: list[UUID], b: int) -> None:
        self.make(
            report.DraftInspectionReport,
            leader,
            inspection_id=iid,
            summary="巡察报告",
            finding_ids=[str(f) for f in findings],
        )
        self.make(report.ReviewReportByOffice, OFFICE, inspection_id=iid, report_version=1)
        self.make(report.DeliberateReport, LEADING_GROUP, inspection_id=iid, report_version=1)
        self.make(
            report.ApproveReport,
            COMMITTEE,
            inspection_id=iid,
            report_version=1,
            approved_on=self.day(b + 50),
            meeting="书记专题会",
        )

    def rectify(
        self, iid: UUID, leader: Actor, principal: Actor, findings: list[UUID], b: int
    ) -> list[str]:
        ledger = [
            {"item_no": n, "problem": f"问题{n}", "finding_ids": [str(f)]}
            for n, f in enumerate(findings, start=1)
        ]
        self.make(
            feedback.DraftFeedbackOpinion,
            leader,
            inspection_id=iid,
            opinion="整改意见",
            ledger=ledger,
        )
        self.make(
            feedback.DeliverFeedback, leader, inspection_id=iid, delivered_on=self.day(b + 55)
        )
        deadline = min(self.day(b + 55 + 90), self.day(b + 55 + 300))
        items = [
            {
                "ledger_item_no": n,
                "measures": "制定整改措施",
                "responsible_leader": "局长",
                "responsible_department": "办公室",
                "deadline": deadline,
            }
            for n in range(1, len(findings) + 1)
        ]
        self.make(plan.SubmitRectificationPlan, principal, inspection_id=iid, items=items)
        accepted = self.make(
            plan.AcceptRectificationPlan, OFFICE, inspection_id=iid, plan_version=1
        )
        return [e.stream_id for e in accepted.events if e.type == "rectification.item_opened"]

    def close_item(self, item_id: str, principal: Actor) -> None:
        liaison = Actor(
            user_id="liaison",
            role=Role.INSPECTED_ORG_LIAISON,
            organization_id=principal.organization_id,
        )
        self.make(item.ReportItemProgress, liaison, item_id=item_id, percent=80, note="推进中")
        self.make(
            item.RequestItemClosure,
            principal,
            item_id=item_id,
            summary="已整改",
            evidence_refs=["doc-closure"],
        )
        self.make(item.VerifyItem, VERIFIER, item_id=item_id, note="核查属实")
        self.make(item.CloseItem, OFFICE, item_id=item_id)


def load(app: Application, seed: int = 1, progress: Progress | None = None) -> int:
    """Load the demo; returns how many commands it issued."""
    progress = progress or Progress(total=EXPECTED_COMMANDS)
    demo = Demo(app, seed, progress)
    try:
        targets = demo.reference()
    except DomainError as error:
        raise AlreadyLoaded(str(error)) from error
    demo.pool()
    city = [(t, None) for t in targets]
    regular = RoundType.REGULAR
    demo.round("2025年第一轮巡察", regular, -420, city[:16], InspectionStage.CLOSED)
    demo.round("2025年第二轮巡察", regular, -250, city[16:32], InspectionStage.RECTIFYING)
    demo.round("2026年第一轮巡察", regular, -70, city[32:], InspectionStage.REPORT_APPROVED)
    counties = [(f"{c}-xczx", c) for c, _, _ in COUNTIES[:8]]
    demo.round(
        "脱贫攻坚与扫黑除恶专项巡察",
        RoundType.CROSS,
        -200,
        counties,
        InspectionStage.RECTIFYING,
        topic="脱贫攻坚与扫黑除恶",
    )
    progress.out.write("\n")
    return progress.done

"""`xuncha demo`: a Yulin (榆林) data set loaded through the command layer, never by writing rows.

The city, its 12 counties and districts with two townships each, 37 department Party groups,
7 state-owned enterprises and 5 schools in the registry and the term coverage plan; a pool of
37 inspectors and 4 outside experts; over two years, three regular rounds of the 49 city
organizations (the first closed, the second rectifying, the third reporting) and one special
cross-county round in 8 townships. Every fact carries its own date (stationing, withdrawal,
feedback, closure requests, verification, 销号, lead approval, transfer, acknowledgement,
disposition), so on-time rates, aging, the three colours and acknowledgement lags spread as
in a real city; the last step is a clock tick that raises the colours. Dates are relative to
the run day; `seed` makes every choice and id repeatable for a run day on an empty database.
The recording time of every event is the real time.

Over 500 lines on purpose: one data set told as one story, stage after stage in the methods of
`Demo`, each step reading the ids and dates the steps before it made; split into files, the
story would have to be read across them.
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

from xuncha.api.cli.demo_data import (
    CITY,
    CITY_ORGANIZATIONS,
    COUNTIES,
    EXPERTS,
    INSPECTORS,
    INTERVIEWEES,
    LEAD_ALLEGATIONS,
    PETITIONS,
    PROBLEMS,
    TOWNSHIPS,
)
from xuncha.api.cli.progress import COMMANDS, Bar, new_bar
from xuncha.api.container import make_timers
from xuncha.commands import (
    cross,
    feedback,
    finding,
    group,
    interview,
    lead,
    petition,
    pool,
    reference,
)
from xuncha.commands import rectification as item
from xuncha.commands import round as round_
from xuncha.commands.base import Command
from xuncha.commands.errors import DomainError
from xuncha.commands.inspection import plan, preparation, report
from xuncha.commands.service import Application, CommandResult
from xuncha.events.base import Actor, Role
from xuncha.events.interview import IntervieweeCategory
from xuncha.events.lead import Disposition
from xuncha.events.office_day import office_date
from xuncha.events.petition import PetitionChannel
from xuncha.events.vocabulary import InspectionStage, RoundType
from xuncha.projections.taxonomy import CURRENT_TAXONOMY

OFFICE = Actor(user_id="office-demo", role=Role.INSPECTION_OFFICE, organization_id="org-xcb")
COMMITTEE = Actor(user_id="secretary-demo", role=Role.COMMITTEE, organization_id="org-swb")
LEADING_GROUP = Actor(user_id="lg-demo", role=Role.LEADING_GROUP, organization_id="org-lg")
DISCIPLINE = Actor(
    user_id="jw-demo", role=Role.DISCIPLINE_COMMISSION, organization_id="city-discipline-commission"
)
VERIFIER = Actor(user_id="jw-verifier", role=Role.DISCIPLINE_COMMISSION, organization_id="org-jw")
GROUP_SIZE = 5
EXPECTED_COMMANDS = 2580  # with the default seed; only scales the progress bar
NUMERALS = "一二三四五六七八九十"
# Where pool members work: offices that are not inspected, so no draw conflicts with a target
# (市纪委监委, 市委组织部, 市委巡察办, 市委办公室, 市审计中心).
EMPLOYERS = ["yl-swjw", "yl-zzb", "yl-xcb", "yl-swbgs", "yl-sjzx"]


@dataclass(frozen=True)
class RoundPlan:
    """One round of the demo: its kind, its start (days from the run day) and how far it got."""

    key: str
    kind: str
    start: int
    stage: str
    topic: str | None = None


ROUNDS = [
    RoundPlan("first", "regular", -700, "closed"),
    RoundPlan("second", "regular", -330, "rectifying"),
    RoundPlan("special", "cross", -200, "rectifying", topic="巩固拓展脱贫攻坚成果和乡村振兴"),
    RoundPlan("third", "regular", -70, "report_approved"),
    RoundPlan("next", "regular", 20, "planned"),
]


def round_names(today: date) -> dict[str, str]:
    """The rounds' names as the demo gives them when run on `today`: regular rounds are
    numbered within the year they start in (`2025年第二轮巡察`)."""
    names, counted = {}, dict[int, int]()
    for r in ROUNDS:
        year = (today + timedelta(days=r.start)).year
        if r.kind == RoundType.CROSS:
            names[r.key] = f"{year}年{r.topic}专项巡察"
            continue
        counted[year] = counted.get(year, 0) + 1
        names[r.key] = f"{year}年第{NUMERALS[counted[year] - 1]}轮巡察"
    return names


# What becomes of a rectification item of a round still rectifying, with weights.
FATES = {
    "on_time": 40,  # closed on or before its deadline
    "late": 16,  # closed after its deadline
    "red": 14,  # open past its deadline
    "awaiting": 6,  # closure requested, not yet verified (past due or not)
    "yellow": 7,  # open, due within warn_yellow_days
    "green": 7,  # open, due within warn_green_days
    "later": 5,  # open, due in a month or more
    "long_term": 5,  # 持续整改, with milestones ahead
}
FOUR_FORMS = {
    Disposition.TALK_OR_INQUIRY: (1, 1),
    Disposition.PRELIMINARY_VERIFICATION: (1, 2),
    Disposition.CASE_FILED: (3, 4),
}
LEAD_STEPS = ["approved", "transferred", "acknowledged", "disposed", "reported", "closed"]
# How far the leads of an inspection get, by the inspection's stage: (step, weight).
LEAD_REACH = {
    "closed": [("closed", 1)],
    "rectifying": [("transferred", 1), ("acknowledged", 2), ("disposed", 4), ("closed", 5)],
    "report_approved": [("transferred", 1), ("acknowledged", 3), ("disposed", 1)],
}
MEASURES = [
    "召开专题会议研究整改，制定整改台账，明确责任人和完成时限",
    "修订完善相关制度，堵塞管理漏洞，建立长效机制",
    "开展专项清理，对违规问题逐项核查纠正，追回违规资金",
    "对相关责任人进行批评教育、诫勉谈话，举一反三开展警示教育",
]
LEADERS = ["党组书记、局长", "党组副书记、副局长", "党组成员、副局长", "纪检监察组组长"]
OFFICES = ["办公室", "财务审计科", "组织人事科", "机关党委", "规划发展科"]


class AlreadyLoaded(Exception):
    """The database already holds the demo (its city is registered)."""


def seeded_ids(seed: int) -> Callable[[], UUID]:
    rng = random.Random(f"xuncha-demo-ids-{seed}")
    return lambda: uuid.UUID(int=rng.getrandbits(128), version=4)


@dataclass
class Progress:
    """Commands issued of about `total`, on a tqdm bar on `out` (api/cli/progress.py)."""

    total: int
    done: int = 0
    out: Any = field(default=sys.stderr)
    shown: Bar | None = field(default=None, repr=False)

    def step(self, n: int = 1) -> None:
        if self.shown is None:
            self.shown = new_bar(self.total, COMMANDS, out=self.out)
        self.done += n
        self.shown.reached(self.done)

    def close(self) -> None:
        """Draw the last count and end the line."""
        if self.shown is not None:
            self.shown.close()


@dataclass
class Inspection:
    """One inspection as the demo drives it: ids, people, its start day and its stage."""

    iid: UUID
    gid: UUID
    org_id: str
    leader: Actor
    member: Actor
    principal: Actor
    start: int
    stage: str

    def liaison(self) -> Actor:
        return Actor(
            user_id=f"liaison-{self.org_id}",
            role=Role.INSPECTED_ORG_LIAISON,
            organization_id=self.org_id,
        )


class Demo:
    """Drives the application through the workflow, one command at a time."""

    def __init__(self, app: Application, seed: int, progress: Progress) -> None:
        app.new_id = seeded_ids(seed)
        self.app = app
        self.rng = random.Random(seed)
        self.seed = seed
        self.progress = progress
        self.today = office_date(app.clock())
        self.members: list[tuple[str, str]] = []  # (user id, name) of admitted inspectors
        self.names: dict[str, str] = {}  # organization id -> name
        self.categories = [c for c in PROBLEMS for _ in range(2)]  # cycled per finding
        self.dispositions = 0  # rotates the 处置方式 so that each one occurs
        self.leads_per_inspection = [0, 0, 1, 1, 1, 2]  # drawn from, per inspection

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
        for org_id, name, kind in CITY_ORGANIZATIONS:
            self.register(city_id, org_id, name, kind)
        for county_id, county, _ in COUNTIES:
            for town_id, town in TOWNSHIPS[county_id]:
                self.register(
                    county_id, f"{county_id}-{town_id}", f"{county}{town}党委", "township"
                )
        targets = [org_id for org_id, _, _ in CITY_ORGANIZATIONS]
        self.make(
            reference.DraftTermCoveragePlan,
            OFFICE,
            jurisdiction_id=city_id,
            term="第五届",
            term_start=self.day(-1000),
            term_end=self.day(800),
            organization_ids=targets,
        )
        self.make(
            reference.ApproveTermCoveragePlan, COMMITTEE, jurisdiction_id=city_id, term="第五届"
        )
        return targets

    def register(self, jurisdiction_id: str, org_id: str, name: str, kind: str) -> None:
        self.make(
            reference.RegisterOrganization,
            OFFICE,
            jurisdiction_id=jurisdiction_id,
            organization_id=org_id,
            name=name,
            organization_type=kind,
        )
        self.names[org_id] = name

    def pool(self) -> None:
        specialties = ["纪检", "组织", "人事", "审计", "财税", "政法"]
        temperaments = ["稳重", "干练", "细致"]
        for n, name in enumerate(INSPECTORS, start=1):
            user_id = f"inspector-{n:02d}"
            profile = {
                "user_id": user_id,
                "name": name,
                "specialties": [specialties[n % 6]],
                "seniority_years": 5 + n % 20,
                "birth_year": 1970 + n % 25,
                "gender": "female" if n % 3 == 0 else "male",
                "temperament": temperaments[n % 3],
                "home_jurisdiction": "yulin",
                "employer_organization": EMPLOYERS[n % len(EMPLOYERS)],
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
        for n, (category, name) in enumerate(EXPERTS, start=1):
            profile = {
                "user_id": f"expert-{n}",
                "name": name,
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
            self.members.append((f"expert-{n}", name))

    # One round -------------------------------------------------------------------------

    def round(
        self,
        name: str,
        kind: str,
        start: int,
        targets: Sequence[tuple[str, str | None]],
        stage: str,
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
        for n, (org_id, registry) in enumerate(targets):
            created = self.make(
                round_.PlanInspection,
                OFFICE,
                round_id=rid,
                organization_id=org_id,
                organization_name=self.names.get(org_id, org_id),
                group_name=f"第{NUMERALS[n // (1 if kind == 'cross' else 4) % 10]}巡察组",
                organization_jurisdiction_id=registry,
            )
            inspections.append((UUID(str(created.created_id)), org_id, registry))
        if stage == InspectionStage.PLANNED:
            return
        per_group = 1 if kind == RoundType.CROSS else 4
        batches = [inspections[i : i + per_group] for i in range(0, len(inspections), per_group)]
        if kind == RoundType.CROSS:
            self.arrange_cross(UUID(str(rid)), batches)
        people = self.draw(UUID(str(rid)), len(batches) * GROUP_SIZE, start)
        for n, batch in enumerate(batches):
            crew = people[n * GROUP_SIZE : (n + 1) * GROUP_SIZE]
            gname = f"{name}第{NUMERALS[n % 10]}巡察组"
            gid = self.form_group(UUID(str(rid)), gname, batch, crew, start)
            for inspection_id, org_id, _ in batch:
                self.inspection(inspection_id, org_id, gid, crew, start + n, stage)
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
        self, iid: UUID, org_id: str, gid: UUID, crew: list[tuple[str, str]], b: int, stage: str
    ) -> None:
        leader = Actor(user_id=crew[0][0], role=Role.GROUP_LEADER, organization_id="org-xcb")
        member = Actor(user_id=crew[2][0], role=Role.GROUP_MEMBER, organization_id="org-xcb")
        principal = Actor(
            user_id=f"principal-{org_id}", role=Role.INSPECTED_ORG_PRINCIPAL, organization_id=org_id
        )
        self.steps(Inspection(iid, gid, org_id, leader, member, principal, b, stage))

    def steps(self, ins: Inspection) -> None:
        """Drive one inspection from authorization as far as its stage."""
        self.prepare(ins)
        b = ins.start
        self.fieldwork(ins)
        findings = self.findings(ins)
        leads = [self.lead(ins) for _ in range(self.rng.choice(self.leads_per_inspection))]
        if ins.stage == InspectionStage.STATIONED:
            return
        self.make(
            preparation.EndStationing,
            ins.leader,
            inspection_id=ins.iid,
            withdrawn_on=self.day(b + 40),
        )
        for lid in leads:
            self.settle_lead(lid, b, ins.stage)
        if ins.stage == InspectionStage.WITHDRAWN:
            return
        self.report(ins, findings)
        if ins.stage == InspectionStage.REPORT_APPROVED:
            return
        opened, items = self.rectify(ins, findings)
        for item_id, problem_deadline in items:
            self.follow(ins, item_id, opened, *problem_deadline)
        if ins.stage == InspectionStage.CLOSED:
            self.make(
                plan.SubmitRectificationReport,
                ins.principal,
                inspection_id=ins.iid,
                organization_report="关于巡察反馈意见整改落实情况的报告",
                principal_report="党组书记组织落实巡察整改情况的报告",
                submitted_on=self.day(b + 55 + self.rng.randint(50, 70)),
            )
            self.make(plan.AcceptRectificationReport, OFFICE, inspection_id=ins.iid, report_no=1)
            self.make(plan.CloseInspection, OFFICE, inspection_id=ins.iid)

    def prepare(self, ins: Inspection) -> None:
        b, iid = ins.start, ins.iid
        self.make(
            preparation.AuthorizeGroup,
            LEADING_GROUP,
            inspection_id=iid,
            group_id=ins.gid,
            window_start=self.day(b),
            window_end=self.day(b + 60),
        )
        self.make(
            preparation.IssueInspectionNotice,
            OFFICE,
            inspection_id=iid,
            notice_date=self.day(b),
            planned_stationing_date=self.day(b + 10),
            addressee="党组（党委）书记",
        )
        self.make(
            preparation.PublishInspectionAnnouncement,
            OFFICE,
            inspection_id=iid,
            published_on=self.day(b + 5),
            scope="领导班子及其成员、下一级党组织领导班子主要负责人",
            focus="四个落实",
            period_start=self.day(b + 10),
            period_end=self.day(b + 40),
            intake_deadline=self.day(b + 35),
            contacts={"phone": "0912-3286123", "phone_hours": "工作日 8:00-18:00"},
        )
        self.make(
            preparation.StationGroup, ins.leader, inspection_id=iid, stationed_on=self.day(b + 10)
        )

    def fieldwork(self, ins: Inspection) -> None:
        """Petitions received while stationed (most anonymous) and one signed interview."""
        for _ in range(self.rng.randint(1, 3)):
            anonymous = self.rng.random() < 0.6
            name = f"{self.rng.choice('王李张刘杨高郭马贺白')}某"
            self.make(
                petition.RegisterPetition,
                ins.member,
                inspection_id=ins.iid,
                channel=self.rng.choice(list(PetitionChannel)),
                received_on=self.day(ins.start + self.rng.randint(11, 35)),
                anonymous=anonymous,
                petitioner=None if anonymous else {"name": name},
                content=self.rng.choice(PETITIONS),
            )
        on = ins.start + self.rng.randint(11, 30)
        category, position = self.rng.choice(INTERVIEWEES)
        created = self.make(
            interview.ConductInterview,
            ins.member,
            inspection_id=ins.iid,
            interviewers=[ins.member.user_id, ins.leader.user_id],
            category=IntervieweeCategory(category),
            conducted_on=self.day(on),
            interviewee={
                "name": f"{self.rng.choice('赵钱孙周吴郑冯陈')}某某",
                "position": position,
            },
            record="个别谈话记录：谈及班子运行、选人用人和作风建设情况。",
        )
        self.make(
            interview.SignInterviewRecord,
            ins.member,
            interview_id=created.created_id,
            signed_on=self.day(on),
        )

    def findings(self, ins: Inspection) -> list[tuple[UUID, str]]:
        """Two to four findings, their categories rotating over 四个落实."""
        found = []
        for _ in range(self.rng.randint(2, 4)):
            category = self.categories.pop(0)
            self.categories.append(category)
            title, basis = self.rng.choice(PROBLEMS[category])
            content = {
                "title": title,
                "facts": f"经查，{self.names.get(ins.org_id, '该单位')}{title}。",
                "basis": basis,
                "evidence_refs": [f"巡察工作底稿第{self.rng.randint(10, 99)}号"],
                "responsible_subject": "领导班子",
                "taxonomy_version": CURRENT_TAXONOMY,
                "tags": [category],
            }
            created = self.make(
                finding.DraftFinding, ins.member, inspection_id=ins.iid, content=content
            )
            fid = UUID(str(created.created_id))
            self.make(finding.ReviewFinding, ins.leader, finding_id=fid, meeting_ref="组务会")
            self.make(finding.ApproveFinding, ins.leader, finding_id=fid)
            found.append((fid, title))
        return found

    # Leads -----------------------------------------------------------------------------

    def lead(self, ins: Inspection) -> UUID:
        position, allegation = self.rng.choice(LEAD_ALLEGATIONS)
        lid = self.make(
            lead.RegisterLead,
            ins.member,
            inspection_id=ins.iid,
            subject_name=f"{self.rng.choice('王李张刘杨高郭马贺白')}某某",
            subject_position=position,
            management_level="city_managed",
            allegation=allegation,
            sources=[{"kind": "petition", "ref": f"来信第{self.rng.randint(1, 60)}号"}],
        ).created_id
        self.make(
            lead.ClassifyLead, ins.leader, lead_id=lid, lead_type="discipline", meeting_ref="组务会"
        )
        return UUID(str(lid))

    def settle_lead(self, lid: UUID, b: int, stage: str) -> None:
        """Approval after the withdrawal, transfer a few days later, acknowledgement after a
        lag of days, then disposition, outcome and closure as far as the stage's draw reaches
        and the dates have come."""
        reaches, weights = zip(*LEAD_REACH.get(stage, [("approved", 1)]), strict=True)
        reach = LEAD_STEPS.index(self.rng.choices(reaches, weights)[0])
        on = b + 40 + self.rng.randint(1, 5)
        self.make(lead.ApproveLeadTransfer, LEADING_GROUP, lead_id=lid, approved_on=self.day(on))
        category, level = self.disposition(reach)
        steps: list[tuple[int, type[Command], Actor, dict[str, Any]]] = [
            (self.rng.randint(1, 4), lead.TransferLead, OFFICE, {"package_ref": "线索移交函"}),
            (
                self.rng.choice([1, 2, 2, 3, 4, 6, 9, 13]),
                lead.AcknowledgeLead,
                DISCIPLINE,
                {"receiver_case_no": f"榆纪线〔{self.day(on).year}〕{self.rng.randint(1, 300)}号"},
            ),
            (
                self.rng.randint(15, 50),
                lead.RecordLeadDisposition,
                DISCIPLINE,
                {"category": category, "four_forms_level": level},
            ),
            (
                self.rng.randint(20, 70),
                lead.ReportLeadOutcome,
                DISCIPLINE,
                {"summary": "处置结果已按程序反馈巡察机构"},
            ),
            (self.rng.randint(1, 10), lead.CloseLead, OFFICE, {}),
        ]
        dated = ["transferred_on", "acknowledged_on", "decided_on", "reported_on", "closed_on"]
        for n, (after, cls, who, fields) in enumerate(steps[:reach], start=0):
            on += after
            if on > 0:
                return  # not yet come on the run day
            self.make(cls, who, lead_id=lid, **{dated[n]: self.day(on)}, **fields)

    def disposition(self, reach: int) -> tuple[Disposition, int | None]:
        """The next 处置方式 of the rotation (暂存待查 only for leads left open) and its
        四种形态 level."""
        kinds = list(Disposition)
        if reach > LEAD_STEPS.index("disposed"):
            kinds.remove(Disposition.SHELVED)
        category = kinds[self.dispositions % len(kinds)]
        self.dispositions += 1
        low_high = FOUR_FORMS.get(category)
        return category, self.rng.randint(*low_high) if low_high else None

    # Report, feedback, rectification ---------------------------------------------------

    def report(self, ins: Inspection, findings: list[tuple[UUID, str]]) -> None:
        self.make(
            report.DraftInspectionReport,
            ins.leader,
            inspection_id=ins.iid,
            summary=f"关于巡察{self.names.get(ins.org_id, '')}的情况报告",
            finding_ids=[str(f) for f, _ in findings],
        )
        self.make(report.ReviewReportByOffice, OFFICE, inspection_id=ins.iid, report_version=1)
        self.make(report.DeliberateReport, LEADING_GROUP, inspection_id=ins.iid, report_version=1)
        self.make(
            report.ApproveReport,
            COMMITTEE,
            inspection_id=ins.iid,
            report_version=1,
            approved_on=self.day(ins.start + 50),
            meeting="市委书记专题会",
        )

    def rectify(
        self, ins: Inspection, findings: list[tuple[UUID, str]]
    ) -> tuple[int, list[tuple[str, tuple[str, int]]]]:
        """Feedback, plan and items; returns the day the items opened (the plan's acceptance)
        and each item with its fate and deadline."""
        delivered = ins.start + 55
        ledger = [
            {"item_no": n, "problem": title, "finding_ids": [str(f)]}
            for n, (f, title) in enumerate(findings, start=1)
        ]
        self.make(
            feedback.DraftFeedbackOpinion,
            ins.leader,
            inspection_id=ins.iid,
            opinion="针对巡察发现的问题，提出以下整改意见：压紧压实整改主体责任，逐项制定整改措施。",
            ledger=ledger,
        )
        self.make(
            feedback.DeliverFeedback,
            ins.leader,
            inspection_id=ins.iid,
            delivered_on=self.day(delivered),
        )
        fates = [self.fate(ins.stage) for _ in findings]
        deadlines = [self.deadline(fate, delivered) for fate in fates]
        items = [
            {
                "ledger_item_no": n,
                "measures": self.rng.choice(MEASURES),
                "responsible_leader": self.rng.choice(LEADERS),
                "responsible_department": self.rng.choice(OFFICES),
                "deadline": self.day(deadline),
            }
            for n, deadline in enumerate(deadlines, start=1)
        ]
        # The plan is submitted 7-21 days after the feedback (within the 30 days the policy
        # allows) and accepted 3-14 days later, so a round's items open over some weeks (varied
        # per inspection by its id, not by the seeded draws that shape everything else).
        submitted = min(delivered + 7 + ins.iid.int % 15, 0)
        accepted_on = min(submitted + 3 + (ins.iid.int >> 8) % 12, 0)
        self.make(
            plan.SubmitRectificationPlan,
            ins.principal,
            inspection_id=ins.iid,
            items=items,
            submitted_on=self.day(submitted),
        )
        accepted = self.make(
            plan.AcceptRectificationPlan,
            OFFICE,
            inspection_id=ins.iid,
            plan_version=1,
            accepted_on=self.day(accepted_on),
        )
        opened = [e.stream_id for e in accepted.events if e.type == "rectification.item_opened"]
        return accepted_on, list(zip(opened, zip(fates, deadlines, strict=True), strict=True))

    def fate(self, stage: str) -> str:
        if stage == InspectionStage.CLOSED:
            return self.rng.choices(["on_time", "late"], [3, 1])[0]
        return self.rng.choices(list(FATES), list(FATES.values()))[0]

    def deadline(self, fate: str, delivered: int) -> int:
        """The item's deadline (days from the run day) for its fate, within 12 months of the
        feedback (the default policy's `item_deadline_max_months`)."""
        latest = delivered + 360
        ranges = {
            "yellow": (2, 9),
            "green": (12, 19),
            "later": (35, latest),
            "red": (max(delivered + 60, -150), -3),
            "awaiting": (max(delivered + 60, -60), 5),
            "long_term": (max(delivered + 90, -100), -10),
        }
        low, high = ranges.get(fate, (delivered + 60, min(delivered + 240, -40)))
        return self.rng.randint(low, max(low, high))

    def follow(self, ins: Inspection, item_id: str, opened: int, fate: str, deadline: int) -> None:
        """The item's steps after the plan, dated to give it its fate, none before the day
        the item `opened`."""
        if fate in ("yellow", "green", "later", "red"):
            if self.rng.random() < 0.6:
                self.progress_report(ins, item_id, self.rng.randint(20, 70))
            return
        if fate == "long_term":
            self.progress_report(ins, item_id, 40)
            milestones = [
                {"due": self.day(d), "description": text}
                for d, text in [(90, "完成阶段性整改任务"), (240, "建立长效机制并全面完成整改")]
            ]
            self.make(
                item.ReclassifyItemAsLongTerm,
                OFFICE,
                item_id=item_id,
                justification="问题涉及历史遗留，需持续推进整改",
                milestones=milestones,
            )
            return
        closed = deadline - self.rng.randint(0, 30) if fate == "on_time" else 0
        if fate == "late":
            closed = min(deadline + self.rng.randint(5, 60), -1)
        elif fate == "awaiting":
            closed = min(deadline, 0) + 5  # the requested closure waits for its check
        verified = closed - self.rng.randint(1, 5)
        requested = max(verified - self.rng.randint(3, 12), opened)
        verified, closed = max(verified, requested), max(closed, verified, requested)
        self.progress_report(ins, item_id, 80)
        self.make(
            item.RequestItemClosure,
            ins.principal,
            item_id=item_id,
            summary="已按整改方案完成整改，相关制度已修订印发",
            evidence_refs=["整改佐证材料汇编"],
            requested_on=self.day(min(requested, 0)),
        )
        if fate == "awaiting":
            return
        self.make(
            item.VerifyItem,
            VERIFIER,
            item_id=item_id,
            note="经核查，整改措施落实到位",
            verified_on=self.day(verified),
        )
        self.make(item.CloseItem, OFFICE, item_id=item_id, closed_on=self.day(closed))

    def progress_report(self, ins: Inspection, item_id: str, percent: int) -> None:
        self.make(
            item.ReportItemProgress,
            ins.liaison(),
            item_id=item_id,
            percent=percent,
            note="整改正在推进，已完成部分措施",
        )


def load(app: Application, seed: int = 1, progress: Progress | None = None) -> int:
    """Load the demo, then tick the clock once (the three colours); returns how many commands
    the demo issued (the clock's not counted)."""
    progress = progress or Progress(total=EXPECTED_COMMANDS)
    demo = Demo(app, seed, progress)
    try:
        targets = demo.reference()
    except DomainError as error:
        raise AlreadyLoaded(str(error)) from error
    demo.pool()
    names = round_names(demo.today)
    city = [(t, None) for t in targets]
    portions = {
        "first": city[:16],
        "second": city[16:32],
        "third": city[32:44],
        "next": city[44:46],
    }
    towns = [(f"{c}-{TOWNSHIPS[c][0][0]}", c) for c, _, _ in COUNTIES[:8]]
    for r in ROUNDS:
        chosen = towns if r.kind == RoundType.CROSS else portions[r.key]
        demo.round(names[r.key], r.kind, r.start, chosen, r.stage, topic=r.topic)
    make_timers(app).tick(app.clock())
    progress.close()
    return progress.done

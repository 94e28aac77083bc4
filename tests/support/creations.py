"""A seeded workflow that runs every command creating a record (and every command writing a
record kept per inspection), over HTTP, keeping each answer by the route that gave it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import compile_path

from tests.support.api import (
    COMMITTEE,
    LEADER,
    LEADING_GROUP,
    MEMBER,
    OFFICE,
    PRINCIPAL,
    TARGET_ORG,
    Api,
    Who,
)
from tests.support.lifecycle import Lifecycle, day

PETITIONER = "王某某"
PETITION_TEXT = "反映采购拆分问题的信访内容"
INTERVIEWEE = "被谈话的副局长"


@dataclass(frozen=True)
class Route:
    """An API route of the app as served: its full path, methods and the route itself."""

    path: str
    methods: frozenset[str]
    route: APIRoute

    def matches(self, method: str, path: str) -> bool:
        return method in self.methods and compile_path(self.path)[0].match(path) is not None


def app_routes(app: Any) -> list[Route]:
    return [
        Route(str(c.path), frozenset(c.methods or ()), c.original_route)
        for c in iter_route_contexts(app.routes)
        if isinstance(c.original_route, APIRoute)
    ]


def route_for(app: Any, method: str, path: str) -> Route:
    found = [r for r in app_routes(app) if r.matches(method, path)]
    assert found, f"no {method} route answers {path}"
    return found[0]


@dataclass
class Answer:
    path: str
    status: int
    headers: dict[str, str]
    body: dict[str, Any]


class Creations(Api):
    """An HTTP driver that keeps every command answer by the route that gave it."""

    def __init__(self, api: Api) -> None:
        super().__init__(api.client, api.settings)
        self.answers: dict[str, list[Answer]] = {}

    def route_of(self, path: str) -> str:
        return route_for(self.client.app, "POST", path).path

    def command(self, path: str, body: Any, who: Who, status: int = 200, **headers: str) -> Any:
        response = self.post(path, body, who, **headers)
        assert response.status_code == status, (path, response.status_code, response.text)
        data: dict[str, Any] = response.json()
        self.position = max(self.position, data["position"])
        answer = Answer(path, response.status_code, dict(response.headers), data)
        self.answers.setdefault(self.route_of(path), []).append(answer)
        return data

    def created(self, path: str, body: Any, who: Who) -> str:
        return str(self.command(path, body, who, 201)["created_id"])


def pool(c: Creations) -> None:
    profile = {
        "user_id": "pool-1",
        "name": "孙干部",
        "specialties": ["finance"],
        "seniority_years": 8,
        "birth_year": 1985,
        "gender": "female",
        "home_jurisdiction": "yulin",
        "employer_organization": "org-audit",
        "relatives_organizations": [{"relation": "spouse", "organization_id": "org-tax"}],
    }
    body = {"jurisdiction_id": "yulin", "profile": profile, "nominating_organization": "org-audit"}
    member = c.created("/talent-pool/members", body, OFFICE)
    c.command(f"/talent-pool/members/{member}/admit", {}, LEADING_GROUP)
    expert = {
        **profile,
        "user_id": "expert-1",
        "name": "周律师",
        "employer_organization": "org-law",
    }
    body = {"jurisdiction_id": "yulin", "profile": expert, "category": "lawyer"}
    c.created("/talent-pool/experts", body, OFFICE)
    draw = {"jurisdiction_id": "yulin", "count": 1, "purpose": "专家抽取", "seed": "2026-03-01"}
    c.created("/talent-pool/draws", draw, OFFICE)


def fieldwork(c: Creations, life: Lifecycle) -> None:
    at = life.at
    brief = {"provider": "discipline", "subject": "信访与问题线索", "requested_on": day(-69)}
    c.created(f"{at}/briefings", brief, OFFICE)
    survey = {"instrument": "民主测评表", "distributed": 60, "distributed_on": day(-69)}
    c.created(f"{at}/surveys", survey, MEMBER)
    c.created(f"{at}/documents/request", {"items": ["采购合同"], "requested_on": day(-65)}, MEMBER)
    visit = {"site": "第二水厂", "method": "四不两直", "visited_on": day(-62)}
    c.created(f"{at}/site-visits", {**visit, "visitors": ["member-1", "member-2"]}, MEMBER)
    check = {"subject": "财务收支", "summary": "抽查凭证", "completed_on": day(-61)}
    c.created(f"{at}/special-checks", {**check, "conducted_by": ["member-1"]}, MEMBER)
    meeting = {
        "held_on": day(-60),
        "agenda": ["信访件分类"],
        "decisions": ["受理"],
        "attendees": ["leader-1", "deputy-1", "member-1"],
    }
    c.created(f"{at}/group-meetings", meeting, LEADER)
    leave = {"first_day": day(-55), "last_day": day(-54), "reason_text": "家中有事"}
    c.created(f"{at}/management/leave", leave, MEMBER)
    ask = {"subject": "是否延长驻点", "question": "请示延长一周", "requested_on": day(-52)}
    c.created(f"{at}/management/instructions", ask, LEADER)


def sealed_intake(c: Creations, life: Lifecycle) -> None:
    petition = {
        "channel": "letter",
        "received_on": day(-60),
        "petitioner": {"name": PETITIONER, "contact": "13800000000"},
        "content": PETITION_TEXT,
    }
    c.created(f"{life.at}/petitions", petition, MEMBER)
    interview = {
        "interviewers": ["member-1", "member-2"],
        "category": "leadership_team",
        "conducted_on": day(-60),
        "interviewee": {"name": INTERVIEWEE, "position": "副局长"},
        "record": "谈话笔录内容",
    }
    c.created(f"{life.at}/interviews", interview, MEMBER)
    immediate = {"problem": "公车私用", "measures": "收回车辆", "requested_on": day(-56)}
    c.created(f"{life.at}/immediate-rectifications", immediate, LEADER)
    lead = {
        "subject_name": "某副局长",
        "subject_position": "市水务局副局长",
        "management_level": "city_managed",
        "allegation": "违规插手工程",
        "sources": [{"kind": "petition", "ref": "petition-2026-031"}],
    }
    c.created(f"{life.at}/leads", lead, MEMBER)


def supplementary(c: Creations, life: Lifecycle) -> None:
    body = {"kind": "special", "topic": "采购专题", "addressees": ["市委"], "content": "专题内容"}
    c.created(f"{life.at}/supplementary-reports", body, LEADER)


def education(c: Creations, life: Lifecycle) -> None:
    bulletin = {
        "title": "典型案例通报",
        "case_summaries": ["某局原局长违规收受礼金"],
        "audience": "全市党员干部",
        "issued_on": day(0),
    }
    c.created("/warning-bulletins", bulletin, OFFICE)
    c.created("/confession-books", {"title": "忏悔录"}, OFFICE)
    session = {"organization_id": TARGET_ORG, "held_on": day(0), "participants": 40}
    c.created("/warning-study-sessions", {**session, "materials": ["忏悔录"]}, PRINCIPAL)
    sector = {
        "sector": "水务",
        "recipient_department": "市水务局",
        "problems": "采购不规范",
        "inspection_ids": [life.inspection_id],
        "recommended_on": day(0),
    }
    c.created("/sector-rectifications", sector, OFFICE)


def lookback(c: Creations, life: Lifecycle) -> None:
    round_body = {
        "jurisdiction_id": "yulin",
        "committee": "中共榆林市委",
        "name": "巡察整改回头看",
        "round_type": "lookback",
        "planned_start": day(-10),
        "planned_end": day(100),
    }
    lookback_round = c.created("/rounds", round_body, OFFICE)
    c.command(f"/rounds/{lookback_round}/approve", {}, COMMITTEE)
    body = {"lookback_of_inspection_id": life.inspection_id, "group_name": "第三巡察组"}
    body["provincial_feedback_refs"] = ["省委巡视反馈问题 7"]
    c.created(f"/rounds/{lookback_round}/lookbacks", body, COMMITTEE)


def seed(api: Api) -> tuple[Creations, Lifecycle]:
    """Every creating command, in a workflow that makes each possible."""
    c = Creations(api)
    life = Lifecycle(c)
    pool(c)
    life.to_stationed()
    fieldwork(c, life)
    sealed_intake(c, life)
    life.draft_finding()
    life.review_and_approve_finding(life.finding_ids[0])
    life.withdraw()
    life.report_through_approval()
    supplementary(c, life)
    life.feedback()
    life.plan_accepted()
    education(c, life)
    lookback(c, life)
    api.position = c.position  # reads through `api` wait for the whole workflow
    return c, life

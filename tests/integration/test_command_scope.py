"""Object scope on every command route that names a record, over HTTP on real PostgreSQL.

Two inspections in two organizations, each with a group of its own people: A's taken far
enough that every kind of record a command path names exists (finding, petition, interview,
immediate rectification, lead transferred to the commission, supplementary report,
rectification items, group, and a look-back inspection). For EVERY command route whose path
names a record, with a valid body (the minimal instance of the route's body schema), each
role the route admits and scopes is sent by an actor of that role in the wrong group,
organization or receiving authority: each answer is 404 with the body an unknown id gets,
and nothing is appended. The same routes for the in-scope actors are not answered by the
scope check. A new record-naming route is covered by construction, or fails here until its
kind of record is registered (`api/command_scope.RECORD_KINDS`) and seeded.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from psycopg.conninfo import make_conninfo
from psycopg.sql import SQL, Identifier

from tests.integration.test_fieldwork import petition
from tests.integration.test_leads import classify_and_approve, publish_lead_policy, register
from tests.integration.test_ledger_import import XLSX, good_row, workbook
from tests.support.api import (
    COMMITTEE,
    DEPUTY,
    DISCIPLINE,
    LEADER,
    LEADING_GROUP,
    LIAISON,
    MEMBER,
    OFFICE,
    PRINCIPAL,
    Api,
    Who,
)
from tests.support.bodies import Minimal
from tests.support.lifecycle import FINDING, Lifecycle, day, person
from xuncha.api.http.command_scope import RECORD_KINDS, facts_for
from xuncha.events.base import Role

pytestmark = pytest.mark.integration

ORG_B = "org-transport-bureau"
LEADER_B = Who("leader-b", Role.GROUP_LEADER, "org-xcb")
DEPUTY_B = Who("deputy-b", Role.DEPUTY_GROUP_LEADER, "org-xcb")
MEMBER_B = Who("member-b", Role.GROUP_MEMBER, "org-audit")
EXPERT_B = Who("expert-b", Role.EXTERNAL_EXPERT, "org-law-firm")
PRINCIPAL_B = Who("principal-b", Role.INSPECTED_ORG_PRINCIPAL, ORG_B)

# Per scoped role, someone with that role outside A's scope: in B's group, of B's
# organization, supervising another organization, or at an authority A's lead did not go to.
WRONG: dict[Role, Who] = {
    Role.GROUP_LEADER: LEADER_B,
    Role.DEPUTY_GROUP_LEADER: DEPUTY_B,
    Role.GROUP_MEMBER: MEMBER_B,
    Role.EXTERNAL_EXPERT: EXPERT_B,
    Role.INSPECTED_ORG_PRINCIPAL: PRINCIPAL_B,
    Role.INSPECTED_ORG_LIAISON: Who("liaison-b", Role.INSPECTED_ORG_LIAISON, ORG_B),
    Role.SUPERVISING_DEPARTMENT: Who("sd-b", Role.SUPERVISING_DEPARTMENT, "org-transport-dept"),
    Role.DISCIPLINE_COMMISSION: Who("dc-9", Role.DISCIPLINE_COMMISSION, "org-county-jw"),
    Role.ORGANIZATION_DEPARTMENT: Who("od-9", Role.ORGANIZATION_DEPARTMENT, "org-county-zzb"),
    Role.INTEGRATION_CLIENT: Who("ic-9", Role.INTEGRATION_CLIENT, "org-county-jw"),
}
# Per scoped role, someone in A's scope (A's group, A's organization, the lead's receiver).
IN_SCOPE: dict[Role, Who] = {
    Role.GROUP_LEADER: LEADER,
    Role.DEPUTY_GROUP_LEADER: DEPUTY,
    Role.GROUP_MEMBER: MEMBER,
    Role.INSPECTED_ORG_PRINCIPAL: PRINCIPAL,
    Role.INSPECTED_ORG_LIAISON: LIAISON,
    Role.DISCIPLINE_COMMISSION: DISCIPLINE,
    Role.INTEGRATION_CLIENT: Who("ic-1", Role.INTEGRATION_CLIENT, DISCIPLINE.organization_id),
}

# A's petition was forwarded to no one: the client acting for the commission has no petition.
NOT_RECEIVED = {(Role.INTEGRATION_CLIENT, "petitions")}


@dataclass
class World:
    api: Api
    a: Lifecycle
    ids: dict[str, str] = field(default_factory=dict)  # RECORD_KINDS key -> one of A's ids
    requested_item: str = ""  # closure requested: verifiable
    closed_item: str = ""
    lookback_id: str = ""  # A's look-back inspection, planned


# Valid bodies of the command routes that take a file: a 三清单 workbook of one good row.
FILE_BODIES = {XLSX: lambda: workbook([good_row()])}


@dataclass(frozen=True)
class RecordRoute:
    path: str
    roles: frozenset[Role]
    body: Any
    body_model: Any
    # A route whose body is a file (the plan import): its media type; the body is bytes.
    media_type: str | None = None

    def post(self, api: Api, path: str, who: Who) -> Any:
        if self.media_type is None:
            return api.post(path, self.body, who)
        headers = {**api.headers(who), "Content-Type": self.media_type}
        return api.client.post(path, content=self.body, headers=headers)

    @property
    def kind(self) -> str:
        """The path segment before the record's id (`rectification-items`)."""
        return self.path.split("/{", 1)[0].rsplit("/", 1)[-1]

    def at(self, record_id: str) -> str:
        return re.sub(r"\{[^}]+\}", record_id, self.path)


def record_routes(app: Any) -> list[RecordRoute]:
    """Every POST route whose path names a record, with a minimal valid body."""
    document = app.openapi()
    minimal = Minimal(document)
    found = []
    for context in iter_route_contexts(app.routes):
        route, path = context.original_route, str(context.path)
        if not (isinstance(route, APIRoute) and "POST" in (context.methods or ())):
            continue
        if "{" not in path:
            continue
        content = document["paths"][path]["post"]["requestBody"]["content"]
        roles = frozenset(route.roles)  # type: ignore[attr-defined]
        if "application/json" not in content:
            media_type = next(t for t in content if t in FILE_BODIES)
            found.append(RecordRoute(path, roles, FILE_BODIES[media_type](), None, media_type))
            continue
        assert route.body_field is not None, path
        model = route.body_field.field_info.annotation
        body = minimal.of(content["application/json"]["schema"])
        found.append(RecordRoute(path, roles, body, model))
    return sorted(found, key=lambda r: r.path)


def group_of(api: Api, life: Lifecycle, leader: Who, deputy: Who, members: list[Who]) -> None:
    """Propose, declare, form, clear and pledge a group of these people, then authorize it."""
    body = {
        "round_id": life.round_id,
        "name": "第二巡察组",
        "inspection_ids": [life.inspection_id],
        "leader": person(leader, "孙组长"),
        "deputies": [person(deputy, "周副组长")],
    }
    life.group_id = api.command("/groups", body, OFFICE, 201)["created_id"]
    at = f"/groups/{life.group_id}"
    for who in (leader, deputy):
        api.command(f"{at}/recusal-declaration", {}, who)
    formed = [person(who, who.user_id) for who in members]
    api.command(f"{at}/form", {"members": formed}, OFFICE)
    for who in members:
        api.command(f"{at}/recusal-declaration", {}, who)
    everyone = [leader, deputy, *members]
    api.command(f"{at}/clear-recusal", {"user_ids": [w.user_id for w in everyone]}, OFFICE)
    for who in everyone:
        api.command(f"{at}/pledge", {"signed_on": day(-85)}, who)
    body = {"group_id": life.group_id, "window_start": day(-80), "window_end": day(-10)}
    api.command(f"{life.at}/authorize-group", body, LEADING_GROUP)


def seed_b(api: Api) -> Lifecycle:
    b = Lifecycle(api)
    b.propose_round()
    b.approve_round()
    b.plan_inspection(ORG_B)
    group_of(
        api, b, LEADER_B, DEPUTY_B, [MEMBER_B, EXPERT_B, Who("member-b2", Role.GROUP_MEMBER, "x")]
    )
    return b


def fieldwork_records(api: Api, a: Lifecycle) -> dict[str, str]:
    interview = {
        "interviewers": ["member-1", "member-2"],
        "category": "leadership_team",
        "conducted_on": day(-60),
        "interviewee": {"name": "被谈话人", "position": "副局长"},
        "record": "谈话笔录",
    }
    immediate = {"problem": "公车私用", "measures": "收回车辆", "requested_on": day(-56)}
    at = a.at
    return {
        "petitions": petition(api, a),
        "interviews": api.command(f"{at}/interviews", interview, MEMBER, 201)["created_id"],
        "immediate-rectifications": api.command(
            f"{at}/immediate-rectifications", immediate, LEADER, 201
        )["created_id"],
    }


def rectifying_with_two_items(api: Api, a: Lifecycle) -> None:
    item = {
        "measures": "重新招标并建立采购审查制度",
        "responsible_leader": "局长",
        "responsible_department": "财务科",
        "deadline": day(30),
    }
    plan = {"items": [{**item, "ledger_item_no": 1}, {**item, "ledger_item_no": 1}]}
    api.command(f"{a.at}/rectification-plan", plan, PRINCIPAL)
    result = api.command(f"{a.at}/rectification-plan/accept", {"plan_version": 1}, OFFICE)
    a.item_ids = [
        e["stream_id"] for e in result["events"] if e["type"] == "rectification.item_opened"
    ]


def lookback_of(api: Api, a: Lifecycle) -> str:
    round_body = {
        "jurisdiction_id": "yulin",
        "committee": "中共榆林市委",
        "name": "巡察整改回头看",
        "round_type": "lookback",
        "planned_start": day(-10),
        "planned_end": day(100),
    }
    lookback_round = api.command("/rounds", round_body, OFFICE, 201)["created_id"]
    api.command(f"/rounds/{lookback_round}/approve", {}, COMMITTEE)
    body = {"lookback_of_inspection_id": a.inspection_id, "group_name": "第三巡察组"}
    return str(
        api.command(f"/rounds/{lookback_round}/lookbacks", body, COMMITTEE, 201)["created_id"]
    )


def seed(api: Api) -> World:
    publish_lead_policy(api)
    a = Lifecycle(api)
    a.to_stationed()
    world = World(api, a)
    world.ids.update(fieldwork_records(api, a))
    lead = register(api, a)
    classify_and_approve(api, lead)
    a.draft_finding()
    a.review_and_approve_finding(a.finding_ids[0])
    a.withdraw()
    report = {"kind": "special", "topic": "专题报告", "content": "选人用人问题"}
    created = api.command(f"{a.at}/supplementary-reports", report, LEADER, 201)
    world.ids["supplementary-reports"] = created["created_id"]
    transfer = {"package_ref": "移交函 2026-12", "transferred_on": day(0)}
    api.command(f"/leads/{lead}/transfer", transfer, OFFICE)
    a.report_through_approval()
    a.feedback()
    rectifying_with_two_items(api, a)
    world.requested_item, world.closed_item = a.item_ids
    at = f"/rectification-items/{world.requested_item}"
    api.command(f"{at}/progress", {"percent": 60, "note": "已重新招标"}, LIAISON)
    closure = {"summary": "整改完成", "evidence_refs": ["doc-2026-101"]}
    api.command(f"{at}/request-closure", closure, PRINCIPAL)
    a.close_item(world.closed_item)
    world.lookback_id = lookback_of(api, a)
    world.ids.update(
        {
            "inspections": a.inspection_id,
            "findings": a.finding_ids[0],
            "rectification-items": world.requested_item,
            "leads": lead,
            "groups": a.group_id,
        }
    )
    seed_b(api)
    return world


@pytest.fixture(scope="module")
def world(pg_server: str, template_database: str) -> Iterator[World]:
    """One application on its own database for the module, seeded once (about 90 commands)."""
    from xuncha.api.container import build
    from xuncha.api.http.app import create_app
    from xuncha.api.settings import Settings

    name = f"xt_scope_{uuid4().hex[:12]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(
            SQL("CREATE DATABASE {} TEMPLATE {}").format(
                Identifier(name), Identifier(template_database)
            )
        )
    url = make_conninfo(pg_server, dbname=name)
    settings = Settings(database_url=url, api_threads=4, read_wait_max_seconds=10)
    container = build(settings, url)
    container.runner.start_thread()
    try:
        with TestClient(create_app(container)) as client:
            yield seed(Api(client, settings))
    finally:
        container.close()
        with psycopg.connect(pg_server, autocommit=True) as conn:
            conn.execute(SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(Identifier(name)))


def scoped_roles(route: RecordRoute) -> list[Role]:
    kind = RECORD_KINDS[route.kind]
    return sorted(role for role in route.roles if facts_for(role, kind) is not None)


def unknown_id_problem(api: Api, route: RecordRoute, who: Who, record_id: str) -> Any:
    """What `who` gets for an id that names nothing, with `record_id` in its place."""
    other = str(uuid4())
    problem = route.post(api, route.at(other), who).json()
    return {**problem, "detail": problem["detail"].replace(other, record_id)}


def test_every_record_naming_command_refuses_actors_of_another_scope(world: World) -> None:
    api = world.api
    routes = record_routes(api.client.app)
    before = api.event_count()
    refused, unrestricted = [], []
    for route in routes:
        if route.body_model is not None:  # a valid body
            route.body_model.model_validate_json(json.dumps(route.body), strict=True)
        assert route.kind in RECORD_KINDS, f"{route.path}: add its kind to RECORD_KINDS"
        roles = scoped_roles(route)
        if not roles:
            unrestricted.append(route.path)
            continue
        record_id = world.ids.get(route.kind)
        assert record_id, f"{route.path}: seed one of A's records of kind {route.kind}"
        for role in roles:
            who = WRONG[role]
            response = route.post(api, route.at(record_id), who)
            what = RECORD_KINDS[route.kind].what
            assert (response.status_code, response.json()["detail"]) == (
                404,
                f"{what} {record_id} does not exist",
            ), (route.path, role, response.text)
            assert response.json() == unknown_id_problem(api, route, who, record_id)
            refused.append((route.path, role))
    assert api.event_count() == before
    # The sweep reached the whole API: every scoped role, every kind of record.
    assert {role for _, role in refused} == set(WRONG)
    assert {RecordRoute(path, frozenset(), {}, None).kind for path, _ in refused} == set(world.ids)
    assert len({path for path, _ in refused}) >= 75, len({path for path, _ in refused})
    # The office's, committee's and leading group's routes: the role check is the scope.
    assert len(unrestricted) >= 40, len(unrestricted)


def test_defect_1_another_groups_leader_cannot_verify_or_fail_an_item(world: World) -> None:
    """The leader of group 2, authorized only for inspection 2, on an item of inspection 1
    whose closure was requested: 404 as for an unknown item, nothing appended (was 200)."""
    api, item = world.api, world.requested_item
    before = api.event_count()
    for action, body in (
        ("verify", {"note": "核查属实"}),
        ("fail-verification", {"comments": "不实"}),
    ):
        response = api.post(f"/rectification-items/{item}/{action}", body, LEADER_B)
        assert response.status_code == 404, response.text
        assert response.json()["detail"] == f"rectification item {item} does not exist"
    assert api.event_count() == before
    # Reading it answers the same: the record does not exist for this actor.
    read = api.client.get(f"/rectification-items/{item}", headers=api.headers(LEADER_B))
    assert read.status_code == 404


def test_defect_2_the_scope_is_checked_before_the_state(world: World) -> None:
    """B's principal on A's closed item and on A's planned look-back inspection: 404 with an
    unknown id's body, not a 409 naming A's stage."""
    api = world.api
    before = api.event_count()
    progress = {"percent": 100, "note": "完成"}
    attempts = [
        (f"/rectification-items/{world.closed_item}/progress", progress, "rectification item"),
        (f"/inspections/{world.lookback_id}/rectification-plan", {"items": []}, "inspection"),
        (f"/inspections/{world.lookback_id}/feedback/acknowledge", {}, "inspection"),
    ]
    for path, body, what in attempts:
        record_id = path.split("/")[2]
        response = api.post(path, body, PRINCIPAL_B)
        unknown = api.post(path.replace(record_id, str(uuid4())), body, PRINCIPAL_B)
        assert response.status_code == unknown.status_code == 404, response.text
        assert response.json()["detail"] == f"{what} {record_id} does not exist"
        assert "stage" not in response.text
        assert "closed" not in response.text
    assert api.event_count() == before
    # A's own principal still gets the stage answer: the state was not in question.
    own = api.post(f"/rectification-items/{world.closed_item}/progress", progress, PRINCIPAL)
    assert own.status_code == 409, own.text


def test_in_scope_actors_are_not_refused_by_the_scope_check(world: World) -> None:
    """The positive control: A's own people on the same routes with the same bodies get past
    the scope check (whatever the record's state then answers), and their bodies are valid."""
    api = world.api
    tried: set[str] = set()
    for route in record_routes(api.client.app):
        record_id = world.ids.get(route.kind, "")
        for role in scoped_roles(route):
            who = IN_SCOPE.get(role)
            if who is None or (role, route.kind) in NOT_RECEIVED:
                continue
            response = route.post(api, route.at(record_id), who)
            problem = response.json()
            scope_answer = f"{RECORD_KINDS[route.kind].what} {record_id} does not exist"
            assert problem.get("detail") != scope_answer, (route.path, role, response.text)
            assert response.status_code != 500, (route.path, role, response.text)
            body_errors = [e for e in problem.get("errors", []) if e["location"][:1] == ["body"]]
            assert not body_errors, (route.path, role, body_errors)
            tried.add(route.path)
    scoped = {route.path for route in record_routes(api.client.app) if scoped_roles(route)}
    # Every scoped route was tried by someone in scope, except those only outside experts or
    # supervising departments may use (A has neither).
    assert scoped - tried == set(), sorted(scoped - tried)


def test_a_record_created_just_before_is_not_refused_for_read_model_lag(
    api: Api, container: Any
) -> None:
    """The read model is stopped when a member drafts a finding; amending it at once waits for
    `read_scope` to catch up (here: restarted 0.5 s later) instead of answering 404."""
    life = Lifecycle(api)
    life.to_stationed()
    container.runner.stop()
    life.draft_finding()

    def restart() -> None:
        container.runner.stopped.clear()
        container.runner.start_thread()

    later = threading.Timer(0.5, restart)
    later.start()
    try:
        amend = {"content": {**FINDING, "title": "采购拆分（修订）"}, "why": "补充事实"}
        response = api.post(f"/findings/{life.finding_ids[0]}/amend", amend, MEMBER)
    finally:
        later.join()
    assert response.status_code == 200, response.text

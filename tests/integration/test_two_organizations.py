"""Object-level authorization across two inspected organizations, over HTTP.

Organization A (the water bureau) and organization B (the transport bureau) are each inspected
through rectification, in rounds of their own, and each has an open rectification item.
B's principal and liaison may read and work on B's records; on A's they get 403 or 404 on
every route of the API, never a 2xx, never a byte of A's data, and nothing is appended.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support.api import LIAISON, OFFICE, PRINCIPAL, TARGET_ORG, Api, Who
from tests.support.lifecycle import Lifecycle, day
from xuncha.events.base import Role
from xuncha.events.office_day import office_today

ORG_B = "org-transport-bureau"
PRINCIPAL_B = Who("principal-b", Role.INSPECTED_ORG_PRINCIPAL, ORG_B)
LIAISON_B = Who("liaison-b", Role.INSPECTED_ORG_LIAISON, ORG_B)


def rectifying(api: Api, organization_id: str, principal: Who) -> Lifecycle:
    """An inspection of `organization_id` in a round of its own, its plan (submitted by that
    organization's principal) accepted: one open rectification item."""
    life = Lifecycle(api)
    life.propose_round()
    life.approve_round()
    life.plan_inspection(organization_id)
    for step in (
        life.authorize_group,
        life.issue_notice,
        life.announce,
        life.station,
        life.draft_finding,
    ):
        step()
    life.review_and_approve_finding(life.finding_ids[0])
    life.withdraw()
    life.report_through_approval()
    life.feedback()
    item = {
        "ledger_item_no": 1,
        "measures": "重新招标并建立采购审查制度",
        "responsible_leader": "局长",
        "responsible_department": "财务科",
        "deadline": day(30),
    }
    api.command(f"{life.at}/rectification-plan", {"items": [item]}, principal)
    result = api.command(f"{life.at}/rectification-plan/accept", {"plan_version": 1}, OFFICE)
    life.item_ids = [
        e["stream_id"] for e in result["events"] if e["type"] == "rectification.item_opened"
    ]
    return life


@pytest.fixture
def two(api: Api) -> tuple[Lifecycle, Lifecycle]:
    return rectifying(api, TARGET_ORG, PRINCIPAL), rectifying(api, ORG_B, PRINCIPAL_B)


def a_ids(a: Lifecycle) -> dict[str, str]:
    """Path parameters naming A's records."""
    return {
        "round_id": a.round_id,
        "inspection_id": a.inspection_id,
        "group_id": a.group_id,
        "finding_id": a.finding_ids[0],
        "item_id": a.item_ids[0],
        "stream_id": a.inspection_id,
    }


def secrets_of(a: Lifecycle) -> list[str]:
    """What must never appear in an answer to B: A's ids and A's organization."""
    return [a.inspection_id, a.item_ids[0], a.finding_ids[0], a.group_id, TARGET_ORG]


def operations(api: Api, method: str) -> list[str]:
    document = api.client.get("/openapi.json").json()
    return [path for path, item in document["paths"].items() if method in item]


# Values for the query parameters an operation requires (a year of shared results).
REQUIRED_QUERY = {"year": str(office_today().year)}


def required_query(document: dict[str, Any], path: str) -> dict[str, str]:
    """The required query parameters of `GET path` that B could fill (others are left out:
    their routes refuse B by role first)."""
    operation = document["paths"][path]["get"]
    names = [
        p["name"]
        for p in operation.get("parameters", [])
        if p["in"] == "query" and p.get("required")
    ]
    return {name: REQUIRED_QUERY[name] for name in names if name in REQUIRED_QUERY}


def fill(path: str, ids: dict[str, str]) -> str | None:
    """`path` with A's ids, or None when it names a kind of record A's fixture has not."""
    names = re.findall(r"{(\w+)}", path)
    if any(name not in ids for name in names):
        return None
    return path.format(**{name: ids[name] for name in names})


def test_b_reads_its_own_records(api: Api, two: tuple[Lifecycle, Lifecycle]) -> None:
    _, b = two
    for who in (PRINCIPAL_B, LIAISON_B):
        assert api.get(f"/inspections/{b.inspection_id}", who)["organization_id"] == ORG_B
        assert api.get(f"/rectification-items/{b.item_ids[0]}", who)["item_id"] == b.item_ids[0]
        listed = {row["item_id"] for row in api.get("/rectification-items", who)["items"]}
        assert listed == set(b.item_ids)


def test_b_reads_nothing_of_a_on_any_query(api: Api, two: tuple[Lifecycle, Lifecycle]) -> None:
    a, _ = two
    ids, secrets = a_ids(a), secrets_of(a)
    checked = 0
    document = api.client.get("/openapi.json").json()
    for template in operations(api, "get"):
        path = fill(template, ids)
        if path is None or template in ("/openapi.json", "/healthz", "/readyz"):
            continue
        for who in (PRINCIPAL_B, LIAISON_B):
            params = {"min_position": api.position, **required_query(document, template)}
            response = api.client.get(path, params=params, headers=api.headers(who))
            text = response.text
            if "{" in template:  # one of A's records by its id
                assert response.status_code in (403, 404), (path, who.role, text)
            else:  # a list or a figure: answered, but without A
                assert response.status_code in (200, 403), (path, who.role, text)
            # A 404 may repeat the id the client sent; anything else of A's is a leak.
            leaked = [secret for secret in secrets if secret in text and secret not in path]
            assert not leaked, (path, who.role, leaked, text[:500])
            checked += 1
    assert checked >= 20  # the sweep reached the queries, not just a few


def test_b_cannot_act_on_a(api: Api, two: tuple[Lifecycle, Lifecycle]) -> None:
    a, b = two
    item_a, item_b = a.item_ids[0], b.item_ids[0]
    before = api.event_count()
    progress = {"percent": 60, "note": "已重新招标"}
    closure = {"summary": "整改完成", "evidence_refs": ["doc-2026-101"]}
    report = {
        "organization_report": "整改情况报告",
        "principal_report": "组织落实情况报告",
        "submitted_on": day(0),
    }
    attempts: list[tuple[str, dict[str, Any], Who]] = [
        (f"/rectification-items/{item_a}/progress", progress, LIAISON_B),
        (f"/rectification-items/{item_a}/progress", progress, PRINCIPAL_B),
        (f"/rectification-items/{item_a}/request-closure", closure, PRINCIPAL_B),
        (f"{a.at}/rectification-report", report, PRINCIPAL_B),
    ]
    for path, body, who in attempts:
        response = api.post(path, body, who)
        assert response.status_code in (403, 404), (path, who.role, response.text)
        assert TARGET_ORG not in response.text
    assert api.event_count() == before
    # The same commands on B's own records go through: the refusals above were about A.
    api.command(f"/rectification-items/{item_b}/progress", progress, LIAISON_B)
    api.command(f"/rectification-items/{item_b}/request-closure", closure, PRINCIPAL_B)
    # And A's own people still can.
    api.command(f"/rectification-items/{item_a}/progress", progress, LIAISON)


def test_no_command_on_a_succeeds_for_b(api: Api, two: tuple[Lifecycle, Lifecycle]) -> None:
    """Every command route addressing one of A's records, with B's tokens and an empty or
    plausible body: never a 2xx, nothing appended."""
    a, _ = two
    ids = a_ids(a)
    before = api.event_count()
    tried = 0
    for template in operations(api, "post"):
        path = fill(template, ids)
        if path is None or "{" not in template:
            continue
        for who in (PRINCIPAL_B, LIAISON_B):
            for body in ({}, {"percent": 100, "note": "done"}):
                response = api.post(path, body, who)
                assert response.status_code >= 400, (path, who.role, response.text)
                assert response.status_code != 500, (path, who.role, response.text)
                tried += 1
    assert tried >= 40
    assert api.event_count() == before

"""Scoping holds for every file the API writes: a table over every export and document route
(a class test: the table must name every GET of the documents area) asks, for every reader
of the two-organization world of test_read_scoping, the file and the GET it mirrors; the
status must be the same (200, 403 or 404) and an export must hold exactly the rows the GET
answers. Sealed fields never reach a file."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.integration import test_read_scoping as world
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
from tests.support.creations import app_routes
from xuncha.events.base import Role

Count = Callable[[Any], int] | None


@dataclass(frozen=True)
class Case:
    route: str  # the route's path template, as the app declares it
    path: str  # with ids
    mirror: str  # the GET it mirrors
    params: dict[str, Any]
    mirror_params: dict[str, Any]
    rows: Count = None  # rows the mirror answers (None: a document, status only)


def get(api: Api, path: str, who: Who, **params: Any) -> Any:
    params.setdefault("min_position", api.position)
    return api.client.get(path, params=params, headers=api.headers(who))


def listed(page: Any) -> int:
    """The rows of a list query's page."""
    return len(page["items"])


def cases(a: str, finding: str, year: int = 2026) -> list[Case]:
    plan = f"/inspections/{a}/rectification-plan"
    feedback = f"/inspections/{a}/feedback"
    return [
        Case(
            "/inspections/{inspection_id}/feedback/problem-ledger.xlsx",
            f"{feedback}/problem-ledger.xlsx",
            feedback,
            {},
            {},
            lambda j: len(j["ledger"]),
        ),
        Case(
            "/inspections/{inspection_id}/rectification-plan/three-lists.xlsx",
            f"{plan}/three-lists.xlsx",
            plan,
            {},
            {},
            lambda j: len(j["versions"][-1]["items"]),
        ),
        Case(
            "/exports/rectification-ledger.xlsx",
            "/exports/rectification-ledger.xlsx",
            "/rectification-items",
            {},
            {"limit": 500},
            listed,
        ),
        Case("/exports/leads.xlsx", "/exports/leads.xlsx", "/leads", {}, {"limit": 500}, listed),
        Case(
            "/exports/shared-results.xlsx",
            "/exports/shared-results.xlsx",
            "/shared-results",
            {"year": year},
            {"year": year, "limit": 500},
            listed,
        ),
        Case(
            "/findings/{finding_id}/approval-form.docx",
            f"/findings/{finding}/approval-form.docx",
            f"/findings/{finding}",
            {},
            {},
        ),
        Case(
            "/inspections/{inspection_id}/feedback/opinion.docx",
            f"{feedback}/opinion.docx",
            feedback,
            {},
            {},
        ),
        Case(
            "/inspections/{inspection_id}/rectification-plan/three-lists.docx",
            f"{plan}/three-lists.docx",
            plan,
            {},
            {},
        ),
        Case(
            "/inspections/{inspection_id}/rectification-plan/report-skeleton.docx",
            f"{plan}/report-skeleton.docx",
            plan,
            {},
            {},
        ),
    ]


READERS = [
    OFFICE,
    COMMITTEE,
    LEADING_GROUP,
    LEADER,
    DEPUTY,
    MEMBER,
    PRINCIPAL,
    LIAISON,
    DISCIPLINE,
    world.PRINCIPAL_B,
    world.LIAISON_B,
    world.OUTSIDE_MEMBER,
    world.OUTSIDE_LEADER,
    world.OUTSIDE_EXPERT,
    world.OTHER_COMMISSION,
    world.SUPERVISOR,
    world.OTHER_SUPERVISOR,
    world.DASHBOARD,
    world.AUDITOR,
    Who("od-1", Role.ORGANIZATION_DEPARTMENT, "org-zzb"),
    Who("client-1", Role.INTEGRATION_CLIENT, "org-jw"),
]


def test_every_file_is_scoped_exactly_like_the_get_it_mirrors(api: Api) -> None:
    w = world.World(api)
    api.command(f"/inspections/{w.a}/shared-results", {"leads": None}, OFFICE)
    (shared,) = get(api, "/shared-results", OFFICE).json()["items"]
    feedback = get(api, f"/inspections/{w.a}/feedback", OFFICE).json()
    table = cases(w.a, feedback["ledger"][0]["finding_ids"][0], shared["year"])
    declared = {
        r.path
        for r in app_routes(api.client.app)
        if "documents" in r.route.tags and "GET" in r.methods
    }
    assert declared == {c.route for c in table}  # a new file route must join the table
    seen = set()
    for who in READERS:
        for case in table:
            got = w.get(case.path, who, **case.params)
            mirror = w.get(case.mirror, who, **case.mirror_params)
            assert got.status_code == mirror.status_code, (case.path, who, got.text)
            seen.add((case.route, got.status_code))
            if got.status_code == 200 and case.rows is not None:
                rows = int(got.headers["x-export-rows"])
                assert rows == case.rows(mirror.json()), (case.path, who)
                seen.add((case.route, "rows" if rows else "empty"))
    # The table exercised each route both readable and refused.
    for case in table:
        assert (case.route, 200) in seen, case.route
        assert {(case.route, 403), (case.route, 404)} & seen, case.route
        if case.rows is not None:  # some reader got rows, some other none (filtered)
            assert (case.route, "rows") in seen, case.route


def test_a_commission_exports_only_the_leads_sent_to_it(api: Api) -> None:
    w = world.World(api)
    both = {w.lead, w.approved_only}
    for who, expected in ((DISCIPLINE, {w.lead}), (world.OTHER_COMMISSION, set()), (OFFICE, both)):
        got = w.get("/exports/leads.xlsx", who)
        assert got.status_code == 200
        assert shown_ids(got.content) & {w.lead, w.approved_only} == expected, who


def shown_ids(xlsx: bytes) -> set[str]:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        text = z.read("xl/worksheets/sheet1.xml").decode()
    return {part.split("<")[0] for part in text.split("<t>")[1:]}


def test_sealed_fields_never_reach_a_file(api: Api) -> None:
    from tests.support.creations import INTERVIEWEE, PETITION_TEXT, PETITIONER, seed

    _, life = seed(api)
    secrets = [PETITIONER, INTERVIEWEE, PETITION_TEXT, "谈话笔录内容", "13800000000"]
    for case in cases(life.inspection_id, life.finding_ids[0]):
        got = get(api, case.path, OFFICE, **case.params)
        assert got.status_code == 200, (case.path, got.text)
        with zipfile.ZipFile(io.BytesIO(got.content)) as z:
            text = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
        assert [s for s in secrets if s in text] == [], case.path
    params = {"format": "xlsx", "inspection_id": life.inspection_id}
    trail = get(api, "/audit-trail/export", world.AUDITOR, **params)
    with zipfile.ZipFile(io.BytesIO(trail.content)) as z:
        text = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    assert [s for s in secrets if s in text] == []
    assert "[sealed]" in text

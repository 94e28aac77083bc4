"""Every `Location` resolves and every created record has an id (class test), on the real
PostgreSQL over HTTP.

The routes are taken from the app: every command answered 201, and every command whose answer
documents a `Location` header. A seeded workflow (tests/support/creations.py) runs each of
them; a creating route the workflow does not run fails the test, so a new one must be seeded.
Each answer must carry `created_id` (for a 201) and a `Location` whose GET answers 200 for a
reader the query admits, naming the record created; a group inspector of no inspection gets
404 where the query admits group roles (object scope, the same answer as an unknown id).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.routing import APIRoute

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
from tests.support.creations import Creations, app_routes, route_for, seed
from xuncha.api.http.access import readable_roles
from xuncha.events.base import Role

pytestmark = pytest.mark.integration

# A reader of each role, in the order tried; the seeded inspection's people are in scope.
READERS: list[Who] = [
    OFFICE,
    COMMITTEE,
    LEADING_GROUP,
    LEADER,
    DEPUTY,
    MEMBER,
    DISCIPLINE,
    PRINCIPAL,
    LIAISON,
    Who("od-1", Role.ORGANIZATION_DEPARTMENT, "org-zzb"),
    Who("aud-1", Role.AUDITOR, "org-audit-office"),
]
OUTSIDE_LEADER = Who("leader-9", Role.GROUP_LEADER, "org-xcb")


def locating_routes(api: Api) -> set[str]:
    """POST routes that create a record (201) or document a `Location` in their answer."""
    found = set()
    for r in app_routes(api.client.app):
        route = r.route
        if "POST" not in r.methods:
            continue
        headers = (route.responses or {}).get(route.status_code or 200, {}).get("headers", {})
        if route.status_code == 201 or "Location" in headers:
            found.add(r.path)
    return found


def get_route(api: Api, path: str) -> APIRoute:
    return route_for(api.client.app, "GET", path).route


def reader_of(route: APIRoute) -> Who:
    roles = readable_roles(route)
    assert roles, f"{route.path} names no readers"
    return next(who for who in READERS if who.role in roles)


def read(api: Api, path: str, who: Who) -> Any:
    params = {"min_position": api.position}
    return api.client.get(path, params=params, headers=api.headers(who))


@pytest.fixture
def seeded(api: Api) -> Creations:
    creations, _ = seed(api)
    return creations


def test_every_creating_route_is_run_by_the_seeded_workflow(api: Api, seeded: Creations) -> None:
    missing = sorted(locating_routes(api) - set(seeded.answers))
    assert missing == [], f"seed these in tests/support/creations.py: {missing}"


def test_no_command_answers_an_id_without_a_location(api: Api, seeded: Creations) -> None:
    """Every command the workflow ran (creating or not): a created id comes with a Location."""
    locating = locating_routes(api)
    unlocated = sorted(
        path
        for path, answers in seeded.answers.items()
        if path not in locating and any(a.body["created_id"] for a in answers)
    )
    assert unlocated == []


def test_every_created_record_has_an_id_and_its_location_answers_200(
    api: Api, seeded: Creations
) -> None:
    failures = []
    checked = 0
    for path in sorted(locating_routes(api)):
        for answer in seeded.answers.get(path, []):
            created = answer.body["created_id"]
            location = answer.headers.get("location")
            if answer.status == 201 and created is None:
                failures.append(f"{path}: 201 without created_id")
            if location is None:
                failures.append(f"{path}: no Location")
                continue
            route = get_route(api, location)
            response = read(api, location, reader_of(route))
            if response.status_code != 200:
                failures.append(f"{path} -> GET {location}: {response.status_code}")
                continue
            if created is not None and created not in json.dumps(response.json()):
                failures.append(f"{path} -> GET {location} does not name {created}")
            if Role.GROUP_LEADER in (readable_roles(route) or ()):
                hidden = read(api, location, OUTSIDE_LEADER).status_code
                if hidden != 404:
                    failures.append(f"GET {location} answered {hidden} to an outside leader")
            checked += 1
    assert failures == [], "\n".join(failures)
    assert checked >= len(locating_routes(api))

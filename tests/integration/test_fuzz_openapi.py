"""Schema-driven fuzzing of the whole HTTP API (schemathesis over the OpenAPI document).

One application on a real PostgreSQL for the module, seeded through HTTP with an inspection
in rectification, so generated ids often name real records and requests get past "unknown
record" into the domain's rules. Every operation gets positive and negative examples
(deterministic: derandomized Hypothesis, no example database), sent with the bearer token of
a role the operation allows, and sometimes of a role it does not allow. The checks:

* no 5xx, ever (`not_a_server_error`);
* invalid input per the schema is never accepted (`negative_data_rejection`: 4xx only);
* every status and content type is one the document declares, and bodies match its schemas
  (`status_code_conformance`, `content_type_conformance`, `response_schema_conformance`);
* a protected operation refuses a request without credentials (`ignored_auth`);
* a role that an operation does not allow never gets a 2xx (checked here).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import psycopg
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from psycopg.conninfo import make_conninfo
from psycopg.sql import SQL, Identifier
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

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
from tests.support.lifecycle import Lifecycle
from xuncha.api.http.auth import mint
from xuncha.events.base import Role

pytestmark = pytest.mark.integration
# Raw workbook uploads (the ledger import) are sent as the bytes generated for them.
schemathesis.serializer.alias(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/octet-stream"
)

# Cases the fuzzing phase draws per operation (positive and negative mixed). The examples and
# coverage phases add their deterministic cases on top: the schema's examples, and each
# constraint of each parameter and body field met at its bounds and broken once. About
# 190 operations take 3 minutes on the 2-core machine.
MAX_EXAMPLES = 5
REQUESTS: dict[str, int] = {"sent": 0}

ACTORS: dict[Role, Who] = {
    Role.COMMITTEE: COMMITTEE,
    Role.LEADING_GROUP: LEADING_GROUP,
    Role.INSPECTION_OFFICE: OFFICE,
    Role.GROUP_LEADER: LEADER,
    Role.DEPUTY_GROUP_LEADER: DEPUTY,
    Role.GROUP_MEMBER: MEMBER,
    Role.INSPECTED_ORG_PRINCIPAL: PRINCIPAL,
    Role.INSPECTED_ORG_LIAISON: LIAISON,
    Role.DISCIPLINE_COMMISSION: DISCIPLINE,
    Role.EXTERNAL_EXPERT: Who("expert-1", Role.EXTERNAL_EXPERT, "org-law-firm"),
    Role.ORGANIZATION_DEPARTMENT: Who("od-1", Role.ORGANIZATION_DEPARTMENT, "org-zzb"),
    Role.SUPERVISING_DEPARTMENT: Who("sd-1", Role.SUPERVISING_DEPARTMENT, "org-water-authority"),
    Role.AUDITOR: Who("aud-1", Role.AUDITOR, "org-audit-office"),
    Role.DASHBOARD_READER: Who("dr-1", Role.DASHBOARD_READER, "org-city-committee"),
    Role.INTEGRATION_CLIENT: Who("ic-1", Role.INTEGRATION_CLIENT, "org-hr-system"),
}

# Ids of records that exist, filled by the `fuzz_app` fixture before any example is drawn.
KNOWN_IDS: list[str] = []


def _uuids() -> st.SearchStrategy[str]:
    """Half the generated uuids name a record that exists, half are random."""
    known = st.integers(min_value=0, max_value=1 << 16).map(
        lambda i: KNOWN_IDS[i % len(KNOWN_IDS)] if KNOWN_IDS else str(uuid4())
    )
    return st.one_of(known, st.uuids().map(str))


schemathesis.openapi.format("uuid", _uuids())


@pytest.fixture(scope="module")
def fuzz_app(pg_server: str, template_database: str) -> Iterator[tuple[Any, Any]]:
    """The application on its own database, with one inspection in rectification."""
    from xuncha.api.container import build
    from xuncha.api.http.app import create_app
    from xuncha.api.settings import Settings

    name = f"xt_fuzz_{uuid4().hex[:12]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(
            SQL("CREATE DATABASE {} TEMPLATE {}").format(
                Identifier(name), Identifier(template_database)
            )
        )
    url = make_conninfo(pg_server, dbname=name)
    # A generous bounded wait: a 503 here would mean the read models fell 10 s behind.
    fuzz_settings = Settings(
        database_url=url, api_threads=8, read_wait_max_seconds=10, position_stream_seconds=0.5
    )
    container = build(fuzz_settings, url)
    container.runner.start_thread()
    app = create_app(container)
    try:
        with TestClient(app) as client:
            flow = Lifecycle(Api(client, fuzz_settings))
            flow.to_rectifying()
            KNOWN_IDS[:] = [
                flow.round_id,
                flow.inspection_id,
                flow.group_id,
                *flow.finding_ids,
                *flow.item_ids,
            ]
        yield app, fuzz_settings
        print(f"\nschemathesis: {REQUESTS['sent']} requests (and the checks' own probes)")
    finally:
        KNOWN_IDS.clear()
        container.close()
        with psycopg.connect(pg_server, autocommit=True) as conn:
            conn.execute(SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(Identifier(name)))


def _openapi_document() -> dict[str, Any]:
    """The document as served, read at collection time (it depends on no database: the
    container is used only when requests are handled)."""
    from types import SimpleNamespace

    from xuncha.api.http.app import create_app
    from xuncha.api.settings import Settings

    document: dict[str, Any] = create_app(SimpleNamespace(settings=Settings())).openapi()  # type: ignore[arg-type]
    return document


schema = schemathesis.openapi.from_dict(_openapi_document())

CHECKS = [
    not_a_server_error,
    negative_data_rejection,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    ignored_auth,
]


def _actor(case: Any) -> tuple[Who, bool]:
    """A role the operation allows (three cases in four) or one it does not: commands name
    theirs in `x-allowed-roles`, queries in `x-readable-by`; others (health) need none."""
    raw = case.operation.definition.raw
    roles = raw.get("x-allowed-roles", raw.get("x-readable-by"))
    if roles is None:
        return OFFICE, True
    allowed = [ACTORS[Role(r)] for r in roles if Role(r) in ACTORS]
    others = [who for role, who in ACTORS.items() if role.value not in roles]
    pick = zlib.crc32(repr((case.path_parameters, case.query, case.body)).encode())
    if allowed and (pick % 4 or not others):
        return allowed[pick % len(allowed)], True
    return others[pick % len(others)], False


def _positive_body_not_refused_by_type(case: Any, response: Any) -> None:
    """Valid data per the schema is never refused for its type or format: the strict body
    check must not be stricter than the document (rules the schema cannot state, such as
    dates in order or no NUL characters, may still refuse it)."""
    if case.meta is None or case.meta.generation.mode.is_negative or response.status_code != 422:
        return
    errors = response.json().get("errors") or []
    typed = [
        e
        for e in errors
        if e["location"][:1] == ["body"] and e["type"].endswith(("_type", "_parsing"))
    ]
    assert not typed, f"{case.operation.label} refused valid data: {typed}"


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_fuzz_the_whole_api(case: Any, fuzz_app: tuple[Any, Any]) -> None:
    app, fuzz_settings = fuzz_app
    # The document was read at collection time; requests, including the checks' own
    # (ignored_auth), go to the application on the database.
    case.operation.app = case.operation.schema.app = app
    who, allowed = _actor(case)
    token = mint(
        fuzz_settings, user_id=who.user_id, role=who.role, organization_id=who.organization_id
    )
    response = case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
    REQUESTS["sent"] += 1
    _positive_body_not_refused_by_type(case, response)
    # The role is checked first; only the edge (repeated query parameter, oversized body) and
    # authentication (negative cases may drop or break the token) answer before it.
    # (The coverage phase also probes other methods on the path: those answer 405.)
    if not allowed and case.method.upper() == case.operation.method.upper():
        assert response.status_code in (400, 401, 403, 413), (
            f"{case.operation.label} answered {response.status_code} to role {who.role}, "
            f"which it does not allow: {response.text[:300]}"
        )

"""Every endpoint × every role, over HTTP, against docs/authorization-matrix.md.

For each command (POST) and query (GET) route of the app, every role's token is sent: a role
the matrix does not admit gets 403 `role_not_permitted` whatever the body or parameters (the
role check comes first), an admitted role never gets 401 or 403 (its request fails later, on
validation or the unknown ids, if at all). A route missing from the matrix fails the test;
regenerate it with `scripts/authorization_matrix.py` and review the diff.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast
from uuid import uuid4

import psycopg
import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from psycopg.conninfo import make_conninfo
from psycopg.sql import SQL, Identifier

from xuncha.api.container import Container, build
from xuncha.api.http.app import create_app
from xuncha.api.http.auth import mint
from xuncha.api.settings import Settings
from xuncha.commands.base import Command
from xuncha.events.base import Role

MATRIX = Path(__file__).resolve().parents[2] / "docs" / "authorization-matrix.md"
PUBLIC = frozenset({"/healthz", "/readyz", "/metrics"})  # no token: positions and counts only
ROW = re.compile(r"^\| `(GET|POST|PUT|PATCH|DELETE) (\S+)` \|(.*)\|\s*$")
TOKEN_ROLES = [role for role in Role if role != Role.SYSTEM]
# Commands that record a read and change no record: justified access to sealed material, and
# an export (of the audit trail or a ledger), which auditors make too.
ACCESS_RECORDS = {"ReadSealedRecord", "ExportAuditTrail"}


@cache
def documented() -> tuple[list[Role], dict[tuple[str, str], frozenset[Role]], set[tuple[str, str]]]:
    """The matrix document: its role columns, per endpoint the roles marked ✔, and the
    endpoints marked `?` (no declared readers)."""
    lines = MATRIX.read_text().splitlines()
    header = next(line for line in lines if line.startswith("| endpoint |"))
    names = [cell.strip() for cell in header.strip("|").split("|")[1:]]
    legend = next(line for line in lines if line.startswith("Roles: "))
    role_of = {name: Role(value) for name, value in re.findall(r"(\w+) = `(\w+)`", legend)}
    columns = [role_of[name] for name in names]
    rows: dict[tuple[str, str], frozenset[Role]] = {}
    undeclared: set[tuple[str, str]] = set()
    for line in lines:
        match = ROW.match(line)
        if match:
            cells = [cell.strip() for cell in match.group(3).split("|")]
            assert len(cells) == len(columns), line
            key = (match.group(1), match.group(2))
            if all(cell in ("", "✔") for cell in cells):
                rows[key] = frozenset(r for r, cell in zip(columns, cells, strict=True) if cell)
            else:  # "?": the route declares no readers (the script cannot tell)
                undeclared.add(key)
    return columns, rows, undeclared


@cache
def app_endpoints() -> list[tuple[str, str]]:
    """(method, path) of every API route of the app (iterating its routes, included ones too)."""
    app = create_app(cast(Container, SimpleNamespace(settings=Settings())))
    found: set[tuple[str, str]] = set()
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute) and context.path not in PUBLIC:
            found.update((method, str(context.path)) for method in context.methods or ())
    return sorted(found, key=lambda e: (e[1], e[0]))


def test_the_matrix_lists_every_endpoint_and_every_role() -> None:
    columns, rows, undeclared = documented()
    assert set(columns) == set(TOKEN_ROLES), "one column per role a token can carry"
    missing = [f"{m} {p}" for m, p in app_endpoints() if (m, p) not in rows]
    stale = [f"{m} {p}" for m, p in rows if (m, p) not in set(app_endpoints())]
    assert not undeclared, f"endpoints without readable_by: {sorted(undeclared)}"
    assert not missing, (
        f"endpoints missing from {MATRIX.name} (run scripts/authorization_matrix.py): {missing}"
    )
    assert not stale, f"rows of {MATRIX.name} naming no endpoint: {stale}"
    assert len(rows) * len(columns) >= 150 * 15  # the table is the whole API, not a sample


def test_no_command_lets_auditors_dashboards_or_clients_change_anything() -> None:
    """Auditors and dashboard readers only read (DOMAIN.md §2); no command admits them."""
    commands = _all_commands(Command)
    assert len(commands) > 100
    readers_only = {Role.AUDITOR, Role.DASHBOARD_READER}
    offending = sorted(c.__name__ for c in commands if c.allowed_roles & readers_only)
    # The exceptions record a read, they change no record: justified access to sealed
    # material is itself an event (DOMAIN.md §7 note 3, SensitiveRecordAccessed), and so is
    # an export (audit.export_performed).
    assert offending == sorted(ACCESS_RECORDS)
    _, rows, _ = documented()
    writes = [(m, p) for (m, p), roles in rows.items() if m != "GET"]
    changing = [w for w in writes if rows[w] & readers_only]
    assert writes
    assert all(path.endswith("/sealed-reads") for _, path in changing), changing


def _all_commands(cls: type[Command]) -> list[type[Command]]:
    import xuncha.commands.registry  # noqa: F401  (imports every command module)

    found: list[type[Command]] = []
    for sub in cls.__subclasses__():
        if sub.__dict__.get("allowed_roles") is not None or sub.allowed_roles:
            found.append(sub)
        found.extend(_all_commands(sub))
    return sorted(set(found), key=lambda c: c.__qualname__)


@pytest.fixture(scope="module")
def client(pg_server: str, template_database: str) -> Iterator[TestClient]:
    """One database, container and app for the whole matrix (no projection runner: the read
    models' tables exist and stay empty)."""
    name = f"xt_matrix_{uuid4().hex[:12]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(
            SQL("CREATE DATABASE {} TEMPLATE {}").format(
                Identifier(name), Identifier(template_database)
            )
        )
    url = make_conninfo(pg_server, dbname=name)
    settings = Settings(
        database_url=url, api_threads=4, read_wait_max_seconds=1, position_stream_seconds=0.5
    )
    container = build(settings, url)
    try:
        with TestClient(create_app(container)) as test_client:
            yield test_client
    finally:
        container.close()
        with psycopg.connect(pg_server, autocommit=True) as conn:
            conn.execute(SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(Identifier(name)))


@cache
def token(role: Role) -> str:
    return mint(Settings(), user_id=f"{role.value}-1", role=role, organization_id=f"org-{role}")


def call(client: TestClient, method: str, path: str, role: Role) -> Any:
    url = re.sub(r"\{[^}]+\}", lambda _: str(uuid4()), path)
    headers = {"Authorization": f"Bearer {token(role)}"}
    if method == "GET":
        return client.get(url, headers=headers)
    return client.request(method, url, json={}, headers=headers)


@pytest.mark.parametrize(("method", "path"), app_endpoints(), ids=lambda v: str(v))
def test_each_role_gets_what_the_matrix_says(client: TestClient, method: str, path: str) -> None:
    allowed = documented()[1].get((method, path))
    assert (method, path) not in documented()[2], f"{method} {path} declares no readable_by"
    assert allowed is not None, f"{method} {path} is missing from {MATRIX.name}"
    wrong = []
    for role in TOKEN_ROLES:
        response = call(client, method, path, role)
        is_json = response.headers.get("content-type", "").endswith("json")  # not a file answer
        body = response.json() if response.content and is_json else None
        code = body.get("code") if isinstance(body, dict) else None
        if role in allowed:
            if response.status_code in (401, 403):
                wrong.append(f"{role}: admitted but got {response.status_code} {response.text}")
        elif (response.status_code, code) != (403, "role_not_permitted"):
            wrong.append(f"{role}: not admitted but got {response.status_code} {response.text}")
    # No token carries the system role: the clock acts only inside the service.
    response = call(client, method, path, Role.SYSTEM)
    if response.status_code != 401:
        wrong.append(f"system: got {response.status_code}, expected 401")
    assert not wrong, "\n".join(wrong)


def test_probes_and_metrics_need_no_token(client: TestClient) -> None:
    for path in sorted(PUBLIC):
        assert client.get(path).status_code not in (401, 403), path


def test_the_openapi_document_names_each_querys_readers() -> None:
    app = create_app(cast(Container, SimpleNamespace(settings=Settings())))
    paths = app.openapi()["paths"]
    _, rows, _ = documented()
    for (method, path), roles in rows.items():
        if method == "GET":
            assert paths[path]["get"]["x-readable-by"] == sorted(r.value for r in roles), path


def test_the_role_is_checked_before_the_body_path_and_parameters(client: TestClient) -> None:
    def problem(response: Any) -> tuple[int, str]:
        return response.status_code, response.json()["code"]

    headers = {"Content-Type": "application/json"}
    forbidden = (403, "role_not_permitted")
    auth = {**headers, "Authorization": f"Bearer {token(Role.AUDITOR)}", "If-Match": "garbage"}
    malformed = client.post("/rounds/not-a-uuid/approve", content=b"{not json", headers=auth)
    assert problem(malformed) == forbidden
    auth = {"Authorization": f"Bearer {token(Role.DASHBOARD_READER)}"}
    bad_query = client.get("/leads", params={"limit": 0, "min_position": -1}, headers=auth)
    assert problem(bad_query) == forbidden
    # The admitted role gets the validation problems instead.
    auth = {**headers, "Authorization": f"Bearer {token(Role.COMMITTEE)}"}
    malformed = client.post("/rounds/not-a-uuid/approve", content=b"{not json", headers=auth)
    assert malformed.status_code == 422
    assert problem(client.get("/leads", params={"limit": 0}, headers=auth))[0] == 400

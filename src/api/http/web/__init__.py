"""The pages: static files served by `xuncha serve` at `/`, and the development sign-in.

The pages read only the public query API with the reader's bearer token (docs/pages.md).
`/` and `/static/*` are files, not API operations: they carry no data and need no token.
`/dev/sign-in` lists demo users and mints their development tokens (`api.auth.mint`, as
`xuncha token`); outside development it answers 404.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.staticfiles import StaticFiles

from xuncha.api.http.auth import mint
from xuncha.api.http.errors import problem
from xuncha.events.base import Role

STATIC = Path(__file__).parent / "static"
# The demo's people (`api/cli/demo.py`), one per role a page is built for.
DEMO_USERS: tuple[tuple[str, Role, str, str], ...] = (
    ("secretary-demo", Role.COMMITTEE, "org-swb", "市委书记"),
    ("lg-demo", Role.LEADING_GROUP, "org-lg", "巡察工作领导小组"),
    ("office-demo", Role.INSPECTION_OFFICE, "org-xcb", "巡察办"),
    ("auditor-demo", Role.AUDITOR, "org-audit", "审计"),
    ("dashboard-demo", Role.DASHBOARD_READER, "org-swb", "大屏"),
    ("od-demo", Role.ORGANIZATION_DEPARTMENT, "org-zzb", "组织部"),
    ("jw-demo", Role.DISCIPLINE_COMMISSION, "city-discipline-commission", "纪委监委"),
)
PRINCIPALS_SHOWN = 30


def demo_users(request: Request) -> list[dict[str, str]]:
    """The fixed demo people, and the principal of each inspected organization."""
    users = [
        {"user_id": u, "role": r.value, "organization_id": o, "name": n}
        for u, r, o, n in DEMO_USERS
    ]
    container = request.app.state.container
    with container.read_pool.connection() as conn:
        rows = conn.execute(
            "SELECT DISTINCT organization_id, organization_name FROM rm_inspection"
            " ORDER BY organization_id LIMIT %s",
            (PRINCIPALS_SHOWN,),
        ).fetchall()
    users += [
        {
            "user_id": f"principal-{org}",
            "role": Role.INSPECTED_ORG_PRINCIPAL.value,
            "organization_id": org,
            "name": f"{name} 主要负责人",
        }
        for org, name in rows
    ]
    return users


def _outside_development(request: Request) -> Response | None:
    if request.app.state.container.settings.environment != "development":
        return problem(404, "not_found", "development sign-in exists only in development")
    return None


async def list_users(request: Request) -> Response:
    refused = _outside_development(request)
    return refused or JSONResponse({"users": demo_users(request)})


async def sign_in(request: Request) -> Response:
    refused = _outside_development(request)
    if refused:
        return refused
    try:
        body: Any = await request.json()
    except ValueError:
        body = None
    user_id = body.get("user_id") if isinstance(body, dict) else None
    chosen = [u for u in demo_users(request) if u["user_id"] == user_id]
    if not chosen:
        return problem(422, "unknown_demo_user", "user_id names no demo user of GET /dev/sign-in")
    user = chosen[0]
    token = mint(
        request.app.state.container.settings,
        user_id=user["user_id"],
        role=Role(user["role"]),
        organization_id=user["organization_id"],
    )
    return JSONResponse({"token": token, "user": user}, headers={"Cache-Control": "no-store"})


async def index(_: Request) -> Response:
    return FileResponse(STATIC / "index.html")


def install(app: FastAPI) -> None:
    """Mount the pages: not API operations, so absent from the OpenAPI document (their
    Content-Security-Policy: `api.guard`)."""
    app.add_route("/", index, methods=["GET"])
    app.add_route("/dev/sign-in", list_users, methods=["GET"])
    app.add_route("/dev/sign-in", sign_in, methods=["POST"])
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

"""The FastAPI application: routers, error mapping, the container on `app.state`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI

from xuncha.api.container import Container
from xuncha.api.http import access, errors, guard, web
from xuncha.api.http.admission import Admission, AdmissionState
from xuncha.api.http.readiness import ReadinessMonitor
from xuncha.api.http.routes import (
    aggregate_records,
    audit,
    dashboards,
    documents,
    feedback,
    findings,
    follow_up,
    groups,
    health,
    inspections,
    leads,
    management,
    petitions,
    policy,
    pool,
    positions,
    proofs,
    queries,
    records,
    rectification,
    reference,
    results,
    rounds,
    sealed,
    supplementary_reports,
    vocabulary,
)
from xuncha.api.http.routes import fieldwork as fieldwork_routes
from xuncha.api.logs import RequestLog

# Each area of the workflow contributes its command routers; a route module is named after
# the aggregate whose commands it serves (the order keeps the command table's rows in order).
AREAS = [
    aggregate_records,
    audit,
    policy,
    rounds,
    inspections,
    findings,
    feedback,
    rectification,
    follow_up,
    results,
    dashboards,
    documents,
    pool,
    groups,
    fieldwork_routes,
    petitions,
    management,
    leads,
    positions,
    proofs,
    records,
    reference,
    sealed,
    supplementary_reports,
    vocabulary,
]

DESCRIPTION = """
Xuncha (巡察) records every action of city and county inspection work as an event.

* **Commands** are `POST` endpoints named after the domain's actions. They need a bearer
  JWT; the actor (user, role, organization) comes from the token. `If-Match` carries the
  expected version of the addressed record (412 on mismatch), `Idempotency-Key` makes a
  retry return the first result without appending anything.
* **Queries** read only read models. Pass a command's `position` as `min_position` to wait
  (bounded) until the read model has applied it.
* **Errors** are problem details (`application/problem+json`): 400 malformed header,
  401 no or bad token, 403 not permitted, 404 unknown record, 409 not possible in the current
  stage or a concurrent change, 412 stale `If-Match`, 422 invalid content or broken rule.
"""


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Sync endpoints run in anyio's thread pool; the database pool is sized to match it.
    threads = app.state.container.settings.api_threads
    anyio.to_thread.current_default_thread_limiter().total_tokens = threads
    container = app.state.container
    names = [p.name for p in container.projections]
    readiness = ReadinessMonitor(container.conninfo, container.settings, names)
    app.state.readiness = readiness
    readiness.start()
    try:
        yield
    finally:
        readiness.stop()


def create_app(container: Container) -> FastAPI:
    app = FastAPI(title="Xuncha 巡察", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    app.state.container = container
    settings = container.settings
    app.state.readiness = None  # started with the app (lifespan)
    app.state.admission = AdmissionState(settings.max_requests_in_flight)
    errors.install(app)
    guard.install(app, settings)
    # Binds the correlation id for every other layer, logs and times each request.
    app.add_middleware(RequestLog)
    # Outermost: a refusal under overload costs as little as possible (api/http/admission.py).
    app.add_middleware(
        Admission,
        state=app.state.admission,
        retry_after=settings.retry_after_seconds,
        settings=settings,
    )
    for area in AREAS:
        for router in area.routers():
            app.include_router(router)
    app.include_router(queries.router)
    app.include_router(health.router)
    access.document_readers(app)
    web.install(app)
    return app

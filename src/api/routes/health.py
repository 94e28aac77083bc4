"""Liveness, readiness and the read side's metrics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from psycopg import Connection

from api.deps import ContainerDep
from api.schemas.health import Alive, Ready, Unavailable
from projections import kafka_relay, tracking
from projections.runner import PARKED_TOTAL
from projections.tracking import positions

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is alive")
def healthz() -> Alive:
    return Alive(status="ok")


@router.get(
    "/readyz",
    summary="The database answers; read-model positions and the log head",
    response_model=Ready,
    responses={503: {"model": Unavailable, "description": "The database does not answer"}},
)
def readyz(container: ContainerDep) -> Any:
    try:
        head = container.store.head()
        with container.read_pool.connection(timeout=2) as conn:
            tracked = positions(conn)
    except Exception as error:  # any failure to reach the database means not ready
        return JSONResponse({"status": "unavailable", "detail": type(error).__name__}, 503)
    lag = {name: head - position for name, position in tracked.items()}
    return Ready(status="ready", log_head=head, read_models=tracked, lag=lag)


PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8"


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _metric(
    lines: list[str], name: str, kind: str, help_: str, samples: list[tuple[str, float]]
) -> None:
    lines.append(f"# HELP {name} {help_}")
    lines.append(f"# TYPE {name} {kind}")
    for labels, value in samples:
        number = repr(float(value)) if isinstance(value, float) else str(value)
        lines.append(f"{name}{labels} {number}")


def render_metrics(conn: Connection[Any], projection_names: list[str]) -> str:
    """The read side's gauges in the Prometheus text exposition format (0.0.4)."""
    rows = tracking.status(conn, projection_names)
    head = tracking.head(conn)
    by = [(f'{{read_model="{_label(r["name"])}"}}', r) for r in rows]
    lines: list[str] = []
    _metric(
        lines, "xuncha_log_head_position", "gauge", "Position of the newest event.", [("", head)]
    )
    _metric(
        lines,
        "xuncha_projection_position",
        "gauge",
        "Position of the last event the read model applied.",
        [(labels, r["position"]) for labels, r in by],
    )
    _metric(
        lines,
        "xuncha_projection_lag_events",
        "gauge",
        "Events in the log the read model has not applied yet.",
        [(labels, r["lag"]) for labels, r in by],
    )
    _metric(
        lines,
        "xuncha_projection_lag_seconds",
        "gauge",
        "Seconds since the oldest event the read model has not applied occurred (0 when"
        " caught up).",
        [(labels, float(r["lag_seconds"])) for labels, r in by],
    )
    _metric(
        lines,
        "xuncha_projection_parked_events",
        "gauge",
        "Events parked (dead-lettered) for the read model after its handler kept failing.",
        [(labels, r["parked"]) for labels, r in by],
    )
    _metric(
        lines,
        "xuncha_projection_parked_total",
        "counter",
        "Events this process's runner parked since it started.",
        [(labels, PARKED_TOTAL.get(r["name"], 0)) for labels, r in by],
    )
    relay = kafka_relay.status(conn)
    if relay.get("state") != "never ran":
        _metric(
            lines,
            "xuncha_relay_lag_events",
            "gauge",
            "Events the Kafka relay has not published yet.",
            [("", int(relay["lag"]))],
        )
    return "\n".join(lines) + "\n"


@router.get(
    "/metrics",
    summary="Read-side metrics for Prometheus",
    description=(
        "Prometheus text format: the log head; per read model its position, lag in events and"
        " in seconds, parked events (gauge) and events parked by this process (counter); the"
        " Kafka relay's lag once it has run. No authentication, like `/readyz`: it shows"
        " positions and counts only, never record contents."
    ),
    response_class=PlainTextResponse,
    responses={
        200: {"content": {PROMETHEUS: {"schema": {"type": "string"}}}},
        503: {"content": {PROMETHEUS: {"schema": {"type": "string"}}}},
    },
)
def metrics(container: ContainerDep) -> Response:
    try:
        with container.read_pool.connection(timeout=2) as conn:
            body = render_metrics(conn, [p.name for p in container.projections])
    except Exception as error:  # any failure to reach the database
        return PlainTextResponse(f"# database unavailable: {type(error).__name__}\n", 503)
    return Response(body, media_type=PROMETHEUS)

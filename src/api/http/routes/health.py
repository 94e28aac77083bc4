"""Liveness, readiness and the read side's metrics."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import anyio
import anyio.to_thread
import psycopg
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from psycopg import Connection

from xuncha.api.http.admission import AdmissionState
from xuncha.api.http.readiness import PROBE_THREADS, ReadinessMonitor
from xuncha.api.http.schemas.health import Alive, Ready, Unavailable
from xuncha.api.settings import Settings
from xuncha.api.telemetry import Telemetry
from xuncha.api.workers.consumer_health import status as consumer_status
from xuncha.projections import kafka_relay, tracking
from xuncha.projections.runner import PARKED_TOTAL

router = APIRouter(tags=["health"])


# Probe work that needs the database runs here, never behind the request threads.
PROBES = anyio.CapacityLimiter(PROBE_THREADS)


@router.get("/healthz", summary="The process is alive")
async def healthz() -> Alive:
    """On the event loop, no database: answers while every request thread is busy."""
    return Alive(status="ok")


@router.get(
    "/readyz",
    summary="Ready for traffic: the database, read models' lag, the Kafka relay",
    description=(
        "200 when ready; 503 naming what is not (`problems`: `database`, `read_models` lagging"
        " beyond `XUNCHA_READY_MAX_LAG_EVENTS`, `relay` failing). Answers from the state a"
        " background check refreshes every `XUNCHA_READY_REFRESH_SECONDS`: never waits for the"
        " database or the request threads."
    ),
    response_model=Ready,
    responses={503: {"model": Unavailable, "description": "Not ready; `problems` says why"}},
)
async def readyz(request: Request) -> Any:
    monitor: ReadinessMonitor | None = request.app.state.readiness
    if monitor is None:  # no lifespan (some tests): check now, on the probe threads
        container = request.app.state.container
        names = [p.name for p in container.projections]
        monitor = ReadinessMonitor(container.conninfo, container.settings, names)
        with anyio.move_on_after(1):
            monitor.state = await anyio.to_thread.run_sync(monitor.check_once, limiter=PROBES)
        monitor.close_connection()
    state = monitor.current()
    body = {**state.body, "problems": state.problems}
    if state.ready:
        return {"status": "ready", **body}
    detail = "; ".join(f"{k}: {v}" for k, v in state.problems.items())
    return JSONResponse({"status": "unavailable", "detail": detail, **body}, 503)


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


def _age(iso_time: str | None) -> float:
    if not iso_time:
        return -1.0
    return max(0.0, (datetime.now(UTC) - datetime.fromisoformat(iso_time)).total_seconds())


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
        _metric(
            lines,
            "xuncha_relay_failing",
            "gauge",
            "1 while the relay's last error is newer than its last success (Kafka down).",
            [("", 1 if relay.get("failing") else 0)],
        )
        _metric(
            lines,
            "xuncha_relay_last_success_age_seconds",
            "gauge",
            "Seconds since the relay last published or found nothing to publish.",
            [("", _age(relay.get("last_success_at")))],
        )
    _consumer_metrics(lines, consumer_status(conn))
    return "\n".join(lines) + "\n"


def _consumer_metrics(lines: list[str], consumers: list[dict[str, Any]]) -> None:
    """The Kafka consumers' rows (`xuncha consume`), once any has run."""
    if not consumers:
        return
    by = [(f'{{consumer="{_label(c["name"])}"}}', c) for c in consumers]
    _metric(
        lines,
        "xuncha_consumer_lag_messages",
        "gauge",
        "Messages on the consumer's partitions after its position (-1: unknown).",
        [(labels, -1 if c["lag"] is None else int(c["lag"])) for labels, c in by],
    )
    _metric(
        lines,
        "xuncha_consumer_failing",
        "gauge",
        "1 while the consumer's last error is newer than its last success.",
        [(labels, 1 if c["failing"] else 0) for labels, c in by],
    )
    _metric(
        lines,
        "xuncha_consumer_last_success_age_seconds",
        "gauge",
        "Seconds since the consumer's last good poll (-1: none yet).",
        [(labels, _age(c["last_success_at"])) for labels, c in by],
    )


@router.get(
    "/metrics",
    summary="Read-side metrics for Prometheus",
    description=(
        "Prometheus text format: the log head; per read model its position, lag in events and"
        " in seconds, parked events (gauge) and events parked by this process (counter); the"
        " Kafka relay's lag once it has run; this process's requests in flight and shed, HTTP"
        " request durations by route template and status, command durations by type and"
        " outcome, appends (duration, events), projection batches by read model and Kafka"
        " relay batches (duration, size) when the runner and the relay run in this process"
        " (`XUNCHA_BACKGROUND=thread`; else `xuncha work` serves them on"
        " `XUNCHA_WORK_METRICS_PORT`), and the query and command pools' size, idle and"
        " waiting counts (every family: docs/operations.md). No authentication, like"
        " `/readyz`: it shows positions and counts only, never record contents."
    ),
    response_class=PlainTextResponse,
    responses={
        200: {"content": {PROMETHEUS: {"schema": {"type": "string"}}}},
        503: {"content": {PROMETHEUS: {"schema": {"type": "string"}}}},
    },
)
async def metrics(request: Request) -> Response:
    container = request.app.state.container
    names = [p.name for p in container.projections]
    try:
        with anyio.fail_after(max(1.0, container.settings.db_pool_timeout_seconds)):
            body = await anyio.to_thread.run_sync(
                scrape, container.conninfo, container.settings, names, limiter=PROBES
            )
    except (psycopg.Error, TimeoutError) as error:
        text = f"# database unavailable: {type(error).__name__}\n"
        return PlainTextResponse(text + service_metrics(request.app), 503)
    return Response(body + service_metrics(request.app), media_type=PROMETHEUS)


def scrape(conninfo: str, settings: Settings, names: list[str]) -> str:
    """The read side's metrics on a connection of their own (bounded like every request's)."""
    with psycopg.connect(
        conninfo, autocommit=True, **settings.timeouts.connection_options()
    ) as conn:
        return render_metrics(conn, names)


def service_metrics(app: Any) -> str:
    """This process's admission counters, readiness, and its HTTP, command and pool metrics
    (`api/telemetry.py`)."""
    admission: AdmissionState = app.state.admission
    readiness: ReadinessMonitor | None = app.state.readiness
    lines: list[str] = []
    _metric(
        lines,
        "xuncha_requests_in_flight",
        "gauge",
        "Commands and queries being handled.",
        [("", admission.in_flight)],
    )
    _metric(
        lines,
        "xuncha_requests_shed_total",
        "counter",
        "Requests refused with 503 because max_requests_in_flight were in flight.",
        [("", admission.shed_total)],
    )
    if readiness is not None:  # the background check runs (not in bare test apps)
        state = readiness.current()
        _metric(
            lines,
            "xuncha_ready",
            "gauge",
            "1 when /readyz answers 200.",
            [("", 0 if state.problems else 1)],
        )
        for reason in ("database", "read_models", "relay"):
            _metric(
                lines,
                f"xuncha_ready_{reason}",
                "gauge",
                f"0 while /readyz is 503 because of {reason.replace('_', ' ')}.",
                [("", 0 if reason in state.problems else 1)],
            )
    telemetry: Telemetry = app.state.container.telemetry
    return "\n".join(lines) + "\n" + telemetry.render()

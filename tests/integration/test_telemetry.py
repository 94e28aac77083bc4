"""Metrics, traces and the log fields of handled events, on real PostgreSQL (no Kafka: the
relay's side is in test_kafka_telemetry.py).

Tracing on means a container whose `Telemetry` has a tracer provider with an in-memory
exporter (never the process's global provider); tracing off is the default container."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from fastapi.testclient import TestClient
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from psycopg import Cursor
from pydantic import ValidationError

from tests.integration.test_request_logs import lines, log_stream  # noqa: F401 (a fixture)
from tests.integration.test_service_metrics import samples, value
from tests.support.api import COMMITTEE, OFFICE, Api
from tests.support.lifecycle import Lifecycle
from xuncha.api.container import Container, build
from xuncha.api.http.app import create_app
from xuncha.api.settings import Settings
from xuncha.api.telemetry import Telemetry, tracer_provider
from xuncha.events.base import RecordedEvent
from xuncha.events.integration import to_integrations
from xuncha.projections.kafka_relay import KafkaRelay, KafkaTarget, message_of
from xuncha.projections.runner import SELECT_BATCH, ProjectionRunner

ROUND = {"jurisdiction_id": "yulin", "committee": "市委", "name": "第三轮"}
ROUND |= {"round_type": "regular", "planned_start": "2026-09-01", "planned_end": "2026-12-01"}
# The client's own trace: Xuncha's request span continues it.
CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CLIENT_SPAN = "00f067aa0ba902b7"


def hex_id(value: int, digits: int) -> str:
    return format(value, f"0{digits}x")


@pytest.fixture
def traced(settings: Settings) -> Iterator[tuple[Container, InMemorySpanExporter, Api]]:
    """A container tracing into memory, its runner following the log, and a client."""
    exporter = InMemorySpanExporter()
    telemetry = Telemetry(tracer_provider("off", SimpleSpanProcessor(exporter)))
    container = build(settings, settings.database_url or "", telemetry)
    container.runner.start_thread()
    try:
        with TestClient(create_app(container)) as client:
            yield container, exporter, Api(client, settings)
    finally:
        container.close()


def stored_metadata(conninfo: str) -> list[dict[str, Any]]:
    """Each stored event's envelope as stored (the raw JSON, not the model's defaults)."""
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute("SELECT state FROM stored_events ORDER BY notification_id").fetchall()
    return [json.loads(bytes(state))["metadata"] for (state,) in rows]


def one(spans: list[ReadableSpan], name: str) -> ReadableSpan:
    found = [s for s in spans if s.name == name]
    assert len(found) == 1, [s.name for s in spans]
    return found[0]


def test_a_traced_command_over_http_yields_linked_spans_and_its_events_carry_them(
    traced: tuple[Container, InMemorySpanExporter, Api],
) -> None:
    container, exporter, api = traced
    incoming = f"00-{CLIENT_TRACE}-{CLIENT_SPAN}-01"
    created = api.command("/rounds", ROUND, OFFICE, 201, traceparent=incoming)
    api.get(f"/rounds/{created['created_id']}")  # waits for the runner (min_position)

    spans = list(exporter.get_finished_spans())
    http = one(spans, "POST /rounds")
    command = one(spans, "command ProposeRound")
    append = one(spans, "append")
    assert http.kind is SpanKind.SERVER
    assert http.parent is not None
    assert hex_id(http.parent.span_id, 16) == CLIENT_SPAN
    assert http.attributes is not None
    assert http.attributes["http.route"] == "/rounds"
    assert http.attributes["http.response.status_code"] == 201
    assert command.parent is not None
    assert command.parent.span_id == http.context.span_id
    assert append.parent is not None
    assert append.parent.span_id == command.context.span_id
    assert append.attributes is not None
    assert append.attributes["xuncha.events"] == 1
    for span in (http, command, append):
        assert hex_id(span.context.trace_id, 32) == CLIENT_TRACE
    # The span nests in time too: the append inside the command inside the request.
    assert http.start_time is not None
    assert command.start_time is not None
    assert append.start_time is not None
    assert append.end_time is not None
    assert command.end_time is not None
    assert http.end_time is not None
    assert http.start_time <= command.start_time <= append.start_time
    assert append.end_time <= command.end_time <= http.end_time

    # The event's envelope carries the command span's context.
    envelopes = stored_metadata(container.conninfo)
    assert [m["traceparent"] for m in envelopes] == [
        f"00-{CLIENT_TRACE}-{hex_id(command.context.span_id, 16)}-01"
    ]
    # The read models applied it, each batch in a span of its own.
    batches = [s for s in exporter.get_finished_spans() if s.name == "projection batch"]
    models = {s.attributes["xuncha.read_model"] for s in batches if s.attributes}
    assert {"inspection_overview", "audit_trail"} <= models


def test_a_request_without_a_traceparent_starts_a_trace_that_its_log_lines_name(
    traced: tuple[Container, InMemorySpanExporter, Api],
    log_stream: io.StringIO,  # noqa: F811 (the fixture)
) -> None:
    _, exporter, api = traced
    correlation = str(uuid4())
    api.command("/rounds", ROUND, OFFICE, 201, **{"X-Correlation-Id": correlation})
    http = one(list(exporter.get_finished_spans()), "POST /rounds")
    assert http.parent is None
    request = [
        line
        for line in lines(log_stream)
        if line["event"] == "request" and line.get("correlation_id") == correlation
    ]
    assert len(request) == 1
    assert request[0]["trace_id"] == hex_id(http.context.trace_id, 32)


def test_with_tracing_off_nothing_is_traced_exported_or_stored(
    api: Api, container: Container
) -> None:
    assert container.telemetry.provider is None
    assert container.telemetry.tracer is None
    threads_before = {t.name for t in threading.enumerate()}
    incoming = f"00-{CLIENT_TRACE}-{CLIENT_SPAN}-01"
    life = Lifecycle(api)
    life.propose_round()
    api.command(f"/rounds/{life.round_id}/approve", {}, COMMITTEE, traceparent=incoming)
    # The envelope is stored as before the field existed: no traceparent key at all.
    envelopes = stored_metadata(container.conninfo)
    assert len(envelopes) == 2
    assert all("traceparent" not in m for m in envelopes), envelopes
    # So the relay sets no ce_traceparent header.
    recorded = container.store.read(0, 10)
    assert all(r.metadata.traceparent is None for r in recorded)
    target = KafkaTarget("unused:9092")
    messages = [message_of(r, p, target) for r in recorded for p in to_integrations(r)]
    assert messages
    assert all("ce_traceparent" not in dict(m.headers) for m in messages)
    new_threads = {t.name for t in threading.enumerate()} - threads_before
    assert not any("otel" in name.lower() for name in new_threads), new_threads


class Probe:
    """A read model that only logs, as a handler's own log line would."""

    name = "telemetry_probe"
    version = 1
    tables: tuple[str, ...] = ()

    def create(self, cur: Cursor[Any]) -> None:
        pass

    def handles(self, type_name: str) -> bool:
        return True

    def apply(self, cur: Cursor[Any], recorded: RecordedEvent) -> None:
        logging.getLogger("tests.probe").info("handled %s", recorded.event.type_name)


def test_lines_logged_while_the_runner_handles_an_event_name_it(
    settings: Settings,
    log_stream: io.StringIO,  # noqa: F811 (the fixture)
) -> None:
    container = build(settings, settings.database_url or "")
    try:
        with TestClient(create_app(container)) as client:
            api = Api(client, settings)
            correlation = str(uuid4())
            created = api.command(
                "/rounds", ROUND, OFFICE, 201, **{"X-Correlation-Id": correlation}
            )
            api.command(f"/rounds/{created['created_id']}/approve", {}, COMMITTEE)
        runner = ProjectionRunner(container.conninfo, [Probe()], pipeline=False)
        assert runner.catch_up_once() == 2
        logging.getLogger("tests.probe").info("after the batch")
    finally:
        container.close()
    found = [line for line in lines(log_stream) if line["logger"] == "tests.probe"]
    handled = [line for line in found if line["event"].startswith("handled")]
    assert [(h["event_type"], h["position"]) for h in handled] == [
        ("round.proposed", created["position"]),
        ("round.approved", created["position"] + 1),
    ]
    assert all(h["read_model"] == "telemetry_probe" for h in handled)
    assert handled[0]["correlation_id"] == correlation  # the event's, joining the audit trail
    assert handled[1]["correlation_id"] != correlation  # the approval's own
    after = [line for line in found if line["event"] == "after the batch"]
    assert len(after) == 1
    assert not {"event_type", "position", "read_model", "correlation_id"} & after[0].keys()


def test_lines_logged_while_the_relay_maps_an_event_name_it(
    api: Api,
    container: Container,
    log_stream: io.StringIO,  # noqa: F811 (the fixture)
) -> None:
    correlation = str(uuid4())
    created = api.command("/rounds", ROUND, OFFICE, 201, **{"X-Correlation-Id": correlation})
    relay = KafkaRelay(container.conninfo, KafkaTarget("unused:9092"))  # maps, sends nothing
    with psycopg.connect(container.conninfo) as conn:
        rows = conn.execute(SELECT_BATCH, (0, 10)).fetchall()
    assert len(relay.messages(rows)) == 1
    logging.getLogger("tests.probe").info("mapped")
    mapped = [line for line in lines(log_stream) if line["event"] == "mapped"]
    assert len(mapped) == 1
    assert mapped[0]["event_type"] == "round.proposed"
    assert mapped[0]["position"] == created["position"]
    assert mapped[0]["correlation_id"] == correlation


def test_metrics_of_appends_batches_and_both_pools_after_a_command(
    api: Api, container: Container
) -> None:
    life = Lifecycle(api)
    life.propose_round()
    api.get(f"/rounds/{life.round_id}")  # the runner has applied it
    refused = api.post(f"/rounds/{life.round_id}/approve", {}, OFFICE)
    assert refused.status_code == 403, refused.text
    found = samples(api)
    assert value(found, "xuncha_append_duration_seconds_count", outcome="appended") == 1
    assert value(found, "xuncha_append_events_count") == 1
    assert value(found, "xuncha_append_events_sum") == 1
    for model in ("inspection_overview", "audit_trail"):
        assert value(found, "xuncha_projection_batch_duration_seconds_count", read_model=model) >= 1
        assert value(found, "xuncha_projection_batch_events_sum", read_model=model) >= 1
    for pool in ("read", "write"):
        for gauge in ("size", "available", "waiting"):
            assert (f"xuncha_{pool}_pool_{gauge}", frozenset()) in found
        assert value(found, f"xuncha_{pool}_pool_size") >= 1


def test_tracing_is_off_unless_set_and_only_known_modes_are_accepted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings().tracing == "off"
    monkeypatch.setenv("XUNCHA_TRACING", "otlp")
    assert Settings().tracing == "otlp"
    monkeypatch.setenv("XUNCHA_TRACING", "jaeger")
    with pytest.raises(ValidationError, match="tracing"):
        Settings()
    assert Telemetry.of("off").provider is None


@pytest.mark.parametrize(
    ("mode", "processor", "exporter"),
    [
        ("console", "SimpleSpanProcessor", "ConsoleSpanExporter"),
        ("otlp", "BatchSpanProcessor", "OTLPSpanExporter"),
    ],
)
def test_each_tracing_mode_exports_where_it_says(mode: Any, processor: str, exporter: str) -> None:
    telemetry = Telemetry.of(mode)
    try:
        assert telemetry.provider is not None
        assert telemetry.provider.resource.attributes["service.name"] == "xuncha"
        # The SDK keeps its processors and their exporters in private attributes.
        processors = telemetry.provider._active_span_processor._span_processors
        assert [type(p).__name__ for p in processors] == [processor]
        held = processors[0]
        found = getattr(held, "span_exporter", None) or held._batch_processor._exporter  # type: ignore[attr-defined]
        assert type(found).__name__ == exporter
    finally:
        telemetry.close()

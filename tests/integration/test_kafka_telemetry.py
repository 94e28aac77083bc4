"""On a real broker: the command's trace reaches Kafka as the CloudEvents distributed-tracing
extension (`ce_traceparent`), and `/metrics` counts every family once a command went through
the API, the projection runner and the relay."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from fastapi.testclient import TestClient
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from structlog.contextvars import get_contextvars

from tests.integration.test_service_metrics import samples, value
from tests.integration.test_telemetry import ROUND, hex_id, one
from tests.support.api import OFFICE, Api
from tests.support.kafka import Received, read_all, validate
from xuncha.api.container import Container, build, make_relay
from xuncha.api.http.app import create_app
from xuncha.api.settings import Settings
from xuncha.api.telemetry import Telemetry, tracer_provider
from xuncha.events.integration import ROUND as ROUND_TOPIC
from xuncha.projections.kafka_relay import ensure_topics


def relay_once(container: Container, settings: Settings) -> None:
    """The serve process's relay (`make_relay` with the container's telemetry), one catch-up."""
    relay = make_relay(settings, container.conninfo, container.telemetry)
    relay.setup()
    ensure_topics(relay.target)
    try:
        with psycopg.connect(container.conninfo, autocommit=True) as conn:
            assert relay.catch_up(conn) >= 1
    finally:
        relay.close_producer()


def proposed(bootstrap: str, prefix: str, round_id: str) -> Received:
    received = read_all(bootstrap, [f"{prefix}{ROUND_TOPIC}"], 1)
    found = [m for m in received if m.key == round_id]
    assert len(found) == 1, received
    validate(found[0])  # the header schema of the contract allows ce_traceparent
    return found[0]


@pytest.fixture
def kafka_settings(settings: Settings, kafka_bootstrap: str, topic_prefix: str) -> Settings:
    return settings.model_copy(
        update={"kafka_bootstrap_servers": kafka_bootstrap, "kafka_topic_prefix": topic_prefix}
    )


@pytest.fixture
def traced(kafka_settings: Settings) -> Iterator[tuple[Container, InMemorySpanExporter, Api]]:
    exporter = InMemorySpanExporter()
    telemetry = Telemetry(tracer_provider("off", SimpleSpanProcessor(exporter)))
    container = build(kafka_settings, kafka_settings.database_url or "", telemetry)
    container.runner.start_thread()
    try:
        with TestClient(create_app(container)) as client:
            yield container, exporter, Api(client, kafka_settings)
    finally:
        container.close()


def test_a_traced_command_reaches_kafka_with_its_traceparent_and_every_family_counts(
    traced: tuple[Container, InMemorySpanExporter, Api],
    kafka_settings: Settings,
    kafka_bootstrap: str,
    topic_prefix: str,
) -> None:
    container, exporter, api = traced
    created = api.command("/rounds", ROUND, OFFICE, 201)
    api.get(f"/rounds/{created['created_id']}")  # the runner has applied it
    relay_once(container, kafka_settings)
    # The relay ran in this thread: a batch recorded leaves none of its fields bound.
    assert not {"event_type", "position", "batch_from", "batch_to"} & get_contextvars().keys()

    message = proposed(kafka_bootstrap, topic_prefix, created["created_id"])
    command = one(list(exporter.get_finished_spans()), "command ProposeRound")
    trace_id, span_id = hex_id(command.context.trace_id, 32), hex_id(command.context.span_id, 16)
    version, traced_id, parent_id, flags = message.headers["ce_traceparent"].split("-")
    assert (version, traced_id, parent_id) == ("00", trace_id, span_id)
    assert int(flags, 16) & 1  # sampled
    # The relay's own span is linked to the command's.
    publish = one(list(exporter.get_finished_spans()), "relay publish")
    assert publish.attributes is not None
    assert publish.attributes["messaging.batch.message_count"] == 1
    assert [(link.context.trace_id, link.context.span_id) for link in publish.links] == [
        (command.context.trace_id, command.context.span_id)
    ]

    found = samples(api)
    for family, labels in [
        ("xuncha_http_request_duration_seconds", {"method": "POST", "route": "/rounds"}),
        ("xuncha_command_duration_seconds", {"command": "ProposeRound", "outcome": "appended"}),
        ("xuncha_append_duration_seconds", {"outcome": "appended"}),
        ("xuncha_append_events", {}),
        ("xuncha_projection_batch_duration_seconds", {"read_model": "inspection_overview"}),
        ("xuncha_projection_batch_events", {"read_model": "inspection_overview"}),
        ("xuncha_relay_batch_duration_seconds", {}),
        ("xuncha_relay_batch_messages", {}),
    ]:
        counted = sum(
            v
            for (name, got), v in found.items()
            if name == f"{family}_count" and set(labels.items()) <= got
        )
        assert counted >= 1, family
    assert value(found, "xuncha_relay_batch_messages_sum") == 1
    for pool in ("read", "write"):
        assert value(found, f"xuncha_{pool}_pool_size") >= 1


def test_an_untraced_command_reaches_kafka_without_a_traceparent(
    kafka_settings: Settings, kafka_bootstrap: str, topic_prefix: str
) -> None:
    container = build(kafka_settings, kafka_settings.database_url or "")
    try:
        assert container.telemetry.tracer is None
        with TestClient(create_app(container)) as client:
            created = Api(client, kafka_settings).command("/rounds", ROUND, OFFICE, 201)
        relay_once(container, kafka_settings)
    finally:
        container.close()
    message = proposed(kafka_bootstrap, topic_prefix, created["created_id"])
    assert "ce_traceparent" not in message.headers
    assert message.headers["ce_id"]  # the rest of the envelope as always

"""The service's own metrics with `prometheus-client`, and its traces with OpenTelemetry.

Metrics: HTTP requests by route (timed by the request middleware, `api.logs.RequestLog`),
commands by type and outcome, appends (duration and events), projection batches by read model
and relay batches (duration and size), and both connection pools. One registry per container
(tests build many); `GET /metrics` serves it after the read side's gauges
(`api/http/routes/health.py`).

Traces (off unless `XUNCHA_TRACING` says `console` or `otlp`): a span for each HTTP request,
each command (its child), each append (the command's child), each projection batch and each
relay batch. The command's trace context (W3C `traceparent`) goes into its events' envelope
(`EventMetadata.traceparent`), so the Kafka relay can hand it on as the CloudEvents
distributed-tracing extension. The tracer provider belongs to this object, never to the
process (no global provider): tests build one with an in-memory exporter beside others
without.

The inner packages know none of this: they take plain callbacks (`Application(observe=,
trace=)`, `EventStore(observe=)`, `ProjectionRunner(observe=)`, `KafkaRelay(observe=)`) that
the composition root (`api/container.py`) connects to the methods below.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Literal

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.trace import Link, Span, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

Tracing = Literal["off", "console", "otlp"]
# Seconds: from a probe's millisecond to a command that waited for the append lock.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# Events or messages in one append or batch (batches are at most 500 by default).
SIZES = (1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 5000)
PROPAGATOR = TraceContextTextMapPropagator()


class PoolCollector(Collector):
    """A connection pool's size, idle connections and waiting requests, read at each scrape:
    `xuncha_{name}_pool_size`, `_available`, `_waiting` (psycopg_pool's `get_stats()`)."""

    def __init__(self, pool: Any, name: str = "read", what: str = "query") -> None:
        self.pool, self.name, self.what = pool, name, what

    def collect(self) -> Iterator[GaugeMetricFamily]:
        stats = self.pool.get_stats()
        for key, gauge, text in (
            ("pool_size", "size", f"Connections the {self.what} pool holds."),
            ("pool_available", "available", f"Idle connections in the {self.what} pool."),
            ("requests_waiting", "waiting", f"Requests waiting for a {self.what} connection."),
        ):
            yield GaugeMetricFamily(
                f"xuncha_{self.name}_pool_{gauge}", text, value=stats.get(key, 0)
            )


def tracer_provider(mode: Tracing, *processors: SpanProcessor) -> TracerProvider | None:
    """The provider for `XUNCHA_TRACING`: None when off (no exporter, no thread, no network);
    `console` prints each span on stdout; `otlp` sends batches over OTLP/HTTP to the endpoint of
    the standard `OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT` variables. `processors` are added
    whatever the mode (a test's in-memory exporter)."""
    if mode == "off" and not processors:
        return None
    from opentelemetry.sdk.trace.export import (
        BatchSpanProcessor,
        ConsoleSpanExporter,
        SimpleSpanProcessor,
    )

    # service.name "xuncha" unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES say otherwise.
    provider = TracerProvider(resource=Resource.create({"service.name": "xuncha"}))
    if mode == "console":
        provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
    elif mode == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    for processor in processors:
        provider.add_span_processor(processor)
    return provider


def link_of(traceparent: str) -> Link | None:
    """A link to the span a W3C `traceparent` names (None if it names none)."""
    context = trace.get_current_span(PROPAGATOR.extract({"traceparent": traceparent}))
    span_context = context.get_span_context()
    return Link(span_context) if span_context.is_valid else None


class Telemetry:
    """The metrics and (when a tracer provider is given) the traces of one service process."""

    def __init__(self, provider: TracerProvider | None = None) -> None:
        self.provider = provider
        self.tracer = provider.get_tracer("xuncha") if provider is not None else None
        self.registry = CollectorRegistry(auto_describe=True)

        def histogram(name: str, text: str, labels: list[str], buckets: Any) -> Histogram:
            return Histogram(name, text, labels, buckets=buckets, registry=self.registry)

        self.http = histogram(
            "xuncha_http_request_duration_seconds",
            "HTTP requests by method, route template and status.",
            ["method", "route", "status"],
            BUCKETS,
        )
        self.commands = histogram(
            "xuncha_command_duration_seconds",
            "Commands executed (HTTP, Kafka, timers) by type and outcome: appended, replayed"
            " or the refusal's error class.",
            ["command", "outcome"],
            BUCKETS,
        )
        self.appends = histogram(
            "xuncha_append_duration_seconds",
            "Appends to the event store (one transaction under the append lock) by outcome:"
            " appended, or the error's class (ConcurrencyConflict, OperationalError...).",
            ["outcome"],
            BUCKETS,
        )
        self.append_events = histogram(
            "xuncha_append_events", "Events recorded by one append.", [], SIZES
        )
        self.batches = histogram(
            "xuncha_projection_batch_duration_seconds",
            "Projection batches that applied events (one transaction), by read model.",
            ["read_model"],
            BUCKETS,
        )
        self.batch_events = histogram(
            "xuncha_projection_batch_events",
            "Events read by one projection batch, by read model.",
            ["read_model"],
            SIZES,
        )
        self.relay_batches = histogram(
            "xuncha_relay_batch_duration_seconds",
            "Kafka relay batches: read, send, flush and record the position.",
            [],
            BUCKETS,
        )
        self.relay_messages = histogram(
            "xuncha_relay_batch_messages",
            "Kafka messages sent by one relay batch (internal events publish none).",
            [],
            SIZES,
        )

    @classmethod
    def of(cls, mode: Tracing) -> Telemetry:
        return cls(tracer_provider(mode))

    def close(self) -> None:
        """Send the spans still buffered and stop the exporter."""
        if self.provider is not None:
            self.provider.shutdown()

    # ---- metrics ----
    def watch_pool(self, pool: Any, name: str = "read", what: str = "query") -> None:
        self.registry.register(PoolCollector(pool, name, what))

    def command_observed(self, command: str, outcome: str, seconds: float) -> None:
        self.commands.labels(command, outcome).observe(seconds)

    def request_observed(self, method: str, route: str, status: int, seconds: float) -> None:
        """One HTTP request, timed by `api.logs.RequestLog` (which logs it too)."""
        self.http.labels(method, route, str(status)).observe(seconds)

    def append_observed(self, events: int, outcome: str, seconds: float) -> None:
        """One append (`EventStore.append`): a span under the command's when tracing."""
        self.appends.labels(outcome).observe(seconds)
        if outcome == "appended":
            self.append_events.observe(events)
        self._span_ended("append", seconds, {"xuncha.events": events}, outcome=outcome)

    def batch_observed(self, read_model: str, events: int, seconds: float) -> None:
        """One projection batch that read events (`ProjectionRunner`)."""
        self.batches.labels(read_model).observe(seconds)
        self.batch_events.labels(read_model).observe(events)
        attributes: dict[str, str | int] = {
            "xuncha.read_model": read_model,
            "xuncha.events": events,
        }
        self._span_ended("projection batch", seconds, attributes)

    def relay_observed(
        self, events: int, messages: int, seconds: float, traceparents: list[str]
    ) -> None:
        """One relay batch that read events (`KafkaRelay`)."""
        self.relay_batches.observe(seconds)
        self.relay_messages.observe(messages)
        attributes: dict[str, str | int] = {
            "xuncha.events": events,
            "messaging.batch.message_count": messages,
        }
        self._span_ended("relay publish", seconds, attributes, traceparents, SpanKind.PRODUCER)

    def render(self) -> str:
        return generate_latest(self.registry).decode()

    # ---- traces ----
    @contextmanager
    def request_span(self, scope: Mapping[str, Any]) -> Iterator[Span | None]:
        """The span of one HTTP request (None when tracing is off), current while the request
        is served, continuing the trace of the request's `traceparent` header if it has one."""
        if self.tracer is None:
            yield None
            return
        carrier = {
            name.decode("latin-1"): value.decode("latin-1")
            for name, value in scope.get("headers", [])
            if name in (b"traceparent", b"tracestate")
        }
        method = scope["method"]
        attributes = {"http.request.method": method, "url.path": scope["path"]}
        with self.tracer.start_as_current_span(
            method, PROPAGATOR.extract(carrier), SpanKind.SERVER, attributes
        ) as span:
            yield span

    @staticmethod
    def request_ended(span: Span, method: str, route: str, status: int) -> None:
        span.update_name(f"{method} {route}")
        span.set_attribute("http.route", route)
        span.set_attribute("http.response.status_code", status)
        if status >= 500:
            span.set_status(Status(StatusCode.ERROR, f"HTTP {status}"))

    @staticmethod
    def trace_id(span: Span) -> str:
        """The span's trace id as the 32 hex digits trace back ends show."""
        return format(span.get_span_context().trace_id, "032x")

    @contextmanager
    def command_span(self, command: str) -> Iterator[str | None]:
        """The span of one command, current while it runs; yields its W3C `traceparent` for
        the events' envelope (None when tracing is off)."""
        if self.tracer is None:
            yield None
            return
        with self.tracer.start_as_current_span(
            f"command {command}", attributes={"xuncha.command": command}
        ):
            carrier: dict[str, str] = {}
            PROPAGATOR.inject(carrier)
            yield carrier.get("traceparent")

    def _span_ended(
        self,
        name: str,
        seconds: float,
        attributes: Mapping[str, str | int],
        traceparents: list[str] | None = None,
        kind: SpanKind = SpanKind.INTERNAL,
        outcome: str | None = None,
    ) -> None:
        """A span for work timed by its caller, which just ended: a child of the current span
        (an append inside a command), linked to the spans of `traceparents` (the commands
        whose events a batch carried; at most 128)."""
        if self.tracer is None:
            return
        end = time.time_ns()
        links = [
            link for t in list(dict.fromkeys(traceparents or []))[:128] if (link := link_of(t))
        ]
        span = self.tracer.start_span(
            name,
            kind=kind,
            attributes=dict(attributes),
            links=links,
            start_time=end - int(seconds * 1e9),
        )
        if outcome not in (None, "appended"):
            span.set_status(Status(StatusCode.ERROR, outcome))
        span.end(end_time=end)

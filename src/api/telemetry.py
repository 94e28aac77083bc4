"""The service's own metrics with `prometheus-client`: HTTP requests by route (timed by the
request middleware, `api.logs.RequestLog`), commands by type and outcome, and the query
connection pool. One registry per container (tests build many);
`GET /metrics` serves it after the read side's gauges (`api/http/routes/health.py`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

# Seconds: from a probe's millisecond to a command that waited for the append lock.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class PoolCollector(Collector):
    """The query pool's size, idle connections and waiting requests, read at each scrape."""

    def __init__(self, pool: Any) -> None:
        self.pool = pool

    def collect(self) -> Iterator[GaugeMetricFamily]:
        stats = self.pool.get_stats()
        for key, name, text in (
            ("pool_size", "size", "Connections the query pool holds."),
            ("pool_available", "available", "Idle connections in the query pool."),
            ("requests_waiting", "waiting", "Requests waiting for a query connection."),
        ):
            yield GaugeMetricFamily(f"xuncha_read_pool_{name}", text, value=stats.get(key, 0))


class Telemetry:
    """The metrics of one service process."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.http = Histogram(
            "xuncha_http_request_duration_seconds",
            "HTTP requests by method, route template and status.",
            ["method", "route", "status"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.commands = Histogram(
            "xuncha_command_duration_seconds",
            "Commands executed (HTTP, Kafka, timers) by type and outcome: appended, replayed"
            " or the refusal's error class.",
            ["command", "outcome"],
            buckets=BUCKETS,
            registry=self.registry,
        )

    def watch_pool(self, pool: Any) -> None:
        self.registry.register(PoolCollector(pool))

    def command_observed(self, command: str, outcome: str, seconds: float) -> None:
        self.commands.labels(command, outcome).observe(seconds)

    def request_observed(self, method: str, route: str, status: int, seconds: float) -> None:
        """One HTTP request, timed by `api.logs.RequestLog` (which logs it too)."""
        self.http.labels(method, route, str(status)).observe(seconds)

    def render(self) -> str:
        return generate_latest(self.registry).decode()

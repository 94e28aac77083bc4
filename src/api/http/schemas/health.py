"""Answers of `api/http/routes/health.py` (`/metrics` answers Prometheus text, not JSON)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from xuncha.api.http.schemas.common import Answer

PROBLEMS = "What is not ready, by part (`database`, `read_models`, `relay`); empty when ready"


class Alive(Answer):
    """The process answers."""

    status: Literal["ok"]


class RelayStatus(Answer):
    """The Kafka relay's progress (`state: never ran` before its first batch)."""

    position: int = Field(description="Last log position published")
    log_head: int
    lag: int = Field(description="Events not published yet")
    state: Literal["never ran"] | None = None
    published_total: int | None = None
    last_published_at: str | None = None
    last_error: str | None = None
    last_error_at: str | None = None
    last_success_at: str | None = None
    failing: bool | None = Field(default=None, description="Last error newer than last success")


class ConsumerStatus(Answer):
    """An inbound Kafka consumer (shown, never a reason for 503: consumers run apart)."""

    name: str
    last_success_at: str | None
    last_error: str | None
    last_error_at: str | None
    lag: int | None
    failing: bool


class Readiness(Answer):
    """Where the database, each read model and the relay stand."""

    log_head: int | None = Field(default=None, description="Position of the newest event")
    read_models: dict[str, int] | None = Field(
        default=None, description="Per read model, the last position applied"
    )
    lag: dict[str, int] | None = Field(
        default=None, description="Per read model, events not applied yet"
    )
    relay: RelayStatus | None = Field(default=None, description="null without Kafka")
    consumers: list[ConsumerStatus] | None = None
    problems: dict[str, str] = Field(description=PROBLEMS)


class Ready(Readiness):
    """Ready for traffic."""

    status: Literal["ready"]


class Unavailable(Readiness):
    """Not ready (503)."""

    status: Literal["unavailable"]
    detail: str = Field(description="The problems, in one line")

"""Answers of `api/routes/health.py` (`/metrics` answers Prometheus text, not JSON)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from api.schemas.common import Answer


class Alive(Answer):
    """The process answers."""

    status: Literal["ok"]


class Ready(Answer):
    """The database answers; where each read model stands against the log."""

    status: Literal["ready"]
    log_head: int = Field(description="Position of the newest event")
    read_models: dict[str, int] = Field(description="Per read model, the last position applied")
    lag: dict[str, int] = Field(description="Per read model, events not applied yet")


class Unavailable(Answer):
    """The database does not answer (503)."""

    status: Literal["unavailable"]
    detail: str = Field(description="The kind of failure")

"""Answers of `api/routes/audit.py`: the audit trail and its timelines (keyset pages) and time
travel (`/history`). An event's data and a record's state are free-form: their fields are
those of the event type or stream type named beside them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import Field

from api.schemas.common import FREE_FORM, Answer, EventData
from events.base import Role

NEXT_POSITION = "Cursor of the next page: pass it as `after_position`; null on the last page"


class AuditEvent(Answer):
    """One event of the log with its envelope."""

    position: int = Field(description="Place in the log")
    event_id: UUID
    stream_id: UUID
    stream_type: str
    stream_version: int
    type: str = Field(description="Event type, e.g. `lead.closed`")
    version: int = Field(description="Schema version of the event type")
    occurred_at: datetime = Field(description="When the command was recorded")
    actor_user_id: str
    actor_role: Role
    actor_organization_id: str
    command: str
    reason: str | None
    correlation_id: UUID
    causation_id: UUID
    data: EventData
    recorded_in_error_reason: str | None = Field(
        description="Set once `correction.event_recorded_in_error` names the event"
    )


class AuditPage(Answer):
    """A keyset page of the trail, in log order."""

    items: list[AuditEvent]
    limit: int = Field(description="Page size asked for")
    after_position: int = Field(description="The cursor this page started after")
    next_after_position: int | None = Field(description=NEXT_POSITION)


class Actor(Answer):
    """Who issued the command."""

    user_id: str
    role: Role
    organization_id: str


JsonValue = Annotated[
    Any,
    Field(
        description="Any JSON value: a part of the record's state, whose shape depends on the path",
        json_schema_extra=FREE_FORM,
    ),
]


class Change(Answer):
    """A path of the record's state an event changed."""

    path: str = Field(description="Dotted path in the state, `[n]` for a list index")
    op: Literal["added", "removed", "changed"]
    before: JsonValue = None
    after: JsonValue = None


class HistoryEvent(Answer):
    """One event of a record, with what it changed."""

    version: int = Field(description="The record's version after this event")
    position: int
    type: str
    schema_version: int
    event_id: UUID
    occurred_at: datetime
    actor: Actor
    command: str
    reason: str | None
    correlation_id: UUID
    causation_id: UUID
    data: EventData
    changes: list[Change] | None = Field(
        default=None,
        description="The state paths it changed; null with `diffs=false` or for a stream "
        "type without a state",
    )


class History(Answer):
    """A keyset page of a record's events."""

    stream_id: UUID
    stream_type: str
    current_version: int
    items: list[HistoryEvent]
    limit: int = Field(description="Page size asked for")
    after_version: int = Field(description="The cursor this page started after")
    next_after_version: int | None = Field(
        description="Cursor of the next page: pass it as `after_version`; null on the last page"
    )


class LastEvent(Answer):
    """The last event folded into the state."""

    type: str
    occurred_at: datetime
    position: int


class StateAt(Answer):
    """A record as it stood at a version or a moment."""

    stream_id: UUID
    stream_type: str
    version: int = Field(description="Events folded")
    current_version: int
    at: datetime | None = Field(description="The moment asked for (null with `version`)")
    last_event: LastEvent
    state: dict[str, Any] = Field(
        description="The aggregate's state as JSON (sealed values read `[sealed]`). "
        "Free-form: its fields are those of the stream type's state (`commands/<type>.py`).",
        json_schema_extra=FREE_FORM,
    )

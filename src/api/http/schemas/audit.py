"""Answers of `api/http/routes/audit.py`: the audit trail and its timelines (keyset pages) and time
travel (`/history`). An event's data and a record's state are free-form: their fields are
those of the event type or stream type named beside them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import Field

from xuncha.api.http.schemas.common import FREE_FORM, Answer, EventData
from xuncha.events.base import Role

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


class LogVerification(Answer):
    """One recorded verification of the log's hash chain (`xuncha verify-log`, or the
    incremental check of `xuncha serve`'s checkpoint worker)."""

    kind: Literal["full", "incremental"] = Field(
        description="`full`: every event from the first (`xuncha verify-log`); `incremental`: "
        "only the events after the previous verification (serve's checkpoint worker)"
    )
    run_by: str = Field(description="What ran it: `xuncha verify-log` or `xuncha serve`")
    started_at: datetime
    finished_at: datetime
    from_position: int = Field(description="The events after this log position were checked")
    through_position: int = Field(description="... up to this log position")
    events: int = Field(description="How many events were checked")
    ok: bool = Field(description="No problem found")
    first_bad_position: int | None = Field(
        description="The first log position where the chain is broken (null when ok)"
    )
    reason: str | None = Field(
        description="The problem at that position, as `xuncha verify-log` prints it (null when ok)"
    )
    problems: int = Field(description="How many problems were found")
    checkpoints_verified: int = Field(
        description="Signed checkpoints (and published heads) found to match the log"
    )


class LastCheckpoint(Answer):
    """The newest signed checkpoint stored in the database."""

    position: int = Field(description="The log position it signs")
    format: str = Field(description="`xuncha.checkpoint.v2` (signed tree head) or `.v1`")
    tree_size: int | None = Field(description="Events the Merkle tree covers (v2; null in v1)")
    link: str = Field(description="The hash chain's link at `position` (hex), as stored")
    root: str | None = Field(description="The Merkle tree's root (hex, v2), as stored")
    signed_at: datetime | None = Field(description="When it was signed")
    key_id: str = Field(description="Id of the key that signed it (SHA-256 of the public key)")
    signature_valid: bool | None = Field(
        description="Whether its signature verifies with the deployment's checkpoint public "
        "key (false also when another key signed it); null when this server has no key file"
    )


class LogIntegrity(Answer):
    """The state of the log's hash chain, from recorded verifications (none is run by this
    request: see docs/security.md, "The chain's state on the audit page")."""

    state: Literal["ok", "broken", "unverified"] = Field(
        description="`broken`: the newest verification found a problem; `ok`: it found "
        "none; `unverified`: no verification was recorded yet"
    )
    head_position: int = Field(description="The log's last position (its newest event)")
    unverified_events: int = Field(
        description="Positions after the newest verification's `through_position` (new "
        "events not yet checked)"
    )
    latest_verification: LogVerification | None = Field(
        description="The newest verification, full or incremental (null: none yet)"
    )
    latest_full_verification: LogVerification | None = Field(
        description="The newest full verification (`xuncha verify-log`); only it re-checks "
        "events that an earlier verification had checked"
    )
    last_checkpoint: LastCheckpoint | None = Field(
        description="The newest signed checkpoint (null: none signed yet)"
    )
    checkpoint_key_id: str | None = Field(
        description="Id of the deployment's checkpoint key (null when this server has no key file)"
    )

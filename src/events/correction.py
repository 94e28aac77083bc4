"""Corrections (DOMAIN.md §7.4): an event is never edited or deleted; a later event says that
it was recorded in error, why, and who approved saying so.

One `correction` stream per corrected stream (its id derived from the corrected stream's id).
"""

from __future__ import annotations

from uuid import UUID

from xuncha.events.base import DomainEvent
from xuncha.events.registry import event
from xuncha.events.values import Member


@event("correction.event_recorded_in_error")
class EventRecordedInError(DomainEvent):
    """The event at `stream_version` of `stream_id` was recorded in error (compensating)."""

    stream_id: UUID
    stream_version: int
    event_id: UUID
    event_type: str
    reason: str
    approved_by: Member

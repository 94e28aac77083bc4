"""An export of the audit trail, recorded as a fact: one `audit_export` stream per export.

An export is not a command on a record (it changes nothing in the workflow), so it is not
routed through `Application.execute`; `export_performed` builds the one event with its
envelope and the caller appends it before sending any row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from xuncha.commands.base import Aggregate
from xuncha.events.base import Actor, DomainEvent, EventMetadata, RecordedEvent
from xuncha.events.export import (
    AuditFilters,
    ExportChannel,
    ExportedRecord,
    ExportFormat,
    ExportPerformed,
)

STREAM_TYPE = "audit_export"
COMMAND = "ExportAuditTrail"


@dataclass(frozen=True)
class ExportState:
    export_id: UUID
    format: ExportFormat
    channel: ExportChannel
    filters: AuditFilters
    rows: int


def evolve(state: ExportState | None, event: DomainEvent) -> ExportState | None:
    if isinstance(event, ExportPerformed):
        return ExportState(event.export_id, event.format, event.channel, event.filters, event.rows)
    return state


AUDIT_EXPORT = Aggregate[ExportState](STREAM_TYPE, evolve)


def export_performed(
    actor: Actor,
    now: datetime,
    *,
    format: ExportFormat,
    channel: ExportChannel,
    filters: AuditFilters,
    rows: int,
    justification: str = "",
    export_id: UUID | None = None,
    what: ExportedRecord = ExportedRecord.AUDIT_TRAIL,
    parameters: dict[str, str] | None = None,
) -> RecordedEvent:
    """The recorded `audit.export_performed` of one export, ready to append."""
    export_id = export_id or uuid4()
    event = ExportPerformed(
        export_id=export_id,
        what=what,
        parameters=parameters or {},
        format=format,
        channel=channel,
        filters=filters,
        rows=rows,
        justification=justification,
    )
    metadata = EventMetadata(
        event_id=uuid4(),
        stream_id=export_id,
        stream_type=STREAM_TYPE,
        stream_version=1,
        occurred_at=now,
        actor=actor,
        command=COMMAND,
        reason=justification or None,
        correlation_id=uuid4(),
        causation_id=uuid4(),
    )
    return RecordedEvent(metadata=metadata, event=event)

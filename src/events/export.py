"""Exports of the audit trail (DOMAIN.md Appendix A "Access audit": ExportPerformed).

Taking the audit trail out of the system is itself audited: `audit.export_performed` says
who (the metadata's actor), how (HTTP or the command line, NDJSON or CSV), which filters and
how many rows, on one `audit_export` stream per export. It never carries the exported data.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from events.base import Contract, DomainEvent
from events.registry import event


class ExportFormat(StrEnum):
    NDJSON = "ndjson"
    CSV = "csv"


class ExportChannel(StrEnum):
    HTTP = "http"
    CLI = "cli"


class AuditFilters(Contract):
    """The audit trail's filters as given (None: not filtered on)."""

    stream_id: UUID | None = None
    entity_id: UUID | None = None  # a record and every event sharing a correlation with it
    correlation_id: UUID | None = None
    inspection_id: UUID | None = None
    actor_user_id: str | None = None
    actor_role: str | None = None
    type: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    after_position: int = 0
    up_to_position: int | None = None


@event("audit.export_performed")
class ExportPerformed(DomainEvent):
    """The audit trail rows matching `filters` were exported (`rows` of them)."""

    export_id: UUID
    format: ExportFormat
    channel: ExportChannel
    filters: AuditFilters
    rows: int
    justification: str

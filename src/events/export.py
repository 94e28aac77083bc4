"""Exports of the audit trail (DOMAIN.md Appendix A "Access audit": ExportPerformed).

Taking the audit trail out of the system is itself audited: `audit.export_performed` says
who (the metadata's actor), how (HTTP or the command line, NDJSON or CSV), which filters and
how many rows, on one `audit_export` stream per export. It never carries the exported data.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import Field

from xuncha.events.base import Contract, DomainEvent
from xuncha.events.registry import event, upcaster


class ExportFormat(StrEnum):
    NDJSON = "ndjson"
    CSV = "csv"
    XLSX = "xlsx"


class ExportedRecord(StrEnum):
    """What was exported: the audit trail, or one of the ledgers offices exchange."""

    AUDIT_TRAIL = "audit_trail"
    PROBLEM_LEDGER = "problem_ledger"  # 问题台账 of a feedback
    THREE_LISTS = "three_lists"  # 三清单 of a rectification plan
    RECTIFICATION_LEDGER = "rectification_ledger"  # 整改台账
    LEAD_REGISTER = "lead_register"  # 线索台账
    SHARED_RESULTS = "shared_results"  # 结果共享 record of a year


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


class ExportPerformedV1(DomainEvent):
    """Version 1: exports of the audit trail only; read through the upcaster."""

    export_id: UUID
    format: ExportFormat
    channel: ExportChannel
    filters: AuditFilters
    rows: int
    justification: str


@event("audit.export_performed", version=2)
class ExportPerformed(DomainEvent):
    """The rows of `what` matching the filters were exported (`rows` of them).

    v2 adds `what` (v1 exported only the audit trail) and `parameters`, the filters of a
    ledger export other than the audit trail's (`filters.inspection_id` and
    `filters.up_to_position` serve every export)."""

    export_id: UUID
    what: ExportedRecord
    format: ExportFormat
    channel: ExportChannel
    filters: AuditFilters
    parameters: dict[str, str] = Field(default_factory=dict)
    rows: int
    justification: str


@upcaster("audit.export_performed", 1, legacy_model=ExportPerformedV1)
def _export_performed_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "what": ExportedRecord.AUDIT_TRAIL.value, "parameters": {}}

"""An export (of the audit trail or of a ledger), recorded as a fact: one `audit_export` stream
per export, appended through `Application.execute` like every other command (roles,
idempotency, the hash chain) before the first byte of the file is sent.

The command keeps the name `ExportAuditTrail` that every export's event has carried in its
metadata since the first, so the audit trail reads the same for old and new exports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar
from uuid import UUID

from pydantic import ConfigDict, Field

from xuncha.commands.base import Aggregate, Command
from xuncha.commands.errors import InvalidTransition
from xuncha.commands.handling import Registered, on
from xuncha.commands.unit_of_work import UnitOfWork
from xuncha.events.base import DomainEvent, Role
from xuncha.events.export import (
    AuditFilters,
    ExportChannel,
    ExportedRecord,
    ExportFormat,
    ExportPerformed,
)

STREAM_TYPE = "audit_export"
# Who may record an export: every person's role (each route says who may read what it exports);
# the system actor exports nothing.
EXPORTERS = frozenset(r for r in Role if r is not Role.SYSTEM)


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


class ExportAuditTrail(Command):
    """Record that `rows` rows of `what`, matching `filters` (and `parameters`), were exported
    in `format` over `channel`; the justification is the event's reason. The exported data is
    never part of it."""

    # The justification and the filters are recorded exactly as given (no stripping).
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)

    target: ClassVar[str | None] = "export_id"
    allowed_roles: ClassVar[frozenset[Role]] = EXPORTERS

    export_id: UUID
    what: ExportedRecord = ExportedRecord.AUDIT_TRAIL
    parameters: dict[str, str] = Field(default_factory=dict)
    format: ExportFormat
    channel: ExportChannel
    filters: AuditFilters
    rows: int = Field(ge=0)
    justification: str = ""

    @property
    def reason(self) -> str | None:
        return self.justification or None


def export(state: ExportState | None, cmd: ExportAuditTrail) -> list[DomainEvent]:
    """The one event of a new export; an export id is recorded once."""
    if state is not None:
        raise InvalidTransition(f"the export {cmd.export_id} is recorded already")
    return [
        ExportPerformed(
            export_id=cmd.export_id,
            what=cmd.what,
            parameters=cmd.parameters,
            format=cmd.format,
            channel=cmd.channel,
            filters=cmd.filters,
            rows=cmd.rows,
            justification=cmd.justification,
        )
    ]


def handle_export(uow: UnitOfWork, cmd: ExportAuditTrail) -> UUID:
    state = uow.find(AUDIT_EXPORT, cmd.export_id)
    uow.record(AUDIT_EXPORT, cmd.export_id, export(state, cmd))
    return cmd.export_id


HANDLERS: tuple[Registered, ...] = (on(ExportAuditTrail, handle_export),)

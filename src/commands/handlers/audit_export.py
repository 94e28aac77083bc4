"""Handler of the record of an export (`commands/audit_export.py`)."""

from __future__ import annotations

from uuid import UUID

from xuncha.commands import audit_export
from xuncha.commands.audit_export import AUDIT_EXPORT
from xuncha.commands.registry import handles
from xuncha.commands.unit_of_work import UnitOfWork


@handles(audit_export.ExportAuditTrail)
def export(uow: UnitOfWork, cmd: audit_export.ExportAuditTrail) -> UUID:
    state = uow.find(AUDIT_EXPORT, cmd.export_id)
    uow.record(AUDIT_EXPORT, cmd.export_id, audit_export.export(state, cmd))
    return cmd.export_id

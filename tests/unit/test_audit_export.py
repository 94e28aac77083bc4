"""The record of an export is a command like every other: who may issue it, its one event,
its reason, and an export id recorded once."""

from __future__ import annotations

from uuid import uuid4

import pytest
from pydantic import ValidationError

from xuncha.commands.audit_export import AUDIT_EXPORT, ExportAuditTrail, export
from xuncha.commands.errors import InvalidTransition
from xuncha.commands.registry import HANDLERS
from xuncha.commands.service import Application
from xuncha.events.base import Role
from xuncha.events.export import (
    AuditFilters,
    ExportChannel,
    ExportedRecord,
    ExportFormat,
    ExportPerformed,
)


def command(**change: object) -> ExportAuditTrail:
    fields: dict[str, object] = {
        "export_id": uuid4(),
        "format": ExportFormat.CSV,
        "channel": ExportChannel.HTTP,
        "filters": AuditFilters(inspection_id=uuid4(), up_to_position=42),
        "rows": 7,
        "justification": " annual review ",
    }
    return ExportAuditTrail(**(fields | change))  # type: ignore[arg-type]


def test_an_export_is_recorded_as_one_event_with_its_fields() -> None:
    cmd = command(what=ExportedRecord.LEAD_REGISTER, parameters={"lang": "zh"})
    (event,) = export(None, cmd)
    assert event == ExportPerformed(
        export_id=cmd.export_id,
        what=ExportedRecord.LEAD_REGISTER,
        parameters={"lang": "zh"},
        format=ExportFormat.CSV,
        channel=ExportChannel.HTTP,
        filters=cmd.filters,
        rows=7,
        justification=" annual review ",  # as given, as the event always recorded it
    )
    assert cmd.reason == " annual review "
    assert command(justification="").reason is None
    assert command().what is ExportedRecord.AUDIT_TRAIL


def test_an_export_id_is_recorded_once() -> None:
    cmd = command()
    state = AUDIT_EXPORT.fold(export(None, cmd))
    assert state is not None
    assert state.rows == 7
    with pytest.raises(InvalidTransition, match="recorded already"):
        export(state, cmd)


def test_every_person_may_record_an_export_and_the_system_may_not() -> None:
    assert ExportAuditTrail.allowed_roles == frozenset(Role) - {Role.SYSTEM}
    assert ExportAuditTrail.target == "export_id"
    # Its name is the one every export's event has carried in its metadata.
    assert ExportAuditTrail.__name__ == "ExportAuditTrail"


def test_the_application_has_a_handler_for_it() -> None:
    assert Application  # the application imports the handlers, which register it
    assert ExportAuditTrail in HANDLERS


def test_a_negative_row_count_or_a_nul_is_refused() -> None:
    with pytest.raises(ValidationError):
        command(rows=-1)
    with pytest.raises(ValidationError, match="NUL"):
        command(justification="a\x00b")

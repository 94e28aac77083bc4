"""Exports are recorded through `Application.execute`: the metadata reads as before (command
`ExportAuditTrail`, the justification as the reason, version 1 of its own stream, in the hash
chain), the application's observer hears the command, and a role the command does not admit
appends nothing."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest

from tests.support.api import OFFICE, Api, Who
from xuncha.commands.audit_export import ExportAuditTrail
from xuncha.commands.errors import NotPermitted
from xuncha.commands.eventstore.integrity import link_at
from xuncha.commands.timers.base import SYSTEM_ACTOR
from xuncha.events.base import Role
from xuncha.events.export import AuditFilters, ExportChannel, ExportFormat

AUDITOR = Who("auditor-1", Role.AUDITOR, "org-audit-office")


def container(api: Api) -> Any:
    return api.client.app.state.container  # type: ignore[attr-defined]


def test_an_export_goes_through_the_application(api: Api) -> None:
    before = api.event_count()
    headers = api.headers(AUDITOR)
    params = {"format": "csv", "justification": "季度抽查"}
    with api.client.stream("GET", "/audit-trail/export", params=params, headers=headers) as r:
        assert r.status_code == 200
        b"".join(r.iter_raw())
    export_id = UUID(r.headers["x-export-id"])
    assert api.event_count() == before + 1
    (recorded,) = container(api).store.load(export_id)
    meta = recorded.metadata
    assert (meta.command, meta.reason, meta.stream_type, meta.stream_version) == (
        "ExportAuditTrail",
        "季度抽查",
        "audit_export",
        1,
    )
    assert meta.actor.user_id == AUDITOR.user_id
    assert recorded.event.type_name == "audit.export_performed"
    position = container(api).store.recorder.notification_id_of(export_id, 1)
    assert position is not None
    with psycopg.connect(container(api).conninfo) as conn:
        assert link_at(conn, position) is not None  # linked into the hash chain
    metrics = api.client.get("/metrics").text
    heard = 'xuncha_command_duration_seconds_count{command="ExportAuditTrail",outcome="appended"}'
    assert f"{heard} 1.0" in metrics

    # The ledger exports too.
    with api.client.stream(
        "GET", "/exports/leads.xlsx", params={"justification": "通报"}, headers=api.headers(OFFICE)
    ) as r:
        assert r.status_code == 200
        b"".join(r.iter_raw())
    (ledger,) = container(api).store.load(UUID(r.headers["x-export-id"]))
    assert ledger.metadata.command == "ExportAuditTrail"
    assert ledger.metadata.reason == "通报"
    assert f"{heard} 2.0" in api.client.get("/metrics").text


def test_the_system_actor_records_no_export(api: Api) -> None:
    before = api.event_count()
    cmd = ExportAuditTrail(
        export_id=uuid4(),
        format=ExportFormat.NDJSON,
        channel=ExportChannel.CLI,
        filters=AuditFilters(),
        rows=0,
    )
    with pytest.raises(NotPermitted):
        container(api).app.execute(cmd, SYSTEM_ACTOR)
    assert api.event_count() == before

"""Corrections over HTTP on real PostgreSQL: an event recorded in error stays in the log and
in the audit trail, marked with the reason, by a new event on the correction stream."""

from __future__ import annotations

from uuid import UUID

from tests.integration.test_groups import refused
from tests.support.api import LEADER, OFFICE, Api
from tests.support.lifecycle import Lifecycle
from xuncha.commands.correction import correction_stream_id

APPROVER = {"user_id": "director-1", "name": "王主任"}


def test_an_event_recorded_in_error_is_marked_in_the_audit_trail(api: Api) -> None:
    life = Lifecycle(api)
    life.to_stationed()
    life.draft_finding()
    stationed = api.get(
        "/audit-trail", stream_id=life.inspection_id, type="inspection.group_stationed"
    )["items"]
    (row,) = stationed
    assert row["recorded_in_error_reason"] is None
    at = f"/streams/{life.inspection_id}/events-recorded-in-error"
    body = {"stream_version": row["stream_version"], "why": "进驻日期录错", "approved_by": APPROVER}

    refused(api, at, body, LEADER, 403)
    refused(api, at, {**body, "why": ""}, OFFICE, 422)
    refused(api, at, {**body, "stream_version": 999}, OFFICE, 404, "no event at version 999")
    result = api.command(at, body, OFFICE)
    (marked,) = result["events"]
    correction = str(correction_stream_id(UUID(life.inspection_id)))
    assert (marked["type"], marked["stream_id"]) == (
        "correction.event_recorded_in_error",
        correction,
    )
    refused(api, at, body, OFFICE, 409, "already recorded in error")

    (row,) = api.get(
        "/audit-trail", stream_id=life.inspection_id, type="inspection.group_stationed"
    )["items"]
    assert row["recorded_in_error_reason"] == "进驻日期录错"
    (shown,) = api.get("/audit-trail", stream_id=correction)["items"]
    assert shown["type"] == "correction.event_recorded_in_error"
    assert shown["reason"] == "进驻日期录错"
    assert shown["data"]["approved_by"] == APPROVER
    others = api.get("/audit-trail", stream_id=life.inspection_id)["items"]
    assert [r["recorded_in_error_reason"] for r in others].count("进驻日期录错") == 1

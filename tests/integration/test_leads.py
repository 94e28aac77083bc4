"""Leads (问题线索) over HTTP on real PostgreSQL: from registration to closure, the fast track
during fieldwork, the overdue clocks, and 见底清零 at round close."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import psycopg

from tests.support import lifecycle
from tests.support.api import (
    DISCIPLINE,
    LEADER,
    LEADING_GROUP,
    MEMBER,
    OFFICE,
    PRINCIPAL,
    Api,
    Who,
)
from tests.support.lifecycle import Lifecycle, day
from xuncha.events.base import Role

SUBJECT = "张某某"
ALLEGATION = "违规收受管理服务对象礼金"
OTHER_COMMISSION = Who("dc-9", Role.DISCIPLINE_COMMISSION, "org-county-jw")
ROUTES = [
    {
        "channel": "discipline",
        "management_level": "city_managed",
        "organization_id": DISCIPLINE.organization_id,
        "name": "市纪委监委",
    },
    {
        "channel": "organization",
        "management_level": "city_managed",
        "organization_id": "org-zzb",
        "name": "市委组织部",
    },
]


def publish_lead_policy(api: Api) -> Any:
    body = {
        "jurisdiction_id": "yulin",
        "effective_from": day(-365),
        "parameters": {"lead_routes": ROUTES, "lead_ack_days": 10, "lead_outcome_months": 3},
    }
    return api.command("/policy-versions", body, OFFICE)


def register(api: Api, life: Lifecycle, **change: Any) -> str:
    body = {
        "subject_name": SUBJECT,
        "subject_position": "市水务局副局长",
        "management_level": "city_managed",
        "allegation": ALLEGATION,
        "sources": [{"kind": "petition", "ref": "petition-2026-031"}],
        **change,
    }
    result = api.command(f"{life.at}/leads", body, MEMBER, 201)
    assert {(e["type"], e["stream_id"]) for e in result["events"]} == {
        ("lead.registered", result["created_id"]),
        ("inspection.lead_registered", life.inspection_id),
    }
    return str(result["created_id"])


def classify_and_approve(api: Api, lead: str, fast_track: str | None = None) -> Any:
    body = {"lead_type": "discipline", "fast_track": fast_track, "meeting_ref": "第5次组务会"}
    api.command(f"/leads/{lead}/classify", body, LEADER)
    return api.command(f"/leads/{lead}/approve-transfer", {"note": "同意"}, LEADING_GROUP)


def events_of(api: Api, topic: str) -> int:
    conninfo = api.client.app.state.container.conninfo  # type: ignore[attr-defined]
    with psycopg.connect(conninfo) as conn:
        row = conn.execute(
            "SELECT count(*) FROM stored_events WHERE topic = %s", (topic,)
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_a_lead_from_registration_to_closure_and_the_round_cleared(api: Api) -> None:
    life = Lifecycle(api)
    life.to_stationed()
    publish_lead_policy(api)
    lead = register(api, life)
    at = f"/leads/{lead}"

    approval = classify_and_approve(api, lead)
    (approved,) = approval["events"]
    assert approved["type"] == "lead.transfer_approved"
    row = api.get(at)
    assert (row["status"], row["receiver_organization_id"], row["during_fieldwork"]) == (
        "transfer_approved",
        "org-jw",
        True,
    )
    # Not a fast-track lead: the office transfers it after fieldwork.
    transfer = {"package_ref": "移交函 2026-12", "transferred_on": day(0)}
    refused = api.post(f"{at}/transfer", transfer, OFFICE)
    assert (refused.status_code, "still stationed" in refused.json()["detail"]) == (409, True)

    life.draft_finding()
    life.review_and_approve_finding(life.finding_ids[0])
    life.withdraw()
    api.command(f"{at}/transfer", transfer, OFFICE)
    row = api.get(at)
    assert (row["status"], row["acknowledgement_due"], row["policy_version"]) == (
        "transferred",
        day(10),
        1,
    )

    # Only the organization it went to acts on it; the inspection side never does, and
    # another commission is answered as for an unknown lead (404: out of its scope).
    ack = {"receiver_case_no": "JW-2026-088", "acknowledged_on": day(0)}
    for who in (OFFICE, LEADER):
        assert api.post(f"{at}/acknowledge", ack, who).status_code == 403
    assert api.post(f"{at}/acknowledge", ack, OTHER_COMMISSION).status_code == 404
    api.command(f"{at}/acknowledge", ack, DISCIPLINE)
    shelve = {"category": "shelved", "decided_on": day(0), "note": "暂存待查"}
    api.command(f"{at}/disposition", shelve, DISCIPLINE)
    assert api.post(f"{at}/close", {}, OFFICE).status_code == 409
    outcome = {"summary": "批评教育", "four_forms_level": 1, "reported_on": day(0)}
    assert api.post(f"{at}/outcome", outcome, DISCIPLINE).status_code == 409

    # The inspection closes (leads outlive inspections), the round does not (见底清零).
    life.report_through_approval()
    life.feedback()
    life.plan_accepted()
    life.close_item(life.item_ids[0])
    life.rectification_report_accepted()
    api.command(f"{life.at}/close", {}, OFFICE)
    before = api.event_count()
    refused = api.post(f"/rounds/{life.round_id}/close", {}, OFFICE)
    assert refused.status_code == 409
    assert lead in refused.json()["detail"]
    assert "见底清零" in refused.json()["detail"]
    assert "暂存待查" in refused.json()["detail"]
    assert api.event_count() == before
    summary = api.get("/lead-summary", round_id=life.round_id)
    assert (summary["total"], summary["open"], summary["shelved"], summary["cleared"]) == (
        1,
        1,
        1,
        False,
    )

    conclude = {"category": "concluded", "four_forms_level": 1, "decided_on": day(0)}
    api.command(f"{at}/disposition", conclude, DISCIPLINE)
    api.command(f"{at}/outcome", outcome, DISCIPLINE)
    api.command(f"{at}/close", {}, OFFICE)
    api.command(f"/rounds/{life.round_id}/close", {}, OFFICE)

    row = api.get(at)
    assert (row["status"], row["disposition"], row["four_forms_level"], row["dispositions"]) == (
        "closed",
        "concluded",
        1,
        2,
    )
    assert api.get("/lead-summary", round_id=life.round_id)["cleared"] is True
    assert api.get(f"/rounds/{life.round_id}")["stage"] == "closed"


def test_sealed_lead_fields_stay_in_the_event_store(api: Api) -> None:
    life = Lifecycle(api)
    life.to_stationed()
    lead = register(api, life)
    visible = [
        api.get(f"/leads/{lead}"),
        api.get("/leads", inspection_id=life.inspection_id)["items"],
        api.get("/audit-trail", stream_id=lead)["items"],
    ]
    text = repr(visible)
    assert (SUBJECT in text, ALLEGATION in text, "[sealed]" in text) == (False, False, True)
    conninfo = api.client.app.state.container.conninfo  # type: ignore[attr-defined]
    with psycopg.connect(conninfo) as conn:
        row = conn.execute(
            "SELECT count(*) FROM stored_events WHERE originator_id = %s", (lead,)
        ).fetchone()
    assert row == (1,)  # the store keeps it, sealed fields included


def test_the_fast_track_during_fieldwork(api: Api) -> None:
    life = Lifecycle(api)
    life.to_stationed()
    publish_lead_policy(api)
    lead = register(api, life)
    at = f"/leads/{lead}"
    transfer = {"package_ref": "快转函 2026-3", "transferred_on": day(0)}
    # Without the leading group's approval there is no fast track.
    api.command(
        f"{at}/classify",
        {"lead_type": "discipline", "fast_track": "four_winds", "meeting_ref": "组务会"},
        LEADER,
    )
    assert api.post(f"{at}/transfer-during-fieldwork", transfer, LEADER).status_code == 409
    api.command(f"{at}/approve-transfer", {}, LEADING_GROUP)
    assert api.post(f"{at}/transfer-during-fieldwork", transfer, MEMBER).status_code == 403
    result = api.command(f"{at}/transfer-during-fieldwork", transfer, LEADER)
    assert [e["type"] for e in result["events"]] == ["lead.transferred_during_fieldwork"]
    row = api.get(at)
    assert (row["status"], row["fast_track"], row["fast_tracked"]) == (
        "transferred",
        "four_winds",
        True,
    )


def test_bad_input_is_refused_and_appends_nothing(api: Api) -> None:
    life = Lifecycle(api)
    life.to_stationed()
    source = {"kind": "document", "ref": "doc-1"}
    good: dict[str, Any] = {
        "subject_name": SUBJECT,
        "subject_position": "副局长",
        "management_level": "city_managed",
        "allegation": ALLEGATION,
        "sources": [source],
    }
    before = api.event_count()
    cases = [
        ({**good, "sources": []}, MEMBER, 422),
        ({**good, "management_level": "vip"}, MEMBER, 422),
        ({**good, "allegation": "  "}, MEMBER, 422),
        ({**good, "sources": [source, source]}, MEMBER, 422),
        ({**good, "extra": 1}, MEMBER, 422),
        (good, PRINCIPAL, 403),
        (good, OFFICE, 403),
    ]
    for body, who, status in cases:
        response = api.post(f"{life.at}/leads", body, who)
        assert (response.status_code, response.headers["content-type"]) == (
            status,
            "application/problem+json",
        ), body
    missing = api.post(
        "/leads/00000000-0000-4000-8000-000000000999/classify",
        {"lead_type": "other", "meeting_ref": "组务会"},
        LEADER,
    )
    assert missing.status_code == 404
    assert api.event_count() == before
    assert api.client.get("/leads", headers=api.headers(PRINCIPAL)).status_code == 403


def test_a_tick_flags_each_late_lead_once(api: Api) -> None:
    life = Lifecycle(api)
    life.to_stationed()
    publish_lead_policy(api)
    lead = register(api, life)
    classify_and_approve(api, lead, fast_track="eight_point_rules")
    transfer = {"package_ref": "快转函", "transferred_on": day(0)}
    api.command(f"/leads/{lead}/transfer-during-fieldwork", transfer, LEADER)
    container = api.client.app.state.container  # type: ignore[attr-defined]
    app, overdue = container.app, container.timers["lead_overdue"]

    def at(offset: int) -> datetime:
        return datetime.combine(lifecycle.TODAY + timedelta(days=offset), time(12), UTC)

    assert overdue.tick(at(10)) == 0  # due on day 10: not late yet
    assert overdue.tick(at(11)) == 1
    assert overdue.tick(at(11)) == 0
    assert overdue.tick(at(12)) == 0
    assert events_of(api, "lead.acknowledgement_overdue") == 1
    assert events_of(api, "lead.outcome_overdue") == 0

    api.command(
        f"/leads/{lead}/acknowledge",
        {"receiver_case_no": "JW-1", "acknowledged_on": day(0)},
        DISCIPLINE,
    )
    assert overdue.tick(at(200)) == 1
    assert overdue.tick(at(201)) == 0
    assert (
        events_of(api, "lead.acknowledgement_overdue"),
        events_of(api, "lead.outcome_overdue"),
    ) == (1, 1)
    api.position = app.store.head()
    row = api.get(f"/leads/{lead}")
    # Acknowledged on day 0, recorded after the clock flagged it on day 11: the flag is
    # cleared, the answer was on time; the outcome is still overdue.
    assert (row["acknowledgement_overdue"], row["outcome_overdue"], row["status"]) == (
        False,
        True,
        "acknowledged",
    )

"""Petition channels open and close with the stationing, and in-scope petitions link to leads,
over HTTP on real PostgreSQL."""

from __future__ import annotations

from tests.integration.test_fieldwork import PETITION_TEXT, PETITIONER, meeting, petition, refused
from tests.integration.test_leads import register
from tests.support.api import DEPUTY, MEMBER, Api
from tests.support.lifecycle import Lifecycle


def test_stationing_opens_and_withdrawal_closes_the_petition_channels(api: Api) -> None:
    life = Lifecycle(api)
    for step in (
        life.propose_round,
        life.approve_round,
        life.plan_inspection,
        life.authorize_group,
        life.issue_notice,
        life.announce,
    ):
        step()
    result = life.station()
    assert [(e["type"], e["stream_id"]) for e in result["events"]] == [
        ("inspection.group_stationed", life.inspection_id),
        ("inspection.petition_channels_opened", life.inspection_id),
    ]
    result = life.withdraw()
    assert [(e["type"], e["stream_id"]) for e in result["events"]] == [
        ("inspection.group_withdrawn", life.inspection_id),
        ("inspection.petition_channels_closed", life.inspection_id),
    ]


def test_an_in_scope_petition_links_to_a_lead_of_its_inspection(api: Api) -> None:
    life = Lifecycle(api)
    life.to_stationed()
    meeting_id = meeting(api, life)
    named = petition(api, life)
    lead = register(api, life)
    link = {"lead_id": lead}
    refused(api, f"/petitions/{named}/link-lead", link, MEMBER, 409)  # not triaged yet
    triage = {
        "decision": "in_scope",
        "meeting_id": meeting_id,
        "basis": "leadership_team",
        "disciplines": ["integrity"],
    }
    api.command(f"/petitions/{named}/triage", triage, DEPUTY)
    refused(api, f"/petitions/{named}/link-lead", {"lead_id": named}, MEMBER, 404)
    result = api.command(f"/petitions/{named}/link-lead", link, MEMBER)
    (linked,) = result["events"]
    assert (linked["type"], linked["stream_id"]) == ("petition.linked_to_lead", named)
    assert PETITIONER not in str(result)
    assert PETITION_TEXT not in str(result)
    refused(api, f"/petitions/{named}/link-lead", link, MEMBER, 409)  # linked already
    rows = {r["petition_id"]: r for r in api.get(f"{life.at}/petitions")["items"]}
    assert (rows[named]["status"], rows[named]["lead_ids"]) == ("linked", [lead])

"""Object-level read scoping over HTTP, across two inspected organizations.

Organization A (the water bureau) is inspected through rectification, with a lead
transferred to the city commission; organization B (the transport bureau) is only planned.
Each reader sees only its own part; a record outside it answers 404 exactly like one that
does not exist, and lists are filtered, never refused.
"""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from tests.integration.test_leads import classify_and_approve, publish_lead_policy, register
from tests.support.api import (
    DEPUTY,
    DISCIPLINE,
    LEADER,
    LIAISON,
    MEMBER,
    OFFICE,
    PRINCIPAL,
    TARGET_ORG,
    Api,
    Who,
)
from tests.support.lifecycle import Lifecycle, day
from xuncha.events.base import Role

ORG_B = "org-transport-bureau"
SUPERVISOR_OF_A = "org-water-authority"
PRINCIPAL_B = Who("principal-b", Role.INSPECTED_ORG_PRINCIPAL, ORG_B)
LIAISON_B = Who("liaison-b", Role.INSPECTED_ORG_LIAISON, ORG_B)
OUTSIDE_MEMBER = Who("member-9", Role.GROUP_MEMBER, "org-audit")
OUTSIDE_LEADER = Who("leader-9", Role.GROUP_LEADER, "org-xcb")
OUTSIDE_EXPERT = Who("expert-9", Role.EXTERNAL_EXPERT, "org-law-firm")
OTHER_COMMISSION = Who("dc-9", Role.DISCIPLINE_COMMISSION, "org-county-jw")
SUPERVISOR = Who("sd-1", Role.SUPERVISING_DEPARTMENT, SUPERVISOR_OF_A)
OTHER_SUPERVISOR = Who("sd-9", Role.SUPERVISING_DEPARTMENT, "org-education-authority")
DASHBOARD = Who("dr-1", Role.DASHBOARD_READER, "org-city-committee")
AUDITOR = Who("aud-1", Role.AUDITOR, "org-audit-office")


class World:
    """Two organizations' inspections in one round, and the ids readers ask about."""

    def __init__(self, api: Api) -> None:
        self.api = api
        for jurisdiction in ({"jurisdiction_id": "yulin", "name": "榆林市", "level": "city"},):
            api.command("/jurisdictions", {**jurisdiction, "committee": "中共榆林市委"}, OFFICE)
        for org, supervisor in ((TARGET_ORG, SUPERVISOR_OF_A), (ORG_B, "org-transport-authority")):
            body = {
                "jurisdiction_id": "yulin",
                "organization_id": org,
                "name": org,
                "organization_type": "department",
                "supervising_department": supervisor,
            }
            api.command("/jurisdictions/organizations", body, OFFICE)
        a = Lifecycle(api)
        a.to_stationed()
        publish_lead_policy(api)
        self.lead = register(api, a)
        classify_and_approve(api, self.lead)
        self.approved_only = register(api, a, subject_name="李某某")  # not transferred (yet)
        classify_and_approve(api, self.approved_only)
        a.draft_finding()
        a.review_and_approve_finding(a.finding_ids[0])
        a.withdraw()
        transfer = {"package_ref": "移交函 2026-12", "transferred_on": day(0)}
        api.command(f"/leads/{self.lead}/transfer", transfer, OFFICE)
        a.report_through_approval()
        a.feedback()
        a.plan_accepted()
        b = Lifecycle(api)
        b.round_id = a.round_id
        b.plan_inspection(ORG_B)
        self.a, self.b, self.group = a.inspection_id, b.inspection_id, a.group_id
        (self.item,) = a.item_ids

    def get(self, path: str, who: Who, **params: Any) -> Any:
        params.setdefault("min_position", self.api.position)
        return self.api.client.get(path, params=params, headers=self.api.headers(who))

    def ok(self, path: str, who: Who, **params: Any) -> Any:
        response = self.get(path, who, **params)
        assert response.status_code == 200, (path, who, response.text)
        return response.json()

    def ids(self, path: str, who: Who, key: str) -> set[str]:
        return {str(row[key]) for row in self.ok(path, who)["items"]}

    def hidden(self, path: str, who: Who) -> None:
        """404, the same problem as for an id that does not exist."""
        response = self.get(path, who)
        unknown = self.get(path.replace(path.split("/")[2], str(uuid4()), 1), who)
        assert response.status_code == 404, (path, who, response.text)
        assert {**response.json(), "detail": ""} == {**unknown.json(), "detail": ""}


def test_inspected_organizations_see_only_their_own_records(api: Api) -> None:
    w = World(api)
    for who, mine, theirs in ((PRINCIPAL, w.a, w.b), (LIAISON, w.a, w.b), (PRINCIPAL_B, w.b, w.a)):
        assert w.ids("/inspections", who, "inspection_id") == {mine}
        assert w.ok(f"/inspections/{mine}", who)["inspection_id"] == mine
        w.hidden(f"/inspections/{theirs}", who)
        w.ok(f"/inspections/{mine}/immediate-rectifications", who)
        w.hidden(f"/inspections/{theirs}/immediate-rectifications", who)
    assert w.ids("/rectification-items", PRINCIPAL, "item_id") == {w.item}
    assert w.ok(f"/rectification-items/{w.item}", LIAISON)["item_id"] == w.item
    assert w.ok("/rectification-summary", PRINCIPAL)["total"] == 1
    # Organization B asks for A's item, with or without A's id as a filter: nothing.
    w.hidden(f"/rectification-items/{w.item}", LIAISON_B)
    assert w.ok("/rectification-items", PRINCIPAL_B)["items"] == []
    assert w.ok("/rectification-items", PRINCIPAL_B, organization_id=TARGET_ORG)["items"] == []
    assert w.ok("/rectification-summary", LIAISON_B, inspection_id=w.a)["total"] == 0
    assert w.ok("/inspections", PRINCIPAL_B, organization_id=TARGET_ORG)["items"] == []
    # Leads, fieldwork registers and the audit trail are not theirs to read at all.
    for path in ("/leads", f"/leads/{w.lead}", f"/inspections/{w.a}/petitions", "/audit-trail"):
        assert w.get(path, PRINCIPAL).status_code == 403, path


def test_group_people_read_only_the_inspections_their_group_is_authorized_for(
    api: Api,
) -> None:
    w = World(api)
    for who in (LEADER, DEPUTY, MEMBER):
        assert w.ids("/inspections", who, "inspection_id") == {w.a}
        w.ok(f"/inspections/{w.a}/fieldwork-records", who)
        w.ok(f"/inspections/{w.a}/petitions", who)
        w.hidden(f"/inspections/{w.b}", who)
        w.hidden(f"/inspections/{w.b}/fieldwork-records", who)
        w.hidden(f"/inspections/{w.b}/interviews", who)
    assert w.ids("/rectification-items", LEADER, "item_id") == {w.item}
    for who in (OUTSIDE_MEMBER, OUTSIDE_LEADER, OUTSIDE_EXPERT):
        assert w.ok("/inspections", who)["items"] == []
        w.hidden(f"/inspections/{w.a}", who)
        w.hidden(f"/inspections/{w.a}/fieldwork-records", who)
    for who in (OUTSIDE_MEMBER, OUTSIDE_LEADER):
        assert w.ok("/rectification-items", who)["items"] == []
        w.hidden(f"/rectification-items/{w.item}", who)
    # Leads: the leader and deputy of A's group read A's lead; a leader of another group not.
    assert w.ids("/leads", LEADER, "lead_id") == {w.lead, w.approved_only}
    assert w.ok(f"/leads/{w.lead}", DEPUTY)["lead_id"] == w.lead
    assert w.ok("/leads", OUTSIDE_LEADER)["items"] == []
    assert w.ok("/lead-summary", OUTSIDE_LEADER)["total"] == 0
    w.hidden(f"/leads/{w.lead}", OUTSIDE_LEADER)
    # Members do not read the lead register; experts not petitions or the ledger.
    assert w.get("/leads", MEMBER).status_code == 403
    assert w.get(f"/inspections/{w.a}/petitions", OUTSIDE_EXPERT).status_code == 403
    assert w.get("/rectification-items", OUTSIDE_EXPERT).status_code == 403


def test_a_recused_member_loses_the_inspection(api: Api) -> None:
    w = World(api)
    body = {"user_id": MEMBER.user_id, "why": "近亲属在被巡察单位任职"}
    api.command(f"/groups/{w.group}/recuse-member", body, OFFICE)
    assert w.ok("/inspections", MEMBER)["items"] == []
    w.hidden(f"/inspections/{w.a}/fieldwork-records", MEMBER)
    assert w.ids("/inspections", DEPUTY, "inspection_id") == {w.a}


def test_the_commission_sees_only_leads_transferred_to_it(api: Api) -> None:
    w = World(api)
    assert w.ids("/leads", DISCIPLINE, "lead_id") == {w.lead}
    assert w.ok(f"/leads/{w.lead}", DISCIPLINE)["receiver_organization_id"] == "org-jw"
    assert w.ok("/lead-summary", DISCIPLINE)["total"] == 1
    # Approved for transfer to it, but not transferred: not yet the commission's to see.
    assert w.ok(f"/leads/{w.approved_only}", OFFICE)["receiver_organization_id"] == "org-jw"
    w.hidden(f"/leads/{w.approved_only}", DISCIPLINE)
    assert w.ok("/dashboards/leads", DISCIPLINE)["totals"]["total"] == 1
    assert w.ok("/dashboards/leads", OFFICE)["totals"]["total"] == 2
    assert w.ok("/leads", OTHER_COMMISSION)["items"] == []
    assert w.ok("/leads", OTHER_COMMISSION, inspection_id=w.a)["items"] == []
    assert w.ok("/lead-summary", OTHER_COMMISSION)["total"] == 0
    w.hidden(f"/leads/{w.lead}", OTHER_COMMISSION)


def test_supervising_departments_see_the_organizations_they_supervise(api: Api) -> None:
    w = World(api)
    assert w.ids("/inspections", SUPERVISOR, "inspection_id") == {w.a}
    assert w.ids("/rectification-items", SUPERVISOR, "item_id") == {w.item}
    assert w.ok(f"/rectification-items/{w.item}", SUPERVISOR)["item_id"] == w.item
    w.hidden(f"/inspections/{w.b}", SUPERVISOR)
    assert w.ok("/inspections", OTHER_SUPERVISOR)["items"] == []
    assert w.ok("/rectification-summary", OTHER_SUPERVISOR)["total"] == 0
    w.hidden(f"/rectification-items/{w.item}", OTHER_SUPERVISOR)


def test_dashboards_read_figures_never_leads_or_the_trail_and_auditors_read_all(
    api: Api,
) -> None:
    w = World(api)
    assert w.ids("/inspections", DASHBOARD, "inspection_id") == {w.a, w.b}
    assert w.ok("/lead-summary", DASHBOARD)["total"] == 2
    assert w.ok("/rectification-summary", DASHBOARD)["total"] == 1
    for path in ("/leads", f"/leads/{w.lead}", "/audit-trail", f"/inspections/{w.a}/petitions"):
        assert w.get(path, DASHBOARD).status_code == 403, path
    assert w.ids("/inspections", AUDITOR, "inspection_id") == {w.a, w.b}
    assert w.ids("/leads", AUDITOR, "lead_id") == {w.lead, w.approved_only}
    assert w.ok(f"/rectification-items/{w.item}", AUDITOR)["item_id"] == w.item
    assert (
        w.ok(f"/inspections/{w.b}/fieldwork-records", AUDITOR)["items"] == []
    )  # none, but readable
    assert w.ok("/audit-trail", AUDITOR)["items"]
    # and no command is open to them (the matrix test covers every endpoint)
    before = api.event_count()
    refused = api.post(f"/rectification-items/{w.item}/close", {}, AUDITOR)
    assert (refused.status_code, refused.json()["code"]) == (403, "role_not_permitted")
    assert api.event_count() == before

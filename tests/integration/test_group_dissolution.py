"""A group is dissolved after fieldwork, and its members' service is evaluated (鉴定) and sent
to their employers, over HTTP on real PostgreSQL; refusals append nothing."""

from __future__ import annotations

from tests.integration.test_groups import nominate, refused
from tests.support.api import LEADER, MEMBER, OFFICE, Api
from tests.support.lifecycle import Lifecycle, day


def test_a_group_is_dissolved_after_fieldwork_and_its_members_evaluated(api: Api) -> None:
    served = nominate(api, MEMBER.user_id)
    stranger = nominate(api, "pool-9")
    life = Lifecycle(api)
    life.to_stationed()
    at = f"/groups/{life.group_id}"
    refused(api, f"{at}/dissolve", {"dissolved_on": day(-5)}, OFFICE, 409, "not past fieldwork")
    life.withdraw()
    refused(api, f"{at}/dissolve", {"dissolved_on": day(-5)}, LEADER, 403)
    evaluation = {
        "group_id": life.group_id,
        "grade": "excellent",
        "text": "工作认真",
        "issued_on": day(-1),
    }
    path = f"/talent-pool/members/{served}/service-evaluations"
    refused(api, path, evaluation, OFFICE, 409, "dissolved")  # the group is not dissolved yet
    result = api.command(f"{at}/dissolve", {"dissolved_on": day(-5)}, OFFICE)
    assert [(e["type"], e["stream_id"]) for e in result["events"]] == [
        ("group.dissolved", life.group_id)
    ]
    refused(api, f"{at}/dissolve", {"dissolved_on": day(-5)}, OFFICE, 409, "already")
    other = f"/talent-pool/members/{stranger}/service-evaluations"
    refused(api, other, evaluation, OFFICE, 422, "did not serve")
    refused(api, path, {**evaluation, "grade": "great"}, OFFICE, 422)
    refused(api, path, evaluation, LEADER, 403)
    result = api.command(path, evaluation, OFFICE)
    assert [(e["type"], e["stream_id"]) for e in result["events"]] == [
        ("pool_member.service_evaluation_issued", served)
    ]
    refused(api, path, evaluation, OFFICE, 409, "evaluated already")

"""Every figure by category goes through the one taxonomy mapping: a finding tagged under the
2017 taxonomy (党的建设缺失) counts under 落实新时代党的组织路线 in the shared results as on
the round dashboard."""

from __future__ import annotations

from tests.support import lifecycle
from tests.support.api import MEMBER, OFFICE, TARGET_ORG, Api, Who
from tests.support.lifecycle import FINDING, Lifecycle
from xuncha.events.base import Role
from xuncha.projections.taxonomy import ORGANIZATIONAL_LINE

ORG_DEPT = Who("od-1", Role.ORGANIZATION_DEPARTMENT, "org-zzb")


def test_shared_results_map_tags_as_the_round_dashboard_does(api: Api) -> None:
    life = Lifecycle(api)
    life.to_stationed()
    life.draft_finding()  # four-implementations-2022: 三重一大 (a tag of its own)
    old = {**FINDING, "taxonomy_version": "three-problems-2017", "tags": ["党的建设缺失"]}
    life.finding_ids.append(
        api.command(f"{life.at}/findings", {"content": old}, MEMBER, 201)["created_id"]
    )
    for finding_id in life.finding_ids:
        life.review_and_approve_finding(finding_id)
    life.withdraw()
    life.report_through_approval()
    api.command(f"{life.at}/shared-results", {"leads": None}, OFFICE)

    (shared,) = api.get(f"/shared-results/{TARGET_ORG}/{lifecycle.TODAY.year}", ORG_DEPT)["items"]
    assert shared["findings_by_category"] == {ORGANIZATIONAL_LINE: 1, "三重一大": 1}
    board = api.get(f"/dashboards/rounds/{life.round_id}")
    approved = {
        line["category"]: line["approved"] for line in board["totals"]["findings_by_category"]
    }
    assert approved == shared["findings_by_category"]

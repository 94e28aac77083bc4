"""One cross-county round from proposal to closure with every lead cleared (见底清零), driven
through the command layer on real PostgreSQL and read back through the HTTP read models."""

from __future__ import annotations

import io

from tests.support.api import OFFICE, Api
from xuncha.api.cli.demo import Demo, Progress
from xuncha.api.cli.demo_data import COUNTIES, TOWNSHIPS


def test_a_cross_county_round_closes_with_all_leads_cleared(api: Api) -> None:
    container = api.client.app.state.container  # type: ignore[attr-defined]
    demo = Demo(container.app, seed=11, progress=Progress(1, out=io.StringIO()))
    demo.reference()
    demo.pool()
    demo.leads_per_inspection = [1]  # every inspection registers a lead
    counties = [(f"{c}-{TOWNSHIPS[c][0][0]}", c) for c, _, _ in COUNTIES[:3]]
    demo.round("交叉巡察", "cross", -300, counties, "closed")
    api.position = container.store.head()

    (round_,) = [r for r in api.get("/rounds")["items"] if r["name"] == "交叉巡察"]
    assert (round_["round_type"], round_["stage"]) == ("cross", "closed")
    inspections = api.get("/inspections", round_id=round_["round_id"])["items"]
    assert len(inspections) == 3
    assert {row["stage"] for row in inspections} == {"closed"}
    assert {row["items_total"] == row["items_closed"] > 0 for row in inspections} == {True}
    leads = api.get("/lead-summary", round_id=round_["round_id"])
    assert leads["cleared"] is True
    assert leads["total"] >= 1
    trail = api.get("/audit-trail", type="cross_inspection.arranged", limit=10)["items"]
    assert len(trail) == 1
    pairs = trail[0]["data"]["pairs"]
    assert {(p["from_jurisdiction"], p["to_jurisdiction"]) for p in pairs} == {
        ("hengshan", "yuyang"),
        ("shenmu", "hengshan"),
        ("yuyang", "shenmu"),
    }
    assert all(p["from_jurisdiction"] != p["to_jurisdiction"] for p in pairs)
    assert api.get("/audit-trail", type="round.closed", who=OFFICE, limit=10)["items"]

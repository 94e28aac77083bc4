"""The one taxonomy mapping (`projections.taxonomy`) and the shared result's tags (v1 had no
taxonomy version: its tags map where the tag alone is unambiguous)."""

from __future__ import annotations

from tests.contract.examples import example_of
from xuncha.events import REGISTRY
from xuncha.events.results import InspectionResultShared, TagCount
from xuncha.projections.shared_results import by_category
from xuncha.projections.taxonomy import (
    ORGANIZATIONAL_LINE,
    STRICT_GOVERNANCE,
    TAXONOMY_MAP,
    category_of,
)


def test_a_mapped_tag_counts_under_its_current_category() -> None:
    assert category_of("three-problems-2017", "党的建设缺失") == ORGANIZATIONAL_LINE
    assert category_of("643", "作风建设") == STRICT_GOVERNANCE
    assert category_of("four-implementations-2022", "党的建设缺失") == "党的建设缺失"
    assert category_of("three-problems-2017", "三重一大") == "三重一大"
    assert all(category_of(v, t) == to for (v, t), to in TAXONOMY_MAP.items())


def test_a_tag_without_its_version_maps_only_where_unambiguous() -> None:
    assert category_of(None, "党的建设缺失") == ORGANIZATIONAL_LINE
    assert category_of(None, "三重一大") == "三重一大"


def test_shared_figures_by_category_sum_mapped_tags() -> None:
    tags = [
        {"taxonomy_version": "three-problems-2017", "tag": "党的建设缺失", "count": 2},
        {"taxonomy_version": "643", "tag": "选人用人", "count": 1},
        {"taxonomy_version": "four-implementations-2022", "tag": "三重一大", "count": 1},
    ]
    assert by_category(tags) == {ORGANIZATIONAL_LINE: 3, "三重一大": 1}


def test_a_v1_share_is_read_with_tags_of_unknown_version() -> None:
    data = example_of(InspectionResultShared)
    data["findings_by_tag"] = [{"tag": "党的建设缺失", "count": 2}]
    event = REGISTRY.load("results.inspection_result_shared", 1, data)
    assert isinstance(event, InspectionResultShared)
    assert event.findings_by_tag == [TagCount(taxonomy_version=None, tag="党的建设缺失", count=2)]
    assert by_category(event.model_dump()["findings_by_tag"]) == {ORGANIZATIONAL_LINE: 2}

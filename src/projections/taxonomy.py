"""The one mapping of finding categories onto the current taxonomy (四个落实, DOMAIN.md §7.6).

Every figure by category (the round dashboard's findings by category, the shared results'
`findings_by_category`) goes through `category_of`, applied when the figure is read: the read
models keep what was recorded (taxonomy version and tag), so changing the mapping needs a
release, never a rebuild.
"""

from __future__ import annotations

from collections import defaultdict

from xuncha.events.vocabulary import FindingCategory

CURRENT_TAXONOMY = "four-implementations-2022"
# The four categories of 四个落实 (2022+).
PARTY_LINE = FindingCategory.PARTY_LINE
STRICT_GOVERNANCE = FindingCategory.STRICT_GOVERNANCE
ORGANIZATIONAL_LINE = FindingCategory.ORGANIZATIONAL_LINE
RECTIFICATION = FindingCategory.RECTIFICATION
# (taxonomy version, category as tagged) -> category of the current taxonomy.
TAXONOMY_MAP: dict[tuple[str, str], str] = {
    # 2017: 三大问题 (巡视工作条例 Art. 15 as amended)
    ("three-problems-2017", "党的领导弱化"): PARTY_LINE,
    ("three-problems-2017", "党的建设缺失"): ORGANIZATIONAL_LINE,
    ("three-problems-2017", "全面从严治党不力"): STRICT_GOVERNANCE,
    # the seed's "643": 六大纪律 / 四个着力 / 三个重点
    ("643", "六大纪律"): STRICT_GOVERNANCE,
    ("643", "党风廉政建设"): STRICT_GOVERNANCE,
    ("643", "作风建设"): STRICT_GOVERNANCE,
    ("643", "选人用人"): ORGANIZATIONAL_LINE,
    ("643", "基层党建"): ORGANIZATIONAL_LINE,
}


def _unambiguous_by_tag() -> dict[str, str]:
    """Tags that map to one category whatever their version: used for records that did not
    keep the version (shared results of `results.inspection_result_shared` v1)."""
    targets: dict[str, set[str]] = defaultdict(set)
    for (_, tag), mapped in TAXONOMY_MAP.items():
        targets[tag].add(mapped)
    return {tag: next(iter(to)) for tag, to in targets.items() if len(to) == 1}


BY_TAG = _unambiguous_by_tag()


def mapped_category(taxonomy_version: str | None, tag: str) -> str | None:
    """The current-taxonomy category of `tag` as recorded under `taxonomy_version`, or None
    when there is no mapping (a current category, or one nobody mapped)."""
    if taxonomy_version is None:
        return BY_TAG.get(tag)
    return TAXONOMY_MAP.get((taxonomy_version, tag))


def category_of(taxonomy_version: str | None, tag: str) -> str:
    """The category a figure counts `tag` under: the mapped one, else the tag itself."""
    return mapped_category(taxonomy_version, tag) or tag

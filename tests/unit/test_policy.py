"""Policy profiles: versioned, effective-dated parameters per jurisdiction (DOMAIN.md §6.3)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given as for_all
from hypothesis import strategies as st
from pydantic import ValidationError

from tests.unit.builders import COMMITTEE, JURISDICTION, OFFICE, ctx
from tests.unit.gwt import given, refused, then
from xuncha.commands import policy
from xuncha.commands.errors import RuleViolated
from xuncha.commands.policy import (
    DEFAULT_EFFECTIVE_FROM,
    POLICY,
    PolicyBook,
    PublishPolicyVersion,
    policy_stream_id,
)
from xuncha.events.base import Role
from xuncha.events.policy import PolicyParameters, PolicyVersionPublished
from xuncha.events.values import PolicyRef

JAN = date(2026, 1, 1)
JUL = date(2026, 7, 1)


def publish(effective_from: date = JAN, **parameters: int) -> PublishPolicyVersion:
    return PublishPolicyVersion(
        jurisdiction_id=JURISDICTION,
        effective_from=effective_from,
        parameters=PolicyParameters(**parameters),
    )


def version(n: int, effective_from: date, **parameters: int) -> PolicyVersionPublished:
    return PolicyVersionPublished(
        jurisdiction_id=JURISDICTION,
        version=n,
        effective_from=effective_from,
        parameters=PolicyParameters(**parameters),
    )


def ref(n: int, effective_from: date) -> PolicyRef:
    return PolicyRef(jurisdiction_id=JURISDICTION, version=n, effective_from=effective_from)


# Publish ---------------------------------------------------------------------------------------


def test_publish_the_first_version() -> None:
    then(
        policy.publish_version(None, publish(written_report_months=3), ctx(OFFICE)),
        [version(1, JAN, written_report_months=3)],
    )


def test_publish_a_later_version_counts_on() -> None:
    book = given(POLICY, version(1, JAN))
    then(
        policy.publish_version(book, publish(JUL, notice_lead_days=15), ctx(COMMITTEE)),
        [version(2, JUL, notice_lead_days=15)],
    )


@pytest.mark.parametrize("effective_from", [JAN, date(2025, 12, 31)], ids=["same", "earlier"])
def test_publish_not_after_the_latest_version_is_refused(effective_from: date) -> None:
    book = given(POLICY, version(1, JAN))
    with refused(RuleViolated, "effective_from must be after", str(JAN)):
        policy.publish_version(book, publish(effective_from), ctx(OFFICE))


@pytest.mark.parametrize(
    ("parameters", "words"),
    [
        ({"group_size_min": 9, "group_size_max": 8}, "group_size_min exceeds group_size_max"),
        ({"deputies_min": 3, "deputies_max": 2}, "deputies_min exceeds deputies_max"),
        ({"warn_yellow_days": 21, "warn_green_days": 20}, "warn_yellow_days exceeds"),
    ],
)
def test_publish_inconsistent_bounds_is_refused(parameters: dict[str, int], words: str) -> None:
    with refused(RuleViolated, words):
        policy.publish_version(None, publish(JAN, **parameters), ctx(OFFICE))


def test_publish_equal_bounds_is_accepted() -> None:
    cmd = publish(group_size_min=6, group_size_max=6, deputies_min=2, deputies_max=2)
    assert len(policy.publish_version(None, cmd, ctx(OFFICE))) == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("notice_lead_days", -1),
        ("group_size_min", 0),
        ("written_report_months", 0),
        ("written_report_months", 13),
        ("item_deadline_max_months", 61),
        ("plan_due_days", 0),
    ],
)
def test_publish_parameters_out_of_range_are_refused(field: str, value: int) -> None:
    with pytest.raises(ValidationError, match=field):
        PolicyParameters(**{field: value})


def test_publish_is_for_the_office_or_the_committee() -> None:
    assert PublishPolicyVersion.allowed_roles == {Role.INSPECTION_OFFICE, Role.COMMITTEE}


# The version in force -------------------------------------------------------------------------


def test_default_parameters_follow_the_regulation_and_common_practice() -> None:
    p = PolicyParameters()
    assert p.written_report_months == 2  # 2015 Regulation Art. 27
    assert (p.notice_lead_days, p.plan_due_days, p.item_deadline_max_months) == (10, 30, 12)
    assert (p.group_size_min, p.group_size_max, p.deputies_min, p.deputies_max) == (5, 8, 1, 2)
    assert (p.warn_green_days, p.warn_yellow_days) == (20, 10)


def test_in_force_without_versions_is_the_builtin_default() -> None:
    assert PolicyBook(JURISDICTION).in_force(JUL) == (
        ref(0, DEFAULT_EFFECTIVE_FROM),
        PolicyParameters(),
    )


def test_in_force_before_the_first_version_is_the_builtin_default() -> None:
    book = given(POLICY, version(1, JAN, written_report_months=3))
    assert book.in_force(date(2025, 12, 31)) == (ref(0, DEFAULT_EFFECTIVE_FROM), PolicyParameters())


def test_in_force_from_the_effective_date_on() -> None:
    book = given(POLICY, version(1, JAN, written_report_months=3), version(2, JUL))
    three = PolicyParameters(written_report_months=3)
    assert book.in_force(JAN) == (ref(1, JAN), three)
    assert book.in_force(date(2026, 6, 30)) == (ref(1, JAN), three)
    assert book.in_force(JUL) == (ref(2, JUL), PolicyParameters())


@for_all(
    gaps=st.lists(st.integers(1, 400), min_size=1, max_size=6),
    offset=st.integers(-10, 3000),
)
def test_in_force_is_the_latest_version_effective_on_the_day(gaps: list[int], offset: int) -> None:
    starts = [JAN]
    for gap in gaps[1:]:
        starts.append(starts[-1] + timedelta(days=gap))
    book = given(POLICY, *(version(n, d, plan_due_days=n) for n, d in enumerate(starts, start=1)))
    day = JAN + timedelta(days=offset)
    effective = [n for n, d in enumerate(starts, start=1) if d <= day]
    chosen, parameters = book.in_force(day)
    assert chosen.version == (effective[-1] if effective else 0)
    assert parameters.plan_due_days == (effective[-1] if effective else 30)


def test_policy_stream_is_one_per_jurisdiction() -> None:
    assert policy_stream_id(JURISDICTION) == policy_stream_id("yulin")
    assert policy_stream_id(JURISDICTION) != policy_stream_id("shenmu")

"""Calendar months for deadlines: the same day n months later, clamped to the month's end."""

from __future__ import annotations

import calendar
from datetime import date

import pytest
from hypothesis import given as for_all
from hypothesis import strategies as st

from xuncha.commands.dates import add_months


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 5, 15), 2, date(2026, 7, 15)),
        (date(2026, 5, 15), 0, date(2026, 5, 15)),
        (date(2026, 11, 15), 3, date(2027, 2, 15)),
        (date(2026, 5, 15), 12, date(2027, 5, 15)),
        (date(2026, 12, 31), 2, date(2027, 2, 28)),
        (date(2027, 12, 31), 2, date(2028, 2, 29)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 8, 31), 1, date(2026, 9, 30)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2026, 1, 1), 24, date(2028, 1, 1)),
    ],
)
def test_add_months_examples(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


dates = st.dates(min_value=date(1901, 1, 1), max_value=date(9000, 12, 31))


@for_all(day=dates, months=st.integers(-120, 120))
def test_add_months_moves_the_month_and_keeps_or_clamps_the_day(day: date, months: int) -> None:
    later = add_months(day, months)
    assert later.year * 12 + later.month == day.year * 12 + day.month + months
    assert later.day == min(day.day, calendar.monthrange(later.year, later.month)[1])


@for_all(day=dates, months=st.integers(0, 120))
def test_add_months_is_never_earlier_and_grows_with_the_months(day: date, months: int) -> None:
    assert day <= add_months(day, months) <= add_months(day, months + 1)

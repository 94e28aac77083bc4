"""The offices' calendar day. Xuncha's offices keep China Standard Time (UTC+8, no daylight
saving since 1991), so "today", a deadline's day and the day a fact was recorded are the
calendar days of that clock, not of UTC: from 00:00 to 08:00 in an office, UTC still says
yesterday. Every date derived from a moment goes through `office_date`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")


def office_date(moment: datetime) -> date:
    """The offices' calendar day at `moment` (an aware datetime; a naive one is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(CHINA_STANDARD_TIME).date()


def office_today() -> date:
    """The offices' calendar day now."""
    return office_date(datetime.now(UTC))

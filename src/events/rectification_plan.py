"""Events of an inspected organization's rectification as a whole (整改工作): its taskforce,
its special democratic life meeting, disclosure of the rectification, and its stages
(集中整改 → 持续整改 → 整改总结). One stream per inspection."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from xuncha.events.base import DomainEvent
from xuncha.events.feedback import DisclosureExemption
from xuncha.events.registry import event


@event("rectification_plan.taskforce_established")
class RectificationTaskforceEstablished(DomainEvent):
    """整改工作领导小组: the principal leads it."""

    rectification_id: UUID
    inspection_id: UUID
    leader_name: str
    members: list[str]
    office: str
    established_on: date


@event("rectification_plan.life_meeting_held")
class RectificationDemocraticLifeMeetingHeld(DomainEvent):
    """巡察整改专题民主生活会, due within `life_meeting_days` of feedback."""

    rectification_id: UUID
    inspection_id: UUID
    held_on: date
    attendees: list[str]
    supervised_by: list[str]
    topics: str
    due: date
    on_time: bool


@event("rectification_plan.disclosed_internally")
class RectificationDisclosedInternally(DomainEvent):
    """党内公开 of the accepted rectification report."""

    rectification_id: UUID
    inspection_id: UUID
    report_no: int
    content: str
    disclosed_on: date
    exemptions: list[DisclosureExemption]
    exemptions_approved_by: str | None


@event("rectification_plan.disclosed_publicly")
class RectificationDisclosedPublicly(DomainEvent):
    """社会公开 of the accepted rectification report (双公开 with the internal one)."""

    rectification_id: UUID
    inspection_id: UUID
    report_no: int
    content: str
    disclosed_on: date
    channel: str
    exemptions: list[DisclosureExemption]
    exemptions_approved_by: str | None


@event("rectification_plan.centralized_period_ended")
class CentralizedRectificationPeriodEnded(DomainEvent):
    rectification_id: UUID
    inspection_id: UUID
    ended_on: date
    items_closed: int
    items_open: int


@event("rectification_plan.continuous_rectification_started")
class ContinuousRectificationStarted(DomainEvent):
    rectification_id: UUID
    inspection_id: UUID
    started_on: date
    long_term_item_ids: list[UUID]


@event("rectification_plan.summarized")
class RectificationSummarized(DomainEvent):
    """整改总结: every item is closed or formally long-term."""

    rectification_id: UUID
    inspection_id: UUID
    summarized_on: date
    summary: str
    items_closed: int
    items_long_term: int

"""Events of an individual talk (个别谈话): its own `interview` stream (restricted access).

The interviewee's identity and the record's contents are sealed (DOMAIN.md §7.3).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from xuncha.events.base import Contract, DomainEvent
from xuncha.events.registry import event


class IntervieweeCategory(StrEnum):
    """Who was talked to, for tracking mandatory interviewees (not who exactly)."""

    LEADERSHIP_TEAM = "leadership_team"  # 班子成员
    DISCIPLINE_HEAD = "discipline_head"  # 纪检负责人
    ORGANIZATION_HEAD = "organization_head"  # 组织人事负责人
    RECENT_RETIREE = "recent_retiree"  # 近期退休干部
    MIDDLE_MANAGER = "middle_manager"  # 中层干部
    STAFF = "staff"
    OTHER = "other"


class Interviewee(Contract):
    name: str
    position: str


@event("interview.conducted")
class InterviewConducted(DomainEvent):
    """个别谈话 with at least two inspectors of the authorized group present."""

    sealed_fields: ClassVar[frozenset[str]] = frozenset({"interviewee", "record"})
    interview_id: UUID
    inspection_id: UUID
    interviewers: list[str]
    category: IntervieweeCategory
    conducted_on: date
    interviewee: Interviewee
    record: str


@event("interview.record_signed")
class InterviewRecordSigned(DomainEvent):
    """The interviewee signed the record; an inspector records the signature."""

    interview_id: UUID
    inspection_id: UUID
    signed_on: date
    recorded_by: str

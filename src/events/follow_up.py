"""Events of the follow-up of an inspection's rectification (回访督查 / 整改评估 / 回头看),
one stream per inspection, and the link of a look-back inspection to what it looks back at."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from uuid import UUID

from xuncha.events.base import Contract, DomainEvent
from xuncha.events.registry import event


class VisitMethod(StrEnum):
    """听、看、查、访."""

    LISTEN = "listen"  # 听 (reports)
    OBSERVE = "observe"  # 看 (on site)
    CHECK = "check"  # 查 (records)
    VISIT = "visit"  # 访 (people)


@event("follow_up.return_visit_scheduled")
class ReturnVisitScheduled(DomainEvent):
    follow_up_id: UUID
    inspection_id: UUID
    visit_no: int
    planned_on: date
    methods: list[VisitMethod]
    item_ids: list[UUID]


class CheckResult(StrEnum):
    CONFIRMED = "confirmed"  # 整改到位
    INCOMPLETE = "incomplete"  # 整改不到位
    FALSE_RECTIFICATION = "false_rectification"  # 虚假整改
    PAPER_RECTIFICATION = "paper_rectification"  # 纸面整改


class CheckedItem(Contract):
    """A ledger item sample-checked on a return visit (台账销号反向核查)."""

    item_id: UUID
    result: CheckResult
    note: str = ""


@event("follow_up.return_visit_conducted")
class ReturnVisitConducted(DomainEvent):
    follow_up_id: UUID
    inspection_id: UUID
    visit_no: int
    conducted_on: date
    checked_items: list[CheckedItem]
    notes: str


@event("follow_up.satisfaction_survey_recorded")
class SatisfactionSurveyRecorded(DomainEvent):
    follow_up_id: UUID
    inspection_id: UUID
    visit_no: int
    respondents: int
    satisfied: int
    basically_satisfied: int
    dissatisfied: int


class Grade(StrEnum):
    EXCELLENT = "excellent"  # 优秀
    GOOD = "good"  # 较好
    FAIR = "fair"  # 一般
    POOR = "poor"  # 差


class Indicator(Contract):
    name: str
    score: float
    max_score: float


@event("follow_up.rectification_evaluated")
class RectificationEvaluated(DomainEvent):
    follow_up_id: UUID
    inspection_id: UUID
    evaluation_no: int
    evaluated_on: date
    score: float
    grade: Grade
    indicators: list[Indicator]
    evaluators: list[str]
    earliest_on: date


@event("follow_up.re_rectification_ordered")
class ReRectificationOrdered(DomainEvent):
    """再整改通知."""

    follow_up_id: UUID
    inspection_id: UUID
    order_no: int
    item_ids: list[UUID]
    reason: str
    due: date


@event("follow_up.lookback_inspection_launched")
class LookbackInspectionLaunched(DomainEvent):
    """A look-back (回头看) inspection of this inspection's organization was launched."""

    follow_up_id: UUID
    inspection_id: UUID
    lookback_inspection_id: UUID
    round_id: UUID


@event("follow_up.accountability_imposed")
class AccountabilityImposed(DomainEvent):
    """问责 for 整改不力 or 虚假整改."""

    follow_up_id: UUID
    inspection_id: UUID
    subject: str
    form: str
    reason: str
    item_ids: list[UUID]
    decided_on: date


@event("inspection.lookback_linked")
class LookbackLinked(DomainEvent):
    """On a look-back inspection's stream, in the transaction that planned it: what it looks
    back at (an earlier inspection, provincial 巡视 feedback items, or both)."""

    inspection_id: UUID
    lookback_of_inspection_id: UUID | None
    provincial_feedback_refs: list[str]

"""Events of a rectification item (整改台账条目), from opening to closure (销号)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from uuid import UUID

from xuncha.events.base import Contract, DomainEvent
from xuncha.events.registry import envelope_upcaster, event, recorded_on
from xuncha.events.values import PolicyRef


class RectificationItemOpenedV1(DomainEvent):
    """Version 1, undated (opened the day the acceptance was recorded); read through the
    upcaster."""

    item_id: UUID
    inspection_id: UUID
    round_id: UUID
    organization_id: str
    organization_name: str
    ledger_item_no: int
    problem: str
    finding_ids: list[UUID]
    measures: str
    responsible_leader: str
    responsible_department: str
    deadline: date
    policy: PolicyRef


@event("rectification.item_opened", version=2)
class RectificationItemOpened(DomainEvent):
    """Accepting the plan opened the item. v2 adds `opened_on`, the day the plan was accepted
    (`accepted_on` of the acceptance; it may be recorded later)."""

    item_id: UUID
    inspection_id: UUID
    round_id: UUID
    organization_id: str
    organization_name: str
    ledger_item_no: int
    problem: str
    finding_ids: list[UUID]
    measures: str
    responsible_leader: str
    responsible_department: str
    deadline: date
    policy: PolicyRef
    opened_on: date


envelope_upcaster("rectification.item_opened", 1, legacy_model=RectificationItemOpenedV1)(
    recorded_on("opened_on")
)


@event("rectification.progress_reported")
class RectificationProgressReported(DomainEvent):
    item_id: UUID
    inspection_id: UUID
    percent: int
    note: str
    evidence_refs: list[str]


class ItemClosureRequestedV1(DomainEvent):
    """Version 1, undated; read through the upcaster."""

    item_id: UUID
    inspection_id: UUID
    summary: str
    evidence_refs: list[str]


@event("rectification.closure_requested", version=2)
class ItemClosureRequested(DomainEvent):
    """v2 adds `requested_on`, the day the organization asked for closure (it may be
    recorded later)."""

    item_id: UUID
    inspection_id: UUID
    summary: str
    evidence_refs: list[str]
    requested_on: date


class ItemVerifiedV1(DomainEvent):
    """Version 1, undated; read through the upcaster."""

    item_id: UUID
    inspection_id: UUID
    verifier_organization_id: str
    note: str


@event("rectification.item_verified", version=2)
class ItemVerified(DomainEvent):
    """A party other than the rectifying organization checked the evidence. v2 adds
    `verified_on`, the day of the check (it may be recorded later)."""

    item_id: UUID
    inspection_id: UUID
    verifier_organization_id: str
    note: str
    verified_on: date


class ItemVerificationFailedV1(DomainEvent):
    """Version 1, undated; read through the upcaster."""

    item_id: UUID
    inspection_id: UUID
    verifier_organization_id: str
    comments: str


@event("rectification.verification_failed", version=2)
class ItemVerificationFailed(DomainEvent):
    """v2 adds `failed_on`, the day of the check that failed (it may be recorded later)."""

    item_id: UUID
    inspection_id: UUID
    verifier_organization_id: str
    comments: str
    failed_on: date


envelope_upcaster("rectification.closure_requested", 1, legacy_model=ItemClosureRequestedV1)(
    recorded_on("requested_on")
)
envelope_upcaster("rectification.item_verified", 1, legacy_model=ItemVerifiedV1)(
    recorded_on("verified_on")
)
envelope_upcaster("rectification.verification_failed", 1, legacy_model=ItemVerificationFailedV1)(
    recorded_on("failed_on")
)


@event("rectification.item_closed")
class RectificationItemClosed(DomainEvent):
    """销号: closed against the ledger, after verification."""

    item_id: UUID
    inspection_id: UUID
    closed_on: date
    on_time: bool


class Milestone(Contract):
    """A step of long-term (持续整改) work, due by a date."""

    due: date
    description: str


@event("rectification.item_reclassified_long_term")
class ItemReclassifiedLongTerm(DomainEvent):
    """持续整改: the office approved long-term work in milestones; the last milestone becomes
    the item's deadline. A long-term item is not closed and is not counted as closed."""

    item_id: UUID
    inspection_id: UUID
    reason: str
    milestones: list[Milestone]
    previous_deadline: date
    deadline: date
    approved_by: str


@event("rectification.item_deadline_extended")
class ItemDeadlineExtended(DomainEvent):
    """An explicit, approved and counted extension of an item's deadline."""

    item_id: UUID
    inspection_id: UUID
    extension_no: int
    previous_deadline: date
    deadline: date
    reason: str
    approval_ref: str
    approved_by: str


class ReopenReason(StrEnum):
    FALSE_RECTIFICATION = "false_rectification"  # 虚假整改
    PAPER_RECTIFICATION = "paper_rectification"  # 纸面整改
    INCOMPLETE = "incomplete"  # 整改不到位


class RectificationItemReopenedV1(DomainEvent):
    """Version 1, undated; read through the upcaster."""

    item_id: UUID
    inspection_id: UUID
    reopen_no: int
    reason: ReopenReason
    follow_up_id: UUID
    visit_no: int
    comments: str


@event("rectification.item_reopened", version=2)
class RectificationItemReopened(DomainEvent):
    """A follow-up found the closed item's rectification false: back to work. v2 adds
    `reopened_on`, the day it was reopened (it may be recorded later)."""

    item_id: UUID
    inspection_id: UUID
    reopen_no: int
    reason: ReopenReason
    follow_up_id: UUID
    visit_no: int
    comments: str
    reopened_on: date


envelope_upcaster("rectification.item_reopened", 1, legacy_model=RectificationItemReopenedV1)(
    recorded_on("reopened_on")
)


class WarningLevel(StrEnum):
    """三色预警."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


@event("rectification.item_deadline_approaching")
class ItemDeadlineApproaching(DomainEvent):
    """Green at deadline − warn_green_days, yellow at deadline − warn_yellow_days, under the
    policy version the item was opened with."""

    item_id: UUID
    inspection_id: UUID
    level: WarningLevel
    deadline: date
    days_left: int
    warned_on: date
    policy: PolicyRef


@event("rectification.item_overdue")
class ItemOverdue(DomainEvent):
    """Red: the deadline passed and the item is not closed."""

    item_id: UUID
    inspection_id: UUID
    deadline: date
    detected_on: date
    policy: PolicyRef


@event("rectification.supervision_notice_issued")
class SupervisionNoticeIssued(DomainEvent):
    """督办单 from the inspection office."""

    item_id: UUID
    inspection_id: UUID
    notice_no: int
    content: str
    respond_by: date
    issued_on: date


@event("rectification.accountability_talk_held")
class AccountabilityTalkHeld(DomainEvent):
    """约谈 by the leading group of the item's responsible leader."""

    item_id: UUID
    inspection_id: UUID
    talk_no: int
    interviewee: str
    held_on: date
    summary: str


@event("rectification.quick_closure_flagged")
class QuickClosureFlagged(DomainEvent):
    """Soft warning (DOMAIN.md §6.2, a sign of 纸面整改): the item was closed (销号) within
    `within_days` (policy `quick_closure_days`) of being opened. The closure stands."""

    item_id: UUID
    inspection_id: UUID
    organization_id: str
    opened_on: date
    closed_on: date
    days_open: int
    within_days: int


@event("rectification.bulk_closure_flagged")
class BulkClosureFlagged(DomainEvent):
    """Soft warning (DOMAIN.md §6.2, a sign of 纸面整改): with this item, `closed_that_day`
    items of the organization were closed on one day, at or above the policy's
    `bulk_closure_threshold`. The closure stands."""

    item_id: UUID
    inspection_id: UUID
    organization_id: str
    closed_on: date
    closed_that_day: int
    threshold: int


@event("rectification.daily_closure_counted")
class DailyClosureCounted(DomainEvent):
    """One more item of the organization closed on `closed_on` (the `count`th): the tally,
    one stream per organization and day, behind `rectification.bulk_closure_flagged`."""

    organization_id: str
    closed_on: date
    item_id: UUID
    count: int

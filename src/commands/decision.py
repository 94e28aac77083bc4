"""What a command did besides its events: warnings, the consequences its answer states.

A command that the rules allow may still have a consequence the caller would not guess
(recusing a member of a formed group puts the group back to `proposed`). Such a command is
not refused; its answer carries a `CommandWarning` that says what happened, in Chinese and
English. A decider returns a `Decision`, which is a list of events (so every decider keeps
the signature `-> list[DomainEvent]`) carrying its warnings; `UnitOfWork.record` collects
them, and the application service puts them into the command's stored result, so an
idempotent replay answers the same warnings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from xuncha.events.base import DomainEvent


class WarningCode(StrEnum):
    """The consequences a command answer may state (docs/architecture.md, "Warnings")."""

    GROUP_BACK_TO_PROPOSED = "group_back_to_proposed"
    GROUP_LEADERLESS = "group_leaderless"
    MEMBER_LEFT_INSPECTIONS = "member_left_inspections"
    FINDINGS_REVIEW_REQUIRED = "findings_review_required"
    REPORT_RETURNED_FOR_REVISION = "report_returned_for_revision"
    RECUSED_FINDINGS_IN_APPROVED_REPORT = "recused_findings_in_approved_report"
    FINDING_BACK_TO_DRAFTED = "finding_back_to_drafted"
    PLAN_ITEM_DEADLINE_PASSED = "plan_item_deadline_passed"
    CLOSED_AFTER_DEADLINE = "closed_after_deadline"
    QUICK_CLOSURE = "quick_closure"
    BULK_CLOSURE = "bulk_closure"
    LEAD_ACKNOWLEDGED_LATE = "lead_acknowledged_late"
    LEAD_OUTCOME_LATE = "lead_outcome_late"


@dataclass(frozen=True)
class CommandWarning:
    """A consequence of an accepted command, stated in the answer: a stable `code` for
    programs and a message in Chinese (`message_zh`) and English (`message_en`) for people."""

    code: WarningCode
    message_zh: str
    message_en: str


class Decision(list[DomainEvent]):
    """A decider's events with the warnings its command's answer states."""

    def __init__(
        self, events: Iterable[DomainEvent] = (), warnings: Iterable[CommandWarning] = ()
    ) -> None:
        super().__init__(events)
        self.warnings: tuple[CommandWarning, ...] = tuple(warnings)


def warnings_of(events: Iterable[DomainEvent]) -> tuple[CommandWarning, ...]:
    """The warnings `events` carry when they are a `Decision`, else none."""
    return events.warnings if isinstance(events, Decision) else ()

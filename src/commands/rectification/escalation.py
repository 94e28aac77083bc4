"""Open work reclassified as long-term or extended, a closed item reopened after a return
visit, 督办单 and 约谈."""

from __future__ import annotations

import itertools
from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from xuncha.commands.base import (
    Context,
    require,
    require_not_future,
    require_stage,
)
from xuncha.commands.errors import InvalidTransition, RuleViolated
from xuncha.commands.rectification.state import (
    OPEN,
    ItemCommand,
    ItemState,
    _not_own_org,
    dated,
    fact_date,
)
from xuncha.events.base import DomainEvent, Role
from xuncha.events.follow_up import CheckResult
from xuncha.events.rectification import (
    AccountabilityTalkHeld,
    ItemDeadlineExtended,
    ItemReclassifiedLongTerm,
    Milestone,
    RectificationItemReopened,
    ReopenReason,
    SupervisionNoticeIssued,
)
from xuncha.events.vocabulary import RectificationItemStatus

OFFICE_ONLY = frozenset({Role.INSPECTION_OFFICE})
REOPENERS = frozenset(
    {Role.INSPECTION_OFFICE, Role.DISCIPLINE_COMMISSION, Role.ORGANIZATION_DEPARTMENT}
)


class ReclassifyItemAsLongTerm(ItemCommand):
    """持续整改: the office approves long-term work in milestones; not counted as closed."""

    allowed_roles: ClassVar[frozenset[Role]] = OFFICE_ONLY
    justification: str = Field(min_length=1, max_length=10000)
    milestones: list[Milestone] = Field(min_length=1, max_length=50)

    @property
    def reason(self) -> str | None:
        return self.justification


class ExtendItemDeadline(ItemCommand):
    """An explicit extension, approved (approval_ref: the written approval) and counted."""

    allowed_roles: ClassVar[frozenset[Role]] = OFFICE_ONLY
    deadline: date
    justification: str = Field(min_length=1, max_length=10000)
    approval_ref: str = Field(min_length=1, max_length=200)

    @property
    def reason(self) -> str | None:
        return self.justification


class ReopenItem(ItemCommand):
    """A return visit found the closed item's rectification false (虚假整改/纸面整改)."""

    allowed_roles: ClassVar[frozenset[Role]] = REOPENERS
    visit_no: int = Field(ge=1)
    comments: str = Field(min_length=1, max_length=10000)
    reopened_on: date | None = fact_date("the item was reopened")


def reclassify_long_term(
    state: ItemState, cmd: ReclassifyItemAsLongTerm, ctx: Context
) -> list[DomainEvent]:
    require_stage(
        state.status,
        [RectificationItemStatus.OPENED, RectificationItemStatus.IN_PROGRESS],
        "reclassify the item as long-term",
    )
    _not_own_org(state, ctx)
    dues = [m.due for m in cmd.milestones]
    require(
        all(a < b for a, b in itertools.pairwise(dues)),
        "milestones must be in strictly increasing order of their due dates",
    )
    require(dues[0] > ctx.today, f"milestones must fall after today ({ctx.today})")
    for m in cmd.milestones:
        require(bool(m.description.strip()), "every milestone needs a description")
    return [
        ItemReclassifiedLongTerm(
            item_id=state.item_id,
            inspection_id=state.inspection_id,
            reason=cmd.justification,
            milestones=cmd.milestones,
            previous_deadline=state.deadline,
            deadline=dues[-1],
            approved_by=ctx.actor.user_id,
        )
    ]


def extend_deadline(state: ItemState, cmd: ExtendItemDeadline, ctx: Context) -> list[DomainEvent]:
    require_stage(state.status, OPEN, "extend the item's deadline")
    _not_own_org(state, ctx)
    require(
        cmd.deadline > state.deadline,
        f"the new deadline {cmd.deadline} must be after the current one ({state.deadline})",
    )
    require(cmd.deadline > ctx.today, f"the new deadline must be after today ({ctx.today})")
    return [
        ItemDeadlineExtended(
            item_id=state.item_id,
            inspection_id=state.inspection_id,
            extension_no=state.extensions + 1,
            previous_deadline=state.deadline,
            deadline=cmd.deadline,
            reason=cmd.justification,
            approval_ref=cmd.approval_ref,
            approved_by=ctx.actor.user_id,
        )
    ]


REOPENING = {
    CheckResult.FALSE_RECTIFICATION: ReopenReason.FALSE_RECTIFICATION,
    CheckResult.PAPER_RECTIFICATION: ReopenReason.PAPER_RECTIFICATION,
    CheckResult.INCOMPLETE: ReopenReason.INCOMPLETE,
}


def reopen(
    state: ItemState,
    cmd: ReopenItem,
    ctx: Context,
    follow_up_id: UUID,
    visit_checks: dict[int, dict[UUID, CheckResult]],
) -> list[DomainEvent]:
    """`visit_checks`: the follow-up's recorded return visits, visit no → item → result."""
    require_stage(state.status, [RectificationItemStatus.CLOSED], "reopen the item")
    _not_own_org(state, ctx)
    if cmd.visit_no not in visit_checks:
        raise RuleViolated(f"return visit {cmd.visit_no} of this inspection is not recorded")
    result = visit_checks[cmd.visit_no].get(state.item_id)
    if result is None or result not in REOPENING:
        raise RuleViolated(
            f"return visit {cmd.visit_no} did not find this item's rectification false, on "
            f"paper only or incomplete (its check: {result.value if result else 'not checked'})"
        )
    reopened_on = dated(state, cmd.reopened_on, ctx, "reopened_on")
    return [
        RectificationItemReopened(
            item_id=state.item_id,
            inspection_id=state.inspection_id,
            reopen_no=state.reopens + 1,
            reason=REOPENING[result],
            follow_up_id=follow_up_id,
            visit_no=cmd.visit_no,
            comments=cmd.comments,
            reopened_on=reopened_on,
        )
    ]


# Escalation: 督办单 and 约谈 ----------------------------------------------------------------------


class IssueSupervisionNotice(ItemCommand):
    """督办单 from the inspection office."""

    allowed_roles: ClassVar[frozenset[Role]] = OFFICE_ONLY
    content: str = Field(min_length=1, max_length=10000)
    respond_by: date


class HoldAccountabilityTalk(ItemCommand):
    """约谈 (SummonForTalk) of the item's responsible leader by the leading group."""

    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.LEADING_GROUP})
    interviewee: str = Field(min_length=1, max_length=100)
    held_on: date
    summary: str = Field(min_length=1, max_length=10000)


def issue_supervision_notice(
    state: ItemState, cmd: IssueSupervisionNotice, ctx: Context
) -> list[DomainEvent]:
    require_stage(state.status, OPEN, "issue a supervision notice (督办单) for the item")
    require(cmd.respond_by > ctx.today, f"respond_by must be after today ({ctx.today})")
    return [
        SupervisionNoticeIssued(
            item_id=state.item_id,
            inspection_id=state.inspection_id,
            notice_no=state.notices + 1,
            content=cmd.content,
            respond_by=cmd.respond_by,
            issued_on=ctx.today,
        )
    ]


def hold_accountability_talk(
    state: ItemState, cmd: HoldAccountabilityTalk, ctx: Context
) -> list[DomainEvent]:
    if state.status == RectificationItemStatus.CLOSED:
        raise InvalidTransition("the item is closed (销号); a talk about it needs it reopened")
    require_not_future(cmd.held_on, ctx, "held_on")
    return [
        AccountabilityTalkHeld(
            item_id=state.item_id,
            inspection_id=state.inspection_id,
            talk_no=state.talks + 1,
            interviewee=cmd.interviewee,
            held_on=cmd.held_on,
            summary=cmd.summary,
        )
    ]

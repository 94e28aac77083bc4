"""RectificationItem (整改台账条目): opened → progress → closure requested with evidence
→ verified by a party other than the rectifying organization → closed (销号).
A failed verification returns the item to in-progress. A closure raises soft warnings of
纸面整改 (quick closure, many closures of one organization on one day) but is never refused.
Open work may be reclassified as long-term (持续整改, milestones; the last milestone is the
new deadline) or get an approved extension; a follow-up that finds 虚假整改/纸面整改 reopens a
closed item. Orthogonal: the three-colour deadline warnings (a timer), 督办单 and 约谈.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import Field

from xuncha.commands import consequences
from xuncha.commands.base import (
    Aggregate,
    Command,
    Context,
    require,
    require_actor,
    require_not_future,
    require_stage,
)
from xuncha.commands.decision import CommandWarning, Decision
from xuncha.commands.errors import InvalidTransition, RuleViolated
from xuncha.events.base import DomainEvent, Role
from xuncha.events.follow_up import CheckResult
from xuncha.events.policy import PolicyParameters
from xuncha.events.rectification import (
    AccountabilityTalkHeld,
    BulkClosureFlagged,
    DailyClosureCounted,
    ItemClosureRequested,
    ItemDeadlineApproaching,
    ItemDeadlineExtended,
    ItemOverdue,
    ItemReclassifiedLongTerm,
    ItemVerificationFailed,
    ItemVerified,
    Milestone,
    QuickClosureFlagged,
    RectificationItemClosed,
    RectificationItemOpened,
    RectificationItemReopened,
    RectificationProgressReported,
    ReopenReason,
    SupervisionNoticeIssued,
    WarningLevel,
)
from xuncha.events.values import PolicyRef
from xuncha.events.vocabulary import RectificationItemStatus

INSPECTED = frozenset({Role.INSPECTED_ORG_PRINCIPAL, Role.INSPECTED_ORG_LIAISON})
VERIFIERS = frozenset(
    {
        Role.INSPECTION_OFFICE,
        Role.GROUP_LEADER,
        Role.DISCIPLINE_COMMISSION,
        Role.ORGANIZATION_DEPARTMENT,
    }
)


OPEN = (
    RectificationItemStatus.OPENED,
    RectificationItemStatus.IN_PROGRESS,
    RectificationItemStatus.LONG_TERM,
)
LEVELS = {WarningLevel.GREEN: 1, WarningLevel.YELLOW: 2, WarningLevel.RED: 3}


@dataclass(frozen=True)
class ItemState:
    item_id: UUID
    inspection_id: UUID
    organization_id: str
    deadline: date
    status: RectificationItemStatus = RectificationItemStatus.OPENED
    policy: PolicyRef | None = None
    responsible_leader: str = ""
    long_term: bool = False
    extensions: int = 0
    reopens: int = 0
    notices: int = 0
    talks: int = 0
    warned: WarningLevel | None = None  # the highest colour raised against `deadline`
    # The day of the latest dated step (opening, request, check, 销号, reopening).
    last_step_on: date | None = None
    opened_on: date | None = None  # the day the plan was accepted, which opened the item


def evolve(state: ItemState | None, event: DomainEvent) -> ItemState | None:
    match event:
        case RectificationItemOpened():
            return ItemState(
                event.item_id,
                event.inspection_id,
                event.organization_id,
                event.deadline,
                policy=event.policy,
                responsible_leader=event.responsible_leader,
                last_step_on=event.opened_on,
                opened_on=event.opened_on,
            )
        case RectificationProgressReported() if state:
            status = (
                RectificationItemStatus.LONG_TERM
                if state.long_term
                else RectificationItemStatus.IN_PROGRESS
            )
            return replace(state, status=status)
        case ItemVerificationFailed() if state:
            status = (
                RectificationItemStatus.LONG_TERM
                if state.long_term
                else RectificationItemStatus.IN_PROGRESS
            )
            return replace(state, status=status, last_step_on=event.failed_on)
        case ItemClosureRequested() if state:
            return replace(
                state,
                status=RectificationItemStatus.CLOSURE_REQUESTED,
                last_step_on=event.requested_on,
            )
        case ItemVerified() if state:
            return replace(
                state, status=RectificationItemStatus.VERIFIED, last_step_on=event.verified_on
            )
        case RectificationItemClosed() if state:
            return replace(
                state, status=RectificationItemStatus.CLOSED, last_step_on=event.closed_on
            )
        case ItemReclassifiedLongTerm() if state:
            return replace(
                state,
                status=RectificationItemStatus.LONG_TERM,
                long_term=True,
                deadline=event.deadline,
                warned=None,
            )
        case ItemDeadlineExtended() if state:
            return replace(
                state, deadline=event.deadline, extensions=event.extension_no, warned=None
            )
        case RectificationItemReopened() if state:
            status = (
                RectificationItemStatus.LONG_TERM
                if state.long_term
                else RectificationItemStatus.IN_PROGRESS
            )
            return replace(
                state, status=status, reopens=event.reopen_no, last_step_on=event.reopened_on
            )
        case ItemDeadlineApproaching() if state and event.deadline == state.deadline:
            return replace(state, warned=event.level)
        case ItemOverdue() if state and event.deadline == state.deadline:
            return replace(state, warned=WarningLevel.RED)
        case SupervisionNoticeIssued() if state:
            return replace(state, notices=event.notice_no)
        case AccountabilityTalkHeld() if state:
            return replace(state, talks=event.talk_no)
    return state


RECTIFICATION_ITEM = Aggregate[ItemState]("rectification_item", evolve)


class ItemCommand(Command):
    target: ClassVar[str | None] = "item_id"
    item_id: UUID


class ReportItemProgress(ItemCommand):
    allowed_roles: ClassVar[frozenset[Role]] = INSPECTED
    percent: int = Field(ge=0, le=100)
    note: str = Field(min_length=1, max_length=10000)
    evidence_refs: list[str] = Field(default_factory=list, max_length=200)


def fact_date(what: str) -> Any:
    """An optional date of a fact that may be recorded after the day it happened."""
    return Field(
        default=None,
        description=f"the day {what}, if not today; not in the future, not before the "
        "item's previous dated step (its opening, the day the plan was accepted, is the first)",
    )


class RequestItemClosure(ItemCommand):
    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.INSPECTED_ORG_PRINCIPAL})
    summary: str = Field(min_length=1, max_length=10000)
    evidence_refs: list[str] = Field(min_length=1, max_length=200)
    requested_on: date | None = fact_date("closure was requested")


class VerifyItem(ItemCommand):
    allowed_roles: ClassVar[frozenset[Role]] = VERIFIERS
    note: str = Field(default="", max_length=10000)
    verified_on: date | None = fact_date("the rectification was verified")


class FailItemVerification(ItemCommand):
    allowed_roles: ClassVar[frozenset[Role]] = VERIFIERS
    comments: str = Field(min_length=1, max_length=10000)
    failed_on: date | None = fact_date("the verification found the rectification wanting")


class CloseItem(ItemCommand):
    """销号: only the inspection office closes, and only a verified item. 按期 (on time) when
    `closed_on` is on or before the deadline in force."""

    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.INSPECTION_OFFICE})
    closed_on: date | None = fact_date("the item was closed (销号)")


def dated(state: ItemState, day: date | None, ctx: Context, what: str) -> date:
    """The day of the step: `day`, or today when omitted; not in the future and not before
    the item's previous dated step."""
    on = day or ctx.today
    require_not_future(on, ctx, what)
    require(
        state.last_step_on is None or on >= state.last_step_on,
        f"{what} ({on}) cannot be before the item's previous step ({state.last_step_on})",
    )
    return on


def _own_org(state: ItemState, ctx: Context) -> None:
    require_actor(
        ctx.actor.organization_id == state.organization_id,
        "only the rectifying organization reports on its own items",
    )


def _not_own_org(state: ItemState, ctx: Context) -> None:
    require_actor(
        ctx.actor.organization_id != state.organization_id,
        "the rectifying organization cannot verify or close its own item (separation of duties)",
    )


def report_progress(state: ItemState, cmd: ReportItemProgress, ctx: Context) -> list[DomainEvent]:
    require_stage(state.status, OPEN, "report progress")
    _own_org(state, ctx)
    return [
        RectificationProgressReported(
            item_id=state.item_id,
            inspection_id=state.inspection_id,
            percent=cmd.percent,
            note=cmd.note,
            evidence_refs=cmd.evidence_refs,
        )
    ]


def request_closure(state: ItemState, cmd: RequestItemClosure, ctx: Context) -> list[DomainEvent]:
    require_stage(state.status, OPEN, "request closure")
    _own_org(state, ctx)
    return [
        ItemClosureRequested(
            item_id=state.item_id,
            inspection_id=state.inspection_id,
            summary=cmd.summary,
            evidence_refs=cmd.evidence_refs,
            requested_on=dated(state, cmd.requested_on, ctx, "requested_on"),
        )
    ]


def verify(state: ItemState, cmd: VerifyItem, ctx: Context) -> list[DomainEvent]:
    require_stage(state.status, [RectificationItemStatus.CLOSURE_REQUESTED], "verify the item")
    _not_own_org(state, ctx)
    return [
        ItemVerified(
            item_id=state.item_id,
            inspection_id=state.inspection_id,
            verifier_organization_id=ctx.actor.organization_id,
            note=cmd.note,
            verified_on=dated(state, cmd.verified_on, ctx, "verified_on"),
        )
    ]


def fail_verification(
    state: ItemState, cmd: FailItemVerification, ctx: Context
) -> list[DomainEvent]:
    require_stage(
        state.status, [RectificationItemStatus.CLOSURE_REQUESTED], "fail the verification"
    )
    _not_own_org(state, ctx)
    return [
        ItemVerificationFailed(
            item_id=state.item_id,
            inspection_id=state.inspection_id,
            verifier_organization_id=ctx.actor.organization_id,
            comments=cmd.comments,
            failed_on=dated(state, cmd.failed_on, ctx, "failed_on"),
        )
    ]


def close(state: ItemState, cmd: CloseItem, ctx: Context) -> Decision:
    require_stage(state.status, [RectificationItemStatus.VERIFIED], "close (销号) the item")
    _not_own_org(state, ctx)
    closed_on = dated(state, cmd.closed_on, ctx, "closed_on")
    on_time = closed_on <= state.deadline
    closed = RectificationItemClosed(
        item_id=state.item_id,
        inspection_id=state.inspection_id,
        closed_on=closed_on,
        on_time=on_time,
    )
    late = [] if on_time else [consequences.closed_after_deadline(closed_on, state.deadline)]
    return Decision([closed], late)


# Data-consistency warnings at closure (DOMAIN.md §6.2, signs of 纸面整改) ---------------------


def closure_day_stream_id(organization_id: str, day: date) -> UUID:
    return uuid5(NAMESPACE_URL, f"xuncha:closure-day:{organization_id}:{day.isoformat()}")


@dataclass(frozen=True)
class ClosureDayState:
    """The items of one organization closed (销号) on one day.

    Bulk closures are counted in the command layer with one small stream per organization and
    day (`closure_day_stream_id`), which each closure appends to in the same transaction as
    `rectification.item_closed`: the count is exact, needs no read model (which may lag) and no
    scan of the organization's items across inspections and rounds, and two concurrent
    closures of one organization on one day are serialized by the stream's version (one is
    answered 409 and retried) so neither misses the other.
    """

    organization_id: str
    day: date
    item_ids: tuple[UUID, ...] = ()


def evolve_closure_day(state: ClosureDayState | None, event: DomainEvent) -> ClosureDayState | None:
    if isinstance(event, DailyClosureCounted):
        day = state or ClosureDayState(event.organization_id, event.closed_on)
        if event.item_id in day.item_ids:
            return day
        return replace(day, item_ids=(*day.item_ids, event.item_id))
    return state


CLOSURE_DAY = Aggregate[ClosureDayState]("closure_day", evolve_closure_day)


def closing_day(cmd: CloseItem, ctx: Context) -> date:
    """The day of 销号: the command's `closed_on`, or today."""
    return cmd.closed_on or ctx.today


@dataclass(frozen=True)
class Closure:
    on_item: list[DomainEvent]
    on_day: list[DomainEvent]


def close_and_check(
    state: ItemState,
    cmd: CloseItem,
    ctx: Context,
    params: PolicyParameters,
    opened_on: date,
    day: ClosureDayState | None,
) -> Closure:
    """销号 (`close`) with its soft warnings, which never refuse it: quick closure when the
    item is closed within `quick_closure_days` of `opened_on`, bulk closure when this is at
    least the `bulk_closure_threshold`th item of the organization closed today (every closure
    from the threshold on is flagged). `day`: the organization's closures on the closing day
    (`closed_on`, today when omitted) so far."""
    closed = close(state, cmd, ctx)
    closed_on = closing_day(cmd, ctx)
    warnings: list[DomainEvent] = []
    said: list[CommandWarning] = list(closed.warnings)
    days_open = (closed_on - opened_on).days
    # Steps cannot precede the opening day, except on an item opened by an undated v1 event
    # (dated by its recording) whose history was entered later with earlier days: its real
    # opening day is not known, so the speed of closure cannot be judged.
    if 0 <= days_open <= params.quick_closure_days:
        warnings.append(
            QuickClosureFlagged(
                item_id=state.item_id,
                inspection_id=state.inspection_id,
                organization_id=state.organization_id,
                opened_on=opened_on,
                closed_on=closed_on,
                days_open=days_open,
                within_days=params.quick_closure_days,
            )
        )
        said.append(consequences.quick_closure(days_open, params.quick_closure_days))
    earlier = day.item_ids if day else ()
    count = len(earlier) + (0 if state.item_id in earlier else 1)
    if count >= params.bulk_closure_threshold:
        warnings.append(
            BulkClosureFlagged(
                item_id=state.item_id,
                inspection_id=state.inspection_id,
                organization_id=state.organization_id,
                closed_on=closed_on,
                closed_that_day=count,
                threshold=params.bulk_closure_threshold,
            )
        )
        said.append(consequences.bulk_closure(count, params.bulk_closure_threshold, closed_on))
    tally = DailyClosureCounted(
        organization_id=state.organization_id,
        closed_on=closed_on,
        item_id=state.item_id,
        count=count,
    )
    return Closure(Decision([*closed, *warnings], said), [tally])


# Long-term work, extensions, reopening -----------------------------------------------------------

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


# Three-colour warnings (三色预警), issued by the clock ----------------------------------------


class RaiseDeadlineWarnings(ItemCommand):
    """Issued by the clock: green at deadline − warn_green_days, yellow at deadline −
    warn_yellow_days, red once overdue; each colour once per item and deadline, under the
    policy version the item was opened with."""

    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.SYSTEM})


def due_level(deadline: date, today: date, params: PolicyParameters) -> WarningLevel | None:
    if today > deadline:
        return WarningLevel.RED
    if today >= deadline - timedelta(days=params.warn_yellow_days):
        return WarningLevel.YELLOW
    if today >= deadline - timedelta(days=params.warn_green_days):
        return WarningLevel.GREEN
    return None


# An item not closed gets the colours, even while its closure is being checked.
WARNABLE = (*OPEN, RectificationItemStatus.CLOSURE_REQUESTED, RectificationItemStatus.VERIFIED)


def first_day_of(level: WarningLevel, deadline: date, params: PolicyParameters) -> date:
    """The first day `level` is reached (the reverse of `due_level`)."""
    if level == WarningLevel.RED:
        return deadline + timedelta(days=1)
    days = params.warn_yellow_days if level == WarningLevel.YELLOW else params.warn_green_days
    return deadline - timedelta(days=days)


def next_warning_day(state: ItemState, params: PolicyParameters) -> date | None:
    """The first day on which `raise_warnings` raises something for this state, or None if it
    never will until the state changes: the earliest first day of a colour more severe than
    the one raised against the current deadline. The timer wakes an item on that day only."""
    if state.status not in WARNABLE:
        return None
    raised = LEVELS[state.warned] if state.warned is not None else 0
    days = [first_day_of(lv, state.deadline, params) for lv, n in LEVELS.items() if n > raised]
    return min(days, default=None)


def raise_warnings(
    state: ItemState, cmd: RaiseDeadlineWarnings, ctx: Context, params: PolicyParameters
) -> list[DomainEvent]:
    """The most severe colour reached and not yet raised for the current deadline, or
    nothing. A late first tick raises only the current colour, not those it skipped."""
    if state.status not in WARNABLE:
        return []
    level = due_level(state.deadline, ctx.today, params)
    if level is None or (state.warned is not None and LEVELS[state.warned] >= LEVELS[level]):
        return []
    assert state.policy is not None
    if level == WarningLevel.RED:
        return [
            ItemOverdue(
                item_id=state.item_id,
                inspection_id=state.inspection_id,
                deadline=state.deadline,
                detected_on=ctx.today,
                policy=state.policy,
            )
        ]
    return [
        ItemDeadlineApproaching(
            item_id=state.item_id,
            inspection_id=state.inspection_id,
            level=level,
            deadline=state.deadline,
            days_left=(state.deadline - ctx.today).days,
            warned_on=ctx.today,
            policy=state.policy,
        )
    ]

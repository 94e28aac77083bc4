"""Progress, closure request, verification by another party, and 销号 with the soft warnings
of 纸面整改 kept on a per-organization closure day."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import Field

from xuncha.commands import consequences
from xuncha.commands.base import (
    Aggregate,
    Context,
    require_stage,
)
from xuncha.commands.decision import CommandWarning, Decision
from xuncha.commands.rectification.state import (
    INSPECTED,
    OPEN,
    VERIFIERS,
    ItemCommand,
    ItemState,
    _not_own_org,
    _own_org,
    dated,
    fact_date,
)
from xuncha.events.base import DomainEvent, Role
from xuncha.events.policy import PolicyParameters
from xuncha.events.rectification import (
    BulkClosureFlagged,
    DailyClosureCounted,
    ItemClosureRequested,
    ItemVerificationFailed,
    ItemVerified,
    QuickClosureFlagged,
    RectificationItemClosed,
    RectificationProgressReported,
)
from xuncha.events.vocabulary import RectificationItemStatus


class ReportItemProgress(ItemCommand):
    allowed_roles: ClassVar[frozenset[Role]] = INSPECTED
    percent: int = Field(ge=0, le=100)
    note: str = Field(min_length=1, max_length=10000)
    evidence_refs: list[str] = Field(default_factory=list, max_length=200)


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

"""RectificationItem (整改台账条目): opened → progress → closure requested with evidence
→ verified by a party other than the rectifying organization → closed (销号).
A failed verification returns the item to in-progress.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from commands.base import Aggregate, Command, Context, require_actor, require_stage
from events.base import DomainEvent, Role
from events.rectification import (
    ItemClosureRequested,
    ItemVerificationFailed,
    ItemVerified,
    RectificationItemClosed,
    RectificationItemOpened,
    RectificationProgressReported,
)

INSPECTED = frozenset({Role.INSPECTED_ORG_PRINCIPAL, Role.INSPECTED_ORG_LIAISON})
VERIFIERS = frozenset(
    {
        Role.INSPECTION_OFFICE,
        Role.GROUP_LEADER,
        Role.DISCIPLINE_COMMISSION,
        Role.ORGANIZATION_DEPARTMENT,
    }
)


@dataclass(frozen=True)
class ItemState:
    item_id: UUID
    inspection_id: UUID
    organization_id: str
    deadline: date
    status: str = "opened"


def evolve(state: ItemState | None, event: DomainEvent) -> ItemState | None:
    match event:
        case RectificationItemOpened():
            return ItemState(
                event.item_id, event.inspection_id, event.organization_id, event.deadline
            )
        case RectificationProgressReported() | ItemVerificationFailed() if state:
            return replace(state, status="in_progress")
        case ItemClosureRequested() if state:
            return replace(state, status="closure_requested")
        case ItemVerified() if state:
            return replace(state, status="verified")
        case RectificationItemClosed() if state:
            return replace(state, status="closed")
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


class RequestItemClosure(ItemCommand):
    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.INSPECTED_ORG_PRINCIPAL})
    summary: str = Field(min_length=1, max_length=10000)
    evidence_refs: list[str] = Field(min_length=1, max_length=200)


class VerifyItem(ItemCommand):
    allowed_roles: ClassVar[frozenset[Role]] = VERIFIERS
    note: str = Field(default="", max_length=10000)


class FailItemVerification(ItemCommand):
    allowed_roles: ClassVar[frozenset[Role]] = VERIFIERS
    comments: str = Field(min_length=1, max_length=10000)


class CloseItem(ItemCommand):
    """销号: only the inspection office closes, and only a verified item."""

    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.INSPECTION_OFFICE})


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
    require_stage(state.status, ["opened", "in_progress"], "report progress")
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
    require_stage(state.status, ["opened", "in_progress"], "request closure")
    _own_org(state, ctx)
    return [
        ItemClosureRequested(
            item_id=state.item_id,
            inspection_id=state.inspection_id,
            summary=cmd.summary,
            evidence_refs=cmd.evidence_refs,
        )
    ]


def verify(state: ItemState, cmd: VerifyItem, ctx: Context) -> list[DomainEvent]:
    require_stage(state.status, ["closure_requested"], "verify the item")
    _not_own_org(state, ctx)
    return [
        ItemVerified(
            item_id=state.item_id,
            inspection_id=state.inspection_id,
            verifier_organization_id=ctx.actor.organization_id,
            note=cmd.note,
        )
    ]


def fail_verification(
    state: ItemState, cmd: FailItemVerification, ctx: Context
) -> list[DomainEvent]:
    require_stage(state.status, ["closure_requested"], "fail the verification")
    _not_own_org(state, ctx)
    return [
        ItemVerificationFailed(
            item_id=state.item_id,
            inspection_id=state.inspection_id,
            verifier_organization_id=ctx.actor.organization_id,
            comments=cmd.comments,
        )
    ]


def close(state: ItemState, cmd: CloseItem, ctx: Context) -> list[DomainEvent]:
    require_stage(state.status, ["verified"], "close (销号) the item")
    _not_own_org(state, ctx)
    return [
        RectificationItemClosed(
            item_id=state.item_id,
            inspection_id=state.inspection_id,
            closed_on=ctx.today,
            on_time=ctx.today <= state.deadline,
        )
    ]

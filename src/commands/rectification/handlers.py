"""Handlers of the rectification: each item (progress, closure, verification, 销号, long-term,
extension, reopening, 督办, 约谈, the three-colour timer) and the programme as a whole."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from uuid import UUID

from xuncha.commands import rectification as item
from xuncha.commands.base import Context
from xuncha.commands.follow_up import FOLLOW_UP, follow_up_stream_id
from xuncha.commands.handling import Handler, Registered, on
from xuncha.commands.inspection import InspectionState
from xuncha.commands.inspection.handling import beside, beside_pinned, inspection_of
from xuncha.commands.rectification import (
    CLOSURE_DAY,
    RECTIFICATION_ITEM,
    ItemCommand,
    ItemState,
    closure_day_stream_id,
)
from xuncha.commands.rectification import programme as prog
from xuncha.commands.rectification.programme import RECTIFICATION_PROGRAMME, rectification_stream_id
from xuncha.commands.unit_of_work import UnitOfWork
from xuncha.events.base import DomainEvent

IC = TypeVar("IC", bound=ItemCommand)


def _item(uow: UnitOfWork, item_id: UUID) -> ItemState:
    return uow.get(RECTIFICATION_ITEM, item_id, "rectification item")


def _items(uow: UnitOfWork, state: InspectionState) -> dict[UUID, ItemState]:
    return {i: _item(uow, i) for i in state.item_ids}


def _on_item(decide: Callable[[ItemState, IC, Context], list[DomainEvent]]) -> Handler[IC]:
    def handler(uow: UnitOfWork, cmd: IC) -> None:
        uow.record(RECTIFICATION_ITEM, cmd.item_id, decide(_item(uow, cmd.item_id), cmd, uow.ctx))

    return handler


# Items ---------------------------------------------------------------------------------------


def close_item(uow: UnitOfWork, cmd: item.CloseItem) -> None:
    """销号 with the closure warnings. The opening day is the item's `opened_on`, the day the
    plan was accepted (a v1 `rectification.item_opened`, undated, is read with the day it was
    recorded). Thresholds are those of the policy in force on the closing day."""
    state = _item(uow, cmd.item_id)
    opened = state.opened_on
    assert opened is not None  # every opening is dated (v1 through its upcaster)
    assert state.policy is not None  # every item is opened under a policy version
    closed_on = item.closing_day(cmd, uow.ctx)
    _, params = uow.policy(state.policy.jurisdiction_id, closed_on)
    day_id = closure_day_stream_id(state.organization_id, closed_on)
    day = uow.find(CLOSURE_DAY, day_id)
    done = item.close_and_check(state, cmd, uow.ctx, params, opened, day)
    uow.record(RECTIFICATION_ITEM, cmd.item_id, done.on_item)
    uow.record(CLOSURE_DAY, day_id, done.on_day)


def reopen_item(uow: UnitOfWork, cmd: item.ReopenItem) -> None:
    state = _item(uow, cmd.item_id)
    follow = uow.find(FOLLOW_UP, follow_up_stream_id(state.inspection_id))
    checks = {n: dict(c) for n, c in follow.checks.items()} if follow else {}
    events = item.reopen(state, cmd, uow.ctx, follow_up_stream_id(state.inspection_id), checks)
    uow.record(RECTIFICATION_ITEM, cmd.item_id, events)


def raise_warnings(uow: UnitOfWork, cmd: item.RaiseDeadlineWarnings) -> None:
    state = _item(uow, cmd.item_id)
    assert state.policy is not None
    params = uow.pinned_policy(state.policy)  # the version the item was opened with
    uow.record(RECTIFICATION_ITEM, cmd.item_id, item.raise_warnings(state, cmd, uow.ctx, params))


# The rectification as a whole ----------------------------------------------------------------


def disclose(uow: UnitOfWork, cmd: prog.DiscloseRectification) -> None:
    reported = uow.get(prog.INSPECTION_WITH_REPORTS, cmd.inspection_id, "inspection")
    sid = rectification_stream_id(cmd.inspection_id)
    programme = uow.find(RECTIFICATION_PROGRAMME, sid)
    uow.record(RECTIFICATION_PROGRAMME, sid, prog.disclose(programme, cmd, uow.ctx, reported))


def end_centralized(uow: UnitOfWork, cmd: prog.EndCentralizedRectification) -> None:
    inspection = inspection_of(uow, cmd.inspection_id)
    sid = rectification_stream_id(cmd.inspection_id)
    programme = uow.find(RECTIFICATION_PROGRAMME, sid)
    statuses = {i: s.status for i, s in _items(uow, inspection).items()}
    events = prog.end_centralized(programme, cmd, uow.ctx, inspection, statuses)
    uow.record(RECTIFICATION_PROGRAMME, sid, events)


def start_continuous(uow: UnitOfWork, cmd: prog.StartContinuousRectification) -> None:
    inspection = inspection_of(uow, cmd.inspection_id)
    sid = rectification_stream_id(cmd.inspection_id)
    programme = uow.find(RECTIFICATION_PROGRAMME, sid)
    long_term = [i for i, s in _items(uow, inspection).items() if s.long_term]
    events = prog.start_continuous(programme, cmd, uow.ctx, inspection, long_term)
    uow.record(RECTIFICATION_PROGRAMME, sid, events)


def summarize(uow: UnitOfWork, cmd: prog.SummarizeRectification) -> None:
    inspection = inspection_of(uow, cmd.inspection_id)
    sid = rectification_stream_id(cmd.inspection_id)
    programme = uow.find(RECTIFICATION_PROGRAMME, sid)
    items = {i: (s.status, s.long_term) for i, s in _items(uow, inspection).items()}
    events = prog.summarize(programme, cmd, uow.ctx, inspection, items)
    uow.record(RECTIFICATION_PROGRAMME, sid, events)


HANDLERS: tuple[Registered, ...] = (
    on(item.ReportItemProgress, _on_item(item.report_progress)),
    on(item.RequestItemClosure, _on_item(item.request_closure)),
    on(item.VerifyItem, _on_item(item.verify)),
    on(item.FailItemVerification, _on_item(item.fail_verification)),
    on(item.CloseItem, close_item),
    on(item.ReclassifyItemAsLongTerm, _on_item(item.reclassify_long_term)),
    on(item.ExtendItemDeadline, _on_item(item.extend_deadline)),
    on(item.ReopenItem, reopen_item),
    on(item.IssueSupervisionNotice, _on_item(item.issue_supervision_notice)),
    on(item.HoldAccountabilityTalk, _on_item(item.hold_accountability_talk)),
    on(item.RaiseDeadlineWarnings, raise_warnings),
    on(
        prog.EstablishRectificationTaskforce,
        beside(RECTIFICATION_PROGRAMME, rectification_stream_id, prog.establish_taskforce),
    ),
    on(
        prog.HoldRectificationLifeMeeting,
        beside_pinned(RECTIFICATION_PROGRAMME, rectification_stream_id, prog.hold_life_meeting),
    ),
    on(prog.DiscloseRectification, disclose),
    on(prog.EndCentralizedRectification, end_centralized),
    on(prog.StartContinuousRectification, start_continuous),
    on(prog.SummarizeRectification, summarize),
)

"""Supplementary report: drafted by the group after fieldwork → reviewed by the office →
approved by the leading group (or returned and redrafted as a new version)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import ClassVar, TypeVar
from uuid import UUID

from pydantic import Field

from xuncha.commands.base import Aggregate, Command, Context, require_not_future, require_stage
from xuncha.commands.errors import InvalidTransition
from xuncha.commands.handling import Handler, Registered, on
from xuncha.commands.inspection import INSPECTION, InspectionState, require_group_member
from xuncha.commands.round import OFFICE
from xuncha.commands.unit_of_work import UnitOfWork
from xuncha.events.base import DomainEvent, Role
from xuncha.events.supplementary_report import (
    SupplementaryKind,
    SupplementaryReportApproved,
    SupplementaryReportDrafted,
    SupplementaryReportReturned,
    SupplementaryReportReviewed,
)
from xuncha.events.vocabulary import InspectionStage, SupplementaryReportStage

AFTER_FIELDWORK = (
    InspectionStage.WITHDRAWN,
    InspectionStage.REPORT_DRAFTED,
    InspectionStage.REPORT_OFFICE_REVIEWED,
    InspectionStage.REPORT_RETURNED,
    InspectionStage.REPORT_DELIBERATED,
    InspectionStage.REPORT_APPROVED,
)


@dataclass(frozen=True)
class SupplementaryState:
    report_id: UUID
    inspection_id: UUID
    kind: SupplementaryKind
    version: int
    content_hash: str
    stage: SupplementaryReportStage = SupplementaryReportStage.DRAFTED


def evolve(state: SupplementaryState | None, event: DomainEvent) -> SupplementaryState | None:
    match event:
        case SupplementaryReportDrafted():
            return SupplementaryState(
                event.report_id, event.inspection_id, event.kind, event.version, event.content_hash
            )
        case SupplementaryReportReviewed() if state:
            return replace(state, stage=SupplementaryReportStage.OFFICE_REVIEWED)
        case SupplementaryReportReturned() if state:
            return replace(state, stage=SupplementaryReportStage.RETURNED)
        case SupplementaryReportApproved() if state:
            return replace(state, stage=SupplementaryReportStage.APPROVED)
    return state


SUPPLEMENTARY_REPORT = Aggregate[SupplementaryState]("supplementary_report", evolve)
AUTHORS = frozenset({Role.GROUP_LEADER, Role.DEPUTY_GROUP_LEADER})


class DraftSupplementaryReport(Command):
    target: ClassVar[str | None] = "inspection_id"
    allowed_roles: ClassVar[frozenset[Role]] = AUTHORS
    inspection_id: UUID
    kind: SupplementaryKind
    topic: str = Field(min_length=1, max_length=300)
    addressees: list[str] = Field(default_factory=list, max_length=50)
    content: str = Field(min_length=1, max_length=50000)


class RedraftSupplementaryReport(Command):
    target: ClassVar[str | None] = "report_id"
    allowed_roles: ClassVar[frozenset[Role]] = AUTHORS
    report_id: UUID
    topic: str = Field(min_length=1, max_length=300)
    addressees: list[str] = Field(default_factory=list, max_length=50)
    content: str = Field(min_length=1, max_length=50000)


class SupplementaryStep(Command):
    target: ClassVar[str | None] = "report_id"
    report_id: UUID
    version: int = Field(ge=1)


class ReviewSupplementaryReport(SupplementaryStep):
    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    comments: str = Field(default="", max_length=10000)


class ReturnSupplementaryReport(SupplementaryStep):
    allowed_roles: ClassVar[frozenset[Role]] = OFFICE | frozenset({Role.LEADING_GROUP})
    comments: str = Field(min_length=1, max_length=10000)


class ApproveSupplementaryReport(SupplementaryStep):
    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.LEADING_GROUP, Role.COMMITTEE})
    approved_on: date


def _hash(topic: str, addressees: list[str], content: str) -> str:
    body = "\x1f".join([topic, *addressees, content]).encode()
    return "sha256:" + hashlib.sha256(body).hexdigest()


def draft(
    inspection: InspectionState, cmd: DraftSupplementaryReport, ctx: Context, report_id: UUID
) -> list[DomainEvent]:
    require_stage(inspection.stage, AFTER_FIELDWORK, "draft a supplementary report")
    require_group_member(inspection, ctx)
    return [
        SupplementaryReportDrafted(
            report_id=report_id,
            inspection_id=inspection.inspection_id,
            kind=cmd.kind,
            version=1,
            topic=cmd.topic,
            addressees=cmd.addressees,
            content=cmd.content,
            content_hash=_hash(cmd.topic, cmd.addressees, cmd.content),
        )
    ]


def redraft(
    state: SupplementaryState,
    cmd: RedraftSupplementaryReport,
    ctx: Context,
    inspection: InspectionState,
) -> list[DomainEvent]:
    require_stage(state.stage, [SupplementaryReportStage.RETURNED], "redraft the report")
    require_group_member(inspection, ctx)
    return [
        SupplementaryReportDrafted(
            report_id=state.report_id,
            inspection_id=state.inspection_id,
            kind=state.kind,
            version=state.version + 1,
            topic=cmd.topic,
            addressees=cmd.addressees,
            content=cmd.content,
            content_hash=_hash(cmd.topic, cmd.addressees, cmd.content),
        )
    ]


def _current(state: SupplementaryState, cmd: SupplementaryStep) -> None:
    if cmd.version != state.version:
        raise InvalidTransition(
            f"version {cmd.version} is not the current draft (v{state.version})"
        )


def review(state: SupplementaryState, cmd: ReviewSupplementaryReport) -> list[DomainEvent]:
    require_stage(state.stage, [SupplementaryReportStage.DRAFTED], "review the report")
    _current(state, cmd)
    return [
        SupplementaryReportReviewed(
            report_id=state.report_id,
            inspection_id=state.inspection_id,
            version=state.version,
            comments=cmd.comments,
        )
    ]


def return_(state: SupplementaryState, cmd: ReturnSupplementaryReport) -> list[DomainEvent]:
    require_stage(
        state.stage,
        [SupplementaryReportStage.DRAFTED, SupplementaryReportStage.OFFICE_REVIEWED],
        "return the report",
    )
    _current(state, cmd)
    return [
        SupplementaryReportReturned(
            report_id=state.report_id,
            inspection_id=state.inspection_id,
            version=state.version,
            comments=cmd.comments,
        )
    ]


def approve(
    state: SupplementaryState, cmd: ApproveSupplementaryReport, ctx: Context
) -> list[DomainEvent]:
    require_stage(state.stage, [SupplementaryReportStage.OFFICE_REVIEWED], "approve the report")
    _current(state, cmd)
    require_not_future(cmd.approved_on, ctx, "approved_on")
    return [
        SupplementaryReportApproved(
            report_id=state.report_id,
            inspection_id=state.inspection_id,
            version=state.version,
            content_hash=state.content_hash,
            approved_on=cmd.approved_on,
        )
    ]


# Handlers ------------------------------------------------------------------------------------

Step = TypeVar("Step", bound=SupplementaryStep)


def handle_draft(uow: UnitOfWork, cmd: DraftSupplementaryReport) -> UUID:
    inspection = uow.get(INSPECTION, cmd.inspection_id, "inspection")
    report_id = uow.new_id()
    uow.record(SUPPLEMENTARY_REPORT, report_id, draft(inspection, cmd, uow.ctx, report_id))
    return report_id


def handle_redraft(uow: UnitOfWork, cmd: RedraftSupplementaryReport) -> None:
    state = uow.get(SUPPLEMENTARY_REPORT, cmd.report_id, "supplementary report")
    inspection = uow.get(INSPECTION, state.inspection_id, "inspection")
    uow.record(SUPPLEMENTARY_REPORT, cmd.report_id, redraft(state, cmd, uow.ctx, inspection))


def _step(decide: Callable[[SupplementaryState, Step], list[DomainEvent]]) -> Handler[Step]:
    def handler(uow: UnitOfWork, cmd: Step) -> None:
        state = uow.get(SUPPLEMENTARY_REPORT, cmd.report_id, "supplementary report")
        uow.record(SUPPLEMENTARY_REPORT, cmd.report_id, decide(state, cmd))

    return handler


def handle_approve(uow: UnitOfWork, cmd: ApproveSupplementaryReport) -> None:
    state = uow.get(SUPPLEMENTARY_REPORT, cmd.report_id, "supplementary report")
    uow.record(SUPPLEMENTARY_REPORT, cmd.report_id, approve(state, cmd, uow.ctx))


HANDLERS: tuple[Registered, ...] = (
    on(DraftSupplementaryReport, handle_draft),
    on(RedraftSupplementaryReport, handle_redraft),
    on(ReviewSupplementaryReport, _step(review)),
    on(ReturnSupplementaryReport, _step(return_)),
    on(ApproveSupplementaryReport, handle_approve),
)

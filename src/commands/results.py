"""成果运用: the shared result record (结果共享) per inspected organization and round, and the
warning-education outputs (通报, 忏悔录, 警示教育, 行业整顿)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import ClassVar, TypeVar
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import Field

from xuncha.commands.base import (
    Aggregate,
    Command,
    Context,
    require,
    require_actor,
    require_not_future,
    require_stage,
)
from xuncha.commands.errors import InvalidTransition
from xuncha.commands.finding import FINDING
from xuncha.commands.follow_up import FOLLOW_UP, follow_up_stream_id
from xuncha.commands.handling import Handler, Registered, on
from xuncha.commands.inspection import InspectionState
from xuncha.commands.inspection.handling import inspection_of, pinned_policy
from xuncha.commands.rectification import RECTIFICATION_ITEM, ItemState
from xuncha.commands.unit_of_work import UnitOfWork
from xuncha.events.base import DomainEvent, Role
from xuncha.events.finding import FindingContent
from xuncha.events.follow_up import Grade
from xuncha.events.policy import PolicyParameters
from xuncha.events.results import (
    ConfessionBookCompiled,
    ConfessionBookPublished,
    ConfessionEntryAdded,
    InspectionResultShared,
    LeadsSummary,
    RectificationStatus,
    SectorRectificationRecommended,
    ShareBasis,
    TagCount,
    WarningBulletinIssued,
    WarningStudySessionHeld,
)
from xuncha.events.vocabulary import EducationRecordKind, InspectionStage, RectificationItemStatus

AFTER_APPROVAL = (
    InspectionStage.REPORT_APPROVED,
    InspectionStage.FEEDBACK_DELIVERED,
    InspectionStage.PLAN_SUBMITTED,
    InspectionStage.PLAN_RETURNED,
    InspectionStage.RECTIFYING,
    InspectionStage.RECTIFICATION_REPORT_SUBMITTED,
    InspectionStage.RECTIFICATION_REPORT_RETURNED,
    InspectionStage.RECTIFICATION_REPORT_ACCEPTED,
    InspectionStage.CLOSED,
)
SHARERS = frozenset({Role.INSPECTION_OFFICE})
EDUCATORS = frozenset({Role.LEADING_GROUP, Role.INSPECTION_OFFICE, Role.DISCIPLINE_COMMISSION})


def shared_result_stream_id(inspection_id: UUID) -> UUID:
    """One shared-result record per inspection: one inspected organization in one round."""
    return uuid5(NAMESPACE_URL, f"xuncha:shared-result:{inspection_id}")


@dataclass(frozen=True)
class SharedResultState:
    result_id: UUID
    sequence: int = 0
    evaluations_shared: int = 0


def evolve_shared(state: SharedResultState | None, event: DomainEvent) -> SharedResultState | None:
    if isinstance(event, InspectionResultShared):
        base = state or SharedResultState(event.result_id)
        evaluated = base.evaluations_shared + (event.basis == ShareBasis.EVALUATED)
        return replace(base, sequence=event.sequence, evaluations_shared=evaluated)
    return state


SHARED_RESULT = Aggregate[SharedResultState]("shared_result", evolve_shared)


class PublishSharedResult(Command):
    """结果共享: after report approval, and again after each rectification evaluation. Lead
    counts come from the lead register (counts only)."""

    target: ClassVar[str | None] = "inspection_id"
    allowed_roles: ClassVar[frozenset[Role]] = SHARERS
    inspection_id: UUID
    leads: LeadsSummary | None = None


def publish_shared_result(
    shared: SharedResultState | None,
    cmd: PublishSharedResult,
    ctx: Context,
    state: InspectionState,
    findings: list[FindingContent],
    items: Mapping[UUID, ItemState],
    evaluations: tuple[Grade, ...],
    params: PolicyParameters,
) -> list[DomainEvent]:
    """`findings`: the approved report's findings; `evaluations`: the follow-up's grades."""
    require_stage(state.stage, AFTER_APPROVAL, "share the inspection's result")
    sequence = shared.sequence if shared else 0
    evaluations_shared = shared.evaluations_shared if shared else 0
    if sequence == 0:
        basis = ShareBasis.REPORT_APPROVED
    elif len(evaluations) > evaluations_shared:
        basis = ShareBasis.EVALUATED
    else:
        raise InvalidTransition(
            "the result was shared already: it is shared again after a new rectification evaluation"
        )
    if cmd.leads is not None:
        counts = cmd.leads
        require(
            min(counts.transferred, counts.disposed, counts.open) >= 0,
            "lead counts cannot be negative",
        )
    tags = Counter((c.taxonomy_version, tag) for c in findings for tag in c.tags)
    rectification = None
    if items:
        closed = sum(1 for i in items.values() if i.status == RectificationItemStatus.CLOSED)
        rectification = RectificationStatus(
            items_total=len(items),
            items_closed=closed,
            items_long_term=sum(
                1
                for i in items.values()
                if i.long_term and i.status != RectificationItemStatus.CLOSED
            ),
            items_reopened=sum(1 for i in items.values() if i.reopens),
            items_extended=sum(1 for i in items.values() if i.extensions),
            completion_rate=round(closed / len(items), 4),
        )
    leaders = None
    if params.share_responsible_leaders and items:
        leaders = sorted({i.responsible_leader for i in items.values()})
    return [
        InspectionResultShared(
            result_id=shared_result_stream_id(state.inspection_id),
            sequence=sequence + 1,
            basis=basis,
            inspection_id=state.inspection_id,
            round_id=state.round_id,
            organization_id=state.organization_id,
            organization_name=state.organization_name,
            findings_total=len(findings),
            findings_by_tag=[
                TagCount(taxonomy_version=v, tag=t, count=n) for (v, t), n in sorted(tags.items())
            ],
            rectification=rectification,
            leads=cmd.leads,
            evaluation_grade=evaluations[-1].value if evaluations else None,
            responsible_leaders=leaders,
            published_on=ctx.today,
        )
    ]


# Warning education ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EducationRecord:
    record_id: UUID
    kind: EducationRecordKind
    entries: int = 0
    published: bool = False


def evolve_education(state: EducationRecord | None, event: DomainEvent) -> EducationRecord | None:
    match event:
        case WarningBulletinIssued():
            return EducationRecord(event.record_id, EducationRecordKind.BULLETIN)
        case ConfessionBookCompiled():
            return EducationRecord(event.record_id, EducationRecordKind.CONFESSION_BOOK)
        case WarningStudySessionHeld():
            return EducationRecord(event.record_id, EducationRecordKind.STUDY_SESSION)
        case SectorRectificationRecommended():
            return EducationRecord(event.record_id, EducationRecordKind.SECTOR_RECTIFICATION)
        case ConfessionEntryAdded() if state:
            return replace(state, entries=event.entry_no)
        case ConfessionBookPublished() if state:
            return replace(state, published=True)
    return state


EDUCATION = Aggregate[EducationRecord]("education_record", evolve_education)


class IssueWarningBulletin(Command):
    """典型案例通报: case summaries de-identified as required."""

    allowed_roles: ClassVar[frozenset[Role]] = EDUCATORS
    title: str = Field(min_length=1, max_length=200)
    case_summaries: list[str] = Field(min_length=1, max_length=100)
    audience: str = Field(min_length=1, max_length=200)
    issued_on: date


class CompileConfessionBook(Command):
    allowed_roles: ClassVar[frozenset[Role]] = EDUCATORS
    title: str = Field(min_length=1, max_length=200)


class ConfessionBookCommand(Command):
    target: ClassVar[str | None] = "record_id"
    allowed_roles: ClassVar[frozenset[Role]] = EDUCATORS
    record_id: UUID


class AddConfessionEntry(ConfessionBookCommand):
    subject_label: str = Field(min_length=1, max_length=200)  # e.g. 某局原局长, not a name
    text: str = Field(min_length=1, max_length=30000)
    case_ref: str = Field(min_length=1, max_length=200)


class PublishConfessionBook(ConfessionBookCommand):
    published_on: date


class HoldWarningStudySession(Command):
    allowed_roles: ClassVar[frozenset[Role]] = EDUCATORS | {Role.INSPECTED_ORG_PRINCIPAL}
    organization_id: str = Field(min_length=1, max_length=64)
    held_on: date
    participants: int = Field(ge=1, le=100000)
    materials: list[str] = Field(min_length=1, max_length=50)


class RecommendSectorRectification(Command):
    """行业整顿 / 专项治理, recommended to a line department."""

    allowed_roles: ClassVar[frozenset[Role]] = frozenset(
        {Role.LEADING_GROUP, Role.INSPECTION_OFFICE}
    )
    sector: str = Field(min_length=1, max_length=200)
    recipient_department: str = Field(min_length=1, max_length=200)
    problems: str = Field(min_length=1, max_length=30000)
    inspection_ids: list[UUID] = Field(default_factory=list, max_length=200)
    recommended_on: date


def _texts(values: list[str], what: str) -> None:
    require(all(v.strip() for v in values), f"{what} cannot be blank")


def issue_bulletin(cmd: IssueWarningBulletin, ctx: Context, record_id: UUID) -> list[DomainEvent]:
    require_not_future(cmd.issued_on, ctx, "issued_on")
    _texts(cmd.case_summaries, "case summaries")
    return [
        WarningBulletinIssued(
            record_id=record_id,
            title=cmd.title,
            case_summaries=cmd.case_summaries,
            audience=cmd.audience,
            issued_on=cmd.issued_on,
        )
    ]


def compile_book(cmd: CompileConfessionBook, record_id: UUID) -> list[DomainEvent]:
    return [ConfessionBookCompiled(record_id=record_id, title=cmd.title)]


def _open_book(state: EducationRecord, action: str) -> None:
    if state.kind != EducationRecordKind.CONFESSION_BOOK:
        raise InvalidTransition(
            f"record {state.record_id} is a {state.kind}, not a confession book"
        )
    if state.published:
        raise InvalidTransition(f"cannot {action}: the confession book is published")


def add_entry(state: EducationRecord, cmd: AddConfessionEntry, ctx: Context) -> list[DomainEvent]:
    _open_book(state, "add an entry")
    return [
        ConfessionEntryAdded(
            record_id=state.record_id,
            entry_no=state.entries + 1,
            subject_label=cmd.subject_label,
            text=cmd.text,
            case_ref=cmd.case_ref,
        )
    ]


def publish_book(
    state: EducationRecord, cmd: PublishConfessionBook, ctx: Context
) -> list[DomainEvent]:
    _open_book(state, "publish it again")
    require(state.entries > 0, "a confession book needs at least one entry to be published")
    require_not_future(cmd.published_on, ctx, "published_on")
    return [
        ConfessionBookPublished(
            record_id=state.record_id, entries=state.entries, published_on=cmd.published_on
        )
    ]


def hold_study(cmd: HoldWarningStudySession, ctx: Context, record_id: UUID) -> list[DomainEvent]:
    require_not_future(cmd.held_on, ctx, "held_on")
    _texts(cmd.materials, "materials")
    if ctx.actor.role == Role.INSPECTED_ORG_PRINCIPAL:
        require_actor(
            ctx.actor.organization_id == cmd.organization_id,
            "a principal records study sessions of their own organization",
        )
    return [
        WarningStudySessionHeld(
            record_id=record_id,
            organization_id=cmd.organization_id,
            held_on=cmd.held_on,
            participants=cmd.participants,
            materials=cmd.materials,
        )
    ]


def recommend_sector(
    cmd: RecommendSectorRectification, ctx: Context, record_id: UUID
) -> list[DomainEvent]:
    require_not_future(cmd.recommended_on, ctx, "recommended_on")
    require(len(set(cmd.inspection_ids)) == len(cmd.inspection_ids), "inspections listed once")
    return [
        SectorRectificationRecommended(
            record_id=record_id,
            sector=cmd.sector,
            recipient_department=cmd.recipient_department,
            problems=cmd.problems,
            inspection_ids=cmd.inspection_ids,
            recommended_on=cmd.recommended_on,
        )
    ]


# Handlers ------------------------------------------------------------------------------------

C = TypeVar("C", bound=Command)
BC = TypeVar("BC", bound=ConfessionBookCommand)


def handle_publish_shared_result(uow: UnitOfWork, cmd: PublishSharedResult) -> None:
    inspection = inspection_of(uow, cmd.inspection_id)
    findings = [
        f.content
        for ref in inspection.report_findings
        if (f := uow.find(FINDING, ref.finding_id)) is not None
    ]
    follow = uow.find(FOLLOW_UP, follow_up_stream_id(cmd.inspection_id))
    items = {i: uow.get(RECTIFICATION_ITEM, i, "rectification item") for i in inspection.item_ids}
    sid = shared_result_stream_id(cmd.inspection_id)
    events = publish_shared_result(
        uow.find(SHARED_RESULT, sid),
        cmd,
        uow.ctx,
        inspection,
        findings,
        items,
        follow.evaluations if follow else (),
        pinned_policy(uow, inspection),
    )
    uow.record(SHARED_RESULT, sid, events)


def _creates(decide: Callable[[C, Context, UUID], list[DomainEvent]]) -> Handler[C]:
    def handler(uow: UnitOfWork, cmd: C) -> UUID:
        record_id = uow.new_id()
        uow.record(EDUCATION, record_id, decide(cmd, uow.ctx, record_id))
        return record_id

    return handler


def _on_book(decide: Callable[[EducationRecord, BC, Context], list[DomainEvent]]) -> Handler[BC]:
    def handler(uow: UnitOfWork, cmd: BC) -> None:
        state = uow.get(EDUCATION, cmd.record_id, "confession book")
        uow.record(EDUCATION, cmd.record_id, decide(state, cmd, uow.ctx))

    return handler


def handle_compile_book(uow: UnitOfWork, cmd: CompileConfessionBook) -> UUID:
    record_id = uow.new_id()
    uow.record(EDUCATION, record_id, compile_book(cmd, record_id))
    return record_id


HANDLERS: tuple[Registered, ...] = (
    on(PublishSharedResult, handle_publish_shared_result),
    on(IssueWarningBulletin, _creates(issue_bulletin)),
    on(HoldWarningStudySession, _creates(hold_study)),
    on(RecommendSectorRectification, _creates(recommend_sector)),
    on(CompileConfessionBook, handle_compile_book),
    on(AddConfessionEntry, _on_book(add_entry)),
    on(PublishConfessionBook, _on_book(publish_book)),
)

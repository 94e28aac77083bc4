"""Finding (问题底稿): drafted → reviewed by the group meeting → approved by the group leader.

A return sends it back for amendment; an amendment is a new version that needs review and
approval again. Nothing is edited in place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import ClassVar, TypeVar
from uuid import UUID

from pydantic import ConfigDict, Field

from xuncha.commands import consequences
from xuncha.commands.base import (
    Aggregate,
    Command,
    Context,
    require,
    require_stage,
)
from xuncha.commands.decision import Decision
from xuncha.commands.errors import InvalidTransition
from xuncha.commands.handling import Handler, Registered, on
from xuncha.commands.inspection import (
    INSPECTION,
    InspectionState,
    require_group_member,
    require_leader,
)
from xuncha.commands.unit_of_work import UnitOfWork
from xuncha.events.base import Contract, DomainEvent, Role
from xuncha.events.finding import (
    FindingAmended,
    FindingApproved,
    FindingContent,
    FindingDrafted,
    FindingReturned,
    FindingReviewed,
    FindingReviewRequired,
)
from xuncha.events.inspection import InspectionFindingRegistered
from xuncha.events.vocabulary import FindingStatus, InspectionStage

GROUP = frozenset(
    {Role.GROUP_LEADER, Role.DEPUTY_GROUP_LEADER, Role.GROUP_MEMBER, Role.EXTERNAL_EXPERT}
)
REVIEWERS = frozenset({Role.GROUP_LEADER, Role.DEPUTY_GROUP_LEADER})
FIELDWORK_STAGES = (
    InspectionStage.STATIONED,
    InspectionStage.WITHDRAWN,
    InspectionStage.REPORT_DRAFTED,
    InspectionStage.REPORT_RETURNED,
)


@dataclass(frozen=True)
class FindingState:
    finding_id: UUID
    inspection_id: UUID
    content: FindingContent
    version: int = 1
    status: FindingStatus = FindingStatus.DRAFTED
    review_required: bool = False  # its drafter was recused: review and sign it again


def evolve(state: FindingState | None, event: DomainEvent) -> FindingState | None:
    match event:
        case FindingDrafted():
            return FindingState(event.finding_id, event.inspection_id, event.content)
        case FindingReviewed() if state:
            return replace(state, status=FindingStatus.REVIEWED, review_required=False)
        case FindingReturned() if state:
            return replace(state, status=FindingStatus.RETURNED)
        case FindingApproved() if state:
            return replace(state, status=FindingStatus.APPROVED)
        case FindingAmended() if state:
            return replace(
                state, content=event.content, version=event.version, status=FindingStatus.DRAFTED
            )
        case FindingReviewRequired() if state:
            status = (
                FindingStatus.DRAFTED
                if state.status in (FindingStatus.REVIEWED, FindingStatus.APPROVED)
                else state.status
            )
            return replace(state, status=status, review_required=True)
    return state


FINDING = Aggregate[FindingState]("finding", evolve)


class FindingText(Contract):
    """What a group member writes; completeness is checked at approval, not at drafting."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=300)
    facts: str = Field(default="", max_length=20000)
    basis: str = Field(default="", max_length=4000)
    evidence_refs: list[str] = Field(default_factory=list, max_length=200)
    responsible_subject: str = Field(default="", max_length=300)
    taxonomy_version: str = Field(min_length=1, max_length=40)
    tags: list[str] = Field(default_factory=list, max_length=50)


class DraftFinding(Command):
    target: ClassVar[str | None] = "inspection_id"
    allowed_roles: ClassVar[frozenset[Role]] = GROUP
    inspection_id: UUID
    content: FindingText


class FindingCommand(Command):
    target: ClassVar[str | None] = "finding_id"
    finding_id: UUID


class ReviewFinding(FindingCommand):
    allowed_roles: ClassVar[frozenset[Role]] = REVIEWERS
    meeting_ref: str = Field(min_length=1, max_length=200)
    opinion: str = Field(default="", max_length=4000)


class ReturnFinding(FindingCommand):
    allowed_roles: ClassVar[frozenset[Role]] = REVIEWERS
    comments: str = Field(min_length=1, max_length=4000)


class ApproveFinding(FindingCommand):
    """组长签字: only the inspection's group leader signs."""

    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.GROUP_LEADER})


class AmendFinding(FindingCommand):
    allowed_roles: ClassVar[frozenset[Role]] = GROUP
    content: FindingText
    why: str = Field(min_length=1, max_length=2000)

    @property
    def reason(self) -> str | None:
        return self.why


def _blank(value: str | Sequence[str]) -> bool:
    texts = [value] if isinstance(value, str) else value
    return not any(text.strip() for text in texts)


def draft(
    inspection: InspectionState, cmd: DraftFinding, ctx: Context, finding_id: UUID
) -> list[DomainEvent]:
    require_stage(inspection.stage, FIELDWORK_STAGES, "draft a finding")
    require_group_member(inspection, ctx)
    content = FindingContent(**cmd.content.model_dump())
    return [FindingDrafted(finding_id=finding_id, inspection_id=cmd.inspection_id, content=content)]


def register(inspection: InspectionState, finding_id: UUID, ctx: Context) -> list[DomainEvent]:
    """The inspection's record of who drafted the finding, appended with `finding.drafted` in
    one transaction. `finding.drafted` v1 names no drafter (only its envelope does, which
    decisions do not see), and a recusal must find a person's findings without scanning the
    store: so the inspection keeps findings per drafter (`findings_by_drafter`). The cost:
    drafting moves the inspection stream's version, so concurrent drafts in one inspection
    are serialized (one answers 409 and is retried)."""
    return [
        InspectionFindingRegistered(
            inspection_id=inspection.inspection_id,
            finding_id=finding_id,
            drafter_user_id=ctx.actor.user_id,
        )
    ]


def review(
    state: FindingState, cmd: ReviewFinding, ctx: Context, inspection: InspectionState
) -> list[DomainEvent]:
    require_stage(state.status, [FindingStatus.DRAFTED], "review the finding")
    require_group_member(inspection, ctx)
    return [
        FindingReviewed(
            finding_id=state.finding_id,
            inspection_id=state.inspection_id,
            version=state.version,
            meeting_ref=cmd.meeting_ref,
            opinion=cmd.opinion,
        )
    ]


def return_(
    state: FindingState, cmd: ReturnFinding, ctx: Context, inspection: InspectionState
) -> list[DomainEvent]:
    require_stage(
        state.status, [FindingStatus.DRAFTED, FindingStatus.REVIEWED], "return the finding"
    )
    require_group_member(inspection, ctx)
    return [
        FindingReturned(
            finding_id=state.finding_id,
            inspection_id=state.inspection_id,
            version=state.version,
            comments=cmd.comments,
        )
    ]


def approve(
    state: FindingState, cmd: ApproveFinding, ctx: Context, inspection: InspectionState
) -> list[DomainEvent]:
    require_stage(state.status, [FindingStatus.REVIEWED], "approve the finding")
    require_leader(inspection, ctx)
    c = state.content
    missing = [
        name
        for name, value in [
            ("facts", c.facts),
            ("basis", c.basis),
            ("evidence_refs", c.evidence_refs),
            ("responsible_subject", c.responsible_subject),
        ]
        if _blank(value)
    ]
    require(not missing, f"a finding needs {', '.join(missing)} before it can be approved")
    return [
        FindingApproved(
            finding_id=state.finding_id, inspection_id=state.inspection_id, version=state.version
        )
    ]


def amend(
    state: FindingState, cmd: AmendFinding, ctx: Context, inspection: InspectionState
) -> list[DomainEvent]:
    require_group_member(inspection, ctx)
    if inspection.stage not in FIELDWORK_STAGES:
        raise InvalidTransition(
            f"the inspection's report is past drafting (stage '{inspection.stage}'); an approved "
            "report is frozen and its findings cannot be amended"
        )
    content = FindingContent(**cmd.content.model_dump())
    amended = FindingAmended(
        finding_id=state.finding_id,
        inspection_id=state.inspection_id,
        version=state.version + 1,
        content=content,
    )
    reset = state.status in (FindingStatus.REVIEWED, FindingStatus.APPROVED)
    return Decision(
        [amended], [consequences.finding_back_to_drafted(state.status)] if reset else []
    )


# Handlers ------------------------------------------------------------------------------------

FC = TypeVar("FC", bound=FindingCommand)


def handle_draft(uow: UnitOfWork, cmd: DraftFinding) -> UUID:
    inspection = uow.get(INSPECTION, cmd.inspection_id, "inspection")
    finding_id = uow.new_id()
    uow.record(FINDING, finding_id, draft(inspection, cmd, uow.ctx, finding_id))
    uow.record(INSPECTION, cmd.inspection_id, register(inspection, finding_id, uow.ctx))
    return finding_id


def _on_finding(
    decide: Callable[[FindingState, FC, Context, InspectionState], list[DomainEvent]],
) -> Handler[FC]:
    def handler(uow: UnitOfWork, cmd: FC) -> None:
        state = uow.get(FINDING, cmd.finding_id, "finding")
        inspection = uow.get(INSPECTION, state.inspection_id, "inspection")
        uow.record(FINDING, cmd.finding_id, decide(state, cmd, uow.ctx, inspection))

    return handler


HANDLERS: tuple[Registered, ...] = (
    on(DraftFinding, handle_draft),
    on(ReviewFinding, _on_finding(review)),
    on(ReturnFinding, _on_finding(return_)),
    on(ApproveFinding, _on_finding(approve)),
    on(AmendFinding, _on_finding(amend)),
)

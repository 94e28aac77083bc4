"""The rectification as a whole (整改工作), one stream per inspection beside it: the taskforce,
the 专题民主生活会, the disclosure, the centralized and continuous stages, the summary."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import Field

from xuncha.commands.base import (
    Aggregate,
    Context,
    require,
    require_actor,
    require_not_future,
    require_stage,
)
from xuncha.commands.errors import InvalidTransition
from xuncha.commands.feedback import require_exemptions_approved
from xuncha.commands.inspection import INSPECTION, InspectionCommand, InspectionState
from xuncha.commands.round import OFFICE
from xuncha.events.base import DomainEvent, Role
from xuncha.events.feedback import DisclosureExemption, DisclosureScope
from xuncha.events.inspection import (
    RectificationReportSubmitted,
)
from xuncha.events.policy import PolicyParameters
from xuncha.events.rectification_plan import (
    CentralizedRectificationPeriodEnded,
    ContinuousRectificationStarted,
    RectificationDemocraticLifeMeetingHeld,
    RectificationDisclosedInternally,
    RectificationDisclosedPublicly,
    RectificationSummarized,
    RectificationTaskforceEstablished,
)
from xuncha.events.vocabulary import InspectionStage, RectificationItemStatus, RectificationPhase

AFTER_FEEDBACK = (
    InspectionStage.FEEDBACK_DELIVERED,
    InspectionStage.PLAN_SUBMITTED,
    InspectionStage.PLAN_RETURNED,
    InspectionStage.RECTIFYING,
    InspectionStage.RECTIFICATION_REPORT_SUBMITTED,
    InspectionStage.RECTIFICATION_REPORT_RETURNED,
    InspectionStage.RECTIFICATION_REPORT_ACCEPTED,
)
AFTER_PLAN = (
    InspectionStage.RECTIFYING,
    InspectionStage.RECTIFICATION_REPORT_SUBMITTED,
    InspectionStage.RECTIFICATION_REPORT_RETURNED,
    InspectionStage.RECTIFICATION_REPORT_ACCEPTED,
    InspectionStage.CLOSED,
)
INSPECTED_ORG = frozenset({Role.INSPECTED_ORG_PRINCIPAL, Role.INSPECTED_ORG_LIAISON})


def rectification_stream_id(inspection_id: UUID) -> UUID:
    """One rectification programme per inspection; its stream id derives from the inspection's."""
    return uuid5(NAMESPACE_URL, f"xuncha:rectification:{inspection_id}")


@dataclass(frozen=True)
class ReportedInspection:
    """The inspection, plus the texts of its written rectification reports (for disclosure)."""

    inspection: InspectionState
    reports: Mapping[int, str] = field(default_factory=dict)


def _evolve_reported(
    state: ReportedInspection | None, event: DomainEvent
) -> ReportedInspection | None:
    inner = INSPECTION.evolve(state.inspection if state else None, event)
    if inner is None:
        return None
    reports = dict(state.reports) if state else {}
    if isinstance(event, RectificationReportSubmitted):
        reports[event.report_no] = event.organization_report
    return ReportedInspection(inner, reports)


INSPECTION_WITH_REPORTS = Aggregate[ReportedInspection]("inspection", _evolve_reported)


@dataclass(frozen=True)
class ProgrammeState:
    rectification_id: UUID
    inspection_id: UUID
    taskforce_on: date | None = None
    life_meeting_on: date | None = None
    disclosed: frozenset[str] = frozenset()
    # centralized → centralized_ended → continuous → summarized
    phase: RectificationPhase = RectificationPhase.CENTRALIZED
    centralized_ended_on: date | None = None


PROGRAMME_EVENTS = (
    RectificationTaskforceEstablished,
    RectificationDemocraticLifeMeetingHeld,
    RectificationDisclosedInternally,
    RectificationDisclosedPublicly,
    CentralizedRectificationPeriodEnded,
    ContinuousRectificationStarted,
    RectificationSummarized,
)


def evolve_programme(state: ProgrammeState | None, event: DomainEvent) -> ProgrammeState | None:
    if not isinstance(event, PROGRAMME_EVENTS):
        return state
    if state is None:
        state = ProgrammeState(event.rectification_id, event.inspection_id)
    match event:
        case RectificationTaskforceEstablished():
            return replace(state, taskforce_on=event.established_on)
        case RectificationDemocraticLifeMeetingHeld():
            return replace(state, life_meeting_on=event.held_on)
        case RectificationDisclosedInternally():
            return replace(state, disclosed=state.disclosed | {"internal"})
        case RectificationDisclosedPublicly():
            return replace(state, disclosed=state.disclosed | {"public"})
        case CentralizedRectificationPeriodEnded():
            return replace(
                state,
                phase=RectificationPhase.CENTRALIZED_ENDED,
                centralized_ended_on=event.ended_on,
            )
        case ContinuousRectificationStarted():
            return replace(state, phase=RectificationPhase.CONTINUOUS)
        case RectificationSummarized():
            return replace(state, phase=RectificationPhase.SUMMARIZED)
    return state


RECTIFICATION_PROGRAMME = Aggregate[ProgrammeState]("rectification_programme", evolve_programme)


class EstablishRectificationTaskforce(InspectionCommand):
    """整改工作领导小组, led by the principal (first responsible person)."""

    allowed_roles: ClassVar[frozenset[Role]] = INSPECTED_ORG
    leader_name: str = Field(min_length=1, max_length=100)
    members: list[str] = Field(min_length=1, max_length=100)
    office: str = Field(min_length=1, max_length=200)
    established_on: date


class HoldRectificationLifeMeeting(InspectionCommand):
    """巡察整改专题民主生活会, due within the policy's `life_meeting_days` of feedback."""

    allowed_roles: ClassVar[frozenset[Role]] = INSPECTED_ORG
    held_on: date
    attendees: list[str] = Field(min_length=1, max_length=100)
    supervised_by: list[str] = Field(default_factory=list, max_length=20)
    topics: str = Field(min_length=1, max_length=10000)


class DiscloseRectification(InspectionCommand):
    """党内公开 / 社会公开 of the accepted rectification report: the content is the accepted
    report's, unless the leading group discloses with exemptions."""

    allowed_roles: ClassVar[frozenset[Role]] = frozenset(
        {Role.INSPECTED_ORG_PRINCIPAL, Role.INSPECTION_OFFICE, Role.LEADING_GROUP}
    )
    scope: DisclosureScope
    content: str = Field(min_length=1, max_length=30000)
    disclosed_on: date
    channel: str = Field(default="", max_length=200)
    exemptions: list[DisclosureExemption] = Field(default_factory=list, max_length=5)


class EndCentralizedRectification(InspectionCommand):
    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    ended_on: date


class StartContinuousRectification(InspectionCommand):
    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    started_on: date


class SummarizeRectification(InspectionCommand):
    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    summarized_on: date
    summary: str = Field(min_length=1, max_length=30000)


def _own(state: InspectionState, ctx: Context, what: str) -> None:
    require_actor(
        ctx.actor.organization_id == state.organization_id,
        f"only the inspected organization records its {what}",
    )


def establish_taskforce(
    programme: ProgrammeState | None,
    cmd: EstablishRectificationTaskforce,
    ctx: Context,
    state: InspectionState,
) -> list[DomainEvent]:
    require_stage(state.stage, AFTER_FEEDBACK, "establish the rectification taskforce")
    _own(state, ctx, "rectification taskforce")
    if programme and programme.taskforce_on:
        raise InvalidTransition(f"the taskforce was established on {programme.taskforce_on}")
    require_not_future(cmd.established_on, ctx, "established_on")
    assert state.delivered_on is not None
    require(cmd.established_on >= state.delivered_on, "the taskforce cannot precede the feedback")
    return [
        RectificationTaskforceEstablished(
            rectification_id=rectification_stream_id(state.inspection_id),
            inspection_id=state.inspection_id,
            leader_name=cmd.leader_name,
            members=cmd.members,
            office=cmd.office,
            established_on=cmd.established_on,
        )
    ]


def hold_life_meeting(
    programme: ProgrammeState | None,
    cmd: HoldRectificationLifeMeeting,
    ctx: Context,
    state: InspectionState,
    params: PolicyParameters,
) -> list[DomainEvent]:
    """`params`: the policy version pinned when the feedback started the clocks."""
    require_stage(state.stage, AFTER_FEEDBACK, "record the special democratic life meeting")
    _own(state, ctx, "special democratic life meeting")
    if programme and programme.life_meeting_on:
        raise InvalidTransition(
            f"the special democratic life meeting was held on {programme.life_meeting_on}"
        )
    require_not_future(cmd.held_on, ctx, "held_on")
    assert state.delivered_on is not None
    require(cmd.held_on >= state.delivered_on, "the life meeting cannot precede the feedback")
    due = state.delivered_on + timedelta(days=params.life_meeting_days)
    return [
        RectificationDemocraticLifeMeetingHeld(
            rectification_id=rectification_stream_id(state.inspection_id),
            inspection_id=state.inspection_id,
            held_on=cmd.held_on,
            attendees=cmd.attendees,
            supervised_by=cmd.supervised_by,
            topics=cmd.topics,
            due=due,
            on_time=cmd.held_on <= due,
        )
    ]


def disclose(
    programme: ProgrammeState | None,
    cmd: DiscloseRectification,
    ctx: Context,
    reported: ReportedInspection,
) -> list[DomainEvent]:
    state = reported.inspection
    require_stage(
        state.stage,
        [InspectionStage.RECTIFICATION_REPORT_ACCEPTED, InspectionStage.CLOSED],
        "disclose the rectification",
    )
    if ctx.actor.role == Role.INSPECTED_ORG_PRINCIPAL:
        _own(state, ctx, "rectification disclosure")
    require_exemptions_approved(cmd.exemptions, ctx)
    if programme and cmd.scope.value in programme.disclosed:
        raise InvalidTransition(f"the rectification was already disclosed ({cmd.scope})")
    require_not_future(cmd.disclosed_on, ctx, "disclosed_on")
    accepted = reported.reports.get(state.rectification_report_no, "")
    require(
        bool(cmd.exemptions) or cmd.content == accepted.strip(),
        f"the disclosed content must be the accepted rectification report "
        f"(no. {state.rectification_report_no}); disclosing less needs exemptions approved by "
        "the leading group",
    )
    common = {
        "rectification_id": rectification_stream_id(state.inspection_id),
        "inspection_id": state.inspection_id,
        "report_no": state.rectification_report_no,
        "content": cmd.content,
        "disclosed_on": cmd.disclosed_on,
        "exemptions": cmd.exemptions,
        "exemptions_approved_by": ctx.actor.user_id if cmd.exemptions else None,
    }
    if cmd.scope == DisclosureScope.INTERNAL:
        return [RectificationDisclosedInternally(**common)]
    require(bool(cmd.channel), "a public disclosure names its channel (e.g. the website)")
    return [RectificationDisclosedPublicly(**common, channel=cmd.channel)]


def end_centralized(
    programme: ProgrammeState | None,
    cmd: EndCentralizedRectification,
    ctx: Context,
    state: InspectionState,
    item_statuses: Mapping[UUID, str],
) -> list[DomainEvent]:
    require_stage(state.stage, AFTER_PLAN, "end the centralized rectification period")
    require_stage(
        programme.phase if programme else RectificationPhase.CENTRALIZED,
        [RectificationPhase.CENTRALIZED],
        "end the centralized rectification period",
    )
    require_not_future(cmd.ended_on, ctx, "ended_on")
    closed = sum(1 for s in item_statuses.values() if s == RectificationItemStatus.CLOSED)
    return [
        CentralizedRectificationPeriodEnded(
            rectification_id=rectification_stream_id(state.inspection_id),
            inspection_id=state.inspection_id,
            ended_on=cmd.ended_on,
            items_closed=closed,
            items_open=len(item_statuses) - closed,
        )
    ]


def start_continuous(
    programme: ProgrammeState | None,
    cmd: StartContinuousRectification,
    ctx: Context,
    state: InspectionState,
    long_term: list[UUID],
) -> list[DomainEvent]:
    phase = programme.phase if programme else RectificationPhase.CENTRALIZED
    require_stage(phase, [RectificationPhase.CENTRALIZED_ENDED], "start continuous rectification")
    assert programme is not None
    assert programme.centralized_ended_on is not None
    require_not_future(cmd.started_on, ctx, "started_on")
    require(
        cmd.started_on >= programme.centralized_ended_on,
        "continuous rectification cannot start before the centralized period ended",
    )
    return [
        ContinuousRectificationStarted(
            rectification_id=programme.rectification_id,
            inspection_id=state.inspection_id,
            started_on=cmd.started_on,
            long_term_item_ids=long_term,
        )
    ]


def summarize(
    programme: ProgrammeState | None,
    cmd: SummarizeRectification,
    ctx: Context,
    state: InspectionState,
    items: Mapping[UUID, tuple[str, bool]],
) -> list[DomainEvent]:
    """`items`: item → (status, long-term). Every item is closed or formally long-term."""
    phase = programme.phase if programme else RectificationPhase.CENTRALIZED
    require_stage(phase, [RectificationPhase.CONTINUOUS], "summarize the rectification")
    assert programme is not None
    require_not_future(cmd.summarized_on, ctx, "summarized_on")
    pending = sorted(
        str(i) for i, (s, lt) in items.items() if s != RectificationItemStatus.CLOSED and not lt
    )
    if pending:
        raise InvalidTransition(
            f"{len(pending)} item(s) are neither closed (销号) nor reclassified long-term: "
            + ", ".join(pending)
        )
    closed = sum(1 for s, _ in items.values() if s == RectificationItemStatus.CLOSED)
    return [
        RectificationSummarized(
            rectification_id=programme.rectification_id,
            inspection_id=state.inspection_id,
            summarized_on=cmd.summarized_on,
            summary=cmd.summary,
            items_closed=closed,
            items_long_term=len(items) - closed,
        )
    ]

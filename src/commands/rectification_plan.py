"""整改: the rectification plan, the written rectification report, and closing the inspection."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import Field

from xuncha.commands import consequences
from xuncha.commands.base import (
    Aggregate,
    Context,
    require,
    require_actor,
    require_not_future,
    require_stage,
)
from xuncha.commands.dates import add_months
from xuncha.commands.decision import CommandWarning, Decision
from xuncha.commands.errors import InvalidTransition
from xuncha.commands.feedback import FeedbackState, require_exemptions_approved
from xuncha.commands.inspection import INSPECTION, InspectionState
from xuncha.commands.preparation import InspectionCommand
from xuncha.commands.round import OFFICE
from xuncha.events.base import DomainEvent, Role
from xuncha.events.feedback import DisclosureExemption, DisclosureScope
from xuncha.events.inspection import (
    InspectionClosed,
    RectificationPlanAccepted,
    RectificationPlanReturned,
    RectificationPlanSubmitted,
    RectificationReportAccepted,
    RectificationReportReturned,
    RectificationReportSubmitted,
)
from xuncha.events.policy import PolicyParameters
from xuncha.events.rectification import RectificationItemOpened
from xuncha.events.rectification_plan import (
    CentralizedRectificationPeriodEnded,
    ContinuousRectificationStarted,
    RectificationDemocraticLifeMeetingHeld,
    RectificationDisclosedInternally,
    RectificationDisclosedPublicly,
    RectificationSummarized,
    RectificationTaskforceEstablished,
)
from xuncha.events.values import PlanItem
from xuncha.events.vocabulary import InspectionStage, RectificationItemStatus, RectificationPhase

PRINCIPAL = frozenset({Role.INSPECTED_ORG_PRINCIPAL})


class SubmitRectificationPlan(InspectionCommand):
    """整改方案: every ledger problem gets at least one item with leader, department, deadline."""

    allowed_roles: ClassVar[frozenset[Role]] = PRINCIPAL
    items: list[PlanItem] = Field(min_length=1, max_length=200)
    submitted_on: date | None = Field(
        default=None,
        description="the day the plan was submitted, if not today; not in the future, not "
        "before the feedback was delivered",
    )


class PlanStep(InspectionCommand):
    plan_version: int = Field(ge=1)


class ReturnRectificationPlan(PlanStep):
    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    comments: str = Field(min_length=1, max_length=10000)


class AcceptRectificationPlan(PlanStep):
    """Accepting the plan opens one rectification item per plan item, on `accepted_on`."""

    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    accepted_on: date | None = Field(
        default=None,
        description="the day the plan was accepted and its items opened, if not today; not in "
        "the future, not before the plan's submission (`submitted_on`) nor the feedback",
    )


class SubmitRectificationReport(InspectionCommand):
    """整改情况报告 and the principal's 组织落实情况报告, due after feedback per policy."""

    allowed_roles: ClassVar[frozenset[Role]] = PRINCIPAL
    organization_report: str = Field(min_length=1, max_length=30000)
    principal_report: str = Field(min_length=1, max_length=30000)
    submitted_on: date


class RectificationReportStep(InspectionCommand):
    report_no: int = Field(ge=1)


class ReturnRectificationReport(RectificationReportStep):
    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    comments: str = Field(min_length=1, max_length=10000)


class AcceptRectificationReport(RectificationReportStep):
    allowed_roles: ClassVar[frozenset[Role]] = OFFICE


class CloseInspection(InspectionCommand):
    allowed_roles: ClassVar[frozenset[Role]] = OFFICE


def item_id_for(inspection_id: UUID, plan_version: int, index: int) -> UUID:
    return uuid5(NAMESPACE_URL, f"xuncha:rectification-item:{inspection_id}:{plan_version}:{index}")


def _principal_of(state: InspectionState, ctx: Context) -> None:
    require_actor(
        ctx.actor.organization_id == state.organization_id,
        "only the inspected organization's principal submits its rectification",
    )


def submit_plan(
    state: InspectionState, cmd: SubmitRectificationPlan, ctx: Context, params: PolicyParameters
) -> list[DomainEvent]:
    require_stage(
        state.stage,
        [InspectionStage.FEEDBACK_DELIVERED, InspectionStage.PLAN_RETURNED],
        "submit the plan",
    )
    _principal_of(state, ctx)
    assert state.delivered_on is not None
    submitted_on = cmd.submitted_on or ctx.today
    require_not_future(submitted_on, ctx, "submitted_on")
    require(
        submitted_on >= state.delivered_on,
        f"submitted_on ({submitted_on}) cannot precede the feedback ({state.delivered_on})",
    )
    covered = {item.ledger_item_no for item in cmd.items}
    unknown = sorted(covered - set(state.ledger_item_nos))
    require(not unknown, f"plan items cite ledger items {unknown} that the feedback does not have")
    missing = sorted(set(state.ledger_item_nos) - covered)
    require(not missing, f"ledger items {missing} have no plan item; every problem needs one")
    latest = add_months(state.delivered_on, params.item_deadline_max_months)
    for item in cmd.items:
        require(
            state.delivered_on < item.deadline <= latest,
            f"the deadline {item.deadline} of the item for ledger problem {item.ledger_item_no} "
            f"must fall after the feedback ({state.delivered_on}) and by {latest}",
        )
    submitted = RectificationPlanSubmitted(
        inspection_id=state.inspection_id,
        plan_version=state.plan_version + 1,
        items=cmd.items,
        submitted_on=submitted_on,
    )
    return Decision([submitted], passed_deadlines(cmd.items, ctx.today))


def passed_deadlines(items: Sequence[PlanItem], today: date) -> list[CommandWarning]:
    """A plan entered after the fact may have items already past their deadline: accepted,
    they open overdue. Said at submission and at acceptance, not refused."""
    late = sorted({item.ledger_item_no for item in items if item.deadline < today})
    return [consequences.plan_item_deadline_passed(late, today)] if late else []


def _same_plan(state: InspectionState, cmd: PlanStep) -> None:
    require_stage(state.stage, [InspectionStage.PLAN_SUBMITTED], "review the rectification plan")
    if cmd.plan_version != state.plan_version:
        raise InvalidTransition(
            f"plan version {cmd.plan_version} is not the submitted one (v{state.plan_version})"
        )


def return_plan(state: InspectionState, cmd: ReturnRectificationPlan) -> list[DomainEvent]:
    _same_plan(state, cmd)
    return [
        RectificationPlanReturned(
            inspection_id=state.inspection_id,
            plan_version=cmd.plan_version,
            comments=cmd.comments,
        )
    ]


def accepting_day(state: InspectionState, cmd: AcceptRectificationPlan, ctx: Context) -> date:
    """The day of the acceptance, which opens the items: `accepted_on`, or today; not in the
    future, not before the feedback nor the submission of the plan accepted."""
    accepted_on = cmd.accepted_on or ctx.today
    require_not_future(accepted_on, ctx, "accepted_on")
    assert state.delivered_on is not None
    require(
        accepted_on >= state.delivered_on,
        f"accepted_on ({accepted_on}) cannot precede the feedback ({state.delivered_on})",
    )
    submitted_on = state.plan_submitted_on
    require(
        submitted_on is None or accepted_on >= submitted_on,
        f"accepted_on ({accepted_on}) cannot precede the plan's submission ({submitted_on})",
    )
    return accepted_on


def accept_plan(
    state: InspectionState, cmd: AcceptRectificationPlan, ctx: Context, feedback: FeedbackState
) -> tuple[list[DomainEvent], dict[UUID, list[DomainEvent]]]:
    """The inspection's acceptance, and one `item_opened` per plan item, each its own stream,
    all dated `accepted_on` (today when omitted)."""
    _same_plan(state, cmd)
    assert state.rectification_policy is not None
    accepted_on = accepting_day(state, cmd, ctx)
    problems = {item.item_no: item for item in feedback.ledger}
    opened: dict[UUID, list[DomainEvent]] = {}
    for index, item in enumerate(state.plan_items, start=1):
        item_id = item_id_for(state.inspection_id, cmd.plan_version, index)
        ledger = problems[item.ledger_item_no]
        opened[item_id] = [
            RectificationItemOpened(
                item_id=item_id,
                inspection_id=state.inspection_id,
                round_id=state.round_id,
                organization_id=state.organization_id,
                organization_name=state.organization_name,
                ledger_item_no=item.ledger_item_no,
                problem=ledger.problem,
                finding_ids=ledger.finding_ids,
                measures=item.measures,
                responsible_leader=item.responsible_leader,
                responsible_department=item.responsible_department,
                deadline=item.deadline,
                policy=state.rectification_policy,
                opened_on=accepted_on,
            )
        ]
    accepted = RectificationPlanAccepted(
        inspection_id=state.inspection_id,
        plan_version=cmd.plan_version,
        item_ids=list(opened),
        accepted_on=accepted_on,
    )
    return [accepted], opened


def submit_report(
    state: InspectionState, cmd: SubmitRectificationReport, ctx: Context
) -> list[DomainEvent]:
    require_stage(
        state.stage,
        [InspectionStage.RECTIFYING, InspectionStage.RECTIFICATION_REPORT_RETURNED],
        "submit the rectification report",
    )
    _principal_of(state, ctx)
    require_not_future(cmd.submitted_on, ctx, "submitted_on")
    assert state.written_report_due is not None
    assert state.delivered_on is not None
    require(cmd.submitted_on >= state.delivered_on, "submitted_on cannot precede the feedback")
    require(
        state.plan_accepted_on is None or cmd.submitted_on >= state.plan_accepted_on,
        f"submitted_on ({cmd.submitted_on}) cannot precede the plan's acceptance "
        f"({state.plan_accepted_on})",
    )
    return [
        RectificationReportSubmitted(
            inspection_id=state.inspection_id,
            report_no=state.rectification_report_no + 1,
            organization_report=cmd.organization_report,
            principal_report=cmd.principal_report,
            submitted_on=cmd.submitted_on,
            due=state.written_report_due,
            on_time=cmd.submitted_on <= state.written_report_due,
        )
    ]


def _same_report(state: InspectionState, cmd: RectificationReportStep) -> None:
    require_stage(
        state.stage,
        [InspectionStage.RECTIFICATION_REPORT_SUBMITTED],
        "review the rectification report",
    )
    if cmd.report_no != state.rectification_report_no:
        raise InvalidTransition(
            f"rectification report {cmd.report_no} is not the submitted one "
            f"(no. {state.rectification_report_no})"
        )


def return_report(state: InspectionState, cmd: ReturnRectificationReport) -> list[DomainEvent]:
    _same_report(state, cmd)
    return [
        RectificationReportReturned(
            inspection_id=state.inspection_id, report_no=cmd.report_no, comments=cmd.comments
        )
    ]


def accept_report(state: InspectionState, cmd: AcceptRectificationReport) -> list[DomainEvent]:
    _same_report(state, cmd)
    return [RectificationReportAccepted(inspection_id=state.inspection_id, report_no=cmd.report_no)]


def close(
    state: InspectionState, cmd: CloseInspection, ctx: Context, item_statuses: Mapping[UUID, str]
) -> list[DomainEvent]:
    require_stage(
        state.stage, [InspectionStage.RECTIFICATION_REPORT_ACCEPTED], "close the inspection"
    )
    still_open = sorted(
        str(i) for i, status in item_statuses.items() if status != RectificationItemStatus.CLOSED
    )
    if still_open:
        raise InvalidTransition(
            f"{len(still_open)} rectification item(s) are not closed (销号): "
            + ", ".join(still_open)
        )
    return [InspectionClosed(inspection_id=state.inspection_id, closed_on=ctx.today)]


# The rectification as a whole (整改工作): taskforce, life meeting, disclosure, stages -------------

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

"""Fieldwork (准备 and 进驻 records, "1+5" while inspecting): one `fieldwork` stream per
inspection, its id derived from the inspection's, beside the lean `inspection` stream.

It holds briefings, the pre-inspection analysis, the group work plan, the temporary Party
branch, the mobilization meeting, surveys, work reports heard, the document custody ledger,
site visits, special checks, group meetings (组务会), interim reports, bulletins and system
improvement recommendations. Petitions, interviews and immediate rectifications are their
own aggregates (`petition`, `interview`, `immediate_rectification`).

Authorization scope (一次一授权, invariant 2): fieldwork acts (documents, site visits,
special checks, surveys, interviews, petitions) are valid only for members of the group
authorized for this inspection, while it is stationed, on days inside its authorization
window (`require_in_scope`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import ClassVar
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
from xuncha.commands.errors import InvalidTransition, NotFound
from xuncha.commands.inspection import (
    INACTIVE_STAGES,
    InspectionState,
    require_group_member,
    require_leader,
)
from xuncha.events.base import Contract, DomainEvent, Role
from xuncha.events.fieldwork import (
    BriefingReceived,
    BriefingRequested,
    DocumentCustodyClosed,
    DocumentsReceived,
    DocumentsRequested,
    DocumentsReturned,
    GroupMeetingHeld,
    GroupWorkPlanApproved,
    GroupWorkPlanSubmitted,
    InterimBulletinIssued,
    InterimReportSubmitted,
    MobilizationMeetingHeld,
    PreInspectionAnalysisRecorded,
    ReceivedDocument,
    SiteVisitConducted,
    SpecialCheckCompleted,
    SurveyDistributed,
    SurveyFigure,
    SurveyResultsRecorded,
    SystemImprovementRecommended,
    TemporaryPartyBranchEstablished,
    WorkPlanContent,
    WorkReportHeard,
)
from xuncha.events.policy import PolicyParameters
from xuncha.events.vocabulary import InspectionStage

GROUP = frozenset(
    {Role.GROUP_LEADER, Role.DEPUTY_GROUP_LEADER, Role.GROUP_MEMBER, Role.EXTERNAL_EXPERT}
)
LEADERS = frozenset({Role.GROUP_LEADER, Role.DEPUTY_GROUP_LEADER})
LEADER_ONLY = frozenset({Role.GROUP_LEADER})
OFFICE = frozenset({Role.INSPECTION_OFFICE})
PREPARATION_STAGES = (
    InspectionStage.GROUP_AUTHORIZED,
    InspectionStage.NOTIFIED,
    InspectionStage.ANNOUNCED,
    InspectionStage.STATIONED,
)
# After authorization and until the inspection closes: the group exists and meets.
GROUP_STAGES_EXCLUDED = (InspectionStage.PLANNED, *INACTIVE_STAGES)
Text = Field(min_length=1, max_length=4000)
LongText = Field(min_length=1, max_length=50000)


def fieldwork_stream_id(inspection_id: UUID) -> UUID:
    """One fieldwork record per inspection; its stream id is derived from the inspection's."""
    return uuid5(NAMESPACE_URL, f"xuncha:fieldwork:{inspection_id}")


@dataclass(frozen=True)
class FieldworkState:
    inspection_id: UUID
    briefings: dict[UUID, str] = field(default_factory=dict)  # briefing id → provider
    briefings_received: frozenset[UUID] = frozenset()
    analyses: int = 0
    plan_version: int = 0
    plan_approved_version: int = 0
    branch_established: bool = False
    mobilization_held: bool = False
    surveys: dict[UUID, int] = field(default_factory=dict)  # survey id → copies distributed
    surveys_recorded: frozenset[UUID] = frozenset()
    document_requests: frozenset[UUID] = frozenset()
    held: dict[str, UUID] = field(default_factory=dict)  # documents in custody → request
    returned_total: int = 0
    custody_closed: bool = False
    meetings: frozenset[UUID] = frozenset()
    meetings_held: int = 0
    interim_reports: int = 0
    bulletins: int = 0
    recommendations: int = 0


def evolve(state: FieldworkState | None, event: DomainEvent) -> FieldworkState | None:
    if state is None:
        if not event.type_name.startswith("fieldwork."):
            return None
        state = FieldworkState(getattr(event, "inspection_id"))  # noqa: B009
    match event:
        case BriefingRequested():
            return replace(state, briefings={**state.briefings, event.briefing_id: event.provider})
        case BriefingReceived():
            return replace(state, briefings_received=state.briefings_received | {event.briefing_id})
        case PreInspectionAnalysisRecorded():
            return replace(state, analyses=event.analysis_no)
        case GroupWorkPlanSubmitted():
            return replace(state, plan_version=event.plan_version)
        case GroupWorkPlanApproved():
            return replace(state, plan_approved_version=event.plan_version)
        case TemporaryPartyBranchEstablished():
            return replace(state, branch_established=True)
        case MobilizationMeetingHeld():
            return replace(state, mobilization_held=True)
        case SurveyDistributed():
            return replace(state, surveys={**state.surveys, event.survey_id: event.distributed})
        case SurveyResultsRecorded():
            return replace(state, surveys_recorded=state.surveys_recorded | {event.survey_id})
        case DocumentsRequested():
            return replace(state, document_requests=state.document_requests | {event.request_id})
        case DocumentsReceived():
            received = {d.doc_no: event.request_id for d in event.documents}
            return replace(state, held={**state.held, **received})
        case DocumentsReturned():
            held = {k: v for k, v in state.held.items() if k not in set(event.doc_nos)}
            return replace(
                state, held=held, returned_total=state.returned_total + len(event.doc_nos)
            )
        case DocumentCustodyClosed():
            return replace(state, custody_closed=True)
        case GroupMeetingHeld():
            return replace(
                state, meetings=state.meetings | {event.meeting_id}, meetings_held=event.meeting_no
            )
        case InterimReportSubmitted():
            return replace(state, interim_reports=event.report_no)
        case InterimBulletinIssued():
            return replace(state, bulletins=event.bulletin_no)
        case SystemImprovementRecommended():
            return replace(state, recommendations=event.recommendation_no)
    return state


FIELDWORK = Aggregate[FieldworkState]("fieldwork", evolve)


# Guards --------------------------------------------------------------------------------------


def in_window(inspection: InspectionState, day: date) -> bool:
    return inspection.window is not None and inspection.window[0] <= day <= inspection.window[1]


def require_in_scope(inspection: InspectionState, ctx: Context, day: date, what: str) -> None:
    """一次一授权: a member of this inspection's group, stationed, on a day in the window."""
    require_group_member(inspection, ctx)
    require_stage(inspection.stage, [InspectionStage.STATIONED], what)
    require_not_future(day, ctx, f"the date of '{what}'")
    require_actor(
        in_window(inspection, day),
        f"{day} is outside the group's authorization window {_window(inspection)}: "
        f"the group is not authorized to {what} then",
    )
    assert inspection.stationed_on is not None
    require(
        day >= inspection.stationed_on,
        f"cannot {what} on {day}, before the group was stationed ({inspection.stationed_on})",
    )


def _window(inspection: InspectionState) -> str:
    if inspection.window is None:
        return "(none)"
    return f"{inspection.window[0]} – {inspection.window[1]}"


def require_meeting(state: FieldworkState, meeting_id: UUID) -> None:
    """Decisions of the group meeting cite a 组务会 recorded for this inspection."""
    if meeting_id not in state.meetings:
        raise NotFound(f"no group meeting {meeting_id} was recorded for this inspection")


def require_group_people(inspection: InspectionState, user_ids: list[str], what: str) -> None:
    stray = sorted(set(user_ids) - inspection.group_user_ids)
    require(not stray, f"{what} must be members of this inspection's group: {stray} are not")


def require_unique(values: list[str], what: str) -> None:
    require(len(set(values)) == len(values), f"{what} must not repeat")


def _group_stage(inspection: InspectionState, what: str) -> None:
    if inspection.stage in GROUP_STAGES_EXCLUDED:
        raise InvalidTransition(
            f"cannot {what} while the stage is '{inspection.stage}': the group must be "
            "authorized and the inspection not closed"
        )


# Commands ------------------------------------------------------------------------------------


class FieldworkCommand(Command):
    """A command on an inspection's fieldwork record; `If-Match` refers to that record."""

    target: ClassVar[str | None] = "fieldwork_id"
    inspection_id: UUID

    @property
    def fieldwork_id(self) -> UUID:
        return fieldwork_stream_id(self.inspection_id)


class RequestPreInspectionBriefing(FieldworkCommand):
    """分析研判: ask a configured department (纪委/组织/审计/信访/政法/财政) for a briefing."""

    allowed_roles: ClassVar[frozenset[Role]] = OFFICE | LEADERS
    provider: str = Field(min_length=1, max_length=64)
    subject: str = Text
    requested_on: date


class RecordBriefingReceived(FieldworkCommand):
    allowed_roles: ClassVar[frozenset[Role]] = OFFICE | LEADERS
    briefing_id: UUID
    classification: str = Field(min_length=1, max_length=40)
    received_on: date
    content: str = LongText


class RecordPreInspectionAnalysis(FieldworkCommand):
    """三个重点: key persons, matters and problems, tagged with the focus taxonomy version."""

    allowed_roles: ClassVar[frozenset[Role]] = LEADERS
    focus_areas: list[str] = Field(min_length=1, max_length=50)
    key_persons: list[str] = Field(default_factory=list, max_length=200)
    key_matters: list[str] = Field(default_factory=list, max_length=200)
    key_problems: list[str] = Field(default_factory=list, max_length=200)
    taxonomy_version: str = Field(min_length=1, max_length=40)


class WorkPlanText(Contract):
    focus: str = Text
    interview_list: list[str] = Field(default_factory=list, max_length=500)
    document_list: list[str] = Field(default_factory=list, max_length=500)
    sites: list[str] = Field(default_factory=list, max_length=200)
    schedule: str = Text
    division_of_labor: str = Text


class SubmitGroupWorkPlan(FieldworkCommand):
    allowed_roles: ClassVar[frozenset[Role]] = LEADER_ONLY
    content: WorkPlanText


class ApproveGroupWorkPlan(FieldworkCommand):
    allowed_roles: ClassVar[frozenset[Role]] = OFFICE | frozenset({Role.LEADING_GROUP})
    plan_version: int = Field(ge=1)


class EstablishTemporaryPartyBranch(FieldworkCommand):
    allowed_roles: ClassVar[frozenset[Role]] = LEADER_ONLY
    secretary_user_id: str = Field(min_length=1, max_length=64)
    member_user_ids: list[str] = Field(min_length=1, max_length=60)
    established_on: date


class HoldMobilizationMeeting(FieldworkCommand):
    allowed_roles: ClassVar[frozenset[Role]] = LEADER_ONLY
    held_on: date
    presided_by: str = Field(min_length=1, max_length=200)
    attendees: list[str] = Field(min_length=1, max_length=1000)
    speeches: list[str] = Field(default_factory=list, max_length=50)


class DistributeSurvey(FieldworkCommand):
    allowed_roles: ClassVar[frozenset[Role]] = GROUP
    instrument: str = Field(min_length=1, max_length=300)
    distributed: int = Field(ge=1, le=1_000_000)
    distributed_on: date


class SurveyFigureIn(Contract):
    item: str = Field(min_length=1, max_length=300)
    count: int = Field(ge=0)
    share_percent: int = Field(ge=0, le=100)


class RecordSurveyResults(FieldworkCommand):
    """Aggregates only are shown anywhere; `raw_data` (anonymous answers) is sealed."""

    allowed_roles: ClassVar[frozenset[Role]] = GROUP
    survey_id: UUID
    responses: int = Field(ge=0)
    aggregates: list[SurveyFigureIn] = Field(min_length=1, max_length=500)
    raw_data: str = Field(default="", max_length=100_000)
    recorded_on: date


class ReporterKind(StrEnum):
    PRINCIPAL = "principal"  # 主要负责人汇报
    DISCIPLINE = "discipline"  # 纪检专题汇报
    ORGANIZATION = "organization"  # 组织人事专题汇报
    OTHER = "other"


class HearWorkReport(FieldworkCommand):
    allowed_roles: ClassVar[frozenset[Role]] = GROUP
    heard_on: date
    reporter_kind: ReporterKind
    reporter: str = Field(min_length=1, max_length=200)
    summary: str = LongText
    self_identified_problem_share: int | None = Field(default=None, ge=0, le=100)


class RequestDocuments(FieldworkCommand):
    allowed_roles: ClassVar[frozenset[Role]] = GROUP
    items: list[str] = Field(min_length=1, max_length=500)
    requested_on: date


class DocumentIn(Contract):
    doc_no: str = Field(min_length=1, max_length=100)
    title: str = Field(min_length=1, max_length=500)
    copies: int = Field(default=1, ge=1, le=1000)


class ReceiveDocuments(FieldworkCommand):
    """交接: documents the inspected organization hands over enter the custody ledger."""

    allowed_roles: ClassVar[frozenset[Role]] = GROUP
    request_id: UUID
    documents: list[DocumentIn] = Field(min_length=1, max_length=1000)
    received_on: date
    handed_over_by: str = Field(min_length=1, max_length=200)


class ReturnDocuments(FieldworkCommand):
    allowed_roles: ClassVar[frozenset[Role]] = GROUP
    doc_nos: list[str] = Field(min_length=1, max_length=1000)
    returned_on: date
    received_back_by: str = Field(min_length=1, max_length=200)


class CloseDocumentCustody(FieldworkCommand):
    """Close the custody ledger: possible only when every received document is returned."""

    allowed_roles: ClassVar[frozenset[Role]] = LEADER_ONLY
    closed_on: date


class ConductSiteVisit(FieldworkCommand):
    allowed_roles: ClassVar[frozenset[Role]] = GROUP
    site: str = Field(min_length=1, max_length=300)
    method: str = Field(min_length=1, max_length=100)
    visited_on: date
    visitors: list[str] = Field(min_length=1, max_length=50)
    notes: str = Field(default="", max_length=20000)


class RunSpecialCheck(FieldworkCommand):
    allowed_roles: ClassVar[frozenset[Role]] = GROUP
    subject: str = Field(min_length=1, max_length=300)
    conducted_by: list[str] = Field(min_length=1, max_length=50)
    summary: str = LongText
    completed_on: date


class HoldGroupMeeting(FieldworkCommand):
    """组务会, chaired by the group leader; later decisions cite its meeting id."""

    allowed_roles: ClassVar[frozenset[Role]] = LEADER_ONLY
    held_on: date
    agenda: list[str] = Field(min_length=1, max_length=100)
    decisions: list[str] = Field(default_factory=list, max_length=100)
    attendees: list[str] = Field(min_length=1, max_length=60)


class SubmitInterimReport(FieldworkCommand):
    """边汇报 to the leading group; serious matters make it an immediate report."""

    allowed_roles: ClassVar[frozenset[Role]] = LEADER_ONLY
    submitted_on: date
    summary: str = LongText
    serious_matters: list[str] = Field(default_factory=list, max_length=100)


class IssueInterimBulletin(FieldworkCommand):
    """边通报 by the leading group."""

    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.LEADING_GROUP})
    issued_on: date
    audience: str = Field(min_length=1, max_length=300)
    content: str = LongText


class AddresseeKind(StrEnum):
    INSPECTED_ORGANIZATION = "inspected_organization"
    SUPERVISING_DEPARTMENT = "supervising_department"


class RecommendSystemImprovement(FieldworkCommand):
    """边完善制度: to the inspected organization or its supervising department."""

    allowed_roles: ClassVar[frozenset[Role]] = LEADER_ONLY
    addressee_kind: AddresseeKind
    addressee_organization_id: str = Field(min_length=1, max_length=64)
    recommendation: str = LongText
    recommended_on: date


# Decisions -----------------------------------------------------------------------------------
# Every decision has the same signature; the handler passes the policy in force today and a
# fresh id for records the command creates.


def _preparing(inspection: InspectionState, ctx: Context, what: str) -> None:
    require_stage(inspection.stage, PREPARATION_STAGES, what)
    if ctx.actor.role in GROUP:
        require_group_member(inspection, ctx)


def request_briefing(
    state: FieldworkState,
    inspection: InspectionState,
    cmd: RequestPreInspectionBriefing,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    _preparing(inspection, ctx, "request a pre-inspection briefing")
    require_not_future(cmd.requested_on, ctx, "requested_on")
    require(
        cmd.provider in params.briefing_providers,
        f"provider {cmd.provider!r} is not a configured briefing department; "
        f"choose one of {params.briefing_providers}",
    )
    return [
        BriefingRequested(
            inspection_id=inspection.inspection_id,
            briefing_id=new_id,
            provider=cmd.provider,
            subject=cmd.subject,
            requested_on=cmd.requested_on,
        )
    ]


def record_briefing(
    state: FieldworkState,
    inspection: InspectionState,
    cmd: RecordBriefingReceived,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    _preparing(inspection, ctx, "record a briefing")
    provider = state.briefings.get(cmd.briefing_id)
    if provider is None:
        raise NotFound(f"no briefing {cmd.briefing_id} was requested for this inspection")
    if cmd.briefing_id in state.briefings_received:
        raise InvalidTransition(f"briefing {cmd.briefing_id} was already received")
    require_not_future(cmd.received_on, ctx, "received_on")
    return [
        BriefingReceived(
            inspection_id=inspection.inspection_id,
            briefing_id=cmd.briefing_id,
            provider=provider,
            classification=cmd.classification,
            received_on=cmd.received_on,
            content=cmd.content,
        )
    ]


def record_analysis(
    state: FieldworkState,
    inspection: InspectionState,
    cmd: RecordPreInspectionAnalysis,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    _preparing(inspection, ctx, "record the pre-inspection analysis")
    require(
        bool(cmd.key_persons or cmd.key_matters or cmd.key_problems),
        "the analysis names at least one key person, matter or problem (三个重点)",
    )
    data = cmd.model_dump(exclude={"inspection_id"})
    return [
        PreInspectionAnalysisRecorded(
            inspection_id=inspection.inspection_id, analysis_no=state.analyses + 1, **data
        )
    ]


def submit_work_plan(
    state: FieldworkState,
    inspection: InspectionState,
    cmd: SubmitGroupWorkPlan,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    require_stage(inspection.stage, PREPARATION_STAGES, "submit the group work plan")
    require_leader(inspection, ctx)
    return [
        GroupWorkPlanSubmitted(
            inspection_id=inspection.inspection_id,
            plan_version=state.plan_version + 1,
            content=WorkPlanContent(**cmd.content.model_dump()),
        )
    ]


def approve_work_plan(
    state: FieldworkState,
    inspection: InspectionState,
    cmd: ApproveGroupWorkPlan,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    require_stage(inspection.stage, PREPARATION_STAGES, "approve the group work plan")
    if state.plan_version == 0:
        raise InvalidTransition("no group work plan has been submitted")
    require(
        cmd.plan_version == state.plan_version,
        f"only the latest work plan (version {state.plan_version}) can be approved",
    )
    if state.plan_approved_version == state.plan_version:
        raise InvalidTransition(f"work plan version {state.plan_version} is already approved")
    return [
        GroupWorkPlanApproved(inspection_id=inspection.inspection_id, plan_version=cmd.plan_version)
    ]


def establish_branch(
    state: FieldworkState,
    inspection: InspectionState,
    cmd: EstablishTemporaryPartyBranch,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    require_stage(inspection.stage, PREPARATION_STAGES, "establish the temporary Party branch")
    require_leader(inspection, ctx)
    if state.branch_established:
        raise InvalidTransition("the group's temporary Party branch is already established")
    require_not_future(cmd.established_on, ctx, "established_on")
    require_unique(cmd.member_user_ids, "branch members")
    require_group_people(inspection, [cmd.secretary_user_id, *cmd.member_user_ids], "the branch")
    assert inspection.leader is not None
    require(
        not params.temp_branch_secretary_is_leader
        or cmd.secretary_user_id == inspection.leader.user_id,
        "under this jurisdiction's policy the group leader is the branch secretary",
    )
    return [
        TemporaryPartyBranchEstablished(
            inspection_id=inspection.inspection_id,
            secretary_user_id=cmd.secretary_user_id,
            member_user_ids=cmd.member_user_ids,
            established_on=cmd.established_on,
        )
    ]


def hold_mobilization(
    state: FieldworkState,
    inspection: InspectionState,
    cmd: HoldMobilizationMeeting,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    require_in_scope(inspection, ctx, cmd.held_on, "hold the mobilization meeting")
    require_leader(inspection, ctx)
    if state.mobilization_held:
        raise InvalidTransition("the mobilization meeting was already held")
    data = cmd.model_dump(exclude={"inspection_id"})
    return [MobilizationMeetingHeld(inspection_id=inspection.inspection_id, **data)]


def distribute_survey(
    state: FieldworkState,
    inspection: InspectionState,
    cmd: DistributeSurvey,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    require_in_scope(inspection, ctx, cmd.distributed_on, "distribute a survey")
    return [
        SurveyDistributed(
            inspection_id=inspection.inspection_id,
            survey_id=new_id,
            instrument=cmd.instrument,
            distributed=cmd.distributed,
            distributed_on=cmd.distributed_on,
        )
    ]


def record_survey(
    state: FieldworkState,
    inspection: InspectionState,
    cmd: RecordSurveyResults,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    require_group_member(inspection, ctx)
    require_stage(
        inspection.stage,
        [InspectionStage.STATIONED, InspectionStage.WITHDRAWN],
        "record survey results",
    )
    distributed = state.surveys.get(cmd.survey_id)
    if distributed is None:
        raise NotFound(f"no survey {cmd.survey_id} was distributed in this inspection")
    if cmd.survey_id in state.surveys_recorded:
        raise InvalidTransition(f"the results of survey {cmd.survey_id} are already recorded")
    require_not_future(cmd.recorded_on, ctx, "recorded_on")
    require(
        cmd.responses <= distributed,
        f"{cmd.responses} responses exceed the {distributed} copies distributed",
    )
    require(
        cmd.responses >= params.survey_min_responses,
        f"aggregates of fewer than {params.survey_min_responses} anonymous responses could "
        "identify respondents; record them only as sealed raw data",
    )
    require(
        all(f.count <= cmd.responses for f in cmd.aggregates),
        "an aggregate count cannot exceed the number of responses",
    )
    return [
        SurveyResultsRecorded(
            inspection_id=inspection.inspection_id,
            survey_id=cmd.survey_id,
            responses=cmd.responses,
            aggregates=[SurveyFigure(**f.model_dump()) for f in cmd.aggregates],
            raw_data=cmd.raw_data,
            recorded_on=cmd.recorded_on,
        )
    ]


def hear_work_report(
    state: FieldworkState,
    inspection: InspectionState,
    cmd: HearWorkReport,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    require_in_scope(inspection, ctx, cmd.heard_on, "hear a work report")
    share = cmd.self_identified_problem_share
    below = share is not None and share < params.work_report_problem_share_min  # soft norm
    data = cmd.model_dump(exclude={"inspection_id"})
    return [WorkReportHeard(inspection_id=inspection.inspection_id, below_norm=below, **data)]


def request_documents(
    state: FieldworkState,
    inspection: InspectionState,
    cmd: RequestDocuments,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    require_in_scope(inspection, ctx, cmd.requested_on, "request documents")
    _custody_open(state)
    return [
        DocumentsRequested(
            inspection_id=inspection.inspection_id,
            request_id=new_id,
            items=cmd.items,
            requested_on=cmd.requested_on,
        )
    ]


def _custody_open(state: FieldworkState) -> None:
    if state.custody_closed:
        raise InvalidTransition("the document custody ledger of this inspection is closed")


def receive_documents(
    state: FieldworkState,
    inspection: InspectionState,
    cmd: ReceiveDocuments,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    require_in_scope(inspection, ctx, cmd.received_on, "receive documents")
    _custody_open(state)
    if cmd.request_id not in state.document_requests:
        raise NotFound(f"no document request {cmd.request_id} was made in this inspection")
    numbers = [d.doc_no for d in cmd.documents]
    require_unique(numbers, "document numbers")
    already = sorted(n for n in numbers if n in state.held)
    require(not already, f"documents {already} are already in the group's custody")
    return [
        DocumentsReceived(
            inspection_id=inspection.inspection_id,
            request_id=cmd.request_id,
            documents=[ReceivedDocument(**d.model_dump()) for d in cmd.documents],
            received_on=cmd.received_on,
            handed_over_by=cmd.handed_over_by,
        )
    ]


def return_documents(
    state: FieldworkState,
    inspection: InspectionState,
    cmd: ReturnDocuments,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    require_group_member(inspection, ctx)
    _group_stage(inspection, "return documents")
    _custody_open(state)
    require_not_future(cmd.returned_on, ctx, "returned_on")
    require_unique(cmd.doc_nos, "document numbers")
    unknown = sorted(n for n in cmd.doc_nos if n not in state.held)
    require(not unknown, f"documents {unknown} are not in the group's custody")
    data = cmd.model_dump(exclude={"inspection_id"})
    return [DocumentsReturned(inspection_id=inspection.inspection_id, **data)]


def close_custody(
    state: FieldworkState,
    inspection: InspectionState,
    cmd: CloseDocumentCustody,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    require_leader(inspection, ctx)
    require_stage(
        inspection.stage,
        [
            InspectionStage.STATIONED,
            InspectionStage.WITHDRAWN,
            InspectionStage.REPORT_DRAFTED,
            InspectionStage.REPORT_RETURNED,
        ],
        "close the document custody ledger",
    )
    _custody_open(state)
    require_not_future(cmd.closed_on, ctx, "closed_on")
    held = sorted(state.held)
    require(
        not held,
        f"every document received must be returned before custody closes; still held: {held}",
    )
    return [
        DocumentCustodyClosed(
            inspection_id=inspection.inspection_id,
            closed_on=cmd.closed_on,
            documents_returned=state.returned_total,
        )
    ]


def conduct_site_visit(
    state: FieldworkState,
    inspection: InspectionState,
    cmd: ConductSiteVisit,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    require_in_scope(inspection, ctx, cmd.visited_on, "conduct a site visit")
    require(
        cmd.method in params.site_visit_methods,
        f"method {cmd.method!r} is not a configured site-visit method; "
        f"choose one of {params.site_visit_methods}",
    )
    require_unique(cmd.visitors, "visitors")
    require_group_people(inspection, cmd.visitors, "visitors")
    data = cmd.model_dump(exclude={"inspection_id"})
    return [SiteVisitConducted(inspection_id=inspection.inspection_id, visit_id=new_id, **data)]


def run_special_check(
    state: FieldworkState,
    inspection: InspectionState,
    cmd: RunSpecialCheck,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    require_in_scope(inspection, ctx, cmd.completed_on, "run a special check")
    require_unique(cmd.conducted_by, "conducted_by")
    require_group_people(inspection, cmd.conducted_by, "those conducting the check")
    data = cmd.model_dump(exclude={"inspection_id"})
    return [SpecialCheckCompleted(inspection_id=inspection.inspection_id, check_id=new_id, **data)]


def hold_group_meeting(
    state: FieldworkState,
    inspection: InspectionState,
    cmd: HoldGroupMeeting,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    _group_stage(inspection, "hold a group meeting")
    require_leader(inspection, ctx)
    require_not_future(cmd.held_on, ctx, "held_on")
    require_unique(cmd.attendees, "attendees")
    require_group_people(inspection, cmd.attendees, "attendees")
    assert inspection.leader is not None
    require(inspection.leader.user_id in cmd.attendees, "the group leader chairs the 组务会")
    data = cmd.model_dump(exclude={"inspection_id"})
    return [
        GroupMeetingHeld(
            inspection_id=inspection.inspection_id,
            meeting_id=new_id,
            meeting_no=state.meetings_held + 1,
            **data,
        )
    ]


def _while_inspecting(inspection: InspectionState, ctx: Context, day: date, what: str) -> None:
    require_stage(inspection.stage, [InspectionStage.STATIONED], what)
    require_not_future(day, ctx, f"the date of '{what}'")
    assert inspection.stationed_on is not None
    require(day >= inspection.stationed_on, f"cannot {what} before the group was stationed")


def submit_interim_report(
    state: FieldworkState,
    inspection: InspectionState,
    cmd: SubmitInterimReport,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    _while_inspecting(inspection, ctx, cmd.submitted_on, "submit an interim report")
    require_leader(inspection, ctx)
    return [
        InterimReportSubmitted(
            inspection_id=inspection.inspection_id,
            report_no=state.interim_reports + 1,
            submitted_on=cmd.submitted_on,
            summary=cmd.summary,
            serious_matters=cmd.serious_matters,
            immediate=bool(cmd.serious_matters),
        )
    ]


def issue_bulletin(
    state: FieldworkState,
    inspection: InspectionState,
    cmd: IssueInterimBulletin,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    _while_inspecting(inspection, ctx, cmd.issued_on, "issue an interim bulletin")
    data = cmd.model_dump(exclude={"inspection_id"})
    return [
        InterimBulletinIssued(
            inspection_id=inspection.inspection_id, bulletin_no=state.bulletins + 1, **data
        )
    ]


def recommend_improvement(
    state: FieldworkState,
    inspection: InspectionState,
    cmd: RecommendSystemImprovement,
    ctx: Context,
    params: PolicyParameters,
    new_id: UUID,
) -> list[DomainEvent]:
    _while_inspecting(inspection, ctx, cmd.recommended_on, "recommend a system improvement")
    require_leader(inspection, ctx)
    if cmd.addressee_kind == AddresseeKind.INSPECTED_ORGANIZATION:
        require(
            cmd.addressee_organization_id == inspection.organization_id,
            f"a recommendation to the inspected organization is addressed to "
            f"{inspection.organization_id}, not {cmd.addressee_organization_id}",
        )
    else:
        require(
            cmd.addressee_organization_id != inspection.organization_id,
            "the supervising department is another organization than the inspected one",
        )
    data = cmd.model_dump(exclude={"inspection_id"})
    return [
        SystemImprovementRecommended(
            inspection_id=inspection.inspection_id,
            recommendation_no=state.recommendations + 1,
            **data,
        )
    ]


DECISIONS: dict[type[FieldworkCommand], Callable[..., list[DomainEvent]]] = {
    RequestPreInspectionBriefing: request_briefing,
    RecordBriefingReceived: record_briefing,
    RecordPreInspectionAnalysis: record_analysis,
    SubmitGroupWorkPlan: submit_work_plan,
    ApproveGroupWorkPlan: approve_work_plan,
    EstablishTemporaryPartyBranch: establish_branch,
    HoldMobilizationMeeting: hold_mobilization,
    DistributeSurvey: distribute_survey,
    RecordSurveyResults: record_survey,
    HearWorkReport: hear_work_report,
    RequestDocuments: request_documents,
    ReceiveDocuments: receive_documents,
    ReturnDocuments: return_documents,
    CloseDocumentCustody: close_custody,
    ConductSiteVisit: conduct_site_visit,
    RunSpecialCheck: run_special_check,
    HoldGroupMeeting: hold_group_meeting,
    SubmitInterimReport: submit_interim_report,
    IssueInterimBulletin: issue_bulletin,
    RecommendSystemImprovement: recommend_improvement,
}
"""Each fieldwork command and its decision; the handler module registers them all."""

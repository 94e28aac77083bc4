"""The fieldwork stream's state, and the authorization-scope checks every fieldwork act uses."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
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
)
from xuncha.events.base import DomainEvent, Role
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
    SurveyDistributed,
    SurveyResultsRecorded,
    SystemImprovementRecommended,
    TemporaryPartyBranchEstablished,
)
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

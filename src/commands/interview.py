"""InterviewRecord (个别谈话记录): one stream per talk, with restricted (sealed) contents.

conducted → signed. A talk is a fieldwork act (一次一授权): at least two inspectors of the
authorized group are present (the one recording it among them), while the group is stationed
and inside its window; the interviewee signs the record, and an inspector records that
(invariant 7). The interviewee's identity and the record are sealed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from xuncha.commands.base import (
    Aggregate,
    Command,
    Context,
    require,
    require_not_future,
    require_stage,
)
from xuncha.commands.fieldwork import GROUP, require_group_people, require_in_scope, require_unique
from xuncha.commands.handling import Registered, on
from xuncha.commands.inspection import InspectionState, require_group_member
from xuncha.commands.inspection.handling import inspection_of
from xuncha.commands.unit_of_work import UnitOfWork
from xuncha.events.base import Contract, DomainEvent, Role
from xuncha.events.interview import (
    InterviewConducted,
    Interviewee,
    IntervieweeCategory,
    InterviewRecordSigned,
)
from xuncha.events.policy import PolicyParameters
from xuncha.events.vocabulary import InspectionStage, InterviewRecordState

SIGNING_STAGES = (
    InspectionStage.STATIONED,
    InspectionStage.WITHDRAWN,
    InspectionStage.REPORT_DRAFTED,
    InspectionStage.REPORT_RETURNED,
)


@dataclass(frozen=True)
class InterviewState:
    interview_id: UUID
    inspection_id: UUID
    conducted_on: date
    signed: bool = False


def evolve(state: InterviewState | None, event: DomainEvent) -> InterviewState | None:
    match event:
        case InterviewConducted():
            return InterviewState(event.interview_id, event.inspection_id, event.conducted_on)
        case InterviewRecordSigned() if state:
            return replace(state, signed=True)
    return state


INTERVIEW = Aggregate[InterviewState]("interview", evolve)


class IntervieweeIn(Contract):
    name: str = Field(min_length=1, max_length=100)
    position: str = Field(min_length=1, max_length=200)


class ConductInterview(Command):
    allowed_roles: ClassVar[frozenset[Role]] = GROUP
    target: ClassVar[str | None] = "inspection_id"
    inspection_id: UUID
    interviewers: list[str] = Field(min_length=1, max_length=10)
    category: IntervieweeCategory
    conducted_on: date
    interviewee: IntervieweeIn
    record: str = Field(min_length=1, max_length=200_000)


class SignInterviewRecord(Command):
    """The interviewee signed the record; an inspector of the group records the signature."""

    allowed_roles: ClassVar[frozenset[Role]] = GROUP
    target: ClassVar[str | None] = "interview_id"
    interview_id: UUID
    signed_on: date


def conduct(
    inspection: InspectionState,
    cmd: ConductInterview,
    ctx: Context,
    params: PolicyParameters,
    interview_id: UUID,
) -> list[DomainEvent]:
    require_in_scope(inspection, ctx, cmd.conducted_on, "conduct an interview")
    require_unique(cmd.interviewers, "interviewers")
    needed = max(2, params.interviewers_min)
    require(
        len(cmd.interviewers) >= needed,
        f"an interview needs at least {needed} inspectors present; {len(cmd.interviewers)} given",
    )
    require_group_people(inspection, cmd.interviewers, "interviewers")
    require(
        ctx.actor.user_id in cmd.interviewers,
        "the inspector recording the interview must be one of the interviewers",
    )
    return [
        InterviewConducted(
            interview_id=interview_id,
            inspection_id=inspection.inspection_id,
            interviewers=cmd.interviewers,
            category=cmd.category,
            conducted_on=cmd.conducted_on,
            interviewee=Interviewee(**cmd.interviewee.model_dump()),
            record=cmd.record,
        )
    ]


def sign(
    state: InterviewState, cmd: SignInterviewRecord, ctx: Context, inspection: InspectionState
) -> list[DomainEvent]:
    require_group_member(inspection, ctx)
    require_stage(inspection.stage, SIGNING_STAGES, "record the interviewee's signature")
    signed = InterviewRecordState.SIGNED if state.signed else InterviewRecordState.UNSIGNED
    require_stage(signed, [InterviewRecordState.UNSIGNED], "sign the record")
    require_not_future(cmd.signed_on, ctx, "signed_on")
    require(
        cmd.signed_on >= state.conducted_on,
        f"the record cannot be signed before the interview ({state.conducted_on})",
    )
    return [
        InterviewRecordSigned(
            interview_id=state.interview_id,
            inspection_id=state.inspection_id,
            signed_on=cmd.signed_on,
            recorded_by=ctx.actor.user_id,
        )
    ]


# Handlers ------------------------------------------------------------------------------------


def handle_conduct_interview(uow: UnitOfWork, cmd: ConductInterview) -> UUID:
    inspection = inspection_of(uow, cmd.inspection_id)
    interview_id = uow.new_id()
    params = uow.policy(inspection.jurisdiction_id, uow.ctx.today)[1]
    events = conduct(inspection, cmd, uow.ctx, params, interview_id)
    uow.record(INTERVIEW, interview_id, events)
    return interview_id


def handle_sign_interview(uow: UnitOfWork, cmd: SignInterviewRecord) -> None:
    state = uow.get(INTERVIEW, cmd.interview_id, "interview record")
    inspection = inspection_of(uow, state.inspection_id)
    uow.record(INTERVIEW, cmd.interview_id, sign(state, cmd, uow.ctx, inspection))


HANDLERS: tuple[Registered, ...] = (
    on(ConductInterview, handle_conduct_interview),
    on(SignInterviewRecord, handle_sign_interview),
)

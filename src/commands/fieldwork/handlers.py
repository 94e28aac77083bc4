"""Handlers of the fieldwork record: every fieldwork command decides on the inspection's
`fieldwork` stream with the inspection and the policy in force, and may create a record
inside it (its id is the answer)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from uuid import UUID

from xuncha.commands import fieldwork as fw
from xuncha.commands.base import Context
from xuncha.commands.fieldwork import (
    FIELDWORK,
    FieldworkCommand,
    FieldworkState,
    fieldwork_stream_id,
)
from xuncha.commands.handling import Handler, Registered, created, on
from xuncha.commands.inspection import INSPECTION, InspectionState
from xuncha.commands.unit_of_work import UnitOfWork
from xuncha.events.base import DomainEvent
from xuncha.events.policy import PolicyParameters

FC = TypeVar("FC", bound=FieldworkCommand)


def fieldwork_of(uow: UnitOfWork, inspection_id: UUID) -> FieldworkState:
    """The inspection's fieldwork record (empty before its first act)."""
    found = uow.find(FIELDWORK, fieldwork_stream_id(inspection_id))
    return found or FieldworkState(inspection_id)


def _on_fieldwork(
    decide: Callable[
        [FieldworkState, InspectionState, FC, Context, PolicyParameters, UUID], list[DomainEvent]
    ],
) -> Handler[FC]:
    def handler(uow: UnitOfWork, cmd: FC) -> UUID | None:
        inspection = uow.get(INSPECTION, cmd.inspection_id, "inspection")
        state = fieldwork_of(uow, cmd.inspection_id)
        params = uow.policy(inspection.jurisdiction_id, uow.ctx.today)[1]
        new_id = uow.new_id()
        events = decide(state, inspection, cmd, uow.ctx, params, new_id)
        uow.record(FIELDWORK, fieldwork_stream_id(cmd.inspection_id), events)
        return created(events, new_id)

    return handler


HANDLERS: tuple[Registered, ...] = (
    on(fw.RequestPreInspectionBriefing, _on_fieldwork(fw.request_briefing)),
    on(fw.RecordBriefingReceived, _on_fieldwork(fw.record_briefing)),
    on(fw.RecordPreInspectionAnalysis, _on_fieldwork(fw.record_analysis)),
    on(fw.SubmitGroupWorkPlan, _on_fieldwork(fw.submit_work_plan)),
    on(fw.ApproveGroupWorkPlan, _on_fieldwork(fw.approve_work_plan)),
    on(fw.EstablishTemporaryPartyBranch, _on_fieldwork(fw.establish_branch)),
    on(fw.HoldMobilizationMeeting, _on_fieldwork(fw.hold_mobilization)),
    on(fw.DistributeSurvey, _on_fieldwork(fw.distribute_survey)),
    on(fw.RecordSurveyResults, _on_fieldwork(fw.record_survey)),
    on(fw.HearWorkReport, _on_fieldwork(fw.hear_work_report)),
    on(fw.RequestDocuments, _on_fieldwork(fw.request_documents)),
    on(fw.ReceiveDocuments, _on_fieldwork(fw.receive_documents)),
    on(fw.ReturnDocuments, _on_fieldwork(fw.return_documents)),
    on(fw.CloseDocumentCustody, _on_fieldwork(fw.close_custody)),
    on(fw.ConductSiteVisit, _on_fieldwork(fw.conduct_site_visit)),
    on(fw.RunSpecialCheck, _on_fieldwork(fw.run_special_check)),
    on(fw.HoldGroupMeeting, _on_fieldwork(fw.hold_group_meeting)),
    on(fw.SubmitInterimReport, _on_fieldwork(fw.submit_interim_report)),
    on(fw.IssueInterimBulletin, _on_fieldwork(fw.issue_bulletin)),
    on(fw.RecommendSystemImprovement, _on_fieldwork(fw.recommend_improvement)),
)

"""Gathering evidence: surveys, work reports heard, the document custody ledger."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from xuncha.commands.base import (
    Context,
    require,
    require_not_future,
    require_stage,
)
from xuncha.commands.errors import InvalidTransition, NotFound
from xuncha.commands.fieldwork.state import (
    GROUP,
    LEADER_ONLY,
    FieldworkCommand,
    FieldworkState,
    LongText,
    _group_stage,
    require_in_scope,
    require_unique,
)
from xuncha.commands.inspection import (
    InspectionState,
    require_group_member,
    require_leader,
)
from xuncha.events.base import Contract, DomainEvent, Role
from xuncha.events.fieldwork import (
    DocumentCustodyClosed,
    DocumentsReceived,
    DocumentsRequested,
    DocumentsReturned,
    ReceivedDocument,
    SurveyDistributed,
    SurveyFigure,
    SurveyResultsRecorded,
    WorkReportHeard,
)
from xuncha.events.policy import PolicyParameters
from xuncha.events.vocabulary import InspectionStage


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

"""The readable record behind each id a command creates: every `Location` a command answers
resolves here (or in the other query modules). Each record reads only its read model and
answers 404 — the same as for an unknown id — when the record is outside the reader's scope.

Who reads what (DOMAIN.md Appendix B): groups — the bodies running the work, the organization
department (co-proposes leaders) and the group's own people; findings and fieldwork records —
oversight and the group; the report and supplementary reports — oversight, the group and the
receiving authorities; feedback and the rectification plan — also the inspected organization
and its supervising department; pool members and draws — oversight and the organization
department; petitions and interviews — oversight and the group's inspectors; education
records — oversight and the authorities (an inspected organization: its own study sessions).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends

from xuncha.api.http.access import (
    AUTHORITIES,
    GROUP,
    GROUP_INSPECTORS,
    INSPECTED,
    OVERSIGHT,
    ReadScope,
    Scope,
    readable_by,
)
from xuncha.api.http.deps import ReadConnection, consistent_read
from xuncha.api.http.routes import record_models as out
from xuncha.api.http.routes import register_models as reg
from xuncha.commands.errors import NotFound
from xuncha.events.base import Role
from xuncha.projections import fieldwork_register, group_record
from xuncha.projections.education_record import EducationRecordDocuments
from xuncha.projections.feedback_record import FeedbackRecord
from xuncha.projections.finding_record import FindingRecord
from xuncha.projections.plan_record import PlanRecord
from xuncha.projections.pool_record import DrawRecord, PoolMemberRecord
from xuncha.projections.record_documents import RecordDocuments
from xuncha.projections.report_record import ReportRecord
from xuncha.projections.supplementary_report_record import SupplementaryReportRecord

GROUPS = group_record.GroupRecord()
FINDINGS = FindingRecord()
REPORTS = ReportRecord()
SUPPLEMENTARY = SupplementaryReportRecord()
FEEDBACK = FeedbackRecord()
PLANS = PlanRecord()
POOL_MEMBERS = PoolMemberRecord()
DRAWS = DrawRecord()
EDUCATION = EducationRecordDocuments()

GROUP_READERS = readable_by(*OVERSIGHT, Role.ORGANIZATION_DEPARTMENT, *GROUP)
WORKING_PAPERS = readable_by(*OVERSIGHT, *GROUP)
REPORT_READERS = readable_by(*OVERSIGHT, *GROUP, *AUTHORITIES)
RECTIFICATION_READERS = readable_by(
    *OVERSIGHT, *GROUP, *AUTHORITIES, *INSPECTED, Role.SUPERVISING_DEPARTMENT
)
POOL_READERS = readable_by(*OVERSIGHT, Role.ORGANIZATION_DEPARTMENT)
SEALED_REGISTERS = readable_by(*OVERSIGHT, *GROUP_INSPECTORS)
IMMEDIATE_READERS = readable_by(*OVERSIGHT, *GROUP, *INSPECTED, Role.SUPERVISING_DEPARTMENT)
EDUCATION_READERS = readable_by(*OVERSIGHT, *AUTHORITIES, *INSPECTED)
SCOPE_NOTE = "404 for a record outside the reader's scope, as for an unknown one."


def wait_for(model: RecordDocuments | str) -> Any:
    return Depends(consistent_read(model if isinstance(model, str) else model.name))


def _document(model: RecordDocuments, conn: Any, record_id: UUID, what: str) -> dict[str, Any]:
    found = model.get(conn, record_id)
    if found is None:
        raise NotFound(f"{what} {record_id} does not exist (or the read model has not seen it)")
    return found


def _per_inspection(
    model: RecordDocuments, conn: Any, scope: ReadScope, inspection_id: UUID, what: str
) -> dict[str, Any]:
    scope.require_inspection(conn, inspection_id)
    found = model.get(conn, inspection_id)
    if found is None:
        raise NotFound(f"inspection {inspection_id} has no {what} yet")
    return found


def _visible_group(document: dict[str, Any], scope: ReadScope, group_id: UUID) -> None:
    """A group is visible to its own people and to readers of any of its inspections."""
    if scope.unrestricted or scope.actor.user_id in group_record.people(document):
        return
    allowed = scope.inspection_ids or frozenset()
    if not any(UUID(i) in allowed for i in group_record.inspection_ids(document)):
        raise NotFound(f"group {group_id} does not exist (or the read model has not seen it)")


def group_routes(r: APIRouter) -> None:
    @r.get(
        "/groups/{group_id}",
        dependencies=[GROUP_READERS, wait_for(GROUPS)],
        summary="An inspection group: members, roles, recusals, pledges, training, status",
        description=SCOPE_NOTE,
    )
    def group(group_id: UUID, conn: ReadConnection, scope: Scope) -> out.GroupRecordOut:
        document = _document(GROUPS, conn, group_id, "group")
        _visible_group(document, scope, group_id)
        return out.GroupRecordOut.model_validate(document)

    @r.get(
        "/talent-pool/members/{member_id}",
        dependencies=[POOL_READERS, wait_for(POOL_MEMBERS)],
        summary="A member of the talent pool: profile, status, service evaluations",
    )
    def pool_member(member_id: UUID, conn: ReadConnection) -> reg.PoolMemberOut:
        document = _document(POOL_MEMBERS, conn, member_id, "pool member")
        return reg.PoolMemberOut.model_validate(document)

    @r.get(
        "/talent-pool/draws/{draw_id}",
        dependencies=[POOL_READERS, wait_for(DRAWS)],
        summary="A random draw: seed, filters, candidate set, result and digest",
    )
    def draw(draw_id: UUID, conn: ReadConnection) -> reg.DrawOut:
        return reg.DrawOut.model_validate(_document(DRAWS, conn, draw_id, "draw"))


def finding_and_report_routes(r: APIRouter) -> None:
    @r.get(
        "/findings/{finding_id}",
        dependencies=[WORKING_PAPERS, wait_for(FINDINGS)],
        summary="A finding: versions, reviews, returns, signature, taxonomy tags",
        description=SCOPE_NOTE,
    )
    def finding(finding_id: UUID, conn: ReadConnection, scope: Scope) -> out.FindingRecordOut:
        document = scope.visible(FINDINGS.get(conn, finding_id), f"finding {finding_id}")
        return out.FindingRecordOut.model_validate(document)

    @r.get(
        "/inspections/{inspection_id}/report",
        dependencies=[REPORT_READERS, wait_for(REPORTS)],
        summary="The inspection report: versions, reviews, deliberation, approval",
        description=SCOPE_NOTE,
    )
    def report(inspection_id: UUID, conn: ReadConnection, scope: Scope) -> out.ReportRecordOut:
        document = _per_inspection(REPORTS, conn, scope, inspection_id, "report")
        return out.ReportRecordOut.model_validate(document)

    @r.get(
        "/supplementary-reports/{report_id}",
        dependencies=[REPORT_READERS, wait_for(SUPPLEMENTARY)],
        summary="A supplementary report: versions (content sealed), reviews, approval",
        description=SCOPE_NOTE,
    )
    def supplementary(
        report_id: UUID, conn: ReadConnection, scope: Scope
    ) -> out.SupplementaryReportOut:
        found = SUPPLEMENTARY.get(conn, report_id)
        document = scope.visible(found, f"supplementary report {report_id}")
        return out.SupplementaryReportOut.model_validate(document)


def rectification_routes(r: APIRouter) -> None:
    @r.get(
        "/inspections/{inspection_id}/feedback",
        dependencies=[RECTIFICATION_READERS, wait_for(FEEDBACK)],
        summary="The feedback with its problem ledger (问题台账)",
        description=SCOPE_NOTE,
    )
    def feedback(inspection_id: UUID, conn: ReadConnection, scope: Scope) -> out.FeedbackRecordOut:
        document = _per_inspection(FEEDBACK, conn, scope, inspection_id, "feedback")
        return out.FeedbackRecordOut.model_validate(document)

    @r.get(
        "/inspections/{inspection_id}/rectification-plan",
        dependencies=[RECTIFICATION_READERS, wait_for(PLANS)],
        summary="The rectification plan with its 三清单, written reports and programme",
        description=SCOPE_NOTE,
    )
    def plan(inspection_id: UUID, conn: ReadConnection, scope: Scope) -> out.PlanRecordOut:
        document = _per_inspection(PLANS, conn, scope, inspection_id, "rectification plan")
        return out.PlanRecordOut.model_validate(document)

    @r.get(
        "/education-records/{record_id}",
        dependencies=[EDUCATION_READERS, wait_for(EDUCATION)],
        summary="A warning-education record (通报, 忏悔录, study session, 行业整顿)",
        description="An inspected organization reads its own study sessions only. " + SCOPE_NOTE,
    )
    def education(record_id: UUID, conn: ReadConnection, scope: Scope) -> reg.EducationRecordOut:
        found = EDUCATION.get(conn, record_id)
        document = scope.visible(found, f"education record {record_id}")
        return reg.EducationRecordOut.model_validate(document)


REGISTER = wait_for("fieldwork_register")


def fieldwork_routes(r: APIRouter) -> None:
    @r.get(
        "/petitions/{petition_id}",
        dependencies=[SEALED_REGISTERS, REGISTER],
        summary="A petition (no identity, no content)",
        description=SCOPE_NOTE,
    )
    def petition(petition_id: UUID, conn: ReadConnection, scope: Scope) -> reg.PetitionOut:
        found = fieldwork_register.petition(conn, petition_id)
        return reg.PetitionOut.model_validate(scope.visible(found, f"petition {petition_id}"))

    @r.get(
        "/interviews/{interview_id}",
        dependencies=[SEALED_REGISTERS, REGISTER],
        summary="An interview and whether its record is signed (no interviewee, no record)",
        description=SCOPE_NOTE,
    )
    def interview(interview_id: UUID, conn: ReadConnection, scope: Scope) -> reg.InterviewOut:
        found = fieldwork_register.interview(conn, interview_id)
        return reg.InterviewOut.model_validate(scope.visible(found, f"interview {interview_id}"))

    @r.get(
        "/immediate-rectifications/{item_id}",
        dependencies=[IMMEDIATE_READERS, REGISTER],
        summary="An immediate rectification (立行立改)",
        description=SCOPE_NOTE,
    )
    def immediate(
        item_id: UUID, conn: ReadConnection, scope: Scope
    ) -> reg.ImmediateRectificationOut:
        found = fieldwork_register.immediate_rectification(conn, item_id)
        document = scope.visible(found, f"immediate rectification {item_id}")
        return reg.ImmediateRectificationOut.model_validate(document)

    @r.get(
        "/fieldwork-records/{record_id}",
        dependencies=[WORKING_PAPERS, REGISTER],
        summary="A briefing, survey, document request, site visit, special check, group"
        " meeting, leave or instruction, with its events",
        description=SCOPE_NOTE,
    )
    def fieldwork_record(
        record_id: UUID, conn: ReadConnection, scope: Scope
    ) -> reg.FieldworkRecordOut:
        rows = fieldwork_register.record(conn, record_id)
        first = scope.visible(rows[0] if rows else None, f"fieldwork record {record_id}")
        return reg.FieldworkRecordOut(
            record_id=record_id,
            inspection_id=first["inspection_id"],
            kind=first["type"],
            events=[reg.FieldworkEventOut.model_validate(row) for row in rows],
        )


def routers() -> list[APIRouter]:
    r = APIRouter(tags=["records"])
    group_routes(r)
    finding_and_report_routes(r)
    rectification_routes(r)
    fieldwork_routes(r)
    return [r]

"""While inspecting: site visits, special checks, group meetings (组务会), interim reports,
bulletins and system improvement recommendations."""

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
from xuncha.commands.fieldwork.state import (
    GROUP,
    LEADER_ONLY,
    FieldworkCommand,
    FieldworkState,
    LongText,
    _group_stage,
    require_group_people,
    require_in_scope,
    require_unique,
)
from xuncha.commands.inspection import (
    InspectionState,
    require_leader,
)
from xuncha.events.base import DomainEvent, Role
from xuncha.events.fieldwork import (
    GroupMeetingHeld,
    InterimBulletinIssued,
    InterimReportSubmitted,
    SiteVisitConducted,
    SpecialCheckCompleted,
    SystemImprovementRecommended,
)
from xuncha.events.policy import PolicyParameters
from xuncha.events.vocabulary import InspectionStage


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

"""报告: the inspection report from draft to the committee's approval of a frozen version."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from xuncha.commands.base import Context, require, require_not_future, require_stage
from xuncha.commands.errors import InvalidTransition, NotFound
from xuncha.commands.finding import FindingState
from xuncha.commands.inspection import (
    InspectionCommand,
    InspectionState,
    require_group_member,
    require_leader,
)
from xuncha.commands.round import OFFICE
from xuncha.events.base import DomainEvent, Role
from xuncha.events.inspection import (
    FactualViewsExchanged,
    InspectionReportDrafted,
    ReportApproved,
    ReportDeliberatedByLeadingGroup,
    ReportReturnedForRevision,
    ReportReviewedByOffice,
    ResultsUse,
    ResultsUseDecided,
)
from xuncha.events.values import FindingRef
from xuncha.events.vocabulary import FindingStatus, InspectionStage


class DraftInspectionReport(InspectionCommand):
    """Built only from approved findings of this inspection."""

    allowed_roles: ClassVar[frozenset[Role]] = frozenset(
        {Role.GROUP_LEADER, Role.DEPUTY_GROUP_LEADER}
    )
    summary: str = Field(min_length=1, max_length=50000)
    finding_ids: list[UUID] = Field(min_length=1, max_length=500)


class ReportStep(InspectionCommand):
    """A step on a given report version: the version guards against acting on a stale draft."""

    report_version: int = Field(ge=1)


class ReviewReportByOffice(ReportStep):
    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    comments: str = Field(default="", max_length=10000)


class ReturnReportForRevision(ReportStep):
    allowed_roles: ClassVar[frozenset[Role]] = frozenset(
        {Role.INSPECTION_OFFICE, Role.LEADING_GROUP, Role.COMMITTEE}
    )
    comments: str = Field(min_length=1, max_length=10000)


class DeliberateReport(ReportStep):
    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.LEADING_GROUP})
    decisions: str = Field(default="", max_length=10000)


class ApproveReport(ReportStep):
    """书记专题会/常委会审定: the approved version is frozen by its content hash."""

    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.COMMITTEE})
    approved_on: date
    meeting: str = Field(min_length=1, max_length=300)


class ExchangeViewsOnFacts(ReportStep):
    """Optional: the group leader exchanges views on the facts with the principal."""

    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.GROUP_LEADER})
    exchanged_on: date
    principal_name: str = Field(min_length=1, max_length=200)
    views: str = Field(min_length=1, max_length=10000)


class DecideResultsUse(InspectionCommand):
    """The committee decides how the approved report's results are used (e.g. 组织部 for
    cadre vetting)."""

    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.COMMITTEE})
    decided_on: date
    meeting: str = Field(min_length=1, max_length=300)
    decisions: list[ResultsUse] = Field(min_length=1, max_length=50)


UNDER_REVIEW = (
    InspectionStage.REPORT_DRAFTED,
    InspectionStage.REPORT_OFFICE_REVIEWED,
    InspectionStage.REPORT_DELIBERATED,
)
AFTER_APPROVAL = (
    InspectionStage.REPORT_APPROVED,
    InspectionStage.FEEDBACK_DELIVERED,
    InspectionStage.PLAN_SUBMITTED,
    InspectionStage.PLAN_RETURNED,
    InspectionStage.RECTIFYING,
    InspectionStage.RECTIFICATION_REPORT_SUBMITTED,
    InspectionStage.RECTIFICATION_REPORT_RETURNED,
    InspectionStage.RECTIFICATION_REPORT_ACCEPTED,
)


def content_hash(summary: str, findings: list[FindingRef]) -> str:
    body = {"summary": summary, "findings": [f.model_dump(mode="json") for f in findings]}
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False).encode()
    return "sha256:" + hashlib.sha256(canonical).hexdigest()


def draft(
    state: InspectionState,
    cmd: DraftInspectionReport,
    ctx: Context,
    findings: Mapping[UUID, FindingState],
) -> list[DomainEvent]:
    require_stage(
        state.stage,
        [InspectionStage.WITHDRAWN, InspectionStage.REPORT_RETURNED],
        "draft the report",
    )
    require_group_member(state, ctx)
    require(len(set(cmd.finding_ids)) == len(cmd.finding_ids), "a finding is listed twice")
    refs = []
    for finding_id in cmd.finding_ids:
        finding = findings.get(finding_id)
        if finding is None or finding.inspection_id != state.inspection_id:
            raise NotFound(f"finding {finding_id} does not exist in this inspection")
        require(
            finding.status == FindingStatus.APPROVED,
            f"finding {finding_id} is '{finding.status}'; only approved findings enter a report",
        )
        refs.append(FindingRef(finding_id=finding_id, version=finding.version))
    return [
        InspectionReportDrafted(
            inspection_id=state.inspection_id,
            report_version=state.report_version + 1,
            summary=cmd.summary,
            findings=refs,
            content_hash=content_hash(cmd.summary, refs),
        )
    ]


def _same_version(state: InspectionState, cmd: ReportStep) -> None:
    if cmd.report_version != state.report_version:
        raise InvalidTransition(
            f"report version {cmd.report_version} is not the current draft "
            f"(v{state.report_version})"
        )


def review_by_office(state: InspectionState, cmd: ReviewReportByOffice) -> list[DomainEvent]:
    require_stage(state.stage, [InspectionStage.REPORT_DRAFTED], "review the report")
    _same_version(state, cmd)
    return [
        ReportReviewedByOffice(
            inspection_id=state.inspection_id,
            report_version=cmd.report_version,
            comments=cmd.comments,
        )
    ]


def return_for_revision(state: InspectionState, cmd: ReturnReportForRevision) -> list[DomainEvent]:
    require_stage(
        state.stage,
        [
            InspectionStage.REPORT_DRAFTED,
            InspectionStage.REPORT_OFFICE_REVIEWED,
            InspectionStage.REPORT_DELIBERATED,
        ],
        "return the report for revision",
    )
    _same_version(state, cmd)
    return [
        ReportReturnedForRevision(
            inspection_id=state.inspection_id,
            report_version=cmd.report_version,
            comments=cmd.comments,
        )
    ]


def deliberate(state: InspectionState, cmd: DeliberateReport) -> list[DomainEvent]:
    require_stage(state.stage, [InspectionStage.REPORT_OFFICE_REVIEWED], "deliberate the report")
    _same_version(state, cmd)
    return [
        ReportDeliberatedByLeadingGroup(
            inspection_id=state.inspection_id,
            report_version=cmd.report_version,
            decisions=cmd.decisions,
        )
    ]


def approve(state: InspectionState, cmd: ApproveReport, ctx: Context) -> list[DomainEvent]:
    require_stage(state.stage, [InspectionStage.REPORT_DELIBERATED], "approve the report")
    _same_version(state, cmd)
    require_not_future(cmd.approved_on, ctx, "approved_on")
    assert state.withdrawn_on is not None
    require(cmd.approved_on >= state.withdrawn_on, "approved_on cannot precede the withdrawal")
    return [
        ReportApproved(
            inspection_id=state.inspection_id,
            report_version=cmd.report_version,
            content_hash=state.report_hash,
            approved_on=cmd.approved_on,
            meeting=cmd.meeting,
        )
    ]


def exchange_views(
    state: InspectionState, cmd: ExchangeViewsOnFacts, ctx: Context
) -> list[DomainEvent]:
    require_stage(state.stage, UNDER_REVIEW, "exchange views on the facts")
    _same_version(state, cmd)
    require_leader(state, ctx)
    require_not_future(cmd.exchanged_on, ctx, "exchanged_on")
    return [
        FactualViewsExchanged(
            inspection_id=state.inspection_id,
            report_version=cmd.report_version,
            exchanged_on=cmd.exchanged_on,
            principal_name=cmd.principal_name,
            views=cmd.views,
        )
    ]


def decide_results_use(
    state: InspectionState, cmd: DecideResultsUse, ctx: Context
) -> list[DomainEvent]:
    require_stage(state.stage, AFTER_APPROVAL, "decide how the results are used")
    require_not_future(cmd.decided_on, ctx, "decided_on")
    assert state.approved_on is not None
    require(
        cmd.decided_on >= state.approved_on,
        f"decided_on cannot precede the report's approval ({state.approved_on})",
    )
    require(
        all(d.addressee.strip() and d.use.strip() for d in cmd.decisions),
        "every decision needs its addressee and its use",
    )
    return [
        ResultsUseDecided(
            inspection_id=state.inspection_id,
            report_version=state.report_version,
            decided_on=cmd.decided_on,
            meeting=cmd.meeting,
            decisions=cmd.decisions,
        )
    ]

"""Inspection (巡察任务): one group inspecting one organization, from plan to closure.

Stages: planned → group_authorized → notified → announced → stationed → withdrawn
→ report_drafted → report_office_reviewed → report_deliberated → report_approved
→ feedback_delivered → plan_submitted ⇄ plan_returned → rectifying (plan accepted)
→ rectification_report_submitted ⇄ rectification_report_returned
→ rectification_report_accepted → closed.

Side-exits (DOMAIN.md §5): any stage before `closed` → suspended → (resumed) back to the stage
it left; any stage before feedback delivery → cancelled (terminal). While suspended or
cancelled the stage itself is `suspended`/`cancelled`, so every `require_stage` guard refuses.

This package is the inspection's one home: here its state, stream and shared guards; its
deciders by use case in `preparation` (authorization, notice, announcement, stationing),
`report`, `side_exit` and `plan` (the rectification plan and report, closing); the handler
makers in `handling`, and the table in `handlers`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import ClassVar
from uuid import UUID

from xuncha.commands.base import Aggregate, Command, Context, require_actor
from xuncha.events.base import DomainEvent
from xuncha.events.inspection import (
    GroupAuthorized,
    GroupStationed,
    GroupWithdrawn,
    InspectionAnnouncementPublished,
    InspectionCancelled,
    InspectionClosed,
    InspectionFeedbackDelivered,
    InspectionFindingRegistered,
    InspectionGroupMemberRecused,
    InspectionNoticeIssued,
    InspectionPlanned,
    InspectionReportDrafted,
    InspectionResumed,
    InspectionSuspended,
    RectificationPlanAccepted,
    RectificationPlanReturned,
    RectificationPlanSubmitted,
    RectificationReportAccepted,
    RectificationReportReturned,
    RectificationReportSubmitted,
    ReportApproved,
    ReportDeliberatedByLeadingGroup,
    ReportReturnedForRevision,
    ReportReviewedByOffice,
)
from xuncha.events.lead import InspectionLeadRegistered
from xuncha.events.values import FindingRef, Member, PlanItem, PolicyRef, RoundType
from xuncha.events.vocabulary import InspectionStage


@dataclass(frozen=True)
class InspectionState:
    inspection_id: UUID
    round_id: UUID
    jurisdiction_id: str
    round_type: RoundType
    organization_id: str
    organization_name: str
    # An InspectionStage value; `str` because a resumption restores the stage its event recorded.
    stage: str = InspectionStage.PLANNED
    leader: Member | None = None
    group_user_ids: frozenset[str] = frozenset()
    window: tuple[date, date] | None = None
    notice_date: date | None = None
    planned_stationing_date: date | None = None
    announced_on: date | None = None
    stationed_on: date | None = None
    withdrawn_on: date | None = None
    report_version: int = 0
    report_findings: tuple[FindingRef, ...] = ()
    report_hash: str = ""
    approved_on: date | None = None
    approved_finding_ids: frozenset[UUID] = frozenset()
    delivered_on: date | None = None
    ledger_item_nos: tuple[int, ...] = ()
    written_report_due: date | None = None
    rectification_policy: PolicyRef | None = None
    plan_version: int = 0
    plan_items: tuple[PlanItem, ...] = ()
    plan_submitted_on: date | None = None  # the day the latest plan version was submitted
    plan_accepted_on: date | None = None  # the day the plan was accepted (its items opened)
    item_ids: tuple[UUID, ...] = ()
    rectification_report_no: int = 0
    intake_deadline: date | None = None  # petitions are received until then (announcement)
    lead_ids: tuple[UUID, ...] = ()  # 问题线索 registered on this inspection (见底清零)
    # Findings per drafter (`inspection.finding_registered`, recorded with each draft): a late
    # recusal sends the recused person's findings back for review (DOMAIN.md §6.1 inv. 1).
    # Findings drafted before this index existed are not in it.
    findings_by_drafter: Mapping[str, tuple[UUID, ...]] = field(default_factory=dict)
    suspended_from: str | None = None  # the stage left while `suspended` (side-exit)


def _planned(e: InspectionPlanned) -> InspectionState:
    return InspectionState(
        e.inspection_id,
        e.round_id,
        e.jurisdiction_id,
        e.round_type,
        e.organization_id,
        e.organization_name,
    )


def evolve(state: InspectionState | None, event: DomainEvent) -> InspectionState | None:
    if isinstance(event, InspectionPlanned):
        return _planned(event)
    if state is None:
        return None
    match event:
        case GroupAuthorized():
            people = [event.leader, *event.deputies, *event.members]
            return replace(
                state,
                stage=InspectionStage.GROUP_AUTHORIZED,
                leader=event.leader,
                group_user_ids=frozenset(p.user_id for p in people),
                window=(event.window_start, event.window_end),
            )
        case InspectionNoticeIssued():
            return replace(
                state,
                stage=InspectionStage.NOTIFIED,
                notice_date=event.notice_date,
                planned_stationing_date=event.planned_stationing_date,
            )
        case InspectionAnnouncementPublished():
            return replace(
                state,
                stage=InspectionStage.ANNOUNCED,
                announced_on=event.published_on,
                intake_deadline=event.intake_deadline,
            )
        case GroupStationed():
            return replace(state, stage=InspectionStage.STATIONED, stationed_on=event.stationed_on)
        case GroupWithdrawn():
            return replace(state, stage=InspectionStage.WITHDRAWN, withdrawn_on=event.withdrawn_on)
        case InspectionReportDrafted():
            return replace(
                state,
                stage=InspectionStage.REPORT_DRAFTED,
                report_version=event.report_version,
                report_findings=tuple(event.findings),
                report_hash=event.content_hash,
            )
        case ReportReviewedByOffice():
            return replace(state, stage=InspectionStage.REPORT_OFFICE_REVIEWED)
        case ReportReturnedForRevision():
            return replace(state, stage=InspectionStage.REPORT_RETURNED)
        case ReportDeliberatedByLeadingGroup():
            return replace(state, stage=InspectionStage.REPORT_DELIBERATED)
        case ReportApproved():
            return replace(
                state,
                stage=InspectionStage.REPORT_APPROVED,
                approved_on=event.approved_on,
                approved_finding_ids=frozenset(f.finding_id for f in state.report_findings),
            )
        case InspectionFeedbackDelivered():
            return replace(
                state,
                stage=InspectionStage.FEEDBACK_DELIVERED,
                delivered_on=event.delivered_on,
                ledger_item_nos=tuple(event.ledger_item_nos),
                written_report_due=event.written_report_due,
                rectification_policy=event.policy,
            )
        case RectificationPlanSubmitted():
            return replace(
                state,
                stage=InspectionStage.PLAN_SUBMITTED,
                plan_version=event.plan_version,
                plan_items=tuple(event.items),
                plan_submitted_on=event.submitted_on,
            )
        case RectificationPlanReturned():
            return replace(state, stage=InspectionStage.PLAN_RETURNED)
        case RectificationPlanAccepted():
            return replace(
                state,
                stage=InspectionStage.RECTIFYING,
                item_ids=tuple(event.item_ids),
                plan_accepted_on=event.accepted_on,
            )
        case RectificationReportSubmitted():
            return replace(
                state,
                stage=InspectionStage.RECTIFICATION_REPORT_SUBMITTED,
                rectification_report_no=event.report_no,
            )
        case RectificationReportReturned():
            return replace(state, stage=InspectionStage.RECTIFICATION_REPORT_RETURNED)
        case RectificationReportAccepted():
            return replace(state, stage=InspectionStage.RECTIFICATION_REPORT_ACCEPTED)
        case InspectionLeadRegistered():
            return replace(state, lead_ids=(*state.lead_ids, event.lead_id))
        case InspectionFindingRegistered():
            mine = state.findings_by_drafter.get(event.drafter_user_id, ())
            if event.finding_id in mine:
                return state
            by_drafter = {**state.findings_by_drafter}
            by_drafter[event.drafter_user_id] = (*mine, event.finding_id)
            return replace(state, findings_by_drafter=by_drafter)
        case InspectionGroupMemberRecused():
            leader = state.leader
            if leader is not None and leader.user_id == event.user_id:
                leader = None
            return replace(
                state, leader=leader, group_user_ids=state.group_user_ids - {event.user_id}
            )
        case InspectionClosed():
            return replace(state, stage=InspectionStage.CLOSED)
        case InspectionSuspended():
            return replace(
                state, stage=InspectionStage.SUSPENDED, suspended_from=event.suspended_from
            )
        case InspectionResumed():
            return replace(
                state, stage=state.suspended_from or event.resumed_to, suspended_from=None
            )
        case InspectionCancelled():
            return replace(state, stage=InspectionStage.CANCELLED, suspended_from=None)
    return state


INSPECTION = Aggregate[InspectionState]("inspection", evolve)


# Stages in which no work is recorded on the inspection: finished, paused or abandoned.
INACTIVE_STAGES = (InspectionStage.CLOSED, InspectionStage.SUSPENDED, InspectionStage.CANCELLED)


def require_leader(state: InspectionState, ctx: Context) -> None:
    require_actor(
        state.leader is not None and ctx.actor.user_id == state.leader.user_id,
        "only this inspection's group leader may do this",
    )


def require_group_member(state: InspectionState, ctx: Context) -> None:
    require_actor(
        ctx.actor.user_id in state.group_user_ids,
        "only members of the group authorized for this inspection may do this",
    )


class InspectionCommand(Command):
    """A command on one inspection: its `inspection_id` is the stream it targets."""

    target: ClassVar[str | None] = "inspection_id"
    inspection_id: UUID

"""Events of an inspection (巡察任务: one group inspecting one organization in a round)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from pydantic import Field

from xuncha.events.base import Contract, DomainEvent
from xuncha.events.registry import envelope_upcaster, event, recorded_on, upcaster
from xuncha.events.values import Contacts, FindingRef, Member, PlanItem, PolicyRef, RoundType


@event("inspection.planned")
class InspectionPlanned(DomainEvent):
    inspection_id: UUID
    round_id: UUID
    jurisdiction_id: str
    round_type: RoundType
    organization_id: str
    organization_name: str
    group_name: str


class GroupAuthorizedV1(DomainEvent):
    """Version 1 of the authorization, before groups were formed as records of their own."""

    inspection_id: UUID
    leader: Member
    deputies: list[Member]
    members: list[Member]
    window_start: date
    window_end: date
    policy: PolicyRef


@event("inspection.group_authorized", version=2)
class GroupAuthorized(DomainEvent):
    """一次一授权: the group is authorized for this target within a time window.

    v2 adds `group_id`, the formed inspection group (None for v1 authorizations, which named
    their people directly).
    """

    inspection_id: UUID
    group_id: UUID | None
    leader: Member
    deputies: list[Member]
    members: list[Member]
    window_start: date
    window_end: date
    policy: PolicyRef


@upcaster("inspection.group_authorized", 1, legacy_model=GroupAuthorizedV1)
def _group_authorized_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "group_id": None}


@event("inspection.notice_issued")
class InspectionNoticeIssued(DomainEvent):
    inspection_id: UUID
    notice_date: date
    planned_stationing_date: date
    addressee: str
    policy: PolicyRef


class InspectionAnnouncementPublishedV1(DomainEvent):
    """Version 1 of the announcement, with flat contact fields; read through the upcaster."""

    inspection_id: UUID
    published_on: date
    scope: str
    focus: str
    period_start: date
    period_end: date
    contact_phone: str | None = None
    contact_email: str | None = None
    contact_mailbox: str | None = None
    intake_deadline: date


@event("inspection.announcement_published", version=2)
class InspectionAnnouncementPublished(DomainEvent):
    """巡察公告: scope, focus, period, contacts and the intake deadline."""

    inspection_id: UUID
    published_on: date
    scope: str
    focus: str
    period_start: date
    period_end: date
    contacts: Contacts
    intake_deadline: date


@upcaster("inspection.announcement_published", 1, legacy_model=InspectionAnnouncementPublishedV1)
def _announcement_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """v2 groups the contact channels and adds phone hours, drop boxes and a QR code."""
    data = dict(data)
    data["contacts"] = {
        "phone": data.pop("contact_phone", None),
        "email": data.pop("contact_email", None),
        "mailbox": data.pop("contact_mailbox", None),
    }
    return data


@event("inspection.group_stationed")
class GroupStationed(DomainEvent):
    inspection_id: UUID
    stationed_on: date


@event("inspection.group_withdrawn")
class GroupWithdrawn(DomainEvent):
    inspection_id: UUID
    withdrawn_on: date


@event("inspection.report_drafted")
class InspectionReportDrafted(DomainEvent):
    inspection_id: UUID
    report_version: int
    summary: str
    findings: list[FindingRef]
    content_hash: str


@event("inspection.report_reviewed_by_office")
class ReportReviewedByOffice(DomainEvent):
    inspection_id: UUID
    report_version: int
    comments: str


@event("inspection.report_returned_for_revision")
class ReportReturnedForRevision(DomainEvent):
    inspection_id: UUID
    report_version: int
    comments: str


@event("inspection.report_deliberated_by_leading_group")
class ReportDeliberatedByLeadingGroup(DomainEvent):
    inspection_id: UUID
    report_version: int
    decisions: str


@event("inspection.report_approved")
class ReportApproved(DomainEvent):
    """The committee approved a frozen report version (its content hash is recorded)."""

    inspection_id: UUID
    report_version: int
    content_hash: str
    approved_on: date
    meeting: str


@event("inspection.feedback_delivered")
class InspectionFeedbackDelivered(DomainEvent):
    """Feedback was delivered: the rectification clocks start here."""

    inspection_id: UUID
    delivered_on: date
    ledger_item_nos: list[int]
    plan_due: date
    written_report_due: date
    policy: PolicyRef


class RectificationPlanSubmittedV1(DomainEvent):
    """Version 1, undated; read through the upcaster."""

    inspection_id: UUID
    plan_version: int
    items: list[PlanItem]


@event("inspection.rectification_plan_submitted", version=2)
class RectificationPlanSubmitted(DomainEvent):
    """整改方案 submitted. v2 adds `submitted_on`, the day the organization submitted it (it
    may be recorded later)."""

    inspection_id: UUID
    plan_version: int
    items: list[PlanItem]
    submitted_on: date


@event("inspection.rectification_plan_returned")
class RectificationPlanReturned(DomainEvent):
    inspection_id: UUID
    plan_version: int
    comments: str


class RectificationPlanAcceptedV1(DomainEvent):
    """Version 1, undated; read through the upcaster."""

    inspection_id: UUID
    plan_version: int
    item_ids: list[UUID]


@event("inspection.rectification_plan_accepted", version=2)
class RectificationPlanAccepted(DomainEvent):
    """The office accepted the plan, which opened its items. v2 adds `accepted_on`, the day
    of the acceptance and of the items' opening (it may be recorded later)."""

    inspection_id: UUID
    plan_version: int
    item_ids: list[UUID]
    accepted_on: date


envelope_upcaster(
    "inspection.rectification_plan_submitted", 1, legacy_model=RectificationPlanSubmittedV1
)(recorded_on("submitted_on"))
envelope_upcaster(
    "inspection.rectification_plan_accepted", 1, legacy_model=RectificationPlanAcceptedV1
)(recorded_on("accepted_on"))


@event("inspection.rectification_report_submitted")
class RectificationReportSubmitted(DomainEvent):
    """整改情况报告 with the principal's 组织落实情况报告."""

    inspection_id: UUID
    report_no: int
    organization_report: str
    principal_report: str
    submitted_on: date
    due: date
    on_time: bool


@event("inspection.rectification_report_returned")
class RectificationReportReturned(DomainEvent):
    inspection_id: UUID
    report_no: int
    comments: str


@event("inspection.rectification_report_accepted")
class RectificationReportAccepted(DomainEvent):
    inspection_id: UUID
    report_no: int


@event("inspection.closed")
class InspectionClosed(DomainEvent):
    inspection_id: UUID
    closed_on: date


@event("inspection.finding_registered")
class InspectionFindingRegistered(DomainEvent):
    """A finding was drafted in this inspection by `drafter_user_id` (recorded with
    `finding.drafted`): the inspection's index of findings per drafter, which a late recusal
    (DOMAIN.md §6.1 inv. 1) uses to send the recused person's findings back for review."""

    inspection_id: UUID
    finding_id: UUID
    drafter_user_id: str


@event("inspection.group_member_recused")
class InspectionGroupMemberRecused(DomainEvent):
    """A person of the authorized group was recused (回避) after the authorization: they no
    longer act for this inspection (一次一授权 covers the group as it now stands)."""

    inspection_id: UUID
    group_id: UUID
    user_id: str


@event("inspection.suspended")
class InspectionSuspended(DomainEvent):
    """The inspection was suspended (side-exit): nothing moves until it is resumed."""

    inspection_id: UUID
    reason: str
    suspended_from: str  # the stage it left, to which it resumes


@event("inspection.resumed")
class InspectionResumed(DomainEvent):
    inspection_id: UUID
    resumed_to: str  # the stage it had left when suspended


@event("inspection.cancelled")
class InspectionCancelled(DomainEvent):
    """The inspection was cancelled before feedback was delivered (terminal)."""

    inspection_id: UUID
    reason: str
    cancelled_from: str


@event("inspection.factual_views_exchanged")
class FactualViewsExchanged(DomainEvent):
    """The group leader exchanged views on the facts of the draft report with the principal."""

    inspection_id: UUID
    report_version: int
    exchanged_on: date
    principal_name: str
    views: str


class ResultsUse(Contract):
    """One decision on how the results are used: to whom, for what."""

    addressee: str = Field(min_length=1, max_length=200)  # e.g. 组织部
    use: str = Field(min_length=1, max_length=2000)  # e.g. cadre vetting (干部考察)


@event("inspection.results_use_decided")
class ResultsUseDecided(DomainEvent):
    """The committee decided how the approved report's results are used."""

    inspection_id: UUID
    report_version: int
    decided_on: date
    meeting: str
    decisions: list[ResultsUse]

"""Events of the feedback (反馈) to an inspected organization, with its problem ledger."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from uuid import UUID

from pydantic import Field

from xuncha.events.base import Contract, DomainEvent
from xuncha.events.registry import event
from xuncha.events.values import LedgerItem


@event("feedback.opinion_drafted")
class FeedbackOpinionDrafted(DomainEvent):
    """反馈意见 with the 问题台账; a later draft replaces an earlier one until delivery."""

    feedback_id: UUID
    inspection_id: UUID
    draft_no: int
    opinion: str
    ledger: list[LedgerItem]


@event("feedback.delivered")
class FeedbackDelivered(DomainEvent):
    feedback_id: UUID
    inspection_id: UUID
    draft_no: int
    delivered_on: date
    attendees: list[str]


class JointUnit(StrEnum):
    """The units of a joint feedback team (联合反馈): 纪检、组织、工委、信访、巡察, 业务主管单位."""

    DISCIPLINE = "discipline"  # 纪检监察
    ORGANIZATION = "organization"  # 组织部
    WORKING_COMMITTEE = "working_committee"  # 工委
    PETITIONS = "petitions"  # 信访
    INSPECTION = "inspection"  # 巡察
    SUPERVISING_DEPARTMENT = "supervising_department"  # 业务主管单位 (optional)


class JointTeamMember(Contract):
    unit: JointUnit
    organization_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=100)


@event("feedback.joint_team_formed")
class JointFeedbackTeamFormed(DomainEvent):
    """联合反馈: the team that delivers feedback; a later formation replaces an earlier one."""

    feedback_id: UUID
    inspection_id: UUID
    members: list[JointTeamMember]


@event("feedback.principal_briefed_one_to_one")
class PrincipalBriefedOneToOne(DomainEvent):
    """双反馈: the group leader briefs the principal alone before the feedback meeting."""

    feedback_id: UUID
    inspection_id: UUID
    leader_user_id: str
    principal_name: str
    briefed_on: date


class CopyRecipientKind(StrEnum):
    """四抄告: who receives a copy of the feedback."""

    LEADER_IN_CHARGE = "leader_in_charge"  # 分管领导
    SUPERVISING_DEPARTMENT = "supervising_department"  # 业务主管单位
    DISCIPLINE_COMMISSION = "discipline_commission"  # 纪委
    ORGANIZATION_DEPARTMENT = "organization_department"  # 组织部


class CopyRecipient(Contract):
    kind: CopyRecipientKind
    name: str = Field(min_length=1, max_length=200)


@event("feedback.copied_to")
class FeedbackCopiedTo(DomainEvent):
    feedback_id: UUID
    inspection_id: UUID
    recipients: list[CopyRecipient]
    sent_on: date


@event("feedback.acknowledged")
class FeedbackAcknowledged(DomainEvent):
    """The principal, first responsible person for rectification, acknowledged the feedback."""

    feedback_id: UUID
    inspection_id: UUID
    principal_user_id: str
    acknowledged_on: date


class DisclosureScope(StrEnum):
    INTERNAL = "internal"  # 党内公开
    PUBLIC = "public"  # 社会公开


class DisclosureExemption(StrEnum):
    """不公开的例外 (a county 整改公开 opinion); each needs leading-group approval."""

    STATE_SECRET = "state_secret"
    OPEN_INVESTIGATION = "open_investigation"
    HOSTILE_HYPE = "hostile_hype"
    MASS_PETITION_RISK = "mass_petition_risk"
    MAJOR_SENSITIVE = "major_sensitive"


@event("feedback.published")
class FeedbackPublished(DomainEvent):
    """以公开为原则、不公开为例外: the feedback summary, internally or to the public."""

    feedback_id: UUID
    inspection_id: UUID
    scope: DisclosureScope
    summary: str
    published_on: date
    exemptions: list[DisclosureExemption]
    exemptions_approved_by: str | None

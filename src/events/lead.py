"""Events of a lead (问题线索): a problem of a person, handed to the authority that manages them.

Registered by the group, classified by the group meeting (组务会), its transfer approved by the
leading group, transferred by the office (or by the group leader during fieldwork for
八项规定/四风 leads), then acknowledged, disposed of and reported on by the receiving authority
(纪委监委 or 组织部); the office closes it (销号). The inspection side never records a
discipline decision of its own; it records what the receiving authority tells it.

The allegation, the subject's identity and the authority's texts are classified sealed
(DOMAIN.md Appendix A): they stay in the event store and are redacted everywhere else.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from xuncha.events.base import Contract, DomainEvent
from xuncha.events.registry import event
from xuncha.events.values import PolicyRef


class CadreLevel(StrEnum):
    """干部管理权限: who manages the subject; it decides who receives the lead."""

    PROVINCE_MANAGED = "province_managed"  # 省管干部
    CITY_MANAGED = "city_managed"  # 市管干部
    COUNTY_MANAGED = "county_managed"  # 县管干部
    UNIT_MANAGED = "unit_managed"  # 单位管理的干部及其他人员


class LeadType(StrEnum):
    DISCIPLINE = "discipline"  # 违纪违法
    CADRE_SELECTION = "cadre_selection"  # 选人用人
    OTHER = "other"  # 其他


class Urgency(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"


class FastTrack(StrEnum):
    """Grounds for 边办案 / 快查快结: transfer while the group is still stationed."""

    EIGHT_POINT_RULES = "eight_point_rules"  # 违反中央八项规定精神
    FOUR_WINDS = "four_winds"  # "四风"问题


class LeadChannel(StrEnum):
    """Which kind of authority receives a lead."""

    DISCIPLINE = "discipline"  # 纪委监委 (violations of discipline or law, and other leads)
    ORGANIZATION = "organization"  # 组织部 (选人用人)


class SourceKind(StrEnum):
    PETITION = "petition"  # 信访件
    INTERVIEW = "interview"  # 个别谈话
    DOCUMENT = "document"  # 查阅资料


class Disposition(StrEnum):
    """处置方式 of the receiving authority. 暂存待查 is not terminal: another one follows."""

    TALK_OR_INQUIRY = "talk_or_inquiry"  # 谈话函询
    PRELIMINARY_VERIFICATION = "preliminary_verification"  # 初步核实
    SHELVED = "shelved"  # 暂存待查
    CONCLUDED = "concluded"  # 予以了结
    CASE_FILED = "case_filed"  # 立案审查


class SourceRef(Contract):
    """Where a lead came from: a petition, an interview record or a document."""

    kind: SourceKind
    ref: str = Field(min_length=1, max_length=200)


class ReceivingAuthority(Contract):
    """The organization a lead goes to, determined by the subject's management level."""

    channel: LeadChannel
    organization_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)


class LeadRoute(Contract):
    """One line of the policy's routing table: leads of `channel` about cadres managed at
    `management_level` go to `organization_id`."""

    channel: LeadChannel
    management_level: CadreLevel
    organization_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)


@event("lead.registered")
class LeadRegistered(DomainEvent):
    sealed_fields: ClassVar[frozenset[str]] = frozenset(
        {"subject_name", "subject_position", "allegation"}
    )

    lead_id: UUID
    inspection_id: UUID
    round_id: UUID
    jurisdiction_id: str
    organization_id: str  # the inspected organization
    subject_name: str
    subject_position: str
    management_level: CadreLevel
    allegation: str
    sources: list[SourceRef]
    during_fieldwork: bool


@event("inspection.lead_registered")
class InspectionLeadRegistered(DomainEvent):
    """On the inspection's stream: the inspection knows its leads (见底清零 at round close)."""

    inspection_id: UUID
    lead_id: UUID


@event("lead.classified")
class LeadClassified(DomainEvent):
    lead_id: UUID
    inspection_id: UUID
    lead_type: LeadType
    urgency: Urgency
    fast_track: FastTrack | None
    meeting_ref: str


@event("lead.transfer_approved")
class LeadTransferApproved(DomainEvent):
    """The leading group approved the transfer to the authority the routing table names."""

    lead_id: UUID
    inspection_id: UUID
    receiver: ReceivingAuthority
    management_level: CadreLevel
    lead_type: LeadType
    approved_on: date
    note: str
    policy: PolicyRef


@event("lead.transferred")
class LeadTransferred(DomainEvent):
    """The office handed the sealed package over: the acknowledgement and outcome clocks
    start here, under the policy version recorded."""

    lead_id: UUID
    inspection_id: UUID
    receiver: ReceivingAuthority
    package_ref: str
    transferred_on: date
    acknowledgement_due: date
    outcome_due: date
    policy: PolicyRef


@event("lead.transferred_during_fieldwork")
class LeadTransferredDuringFieldwork(DomainEvent):
    """边办案: a fast-track lead handed over by the group leader while still stationed."""

    lead_id: UUID
    inspection_id: UUID
    receiver: ReceivingAuthority
    fast_track: FastTrack
    package_ref: str
    transferred_on: date
    acknowledgement_due: date
    outcome_due: date
    policy: PolicyRef


@event("lead.acknowledged")
class LeadAcknowledged(DomainEvent):
    lead_id: UUID
    inspection_id: UUID
    receiver_organization_id: str
    receiver_case_no: str
    acknowledged_on: date
    on_time: bool


@event("lead.acknowledgement_overdue")
class LeadAcknowledgementOverdue(DomainEvent):
    lead_id: UUID
    inspection_id: UUID
    receiver_organization_id: str
    due: date
    as_of: date
    policy: PolicyRef


@event("lead.disposition_recorded")
class LeadDispositionRecorded(DomainEvent):
    """What the receiving authority decided (处置方式), with the 四种形态 level if any."""

    sealed_fields: ClassVar[frozenset[str]] = frozenset({"note"})

    lead_id: UUID
    inspection_id: UUID
    receiver_organization_id: str
    category: Disposition
    four_forms_level: int | None = Field(default=None, ge=1, le=4)
    decided_on: date
    note: str


@event("lead.outcome_reported")
class LeadOutcomeReported(DomainEvent):
    sealed_fields: ClassVar[frozenset[str]] = frozenset({"summary"})

    lead_id: UUID
    inspection_id: UUID
    receiver_organization_id: str
    category: Disposition
    four_forms_level: int | None = Field(default=None, ge=1, le=4)
    summary: str
    reported_on: date
    on_time: bool


@event("lead.outcome_overdue")
class LeadOutcomeOverdue(DomainEvent):
    lead_id: UUID
    inspection_id: UUID
    receiver_organization_id: str
    due: date
    as_of: date
    policy: PolicyRef


@event("lead.closed")
class LeadClosed(DomainEvent):
    """销号办结: the office closed the lead after a terminal disposition and its outcome."""

    lead_id: UUID
    inspection_id: UUID
    closed_on: date

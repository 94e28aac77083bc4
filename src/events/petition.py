"""Events of a petition (信访件) received by an inspection group.

Each petition is its own `petition` stream: high volume and sealed data must not bloat the
inspection (DOMAIN.md §3.2). The petitioner's identity and the content are sealed (§7.3):
they stay in the event store and are redacted from every read model.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from xuncha.events.base import Contract, DomainEvent
from xuncha.events.registry import event


class PetitionChannel(StrEnum):
    LETTER = "letter"  # 来信
    VISIT = "visit"  # 来访
    PHONE = "phone"  # 来电
    EMAIL = "email"  # 电子邮件
    QR = "qr"  # 二维码 / online form


class Petitioner(Contract):
    """Who petitioned (sealed as a whole)."""

    name: str
    contact: str | None


class InScopeBasis(StrEnum):
    """Whom an in-scope petition is about."""

    LEADERSHIP_TEAM = "leadership_team"  # 领导班子及其成员
    NEXT_LEVEL_PRINCIPALS = "next_level_principals"  # 下一级党组织主要负责人
    KEY_POSTS = "key_posts"  # 重要岗位干部


class Discipline(StrEnum):
    """六大纪律."""

    POLITICAL = "political"
    ORGANIZATIONAL = "organizational"
    INTEGRITY = "integrity"  # 廉洁纪律
    MASSES = "masses"  # 群众纪律
    WORK = "work"  # 工作纪律
    LIFE = "life"  # 生活纪律


class OutOfScopeReason(StrEnum):
    PERSONAL_CLAIM = "personal_claim"  # 个人诉求
    LITIGATION = "litigation"  # 涉法涉诉
    OTHER_AUTHORITY = "other_authority"  # belongs to another authority's remit
    OTHER = "other"


@event("inspection.petition_channels_opened")
class PetitionChannelsOpened(DomainEvent):
    """On the inspection stream: the announced petition channels (信访渠道) open when the
    group is stationed."""

    inspection_id: UUID
    opened_on: date


@event("inspection.petition_channels_closed")
class PetitionChannelsClosed(DomainEvent):
    """The channels close when the group withdraws; later petitions go to the office or 纪委."""

    inspection_id: UUID
    closed_on: date


@event("petition.registered")
class PetitionRegistered(DomainEvent):
    """Received and registered (收件登记) by the group."""

    sealed_fields: ClassVar[frozenset[str]] = frozenset({"petitioner", "content"})
    petition_id: UUID
    inspection_id: UUID
    channel: PetitionChannel
    received_on: date
    anonymous: bool
    petitioner: Petitioner | None
    content: str


@event("petition.assessed_in_scope")
class PetitionAssessedInScope(DomainEvent):
    petition_id: UUID
    inspection_id: UUID
    basis: InScopeBasis
    disciplines: list[Discipline]
    meeting_id: UUID


@event("petition.assessed_out_of_scope")
class PetitionAssessedOutOfScope(DomainEvent):
    """Out of scope: it must now be forwarded to a named department (invariant 14)."""

    petition_id: UUID
    inspection_id: UUID
    reason: OutOfScopeReason
    note: str
    meeting_id: UUID


@event("petition.forwarded")
class PetitionForwarded(DomainEvent):
    petition_id: UUID
    inspection_id: UUID
    department_id: str
    department_name: str
    forwarded_on: date


@event("petition.forward_acknowledged")
class PetitionForwardAcknowledged(DomainEvent):
    """The receiving department acknowledged the forwarded petition; this closes it."""

    petition_id: UUID
    inspection_id: UUID
    department_id: str
    acknowledged_on: date
    receipt_no: str


@event("petition.linked_to_finding")
class PetitionLinkedToFinding(DomainEvent):
    petition_id: UUID
    inspection_id: UUID
    finding_id: UUID


@event("petition.linked_to_lead")
class PetitionLinkedToLead(DomainEvent):
    """An in-scope petition feeds a lead (问题线索) of the same inspection; its sealed content
    stays on `petition.registered` and is not copied here."""

    petition_id: UUID
    inspection_id: UUID
    lead_id: UUID


@event("petition.closed_no_action")
class PetitionClosedNoAction(DomainEvent):
    petition_id: UUID
    inspection_id: UUID
    reason: str
    meeting_id: UUID

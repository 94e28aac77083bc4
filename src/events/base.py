"""Base classes of the contract: domain events, the actor, and the metadata envelope."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict

SEALED = "[sealed]"


class Contract(BaseModel):
    """A frozen value of the contract that refuses unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class DomainEvent(Contract):
    """A fact that happened, named in the past tense.

    Each concrete event has a stable `type_name` (e.g. ``rectification.item_closed``) and a
    `schema_version`; both are set by the ``@event`` decorator of the registry, and are what
    the store records, never the Python path of the class.
    """

    type_name: ClassVar[str]
    schema_version: ClassVar[int]
    sealed_fields: ClassVar[frozenset[str]] = frozenset()
    """Fields classified sealed (e.g. a petitioner's identity, an interview's contents): kept
    in the event store only, never copied into read models, exports or integration events."""

    def public_data(self) -> dict[str, Any]:
        """The payload as JSON data with every sealed field replaced by a marker."""
        # warnings=False: an event read without unsealing holds markers in its sealed fields.
        data = self.model_dump(mode="json", warnings=False)
        for name in self.sealed_fields:
            if name in data:
                data[name] = SEALED
        return data


class Role(StrEnum):
    """The roles of DOMAIN.md Appendix B that can act or read in Xuncha."""

    COMMITTEE = "committee"  # 市委/县委 and its secretary
    LEADING_GROUP = "leading_group"  # 巡察工作领导小组
    INSPECTION_OFFICE = "inspection_office"  # 巡察办
    GROUP_LEADER = "group_leader"  # 组长
    DEPUTY_GROUP_LEADER = "deputy_group_leader"  # 副组长
    GROUP_MEMBER = "group_member"  # 组员
    EXTERNAL_EXPERT = "external_expert"  # 外聘专家
    INSPECTED_ORG_PRINCIPAL = "inspected_org_principal"  # 被巡察党组织主要负责人
    INSPECTED_ORG_LIAISON = "inspected_org_liaison"  # 整改联络员
    DISCIPLINE_COMMISSION = "discipline_commission"  # 纪委监委
    ORGANIZATION_DEPARTMENT = "organization_department"  # 组织部
    SUPERVISING_DEPARTMENT = "supervising_department"  # 业务主管单位
    AUDITOR = "auditor"
    DASHBOARD_READER = "dashboard_reader"
    INTEGRATION_CLIENT = "integration_client"
    SYSTEM = "system"  # the clock and process managers acting on their own


class Actor(Contract):
    """Who issued a command: user, role and the organization they act for."""

    user_id: str
    role: Role
    organization_id: str


class EventMetadata(Contract):
    """The envelope every stored event carries, beside its payload."""

    event_id: UUID
    stream_id: UUID
    stream_type: str
    stream_version: int
    occurred_at: datetime
    actor: Actor
    command: str
    reason: str | None = None
    correlation_id: UUID
    causation_id: UUID
    traceparent: str | None = None
    """The W3C trace context of the command that recorded the event, when tracing was on;
    stored only then (`EnvelopeMapper`), and handed on to Kafka as `ce_traceparent`."""


class RecordedEvent(Contract):
    """A domain event with its metadata, as stored; `position` is its place in the log."""

    metadata: EventMetadata
    event: DomainEvent
    position: int | None = None

    @property
    def type_name(self) -> str:
        return self.event.type_name

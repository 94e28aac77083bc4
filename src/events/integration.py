"""Integration events: the minimized, versioned facts Xuncha publishes to downstream systems.

Domain events stay rich and internal; what leaves Xuncha is decided here, type by type:
- each published domain event type has one mapping to one integration event, so the
  integration event keeps the domain event's id (the CloudEvents ``ce_id``) across re-sends;
- a mapping copies named fields out of the event's `public_data()` (sealed fields are already
  redacted there) and never passes a whole payload through;
- every domain event type without a mapping is internal and is not published (default deny:
  a new event type stays inside until someone decides what of it may leave).

Models refuse nothing extra on read (consumers must ignore unknown fields, since a version may
gain optional fields) and are frozen. Stable type names carry their version:
``xuncha.rectification.item_status_changed.v1``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar, Literal
from uuid import UUID, uuid5

from pydantic import BaseModel, ConfigDict, Field

from xuncha.events.base import RecordedEvent

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"


class IntegrationEvent(BaseModel):
    """A published fact. `topic` names the aggregate type whose topic carries it; the message
    key is the aggregate's id, so all facts of one aggregate keep their order."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    type_base: ClassVar[str]
    version: ClassVar[int]
    topic: ClassVar[str]

    @classmethod
    def ce_type(cls) -> str:
        return f"{cls.type_base}.v{cls.version}"

    @classmethod
    def schema_id(cls) -> str:
        return f"urn:xuncha:integration:{cls.ce_type()}"


TYPES: dict[str, type[IntegrationEvent]] = {}


def integration(type_base: str, topic: str, version: int = 1) -> Callable[[Any], Any]:
    def register(cls: type[IntegrationEvent]) -> type[IntegrationEvent]:
        cls.type_base, cls.version, cls.topic = type_base, version, topic
        key = cls.ce_type()
        if key in TYPES:
            raise ValueError(f"integration event {key} is already registered")
        TYPES[key] = cls
        return cls

    return register


# ---- topics: one per aggregate type (the relay prefixes them per deployment) ----
ROUND, INSPECTION, RECTIFICATION_ITEM, LEAD, RESULT = (
    "xuncha.round",
    "xuncha.inspection",
    "xuncha.rectification_item",
    "xuncha.lead",
    "xuncha.result",
)
AUDIT_CHECKPOINT = "xuncha.audit.checkpoint"
TOPICS: dict[str, str] = {
    ROUND: "rounds: proposed, approved, closed",
    INSPECTION: "inspections: planned, stage changes, feedback delivered",
    RECTIFICATION_ITEM: "rectification items (整改台账): opened, status, deadline changes",
    LEAD: "leads: transferred (the receiving authority's share only) and their status",
    RESULT: "shared inspection results (结果共享) for annual evaluations",
    AUDIT_CHECKPOINT: "signed tree heads of the event log (docs/security.md): collect them "
    "to verify the log from outside its database (key: the signing key's uuid5)",
}


class RoundStatus(StrEnum):
    APPROVED = "approved"
    CLOSED = "closed"


@integration("xuncha.round.proposed", ROUND)
class RoundProposedV1(IntegrationEvent):
    """A round of inspections was proposed (its plan, not yet approved)."""

    round_id: UUID
    jurisdiction_id: str
    name: str
    round_type: str
    planned_start: date
    planned_end: date


@integration("xuncha.round.status_changed", ROUND)
class RoundStatusChangedV1(IntegrationEvent):
    round_id: UUID
    status: RoundStatus


@integration("xuncha.inspection.planned", INSPECTION)
class InspectionPlannedV1(IntegrationEvent):
    """An organization will be inspected in a round."""

    inspection_id: UUID
    round_id: UUID
    jurisdiction_id: str
    round_type: str
    organization_id: str
    organization_name: str


class InspectionStage(StrEnum):
    NOTIFIED = "notified"
    ANNOUNCED = "announced"
    STATIONED = "stationed"
    WITHDRAWN = "withdrawn"
    REPORT_APPROVED = "report_approved"
    RECTIFYING = "rectifying"
    RECTIFICATION_REPORT_ACCEPTED = "rectification_report_accepted"
    CLOSED = "closed"


@integration("xuncha.inspection.stage_changed", INSPECTION)
class InspectionStageChangedV1(IntegrationEvent):
    """The inspection reached a stage; `effective_on` is the day it happened where the
    domain records one (stationing, withdrawal, approval, plan acceptance, closing)."""

    inspection_id: UUID
    stage: InspectionStage
    effective_on: date | None = None


@integration("xuncha.inspection.feedback_delivered", INSPECTION)
class FeedbackDeliveredV1(IntegrationEvent):
    """Joint feedback was delivered: the rectification clocks started."""

    inspection_id: UUID
    delivered_on: date
    ledger_items: int = Field(ge=0, description="number of problems in the feedback ledger")
    plan_due: date
    written_report_due: date


@integration("xuncha.rectification.item_opened", RECTIFICATION_ITEM)
class RectificationItemOpenedV1(IntegrationEvent):
    """A problem of the ledger is now a rectification item with a deadline. The problem
    text, measures and the responsible leader's name stay inside."""

    item_id: UUID
    inspection_id: UUID
    round_id: UUID
    organization_id: str
    organization_name: str
    ledger_item_no: int
    responsible_department: str
    deadline: date


class ItemStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    CLOSURE_REQUESTED = "closure_requested"
    VERIFIED = "verified"
    VERIFICATION_FAILED = "verification_failed"
    CLOSED = "closed"
    LONG_TERM = "long_term"
    REOPENED = "reopened"


@integration("xuncha.rectification.item_status_changed", RECTIFICATION_ITEM)
class ItemStatusChangedV1(IntegrationEvent):
    """`percent` comes with progress reports; `closed_on` and `on_time` with closing. An item
    once `long_term` stays long-term through `in_progress`, `verification_failed` and
    `reopened` (work resumes on the long-term plan) until it is closed; its new deadline comes
    as `item_deadline_changed` with the same stream version."""

    item_id: UUID
    inspection_id: UUID
    status: ItemStatus
    percent: int | None = Field(default=None, ge=0, le=100)
    closed_on: date | None = None
    on_time: bool | None = None


@integration("xuncha.rectification.item_deadline_changed", RECTIFICATION_ITEM)
class ItemDeadlineChangedV1(IntegrationEvent):
    """An approved extension or a long-term reclassification moved the deadline."""

    item_id: UUID
    inspection_id: UUID
    previous_deadline: date
    deadline: date


@integration("xuncha.lead.transferred", LEAD)
class LeadTransferredV1(IntegrationEvent):
    """The receiving authority's share of a transfer: which lead, from which inspection, to
    whom, and when it is due. The subject, the allegation and the package stay sealed; the
    package itself travels through the confidential channel under `package_ref`."""

    lead_id: UUID
    inspection_id: UUID
    receiver_organization_id: str
    receiver_channel: str
    package_ref: str
    transferred_on: date
    acknowledgement_due: date
    outcome_due: date


class LeadStatus(StrEnum):
    ACKNOWLEDGED = "acknowledged"
    DISPOSITION_RECORDED = "disposition_recorded"
    OUTCOME_REPORTED = "outcome_reported"
    CLOSED = "closed"


@integration("xuncha.lead.status_changed", LEAD)
class LeadStatusChangedV1(IntegrationEvent):
    """Where a transferred lead stands; no category, no texts."""

    lead_id: UUID
    inspection_id: UUID
    status: LeadStatus


@integration("xuncha.result.inspection_result_shared", RESULT)
class InspectionResultSharedV1(IntegrationEvent):
    """结果共享: counts, rates and the grade of one inspected organization, for 年度考核,
    干部考察 and 评先评优."""

    result_id: UUID
    inspection_id: UUID
    round_id: UUID
    organization_id: str
    organization_name: str
    basis: str
    findings_total: int
    items_total: int | None = None
    items_closed: int | None = None
    completion_rate: float | None = None
    leads_transferred: int | None = None
    leads_open: int | None = None
    evaluation_grade: str | None = None
    published_on: date


HEX64 = r"^[0-9a-f]{64}$"


@integration("xuncha.audit.checkpoint_signed", AUDIT_CHECKPOINT)
class CheckpointSignedV1(IntegrationEvent):
    """A signed tree head of the event log: checkpoint format v2 (docs/security.md).

    Not a domain event: the relay publishes each stored v2 checkpoint once it is signed."""

    format: Literal["xuncha.checkpoint.v2"]
    position: int = Field(ge=1, description="notification id of the last event covered")
    link: str = Field(pattern=HEX64, description="the hash chain's link at position")
    tree_size: int = Field(ge=1, description="events (Merkle leaves) covered")
    root: str = Field(pattern=HEX64, description="RFC 9162 Merkle tree hash")
    key_id: str = Field(pattern=r"^[0-9a-f]{16}$")
    signature: str = Field(pattern=r"^[0-9a-f]{128}$", description="Ed25519, hex")
    signed_at: datetime
    timestamp_ms: int = Field(description="signed_at in ms since the Unix epoch (signed)")


# ---- the mapping: domain event type -> integration event (default: internal) ----
Mapping = Callable[[dict[str, Any]], IntegrationEvent]


def _pick(data: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: data[name] for name in names if name in data}


def _stage(stage: InspectionStage, day: str | None = None) -> Mapping:
    return lambda d: InspectionStageChangedV1(
        inspection_id=d["inspection_id"], stage=stage, effective_on=d.get(day) if day else None
    )


def _item(status: ItemStatus) -> Mapping:
    def build(d: dict[str, Any]) -> IntegrationEvent:
        extra = _pick(d, "closed_on", "on_time") if status is ItemStatus.CLOSED else {}
        if "percent" in d and status is ItemStatus.IN_PROGRESS:
            extra["percent"] = d["percent"]
        return ItemStatusChangedV1(
            item_id=d["item_id"], inspection_id=d["inspection_id"], status=status, **extra
        )

    return build


def _lead(status: LeadStatus) -> Mapping:
    return lambda d: LeadStatusChangedV1(
        lead_id=d["lead_id"], inspection_id=d["inspection_id"], status=status
    )


def _lead_transferred(d: dict[str, Any]) -> IntegrationEvent:
    receiver = d["receiver"]
    return LeadTransferredV1(
        receiver_organization_id=receiver["organization_id"],
        receiver_channel=receiver["channel"],
        **_pick(
            d,
            "lead_id",
            "inspection_id",
            "package_ref",
            "transferred_on",
            "acknowledgement_due",
            "outcome_due",
        ),
    )


def _result_shared(d: dict[str, Any]) -> IntegrationEvent:
    rect = d.get("rectification") or {}
    leads = d.get("leads") or {}
    return InspectionResultSharedV1(
        items_total=rect.get("items_total"),
        items_closed=rect.get("items_closed"),
        completion_rate=rect.get("completion_rate"),
        leads_transferred=leads.get("transferred"),
        leads_open=leads.get("open"),
        **_pick(
            d,
            "result_id",
            "inspection_id",
            "round_id",
            "organization_id",
            "organization_name",
            "basis",
            "findings_total",
            "evaluation_grade",
            "published_on",
        ),
    )


MAPPINGS: dict[str, Mapping] = {
    "round.proposed": lambda d: RoundProposedV1.model_validate(
        _pick(
            d, "round_id", "jurisdiction_id", "name", "round_type", "planned_start", "planned_end"
        )
    ),
    "round.approved": lambda d: RoundStatusChangedV1(
        round_id=d["round_id"], status=RoundStatus.APPROVED
    ),
    "round.closed": lambda d: RoundStatusChangedV1(
        round_id=d["round_id"], status=RoundStatus.CLOSED
    ),
    "inspection.planned": lambda d: InspectionPlannedV1.model_validate(
        _pick(
            d,
            "inspection_id",
            "round_id",
            "jurisdiction_id",
            "round_type",
            "organization_id",
            "organization_name",
        )
    ),
    "inspection.notice_issued": _stage(InspectionStage.NOTIFIED, "notice_date"),
    "inspection.announcement_published": _stage(InspectionStage.ANNOUNCED, "published_on"),
    "inspection.group_stationed": _stage(InspectionStage.STATIONED, "stationed_on"),
    "inspection.group_withdrawn": _stage(InspectionStage.WITHDRAWN, "withdrawn_on"),
    "inspection.report_approved": _stage(InspectionStage.REPORT_APPROVED, "approved_on"),
    "inspection.rectification_plan_accepted": _stage(InspectionStage.RECTIFYING, "accepted_on"),
    "inspection.rectification_report_accepted": _stage(
        InspectionStage.RECTIFICATION_REPORT_ACCEPTED
    ),
    "inspection.closed": _stage(InspectionStage.CLOSED, "closed_on"),
    "inspection.feedback_delivered": lambda d: FeedbackDeliveredV1(
        ledger_items=len(d["ledger_item_nos"]),
        **_pick(d, "inspection_id", "delivered_on", "plan_due", "written_report_due"),
    ),
    "rectification.item_opened": lambda d: RectificationItemOpenedV1.model_validate(
        _pick(
            d,
            "item_id",
            "inspection_id",
            "round_id",
            "organization_id",
            "organization_name",
            "ledger_item_no",
            "responsible_department",
            "deadline",
        )
    ),
    "rectification.progress_reported": _item(ItemStatus.IN_PROGRESS),
    "rectification.closure_requested": _item(ItemStatus.CLOSURE_REQUESTED),
    "rectification.item_verified": _item(ItemStatus.VERIFIED),
    "rectification.verification_failed": _item(ItemStatus.VERIFICATION_FAILED),
    "rectification.item_closed": _item(ItemStatus.CLOSED),
    "rectification.item_reclassified_long_term": _item(ItemStatus.LONG_TERM),
    "rectification.item_reopened": _item(ItemStatus.REOPENED),
    "rectification.item_deadline_extended": lambda d: ItemDeadlineChangedV1.model_validate(
        _pick(d, "item_id", "inspection_id", "previous_deadline", "deadline")
    ),
    "lead.transferred": _lead_transferred,
    "lead.transferred_during_fieldwork": _lead_transferred,
    "lead.acknowledged": _lead(LeadStatus.ACKNOWLEDGED),
    "lead.disposition_recorded": _lead(LeadStatus.DISPOSITION_RECORDED),
    "lead.outcome_reported": _lead(LeadStatus.OUTCOME_REPORTED),
    "lead.closed": _lead(LeadStatus.CLOSED),
    "results.inspection_result_shared": _result_shared,
}


# Domain events that publish a second fact: a long-term reclassification changes the status
# and moves the deadline, and a consumer must learn both.
ALSO: dict[str, Mapping] = {
    "rectification.item_reclassified_long_term": lambda d: ItemDeadlineChangedV1.model_validate(
        _pick(d, "item_id", "inspection_id", "previous_deadline", "deadline")
    ),
}


def to_integration(recorded: RecordedEvent) -> IntegrationEvent | None:
    """The (first) integration event of a domain event, or None if the type is internal."""
    published = to_integrations(recorded)
    return published[0] if published else None


def to_integrations(recorded: RecordedEvent) -> list[IntegrationEvent]:
    """Every integration event a domain event publishes, in order (none if internal)."""
    type_name = recorded.event.type_name
    mappings = [m for m in (MAPPINGS.get(type_name), ALSO.get(type_name)) if m is not None]
    data = recorded.event.public_data() if mappings else {}
    return [mapping(data) for mapping in mappings]


def message_id(event_id: UUID, index: int, published: IntegrationEvent) -> UUID:
    """`ce_id` of the index-th message of a domain event: the event id for the first (as
    always), a name-based UUID of the event id and the type for any further one: stable
    across re-sends, so consumers deduplicate every message the same way."""
    return event_id if index == 0 else uuid5(event_id, published.ce_type())


def is_published(type_name: str) -> bool:
    return type_name in MAPPINGS


def integration_types() -> Iterator[type[IntegrationEvent]]:
    return iter(sorted(TYPES.values(), key=lambda cls: cls.ce_type()))


# ---- inbound: the discipline commission's messages about leads (anti-corruption layer) ----
class InboundLeadAcknowledgedV1(IntegrationEvent):
    """The receiving authority registered the transferred lead under its own case number."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    lead_id: UUID
    receiver_case_no: str = Field(min_length=1, max_length=100)
    acknowledged_on: date


class InboundLeadDispositionRecordedV1(IntegrationEvent):
    """处置方式 decided by the receiving authority, with the 四种形态 level if any."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    lead_id: UUID
    category: str = Field(min_length=1, max_length=50)
    four_forms_level: int | None = Field(default=None, ge=1, le=4)
    decided_on: date
    note: str = Field(default="", max_length=4000)


class InboundLeadOutcomeReportedV1(IntegrationEvent):
    """The outcome of the lead, reported back within the agreed period."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    lead_id: UUID
    four_forms_level: int | None = Field(default=None, ge=1, le=4)
    summary: str = Field(min_length=1, max_length=4000)
    reported_on: date


DISPOSITIONS_TOPIC = "xuncha.lead_dispositions"
DEAD_LETTER_SUFFIX = ".dlq"
INBOUND: dict[str, type[IntegrationEvent]] = {}
for _type, _cls in (
    ("gov.jw.lead.acknowledged", InboundLeadAcknowledgedV1),
    ("gov.jw.lead.disposition_recorded", InboundLeadDispositionRecordedV1),
    ("gov.jw.lead.outcome_reported", InboundLeadOutcomeReportedV1),
):
    _cls.type_base, _cls.version, _cls.topic = _type, 1, DISPOSITIONS_TOPIC
    INBOUND[_cls.ce_type()] = _cls

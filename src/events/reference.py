"""Reference data as events: jurisdictions, the registry of Party organizations they manage,
and the term coverage plan (届内全覆盖). Versioned by their streams; nothing is edited."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from xuncha.events.base import DomainEvent
from xuncha.events.registry import event


class JurisdictionLevel(StrEnum):
    CITY = "city"  # 市
    COUNTY = "county"  # 县
    DISTRICT = "district"  # 区


class OrganizationType(StrEnum):
    """Kinds of inspected Party organization (被巡察对象)."""

    DEPARTMENT = "department"  # 部门党组（党委）
    TOWNSHIP = "township"  # 乡镇（街道）党（工）委
    STATE_OWNED_ENTERPRISE = "state_owned_enterprise"  # 国有企业党委
    PUBLIC_INSTITUTION = "public_institution"  # 事业单位党组织
    SCHOOL = "school"  # 学校党组织
    VILLAGE = "village"  # 村（社区）党组织
    OTHER = "other"


@event("jurisdiction.registered")
class JurisdictionRegistered(DomainEvent):
    jurisdiction_id: str
    name: str
    level: JurisdictionLevel
    parent_id: str | None
    committee: str


@event("jurisdiction.organization_registered")
class OrganizationRegistered(DomainEvent):
    """An organization joins the registry of the jurisdiction whose committee manages it."""

    jurisdiction_id: str
    organization_id: str
    name: str
    organization_type: OrganizationType
    supervising_department: str | None


@event("jurisdiction.organization_renamed")
class OrganizationRenamed(DomainEvent):
    jurisdiction_id: str
    organization_id: str
    name: str


@event("jurisdiction.organization_deregistered")
class OrganizationDeregistered(DomainEvent):
    """Abolished or merged: no longer a target, kept in history."""

    jurisdiction_id: str
    organization_id: str
    reason: str


@event("coverage.plan_drafted")
class TermCoveragePlanDrafted(DomainEvent):
    plan_id: str
    jurisdiction_id: str
    term: str
    term_start: date
    term_end: date
    organization_ids: list[str]


@event("coverage.plan_approved")
class TermCoveragePlanApproved(DomainEvent):
    plan_id: str
    jurisdiction_id: str
    term: str

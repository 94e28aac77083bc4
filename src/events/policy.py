"""Events of a jurisdiction's policy profile: versioned, effective-dated parameters."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field, field_validator

from xuncha.events.base import Contract, DomainEvent
from xuncha.events.lead import CadreLevel, LeadChannel, LeadRoute
from xuncha.events.registry import event, upcaster


def default_lead_routes() -> list[LeadRoute]:
    """Leads go to the authority that manages the subject (干部管理权限): discipline and other
    leads to that level's 纪委监委 (unit-managed cadres: the embedded discipline team),
    cadre-selection leads to that level's 组织部. The ids are placeholders that a jurisdiction
    overrides with its real organizations."""
    discipline = {
        CadreLevel.PROVINCE_MANAGED: ("provincial-discipline-commission", "省纪委监委"),
        CadreLevel.CITY_MANAGED: ("city-discipline-commission", "市纪委监委"),
        CadreLevel.COUNTY_MANAGED: ("county-discipline-commission", "县纪委监委"),
        CadreLevel.UNIT_MANAGED: ("embedded-discipline-team", "派驻纪检监察组"),
    }
    organization = {
        CadreLevel.PROVINCE_MANAGED: ("provincial-organization-department", "省委组织部"),
        CadreLevel.CITY_MANAGED: ("city-organization-department", "市委组织部"),
        CadreLevel.COUNTY_MANAGED: ("county-organization-department", "县委组织部"),
        CadreLevel.UNIT_MANAGED: ("city-organization-department", "市委组织部"),
    }
    return [
        LeadRoute(channel=channel, management_level=level, organization_id=org, name=name)
        for channel, table in (
            (LeadChannel.DISCIPLINE, discipline),
            (LeadChannel.ORGANIZATION, organization),
        )
        for level, (org, name) in table.items()
    ]


class PolicyParametersV1(Contract):
    """The parameters of `policy.version_published` v1, read through the upcaster."""

    notice_lead_days: int
    group_size_min: int
    group_size_max: int
    deputies_min: int
    deputies_max: int
    plan_due_days: int
    written_report_months: int
    item_deadline_max_months: int
    warn_green_days: int
    warn_yellow_days: int


class PolicyParametersV3(Contract):
    """The parameters of `policy.version_published` v3; `PolicyParameters` (v4) extends them.

    Defaults: the written rectification report is due 2 months after feedback (2015 Regulation
    Art. 27); the others are common local practice and meant to be overridden.
    """

    notice_lead_days: int = Field(default=10, ge=0, le=90)
    group_size_min: int = Field(default=5, ge=1, le=50)
    group_size_max: int = Field(default=8, ge=1, le=50)
    deputies_min: int = Field(default=1, ge=0, le=10)
    deputies_max: int = Field(default=2, ge=0, le=10)
    plan_due_days: int = Field(default=30, ge=1, le=180)
    written_report_months: int = Field(default=2, ge=1, le=12)
    item_deadline_max_months: int = Field(default=12, ge=1, le=60)
    warn_green_days: int = Field(default=20, ge=0, le=365)
    warn_yellow_days: int = Field(default=10, ge=0, le=365)
    # Groups, talent pool and cross rounds (v3; all local practice, DOMAIN.md §4.1, §4.8, §6.2):
    # 三个不固定 warns when a leader led the same target or group within this many rounds.
    leader_rotation_rounds: int = Field(default=2, ge=0, le=20)
    recusal_work_lookback_months: int = Field(default=36, ge=0, le=240)  # 近期工作 回避
    forbid_reciprocal_cross_pairs: bool = True  # no 你巡我、我巡你 in one cross round
    require_training_before_authorization: bool = False
    composition_mixed_gender: bool = True  # balance warnings (soft): 性别
    composition_min_age_span_years: int = Field(default=10, ge=0, le=60)  # 年龄
    composition_senior_years: int = Field(default=10, ge=0, le=60)  # 资历
    composition_min_specialties: int = Field(default=3, ge=0, le=20)  # 专业
    composition_min_temperaments: int = Field(default=2, ge=0, le=20)  # 性格
    composition_max_external_percent: int = Field(default=50, ge=0, le=100)  # 外聘专家
    # Fieldwork (v2): departments asked for pre-inspection briefings (2015 Art. 21).
    briefing_providers: list[str] = Field(
        default_factory=lambda: [
            "discipline",
            "organization",
            "audit",
            "petitions",
            "political_legal",
            "finance",
        ],
        min_length=1,
        max_length=30,
    )
    interviewers_min: int = Field(default=2, ge=1, le=10)  # below 2 still means 2 (inv. 7)
    site_visit_methods: list[str] = Field(
        default_factory=lambda: ["四不两直", "实地走访", "下沉调研", "座谈", "暗访"],
        min_length=1,
        max_length=30,
    )
    survey_min_responses: int = Field(default=5, ge=1, le=10000)
    work_report_problem_share_min: int = Field(default=70, ge=0, le=100)
    temp_branch_secretary_is_leader: bool = True
    other_management_systems: list[str] = Field(
        default_factory=lambda: ["廉洁自律"], min_length=1, max_length=20
    )
    # Rectification and follow-up (v3).
    life_meeting_days: int = Field(default=30, ge=1, le=180)  # 专题民主生活会 after feedback
    evaluation_delay_months: int = Field(default=6, ge=0, le=36)  # 整改评估 after the period
    require_joint_feedback_team: bool = False  # 联合反馈 required before delivery
    joint_team_requires_discipline_and_organization: bool = True
    share_responsible_leaders: bool = False  # shared results name 责任领导 only if allowed
    # Leads (v3): acknowledgement within `lead_ack_days` of the transfer, outcome within
    # `lead_outcome_months` (3 months per a secondary source; the national rule says
    # "在确定的期限内"); `lead_routes` maps the subject's management level to the authority.
    lead_ack_days: int = Field(default=15, ge=1, le=180)
    lead_outcome_months: int = Field(default=3, ge=1, le=24)
    lead_routes: list[LeadRoute] = Field(default_factory=default_lead_routes, max_length=100)

    @field_validator("lead_routes")
    @classmethod
    def _one_route_per_level(cls, routes: list[LeadRoute]) -> list[LeadRoute]:
        keys = [(r.channel, r.management_level) for r in routes]
        twice = sorted({f"{c}/{level}" for c, level in keys if keys.count((c, level)) > 1})
        if twice:
            raise ValueError(f"more than one lead route for {', '.join(twice)}")
        return routes

    def lead_route(self, channel: LeadChannel, level: CadreLevel) -> LeadRoute | None:
        """The routing-table line for a lead of `channel` about a cadre managed at `level`."""
        return next(
            (r for r in self.lead_routes if r.channel == channel and r.management_level == level),
            None,
        )


class PolicyParameters(PolicyParametersV3):
    """Deadlines and thresholds that differ by jurisdiction (DOMAIN.md §6.3): v3's and the
    data-consistency warnings of closures (v4; local practice, DOMAIN.md §6.2, signs of
    纸面整改): an item closed within `quick_closure_days` of its opening, and an organization
    with `bulk_closure_threshold` or more items closed on one day."""

    quick_closure_days: int = Field(default=7, ge=0, le=365)
    bulk_closure_threshold: int = Field(default=10, ge=1, le=10000)


class PolicyVersionPublishedV1(DomainEvent):
    """Version 1, before the fieldwork parameters; read through the upcaster."""

    jurisdiction_id: str
    version: int
    effective_from: date
    parameters: PolicyParametersV1


class PolicyParametersV2(Contract):
    """The parameters of `policy.version_published` v2 (v1 plus the fieldwork parameters)."""

    notice_lead_days: int
    group_size_min: int
    group_size_max: int
    deputies_min: int
    deputies_max: int
    plan_due_days: int
    written_report_months: int
    item_deadline_max_months: int
    warn_green_days: int
    warn_yellow_days: int
    briefing_providers: list[str]
    interviewers_min: int
    site_visit_methods: list[str]
    survey_min_responses: int
    work_report_problem_share_min: int
    temp_branch_secretary_is_leader: bool
    other_management_systems: list[str]


class PolicyVersionPublishedV2(DomainEvent):
    """Version 2, before the rectification, follow-up and lead parameters."""

    jurisdiction_id: str
    version: int
    effective_from: date
    parameters: PolicyParametersV2


class PolicyVersionPublishedV3(DomainEvent):
    """Version 3, before the closure-warning parameters."""

    jurisdiction_id: str
    version: int
    effective_from: date
    parameters: PolicyParametersV3


@event("policy.version_published", version=4)
class PolicyVersionPublished(DomainEvent):
    jurisdiction_id: str
    version: int
    effective_from: date
    parameters: PolicyParameters


@upcaster("policy.version_published", 1, legacy_model=PolicyVersionPublishedV1)
def _policy_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """v2 adds parameters; a v1 version keeps its values and takes the defaults of the rest."""
    defaults = PolicyParameters().model_dump(mode="json")
    return {**data, "parameters": {**defaults, **data["parameters"]}}


@upcaster("policy.version_published", 2, legacy_model=PolicyVersionPublishedV2)
def _policy_v2_to_v3(data: dict[str, Any]) -> dict[str, Any]:
    """v3 adds the rectification, follow-up, lead, group, pool and cross-round parameters,
    with their defaults."""
    defaults = PolicyParameters().model_dump(mode="json")
    return {**data, "parameters": {**defaults, **data["parameters"]}}


@upcaster("policy.version_published", 3, legacy_model=PolicyVersionPublishedV3)
def _policy_v3_to_v4(data: dict[str, Any]) -> dict[str, Any]:
    """v4 adds the closure-warning parameters (quick and bulk closures), with their defaults."""
    defaults = PolicyParameters().model_dump(mode="json")
    return {**data, "parameters": {**defaults, **data["parameters"]}}

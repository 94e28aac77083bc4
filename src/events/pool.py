"""Events of the talent pool (巡察人才库): members, outside experts, and reproducible draws.

A pool member is one stream per person (`pool_member`); each jurisdiction's roster
(`talent_pool`) lists who was enrolled, so a draw can find its candidates; each draw is its own
stream (`draw`) holding everything needed to re-derive it (DOMAIN.md §7.7).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from uuid import UUID

from pydantic import Field

from xuncha.events.base import Contract, DomainEvent
from xuncha.events.registry import event


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"


class Relation(StrEnum):
    """Whose tie it is: the person, the spouse, or a direct relative (直系亲属)."""

    SELF = "self"
    SPOUSE = "spouse"
    PARENT = "parent"
    CHILD = "child"
    SIBLING = "sibling"
    GRANDPARENT = "grandparent"
    GRANDCHILD = "grandchild"


class ExpertCategory(StrEnum):
    """外聘专家 categories."""

    RETIRED_CADRE = "retired_cadre"  # 离退休干部
    ACCOUNTANT = "accountant"  # 会计师
    AUDITOR = "auditor"  # 审计师
    LAWYER = "lawyer"  # 律师
    NPC_DEPUTY = "npc_deputy"  # 人大代表
    CPPCC_MEMBER = "cppcc_member"  # 政协委员


class RelativeTie(Contract):
    """A relative working in an organization (for 亲属回避)."""

    relation: Relation
    organization_id: str = Field(min_length=1, max_length=64)


class WorkSpell(Contract):
    """Where the person worked, from `start` to `end` (None: still there)."""

    organization_id: str = Field(min_length=1, max_length=64)
    start: date
    end: date | None = None


class InspectorProfile(Contract):
    """A pool member's profile: what draws filter on, what recusal and balance checks read."""

    user_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=100)
    specialties: list[str] = Field(default_factory=list, max_length=20)
    seniority_years: int = Field(ge=0, le=60)
    birth_year: int = Field(ge=1, le=9999)
    gender: Gender
    temperament: str = Field(default="", max_length=40)
    home_jurisdiction: str = Field(min_length=1, max_length=64)
    employer_organization: str = Field(min_length=1, max_length=64)
    relatives_organizations: list[RelativeTie] = Field(default_factory=list, max_length=50)
    recent_work: list[WorkSpell] = Field(default_factory=list, max_length=50)


@event("pool_member.nominated")
class PoolMemberNominated(DomainEvent):
    member_id: UUID
    jurisdiction_id: str
    profile: InspectorProfile
    nominating_organization: str


@event("pool_member.external_expert_engaged")
class ExternalExpertEngaged(DomainEvent):
    """An outside expert joins the pool, flagged external, available at once."""

    member_id: UUID
    jurisdiction_id: str
    profile: InspectorProfile
    category: ExpertCategory
    external: bool


@event("pool_member.admitted")
class PoolMemberAdmitted(DomainEvent):
    member_id: UUID


@event("pool_member.suspended")
class PoolMemberSuspended(DomainEvent):
    member_id: UUID
    reason: str


@event("pool_member.removed")
class PoolMemberRemoved(DomainEvent):
    member_id: UUID
    reason: str


class ServiceGrade(StrEnum):
    """The grade of a service evaluation (鉴定)."""

    EXCELLENT = "excellent"  # 优秀
    COMPETENT = "competent"  # 称职
    BASICALLY_COMPETENT = "basically_competent"  # 基本称职
    INCOMPETENT = "incompetent"  # 不称职


@event("pool_member.service_evaluation_issued")
class ServiceEvaluationIssued(DomainEvent):
    """The evaluation of a member's service in a dissolved group, sent to their employer (for
    the personnel file)."""

    member_id: UUID
    user_id: str
    group_id: UUID
    grade: ServiceGrade
    text: str
    sent_to: str
    issued_on: date


@event("talent_pool.member_enrolled")
class TalentPoolMemberEnrolled(DomainEvent):
    """The jurisdiction's roster gained a member (nominated or engaged)."""

    jurisdiction_id: str
    member_id: UUID
    user_id: str


class DrawCandidate(Contract):
    """One candidate of a draw, with every attribute the filters read."""

    member_id: UUID
    user_id: str
    specialties: list[str]
    external: bool
    home_jurisdiction: str
    organizations: list[str]  # employer, relatives' and recent (within lookback) workplaces


class DrawFilters(Contract):
    """Which candidates are eligible: an empty list means no condition."""

    specialties_any: list[str] = Field(default_factory=list, max_length=20)
    include_external: bool = True
    exclude_organizations: list[str] = Field(default_factory=list, max_length=100)
    exclude_home_jurisdictions: list[str] = Field(default_factory=list, max_length=50)
    exclude_user_ids: list[str] = Field(default_factory=list, max_length=100)


@event("draw.pool_members_drawn")
class PoolMembersDrawn(DomainEvent):
    """A random draw (随机抽取) anyone can re-derive from this event alone.

    `drawn` = draw(candidates, filters, count, seed, algorithm); `digest` is the SHA-256 of
    the canonical JSON of everything else, so an altered candidate list is detected even
    when it would not change the result.
    """

    draw_id: UUID
    jurisdiction_id: str
    round_id: UUID | None
    group_id: UUID | None
    purpose: str
    candidates: list[DrawCandidate]
    filters: DrawFilters
    count: int
    seed: str
    algorithm: str
    algorithm_version: int
    drawn: list[UUID]
    digest: str

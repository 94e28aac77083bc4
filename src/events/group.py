"""Events of an inspection group (巡察组): leadership, recusal, composition, pledges, training,
secondment and authorization (一次一授权)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from uuid import UUID

from xuncha.events.base import Contract, DomainEvent
from xuncha.events.pool import RelativeTie, WorkSpell
from xuncha.events.registry import event
from xuncha.events.values import Member, RoundType


class GroupRole(StrEnum):
    LEADER = "leader"  # 组长
    DEPUTY = "deputy"  # 副组长
    MEMBER = "member"  # 组员


class ConflictKind(StrEnum):
    """Kinds of 回避."""

    APPOINTMENT = "appointment"  # 任职回避: the person holds office in (works for) the target
    RELATIVE = "relative"  # spouse or direct relative works in the target
    RECENT_WORK = "recent_work"  # worked in the target within the policy's lookback
    REGIONAL = "regional"  # 地域回避: home jurisdiction is the target's, in cross/linked rounds


class AuthorizerKind(StrEnum):
    """Who authorizes: the dispatching committee, or in cross rounds the target county's
    committee (互派式) or the city committee (提级交叉)."""

    DISPATCHING_COMMITTEE = "dispatching_committee"
    TARGET_COUNTY_COMMITTEE = "target_county_committee"
    CITY_COMMITTEE = "city_committee"


class SecondmentDirection(StrEnum):
    CITY_TO_COUNTY = "city_to_county"  # 市级巡察干部到县级巡察组任组长/副组长
    COUNTY_TO_CITY = "county_to_city"  # 县级巡察干部到市级巡察组


class GroupTarget(Contract):
    """One inspection (target organization) the group is meant for."""

    inspection_id: UUID
    organization_id: str
    organization_name: str
    jurisdiction_id: str  # where the target lies (the inspected county in cross rounds)


class GroupPerson(Contract):
    user_id: str
    name: str
    role: GroupRole
    external: bool = False


class Conflict(Contract):
    user_id: str
    kind: ConflictKind
    organization_id: str  # the target organization, or the target jurisdiction for regional
    detail: str


@event("group.leadership_proposed")
class GroupLeadershipProposed(DomainEvent):
    """巡察办 with 组织部 proposes the leader and deputies of a group for its targets."""

    group_id: UUID
    round_id: UUID
    jurisdiction_id: str
    round_type: RoundType
    name: str
    targets: list[GroupTarget]
    leader: Member
    deputies: list[Member]
    home_jurisdiction: str  # where the group comes from (the inspecting county in cross rounds)
    authorizer: AuthorizerKind
    authorizing_committee: str | None  # None: the round's dispatching committee


@event("group.leadership_rotation_warning_raised")
class LeadershipRotationWarningRaised(DomainEvent):
    """三个不固定 (soft): the leader led this target or this group within the last rounds."""

    group_id: UUID
    leader_user_id: str
    subject: str  # "organization" or "group"
    subject_id: str
    previous_round_id: UUID
    rounds_ago: int
    within_rounds: int


@event("group.recusal_declared")
class RecusalDeclared(DomainEvent):
    """回避申请书: the person's ties; `conflicts` are those found against the targets."""

    sealed_fields = frozenset({"relatives", "work"})

    group_id: UUID
    user_id: str
    declared_on: date
    holds_office_in: list[str]
    relatives: list[RelativeTie]
    work: list[WorkSpell]
    home_jurisdiction: str | None
    conflicts: list[Conflict]


@event("group.recusal_cleared")
class RecusalCleared(DomainEvent):
    group_id: UUID
    user_id: str


@event("group.member_recused")
class MemberRecused(DomainEvent):
    group_id: UUID
    user_id: str
    role: GroupRole
    reason: str


@event("group.formed")
class InspectionGroupFormed(DomainEvent):
    group_id: UUID
    leader: GroupPerson
    deputies: list[GroupPerson]
    members: list[GroupPerson]
    policy_version: int


@event("group.composition_warning_raised")
class CompositionWarningRaised(DomainEvent):
    """Composition balance (soft): recorded, never refused."""

    group_id: UUID
    aspect: str  # gender, age, seniority, specialty, temperament, external_share
    detail: str


@event("group.confidentiality_pledge_signed")
class ConfidentialityPledgeSigned(DomainEvent):
    group_id: UUID
    user_id: str
    signed_on: date


@event("group.pre_stationing_training_completed")
class PreStationingTrainingCompleted(DomainEvent):
    group_id: UUID
    user_ids: list[str]
    training: str
    completed_on: date


@event("group.inspector_seconded")
class InspectorSeconded(DomainEvent):
    """市县联动: a city inspector seconded to a county group, or a county one to a city group."""

    group_id: UUID
    user_id: str
    name: str
    direction: SecondmentDirection
    role: GroupRole
    home_jurisdiction: str


@event("group.authorized")
class GroupAuthorizedForTarget(DomainEvent):
    """一次一授权, on the group's stream: for this round, this target and this window."""

    group_id: UUID
    round_id: UUID
    inspection_id: UUID
    organization_id: str
    window_start: date
    window_end: date
    authorizer: AuthorizerKind
    authorizing_committee: str | None


@event("leadership_register.leader_recorded")
class LeaderRecorded(DomainEvent):
    """Per jurisdiction: who led which group for which target in which round (三个不固定)."""

    jurisdiction_id: str
    round_id: UUID
    group_id: UUID
    group_name: str
    leader_user_id: str
    organization_id: str


class RecusedFinding(Contract):
    """A finding of a recused drafter, at the version the approved report cites."""

    inspection_id: UUID
    finding_id: UUID
    version: int


@event("group.recusal_findings_reported")
class RecusalFindingsReported(DomainEvent):
    """Warning for the inspection office: the recused person drafted these findings, which are
    in approved reports. Approved reports are frozen, so they are not changed; the office
    decides what to do (e.g. a supplementary report)."""

    group_id: UUID
    user_id: str
    findings: list[RecusedFinding]


@event("group.dissolved")
class GroupDissolved(DomainEvent):
    """The group is dissolved once every inspection it was meant for is past fieldwork; who
    served in it at that moment may then be evaluated (鉴定)."""

    group_id: UUID
    dissolved_on: date
    served_user_ids: list[str]

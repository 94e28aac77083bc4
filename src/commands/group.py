"""Inspection group (巡察组): leadership proposal, recusal (回避), formation with balance checks,
confidentiality pledges, pre-stationing training, secondment (市县联动) and, with the
inspection, authorization (一次一授权, in `commands.preparation`).

Stages: proposed → formed → authorized (for one or more of its targets). Recusing a person
after formation sends the group back to proposed (form it again with a replacement);
recusing the leader leaves it leaderless (propose a new group). A person recused after the
authorization (a conflict found later) leaves the authorized inspections, and their findings
go back for review (`late_recusal`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import Field

from xuncha.commands import consequences
from xuncha.commands.base import (
    Aggregate,
    Command,
    Context,
    require,
    require_actor,
    require_not_future,
    require_stage,
)
from xuncha.commands.cross import CrossState
from xuncha.commands.dates import add_months
from xuncha.commands.decision import CommandWarning, Decision
from xuncha.commands.errors import InvalidTransition, RuleViolated
from xuncha.commands.finding import FindingState
from xuncha.commands.inspection import InspectionState
from xuncha.commands.round import RoundState
from xuncha.events.base import DomainEvent, Role
from xuncha.events.finding import FindingReviewRequired, ReviewReason
from xuncha.events.group import (
    AuthorizerKind,
    CompositionWarningRaised,
    ConfidentialityPledgeSigned,
    Conflict,
    ConflictKind,
    GroupAuthorizedForTarget,
    GroupDissolved,
    GroupLeadershipProposed,
    GroupPerson,
    GroupRole,
    GroupTarget,
    InspectionGroupFormed,
    InspectorSeconded,
    LeaderRecorded,
    LeadershipRotationWarningRaised,
    MemberRecused,
    PreStationingTrainingCompleted,
    RecusalCleared,
    RecusalDeclared,
    RecusalFindingsReported,
    RecusedFinding,
    SecondmentDirection,
)
from xuncha.events.inspection import InspectionGroupMemberRecused, ReportReturnedForRevision
from xuncha.events.policy import PolicyParameters
from xuncha.events.pool import Gender, InspectorProfile, RelativeTie, WorkSpell
from xuncha.events.values import Member, RoundType
from xuncha.events.vocabulary import GroupStage, InspectionStage, RoundStage

OFFICE = frozenset({Role.INSPECTION_OFFICE})
PROPOSERS = frozenset({Role.INSPECTION_OFFICE, Role.ORGANIZATION_DEPARTMENT})
SELF = frozenset(
    {Role.GROUP_LEADER, Role.DEPUTY_GROUP_LEADER, Role.GROUP_MEMBER, Role.EXTERNAL_EXPERT}
)
REGIONAL_ROUNDS = frozenset({RoundType.CROSS, RoundType.LINKED})


def register_stream_id(jurisdiction_id: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"xuncha:leadership-register:{jurisdiction_id}")


# State ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupState:
    group_id: UUID
    round_id: UUID
    jurisdiction_id: str
    round_type: RoundType
    name: str
    targets: tuple[GroupTarget, ...]
    home_jurisdiction: str
    authorizer: AuthorizerKind
    authorizing_committee: str | None
    leader: Member | None
    deputies: tuple[Member, ...]
    members: tuple[GroupPerson, ...] = ()
    external: frozenset[str] = frozenset()
    stage: GroupStage = GroupStage.PROPOSED
    conflicts: Mapping[str, tuple[Conflict, ...]] = field(default_factory=dict)
    cleared: frozenset[str] = frozenset()
    pledged: frozenset[str] = frozenset()
    trained: frozenset[str] = frozenset()
    recused: frozenset[str] = frozenset()
    seconded: Mapping[str, InspectorSeconded] = field(default_factory=dict)
    authorized: frozenset[UUID] = frozenset()
    served: frozenset[str] = frozenset()

    def people(self) -> list[GroupPerson]:
        """Everyone currently in the group: leader, deputies, and members once formed."""
        people = []
        if self.leader is not None:
            people.append(_person(self.leader, GroupRole.LEADER, self.external))
        people += [_person(d, GroupRole.DEPUTY, self.external) for d in self.deputies]
        return people + list(self.members)

    def role_of(self, user_id: str) -> GroupRole | None:
        return next((p.role for p in self.people() if p.user_id == user_id), None)

    def target_jurisdictions(self) -> set[str]:
        return {t.jurisdiction_id for t in self.targets}


def _person(m: Member, role: GroupRole, external: frozenset[str]) -> GroupPerson:
    return GroupPerson(user_id=m.user_id, name=m.name, role=role, external=m.user_id in external)


def _member(p: GroupPerson) -> Member:
    return Member(user_id=p.user_id, name=p.name)


def _recused(state: GroupState, e: MemberRecused) -> GroupState:
    state = replace(
        state,
        recused=state.recused | {e.user_id},
        cleared=state.cleared - {e.user_id},
        deputies=tuple(d for d in state.deputies if d.user_id != e.user_id),
        members=tuple(m for m in state.members if m.user_id != e.user_id),
    )
    if state.leader is not None and state.leader.user_id == e.user_id:
        return replace(state, leader=None, stage=GroupStage.LEADERLESS)
    if state.stage == GroupStage.FORMED:
        return replace(state, stage=GroupStage.PROPOSED)
    return state


def evolve(state: GroupState | None, event: DomainEvent) -> GroupState | None:
    if isinstance(event, GroupLeadershipProposed):
        e = event
        return GroupState(
            e.group_id,
            e.round_id,
            e.jurisdiction_id,
            e.round_type,
            e.name,
            tuple(e.targets),
            e.home_jurisdiction,
            e.authorizer,
            e.authorizing_committee,
            e.leader,
            tuple(e.deputies),
        )
    if state is None:
        return None
    match event:
        case RecusalDeclared():
            conflicts = {**state.conflicts, event.user_id: tuple(event.conflicts)}
            return replace(state, conflicts=conflicts, cleared=state.cleared - {event.user_id})
        case RecusalCleared():
            return replace(state, cleared=state.cleared | {event.user_id})
        case MemberRecused():
            return _recused(state, event)
        case InspectionGroupFormed():
            people = [event.leader, *event.deputies, *event.members]
            return replace(
                state,
                stage=GroupStage.FORMED,
                members=tuple(event.members),
                external=frozenset(p.user_id for p in people if p.external),
            )
        case ConfidentialityPledgeSigned():
            return replace(state, pledged=state.pledged | {event.user_id})
        case PreStationingTrainingCompleted():
            return replace(state, trained=state.trained | set(event.user_ids))
        case InspectorSeconded():
            return replace(state, seconded={**state.seconded, event.user_id: event})
        case GroupAuthorizedForTarget():
            return replace(
                state,
                stage=GroupStage.AUTHORIZED,
                authorized=state.authorized | {event.inspection_id},
            )
        case GroupDissolved():
            return replace(
                state, stage=GroupStage.DISSOLVED, served=frozenset(event.served_user_ids)
            )
    return state


INSPECTION_GROUP = Aggregate[GroupState]("inspection_group", evolve)


@dataclass(frozen=True)
class RegisterState:
    """Who led which group for which target, per jurisdiction, in the order recorded."""

    jurisdiction_id: str
    entries: tuple[LeaderRecorded, ...] = ()

    def round_order(self) -> list[UUID]:
        order: list[UUID] = []
        for entry in self.entries:
            if entry.round_id not in order:
                order.append(entry.round_id)
        return order


def evolve_register(state: RegisterState | None, event: DomainEvent) -> RegisterState | None:
    if isinstance(event, LeaderRecorded):
        register = state or RegisterState(event.jurisdiction_id)
        return replace(register, entries=(*register.entries, event))
    return state


LEADERSHIP_REGISTER = Aggregate[RegisterState]("leadership_register", evolve_register)


# Commands ------------------------------------------------------------------------------------


class ProposeGroupLeadership(Command):
    """巡察办 with 组织部 proposes a group for targets of a round: its leader and deputies.

    In a cross round the group's home and its targets' jurisdiction come from the
    arrangement's pair; otherwise from `home_jurisdiction` / `target_jurisdiction_id`
    (default: the round's jurisdiction).
    """

    allowed_roles: ClassVar[frozenset[Role]] = PROPOSERS
    round_id: UUID
    name: str = Field(min_length=1, max_length=200)
    inspection_ids: list[UUID] = Field(min_length=1, max_length=20)
    leader: Member
    deputies: list[Member] = Field(default_factory=list, max_length=10)
    home_jurisdiction: str | None = Field(default=None, min_length=1, max_length=64)
    target_jurisdiction_id: str | None = Field(default=None, min_length=1, max_length=64)


class GroupCommand(Command):
    target: ClassVar[str | None] = "group_id"
    group_id: UUID


class SubmitRecusalDeclaration(GroupCommand):
    """回避申请书, by each person for themselves: offices they hold, their spouse's and direct
    relatives' workplaces, where they worked, their home jurisdiction."""

    allowed_roles: ClassVar[frozenset[Role]] = SELF
    holds_office_in: list[str] = Field(default_factory=list, max_length=50)
    relatives: list[RelativeTie] = Field(default_factory=list, max_length=50)
    work: list[WorkSpell] = Field(default_factory=list, max_length=50)
    home_jurisdiction: str | None = Field(default=None, min_length=1, max_length=64)


class ClearRecusal(GroupCommand):
    """巡察办 clears the declarations of these people: none of them may have a conflict."""

    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    user_ids: list[str] = Field(min_length=1, max_length=50)


class RecuseMember(GroupCommand):
    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    user_id: str = Field(min_length=1, max_length=64)
    why: str = Field(min_length=1, max_length=2000)

    @property
    def reason(self) -> str | None:
        return self.why


class FormInspectionGroup(GroupCommand):
    """Compose the group: the proposed leader and deputies with these members."""

    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    members: list[Member] = Field(default_factory=list, max_length=50)


class SignConfidentialityPledge(GroupCommand):
    allowed_roles: ClassVar[frozenset[Role]] = SELF
    signed_on: date


class RecordPreStationingTraining(GroupCommand):
    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    user_ids: list[str] = Field(min_length=1, max_length=50)
    training: str = Field(min_length=1, max_length=200)
    completed_on: date


class SecondInspector(GroupCommand):
    """市县联动: second a city inspector to a county group as leader or deputy, or a county
    inspector to a city group; never to inspect their home county (地域回避)."""

    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    user_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=100)
    direction: SecondmentDirection
    role: GroupRole
    home_jurisdiction: str = Field(min_length=1, max_length=64)


class DissolveGroup(GroupCommand):
    """巡察办 dissolves the group once every inspection it was meant for is past fieldwork
    (withdrawn or later, or cancelled)."""

    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    dissolved_on: date


# Stages of an inspection in which its group is still needed (or not yet released).
BEFORE_THE_END_OF_FIELDWORK = frozenset(
    {
        InspectionStage.PLANNED,
        InspectionStage.GROUP_AUTHORIZED,
        InspectionStage.NOTIFIED,
        InspectionStage.ANNOUNCED,
        InspectionStage.STATIONED,
    }
)


def _in_fieldwork(inspection: InspectionState) -> bool:
    """A suspended inspection counts in the stage it was suspended from."""
    stage = inspection.stage
    if stage == InspectionStage.SUSPENDED:
        stage = inspection.suspended_from or stage
    return stage in BEFORE_THE_END_OF_FIELDWORK or stage == InspectionStage.SUSPENDED


def dissolve_group(
    state: GroupState,
    cmd: DissolveGroup,
    ctx: Context,
    inspections: Mapping[UUID, InspectionState | None],
) -> list[DomainEvent]:
    if state.stage == GroupStage.DISSOLVED:
        raise InvalidTransition("the group is dissolved already")
    require_not_future(cmd.dissolved_on, ctx, "dissolved_on")
    busy = sorted(
        str(t.inspection_id)
        for t in state.targets
        if (i := inspections.get(t.inspection_id)) is not None and _in_fieldwork(i)
    )
    if busy:
        raise InvalidTransition(
            f"the group's inspections {', '.join(busy)} are not past fieldwork; a group is "
            "dissolved after the withdrawal (or the cancellation) of every inspection"
        )
    served = sorted({p.user_id for p in state.people()})
    return [
        GroupDissolved(
            group_id=state.group_id, dissolved_on=cmd.dissolved_on, served_user_ids=served
        )
    ]


# Recusal -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ties:
    """What a person is tied to, from their declaration, pool profile and secondment."""

    offices: frozenset[str] = frozenset()
    relatives: tuple[RelativeTie, ...] = ()
    work: tuple[WorkSpell, ...] = ()
    homes: frozenset[str] = frozenset()

    def __or__(self, other: Ties) -> Ties:
        return Ties(
            self.offices | other.offices,
            self.relatives + other.relatives,
            self.work + other.work,
            self.homes | other.homes,
        )


def profile_ties(profile: InspectorProfile | None) -> Ties:
    if profile is None:
        return Ties()
    return Ties(
        frozenset({profile.employer_organization}),
        tuple(profile.relatives_organizations),
        tuple(profile.recent_work),
        frozenset({profile.home_jurisdiction}),
    )


def secondment_ties(state: GroupState, user_id: str) -> Ties:
    seconded = state.seconded.get(user_id)
    return Ties(homes=frozenset({seconded.home_jurisdiction})) if seconded else Ties()


def find_conflicts(
    user_id: str,
    ties: Ties,
    targets: Iterable[GroupTarget],
    round_type: RoundType,
    since: date,
) -> list[Conflict]:
    """Every 回避 conflict of a person with the group's targets (DOMAIN.md §6.1 inv. 1)."""
    found: list[Conflict] = []

    def add(kind: ConflictKind, org: str, detail: str) -> None:
        conflict = Conflict(user_id=user_id, kind=kind, organization_id=org, detail=detail)
        if conflict not in found:
            found.append(conflict)

    for t in targets:
        org = t.organization_id
        if org in ties.offices:
            add(ConflictKind.APPOINTMENT, org, f"holds office in or works for {org}")
        for tie in ties.relatives:
            if tie.organization_id == org:
                add(ConflictKind.RELATIVE, org, f"{tie.relation.value} works in {org}")
        for w in ties.work:
            if w.organization_id == org and (w.end is None or w.end >= since):
                until = w.end.isoformat() if w.end else "now"
                add(ConflictKind.RECENT_WORK, org, f"worked in {org} until {until}")
        if round_type in REGIONAL_ROUNDS and t.jurisdiction_id in ties.homes:
            add(
                ConflictKind.REGIONAL,
                org,
                f"home jurisdiction {t.jurisdiction_id} is the target's ({round_type.value} round)",
            )
    return found


def _describe(conflicts: Sequence[Conflict]) -> str:
    return "; ".join(f"{c.user_id}: {c.kind.value} ({c.detail})" for c in conflicts)


def lookback_start(today: date, params: PolicyParameters) -> date:
    return add_months(today, -params.recusal_work_lookback_months)


# Decisions -----------------------------------------------------------------------------------


def _rotation_warnings(
    register: RegisterState | None,
    round_id: UUID,
    group_id: UUID,
    name: str,
    leader_id: str,
    org_ids: set[str],
    within: int,
) -> list[DomainEvent]:
    if register is None or within <= 0:
        return []
    order = register.round_order()
    current = order.index(round_id) if round_id in order else len(order)
    nearest: dict[tuple[str, str], tuple[int, UUID]] = {}
    for entry in register.entries:
        if entry.leader_user_id != leader_id or entry.round_id == round_id:
            continue
        ago = current - order.index(entry.round_id)
        if not 0 < ago <= within:
            continue
        subjects = [("group", entry.group_name)] if entry.group_name == name else []
        if entry.organization_id in org_ids:
            subjects.append(("organization", entry.organization_id))
        for subject in subjects:
            if subject not in nearest or ago < nearest[subject][0]:
                nearest[subject] = (ago, entry.round_id)
    return [
        LeadershipRotationWarningRaised(
            group_id=group_id,
            leader_user_id=leader_id,
            subject=subject,
            subject_id=subject_id,
            previous_round_id=previous,
            rounds_ago=ago,
            within_rounds=within,
        )
        for (subject, subject_id), (ago, previous) in sorted(nearest.items())
    ]


def _unique_people(people: Sequence[Member]) -> None:
    ids = [p.user_id for p in people]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    require(not twice, f"a person appears more than once in the group: {', '.join(twice)}")


def propose_leadership(
    round_: RoundState,
    inspections: Mapping[UUID, InspectionState],
    arrangement: CrossState | None,
    register: RegisterState | None,
    cmd: ProposeGroupLeadership,
    params: PolicyParameters,
    group_id: UUID,
) -> list[DomainEvent]:
    require_stage(round_.stage, [RoundStage.APPROVED], "propose a group")
    require(
        len(set(cmd.inspection_ids)) == len(cmd.inspection_ids), "an inspection is listed twice"
    )
    for inspection_id in cmd.inspection_ids:
        inspection = inspections.get(inspection_id)
        require(
            inspection is not None and inspection.round_id == round_.round_id,
            f"inspection {inspection_id} is not a target of this round",
        )
        assert inspection is not None
        require_stage(
            inspection.stage, [InspectionStage.PLANNED], f"propose a group for {inspection_id}"
        )
    _unique_people([cmd.leader, *cmd.deputies])
    require(
        len(cmd.deputies) <= params.deputies_max,
        f"a group has at most {params.deputies_max} deputy leaders; {len(cmd.deputies)} given",
    )
    home = cmd.home_jurisdiction or round_.jurisdiction_id
    target_jurisdiction = cmd.target_jurisdiction_id or round_.jurisdiction_id
    authorizer, committee = AuthorizerKind.DISPATCHING_COMMITTEE, None
    if round_.round_type == RoundType.CROSS:
        if arrangement is None:
            raise InvalidTransition("arrange the cross inspection of this round first")
        pairs = {arrangement.pair_of(i) for i in cmd.inspection_ids}
        require(None not in pairs, "a target of this group is in no pair of the arrangement")
        require(len(pairs) == 1, "a group's targets must all belong to one pair A→B")
        pair = arrangement.pairs[next(iter(pairs))]  # type: ignore[index]
        home, target_jurisdiction = pair.from_jurisdiction, pair.to_jurisdiction
        authorizer, committee = pair.authorizer, pair.authorizing_committee
    targets = [
        GroupTarget(
            inspection_id=i,
            organization_id=inspections[i].organization_id,
            organization_name=inspections[i].organization_name,
            jurisdiction_id=target_jurisdiction,
        )
        for i in cmd.inspection_ids
    ]
    proposed = GroupLeadershipProposed(
        group_id=group_id,
        round_id=round_.round_id,
        jurisdiction_id=round_.jurisdiction_id,
        round_type=round_.round_type,
        name=cmd.name,
        targets=targets,
        leader=cmd.leader,
        deputies=cmd.deputies,
        home_jurisdiction=home,
        authorizer=authorizer,
        authorizing_committee=committee,
    )
    warnings = _rotation_warnings(
        register,
        round_.round_id,
        group_id,
        cmd.name,
        cmd.leader.user_id,
        {t.organization_id for t in targets},
        params.leader_rotation_rounds,
    )
    return [proposed, *warnings]


BEFORE_AUTHORIZATION = [GroupStage.PROPOSED, GroupStage.FORMED]


def _require_in_group(state: GroupState, user_id: str) -> GroupRole:
    role = state.role_of(user_id)
    if role is None:
        raise RuleViolated(f"{user_id} is not in group {state.name}")
    return role


def submit_declaration(
    state: GroupState,
    cmd: SubmitRecusalDeclaration,
    ctx: Context,
    params: PolicyParameters,
    profile: InspectorProfile | None,
) -> list[DomainEvent]:
    require_stage(state.stage, BEFORE_AUTHORIZATION, "declare conflicts for this group")
    user_id = ctx.actor.user_id
    require_actor(
        state.role_of(user_id) is not None,
        "only a person in this group may declare, and only for themselves",
    )
    for w in cmd.work:
        require(w.end is None or w.start <= w.end, f"work at {w.organization_id}: start > end")
    declared = Ties(
        frozenset(cmd.holds_office_in),
        tuple(cmd.relatives),
        tuple(cmd.work),
        frozenset({cmd.home_jurisdiction} if cmd.home_jurisdiction else ()),
    )
    ties = declared | profile_ties(profile) | secondment_ties(state, user_id)
    since = lookback_start(ctx.today, params)
    return [
        RecusalDeclared(
            group_id=state.group_id,
            user_id=user_id,
            declared_on=ctx.today,
            holds_office_in=cmd.holds_office_in,
            relatives=cmd.relatives,
            work=cmd.work,
            home_jurisdiction=cmd.home_jurisdiction,
            conflicts=find_conflicts(user_id, ties, state.targets, state.round_type, since),
        )
    ]


def clear_recusal(state: GroupState, cmd: ClearRecusal) -> list[DomainEvent]:
    require_stage(state.stage, BEFORE_AUTHORIZATION, "clear recusal")
    events: list[DomainEvent] = []
    for user_id in dict.fromkeys(cmd.user_ids):
        _require_in_group(state, user_id)
        require(user_id in state.conflicts, f"{user_id} has not submitted a recusal declaration")
        conflicts = state.conflicts[user_id]
        require(
            not conflicts,
            f"{user_id} cannot be cleared and must be recused: {_describe(conflicts)}",
        )
        if user_id not in state.cleared:
            events.append(RecusalCleared(group_id=state.group_id, user_id=user_id))
    require(bool(events), "every one of these people is cleared already")
    return events


def recuse_member(state: GroupState, cmd: RecuseMember) -> list[DomainEvent]:
    require_stage(
        state.stage,
        [*BEFORE_AUTHORIZATION, GroupStage.LEADERLESS, GroupStage.AUTHORIZED],
        "recuse a member",
    )
    role = _require_in_group(state, cmd.user_id)
    recused = MemberRecused(group_id=state.group_id, user_id=cmd.user_id, role=role, reason=cmd.why)
    warnings: list[CommandWarning] = []
    if state.leader is not None and state.leader.user_id == cmd.user_id:
        warnings.append(consequences.group_leaderless(cmd.user_id))
    elif state.stage == GroupStage.FORMED:
        warnings.append(consequences.group_back_to_proposed(cmd.user_id))
    return Decision([recused], warnings)


REPORT_PENDING = (
    InspectionStage.REPORT_DRAFTED,
    InspectionStage.REPORT_OFFICE_REVIEWED,
    InspectionStage.REPORT_DELIBERATED,
)


@dataclass(frozen=True)
class LateRecusal:
    """The events of a recusal after authorization, per stream (one transaction)."""

    on_group: list[DomainEvent]
    on_inspections: dict[UUID, list[DomainEvent]]
    on_findings: dict[UUID, list[DomainEvent]]
    warnings: tuple[CommandWarning, ...] = ()


def late_recusal(
    state: GroupState,
    user_id: str,
    inspections: Mapping[UUID, InspectionState],
    findings: Mapping[UUID, FindingState],
) -> LateRecusal:
    """What follows a recusal found after the group's authorization (DOMAIN.md §6.1 inv. 1):

    * the person leaves each authorized inspection (`inspection.group_member_recused`);
    * each finding they drafted there (the inspection's `findings_by_drafter` index) that is
      not in the approved report must be reviewed and signed again
      (`finding.review_required`); a report draft still under review that cites one of them
      is returned for revision, since it would otherwise be approved with an unsigned finding;
    * findings in an approved report are left alone (the report is frozen) and are listed for
      the office in one `group.recusal_findings_reported` warning.

    `state` is the group before the recusal; `inspections` are its authorized inspections,
    `findings` the person's findings in them.
    """
    if state.stage != GroupStage.AUTHORIZED:
        return LateRecusal([], {}, {})
    on_inspections: dict[UUID, list[DomainEvent]] = {}
    on_findings: dict[UUID, list[DomainEvent]] = {}
    reported: list[RecusedFinding] = []
    for target in state.targets:
        inspection = inspections.get(target.inspection_id)
        if target.inspection_id not in state.authorized or inspection is None:
            continue
        events: list[DomainEvent] = [
            InspectionGroupMemberRecused(
                inspection_id=inspection.inspection_id, group_id=state.group_id, user_id=user_id
            )
        ]
        cited = {ref.finding_id: ref.version for ref in inspection.report_findings}
        sent_back = []
        for finding_id in inspection.findings_by_drafter.get(user_id, ()):
            finding = findings.get(finding_id)
            if finding is None:
                continue
            if finding_id in inspection.approved_finding_ids:
                reported.append(
                    RecusedFinding(
                        inspection_id=inspection.inspection_id,
                        finding_id=finding_id,
                        version=cited.get(finding_id, finding.version),
                    )
                )
                continue
            sent_back.append(finding_id)
            on_findings[finding_id] = [
                FindingReviewRequired(
                    finding_id=finding_id,
                    inspection_id=inspection.inspection_id,
                    version=finding.version,
                    reason=ReviewReason.DRAFTER_RECUSED,
                    drafter_user_id=user_id,
                    group_id=state.group_id,
                )
            ]
        if inspection.stage in REPORT_PENDING and any(f in cited for f in sent_back):
            events.append(
                ReportReturnedForRevision(
                    inspection_id=inspection.inspection_id,
                    report_version=inspection.report_version,
                    comments=f"the drafter {user_id} of findings in this draft was recused; "
                    "they must be reviewed and signed again",
                )
            )
        on_inspections[inspection.inspection_id] = events
    on_group: list[DomainEvent] = []
    if reported:
        on_group.append(
            RecusalFindingsReported(group_id=state.group_id, user_id=user_id, findings=reported)
        )
    late = LateRecusal(on_group, on_inspections, on_findings)
    return replace(late, warnings=_late_recusal_warnings(user_id, late, len(reported)))


def _late_recusal_warnings(
    user_id: str, late: LateRecusal, reported: int
) -> tuple[CommandWarning, ...]:
    """What a recusal after the authorization did, for the command's answer."""
    events = [e for on in late.on_inspections.values() for e in on]
    returned = sum(isinstance(e, ReportReturnedForRevision) for e in events)
    warnings: list[CommandWarning] = []
    if late.on_inspections:
        warnings.append(consequences.member_left_inspections(user_id, len(late.on_inspections)))
    if late.on_findings:
        warnings.append(consequences.findings_review_required(user_id, len(late.on_findings)))
    if returned:
        warnings.append(consequences.report_returned_for_revision(returned))
    if reported:
        warnings.append(consequences.recused_findings_in_approved_report(user_id, reported))
    return tuple(warnings)


@dataclass(frozen=True)
class Known:
    """What the pool knows of a person: their profile and whether they are external."""

    profile: InspectorProfile
    external: bool


def form_group(
    state: GroupState,
    cmd: FormInspectionGroup,
    ctx: Context,
    policy_version: int,
    params: PolicyParameters,
    known: Mapping[str, Known],
) -> list[DomainEvent]:
    if state.stage == GroupStage.LEADERLESS:
        raise InvalidTransition("the leader was recused: propose a new group")
    require_stage(state.stage, [GroupStage.PROPOSED], "form the group")
    assert state.leader is not None
    everyone = [state.leader, *state.deputies, *cmd.members]
    _unique_people(everyone)
    back = sorted(p.user_id for p in cmd.members if p.user_id in state.recused)
    require(not back, f"recused people cannot rejoin the group: {', '.join(back)}")
    require(
        params.deputies_min <= len(state.deputies) <= params.deputies_max,
        f"a group has {params.deputies_min} to {params.deputies_max} deputy leaders under "
        f"policy v{policy_version}; {len(state.deputies)} proposed",
    )
    require(
        params.group_size_min <= len(everyone) <= params.group_size_max,
        f"a group has {params.group_size_min} to {params.group_size_max} people under "
        f"policy v{policy_version}; {len(everyone)} given",
    )
    roles = {state.leader.user_id: GroupRole.LEADER}
    roles |= {d.user_id: GroupRole.DEPUTY for d in state.deputies}
    roles |= {m.user_id: GroupRole.MEMBER for m in cmd.members}
    for user_id, seconded in state.seconded.items():
        require(
            roles.get(user_id, seconded.role) == seconded.role,
            f"{user_id} was seconded as {seconded.role.value}, not {roles.get(user_id)}",
        )
    since = lookback_start(ctx.today, params)
    conflicts: list[Conflict] = []
    for person in everyone:
        conflicts += state.conflicts.get(person.user_id, ())
        found = known.get(person.user_id)
        ties = profile_ties(found.profile if found else None)
        ties |= secondment_ties(state, person.user_id)
        conflicts += [
            c
            for c in find_conflicts(person.user_id, ties, state.targets, state.round_type, since)
            if c not in conflicts
        ]
    require(not conflicts, f"these people must be recused first: {_describe(conflicts)}")

    def as_person(m: Member, role: GroupRole) -> GroupPerson:
        found = known.get(m.user_id)
        external = found is not None and found.external
        return GroupPerson(user_id=m.user_id, name=m.name, role=role, external=external)

    formed = InspectionGroupFormed(
        group_id=state.group_id,
        leader=as_person(state.leader, GroupRole.LEADER),
        deputies=[as_person(d, GroupRole.DEPUTY) for d in state.deputies],
        members=[as_person(m, GroupRole.MEMBER) for m in cmd.members],
        policy_version=policy_version,
    )
    people = [formed.leader, *formed.deputies, *formed.members]
    return [formed, *composition_warnings(state.group_id, people, known, params, ctx.today)]


def composition_warnings(
    group_id: UUID,
    people: Sequence[GroupPerson],
    known: Mapping[str, Known],
    params: PolicyParameters,
    today: date,
) -> list[DomainEvent]:
    """Balance (资历/年龄/性别/性格/专业, outside experts' share): soft, recorded, never refused."""
    warnings: list[tuple[str, str]] = []
    profiles = [known[p.user_id].profile for p in people if p.user_id in known]
    if len(profiles) < len(people):
        warnings.append(
            (
                "profiles",
                f"{len(people) - len(profiles)} of {len(people)} people have no pool profile; "
                "balance is assessed on the others only",
            )
        )
    if len(profiles) >= 2:
        genders = {p.gender for p in profiles}
        if params.composition_mixed_gender and len(genders) == 1:
            only = Gender(next(iter(genders))).value
            warnings.append(("gender", f"all {len(profiles)} people with a profile are {only}"))
        ages = [today.year - p.birth_year for p in profiles]
        if max(ages) - min(ages) < params.composition_min_age_span_years:
            warnings.append(
                (
                    "age",
                    f"ages span {max(ages) - min(ages)} years (from {min(ages)} to {max(ages)}); "
                    f"policy asks for at least {params.composition_min_age_span_years}",
                )
            )
        if max(p.seniority_years for p in profiles) < params.composition_senior_years:
            warnings.append(
                (
                    "seniority",
                    f"no one has {params.composition_senior_years} or more years of seniority",
                )
            )
        specialties = {s for p in profiles for s in p.specialties}
        if len(specialties) < params.composition_min_specialties:
            warnings.append(
                (
                    "specialty",
                    f"{len(specialties)} distinct specialties "
                    f"({', '.join(sorted(specialties)) or 'none'}); policy asks for "
                    f"{params.composition_min_specialties}",
                )
            )
        tags = [p.temperament for p in profiles if p.temperament]
        if len(tags) >= 2 and len(set(tags)) < params.composition_min_temperaments:
            warnings.append(
                ("temperament", f"{len(set(tags))} distinct temperament(s) among {len(tags)}")
            )
    externals = sum(1 for p in people if p.external)
    if externals * 100 > params.composition_max_external_percent * len(people):
        warnings.append(
            (
                "external_share",
                f"{externals} of {len(people)} people are outside experts; policy allows "
                f"{params.composition_max_external_percent}%",
            )
        )
    return [
        CompositionWarningRaised(group_id=group_id, aspect=aspect, detail=detail)
        for aspect, detail in warnings
    ]


def sign_pledge(
    state: GroupState, cmd: SignConfidentialityPledge, ctx: Context
) -> list[DomainEvent]:
    require_stage(state.stage, BEFORE_AUTHORIZATION, "sign the confidentiality pledge")
    user_id = ctx.actor.user_id
    require_actor(
        state.role_of(user_id) is not None,
        "only a person in this group may sign its pledge, and only for themselves",
    )
    if user_id in state.pledged:
        raise InvalidTransition(f"{user_id} has signed the pledge of this group already")
    require_not_future(cmd.signed_on, ctx, "signed_on")
    return [
        ConfidentialityPledgeSigned(
            group_id=state.group_id, user_id=user_id, signed_on=cmd.signed_on
        )
    ]


def record_training(
    state: GroupState, cmd: RecordPreStationingTraining, ctx: Context
) -> list[DomainEvent]:
    require_stage(state.stage, [*BEFORE_AUTHORIZATION, GroupStage.AUTHORIZED], "record training")
    for user_id in cmd.user_ids:
        _require_in_group(state, user_id)
    require_not_future(cmd.completed_on, ctx, "completed_on")
    return [
        PreStationingTrainingCompleted(
            group_id=state.group_id,
            user_ids=list(dict.fromkeys(cmd.user_ids)),
            training=cmd.training,
            completed_on=cmd.completed_on,
        )
    ]


SECONDMENT_ROLES = {
    SecondmentDirection.CITY_TO_COUNTY: {GroupRole.LEADER, GroupRole.DEPUTY},
    SecondmentDirection.COUNTY_TO_CITY: {GroupRole.DEPUTY, GroupRole.MEMBER},
}


def second_inspector(state: GroupState, cmd: SecondInspector) -> list[DomainEvent]:
    require_stage(state.stage, [GroupStage.PROPOSED], "second an inspector to the group")
    require(
        state.round_type in REGIONAL_ROUNDS,
        f"secondment is for linked or cross rounds; this is a {state.round_type.value} round",
    )
    allowed = SECONDMENT_ROLES[cmd.direction]
    require(
        cmd.role in allowed,
        f"{cmd.direction.value} secondment is as {' or '.join(sorted(allowed))}, "
        f"not {cmd.role.value}",
    )
    require(
        cmd.home_jurisdiction not in state.target_jurisdictions(),
        f"地域回避: {cmd.user_id} comes from {cmd.home_jurisdiction}, where this group's "
        "targets are; seconded inspectors never inspect their home jurisdiction",
    )
    if cmd.user_id in state.seconded:
        raise InvalidTransition(f"{cmd.user_id} is seconded to this group already")
    role = state.role_of(cmd.user_id)
    require(
        role is None or role == cmd.role,
        f"{cmd.user_id} is {role.value if role else ''} of this group, not {cmd.role.value}",
    )
    return [
        InspectorSeconded(
            group_id=state.group_id,
            user_id=cmd.user_id,
            name=cmd.name,
            direction=cmd.direction,
            role=cmd.role,
            home_jurisdiction=cmd.home_jurisdiction,
        )
    ]


def readiness_gaps(state: GroupState, params: PolicyParameters) -> list[str]:
    """What still stands between the group and its authorization (empty: ready)."""
    people = [p.user_id for p in state.people()]
    gaps = []
    uncleared = [u for u in people if u not in state.cleared]
    if uncleared:
        gaps.append(f"recusal not cleared for {', '.join(uncleared)}")
    unpledged = [u for u in people if u not in state.pledged]
    if unpledged:
        gaps.append(f"confidentiality pledge not signed by {', '.join(unpledged)}")
    if params.require_training_before_authorization:
        untrained = [u for u in people if u not in state.trained]
        if untrained:
            gaps.append(f"pre-stationing training not completed by {', '.join(untrained)}")
    return gaps


def authorized_for_target(
    state: GroupState, inspection: InspectionState, window: tuple[date, date]
) -> tuple[list[DomainEvent], list[DomainEvent]]:
    """The group's and the register's events of an authorization (see preparation)."""
    assert state.leader is not None
    target = next(t for t in state.targets if t.inspection_id == inspection.inspection_id)
    on_group: list[DomainEvent] = [
        GroupAuthorizedForTarget(
            group_id=state.group_id,
            round_id=state.round_id,
            inspection_id=inspection.inspection_id,
            organization_id=target.organization_id,
            window_start=window[0],
            window_end=window[1],
            authorizer=state.authorizer,
            authorizing_committee=state.authorizing_committee,
        )
    ]
    on_register: list[DomainEvent] = [
        LeaderRecorded(
            jurisdiction_id=state.jurisdiction_id,
            round_id=state.round_id,
            group_id=state.group_id,
            group_name=state.name,
            leader_user_id=state.leader.user_id,
            organization_id=target.organization_id,
        )
    ]
    return on_group, on_register


def members_of(state: GroupState) -> tuple[Member, list[Member], list[Member]]:
    assert state.leader is not None
    return state.leader, list(state.deputies), [_member(m) for m in state.members]

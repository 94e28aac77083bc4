"""Recusal (回避): declarations, clearing, and recusing a person, before or after the
authorization (`late_recusal`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from xuncha.commands import consequences
from xuncha.commands.base import (
    Context,
    require,
    require_actor,
    require_stage,
)
from xuncha.commands.decision import CommandWarning, Decision
from xuncha.commands.errors import RuleViolated
from xuncha.commands.finding import FindingState
from xuncha.commands.group.leadership import (
    Ties,
    _describe,
    find_conflicts,
    lookback_start,
    profile_ties,
    secondment_ties,
)
from xuncha.commands.group.state import OFFICE, SELF, GroupCommand, GroupState
from xuncha.commands.inspection import InspectionState
from xuncha.events.base import DomainEvent, Role
from xuncha.events.finding import FindingReviewRequired, ReviewReason
from xuncha.events.group import (
    GroupRole,
    MemberRecused,
    RecusalCleared,
    RecusalDeclared,
    RecusalFindingsReported,
    RecusedFinding,
)
from xuncha.events.inspection import InspectionGroupMemberRecused, ReportReturnedForRevision
from xuncha.events.policy import PolicyParameters
from xuncha.events.pool import InspectorProfile, RelativeTie, WorkSpell
from xuncha.events.vocabulary import GroupStage, InspectionStage


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

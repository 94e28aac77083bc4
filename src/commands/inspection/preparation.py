"""准备 and 进驻 of an inspection: authorize the group, notice, announce, station, withdraw."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from xuncha.commands.base import (
    Context,
    require,
    require_not_future,
    require_stage,
)
from xuncha.commands.errors import InvalidTransition
from xuncha.commands.group import GroupState, authorized_for_target, members_of, readiness_gaps
from xuncha.commands.inspection import InspectionCommand, InspectionState, require_leader
from xuncha.commands.round import OFFICE, PlanInspection, RoundState
from xuncha.events.base import DomainEvent, Role
from xuncha.events.inspection import (
    GroupAuthorized,
    GroupStationed,
    GroupWithdrawn,
    InspectionAnnouncementPublished,
    InspectionNoticeIssued,
    InspectionPlanned,
)
from xuncha.events.petition import PetitionChannelsClosed, PetitionChannelsOpened
from xuncha.events.policy import PolicyParameters
from xuncha.events.values import Contacts, PolicyRef
from xuncha.events.vocabulary import GroupStage, InspectionStage

LEADER = frozenset({Role.GROUP_LEADER})


class AuthorizeGroup(InspectionCommand):
    """一次一授权: authorize a formed group for this target of its round, inside a time window.

    Refused unless every person in the group has cleared recusal and signed the
    confidentiality pledge (and completed training, where the policy requires it).
    """

    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.COMMITTEE, Role.LEADING_GROUP})
    group_id: UUID
    window_start: date
    window_end: date


class IssueInspectionNotice(InspectionCommand):
    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    notice_date: date
    planned_stationing_date: date
    addressee: str = Field(min_length=1, max_length=200)


class PublishInspectionAnnouncement(InspectionCommand):
    """巡察公告: 范围、重点内容、时间安排、联系方式 and the intake deadline are all required."""

    allowed_roles: ClassVar[frozenset[Role]] = OFFICE | LEADER
    published_on: date
    scope: str = Field(min_length=1, max_length=4000)
    focus: str = Field(min_length=1, max_length=4000)
    period_start: date
    period_end: date
    contacts: Contacts
    intake_deadline: date


class StationGroup(InspectionCommand):
    allowed_roles: ClassVar[frozenset[Role]] = LEADER
    stationed_on: date


class EndStationing(InspectionCommand):
    allowed_roles: ClassVar[frozenset[Role]] = LEADER
    withdrawn_on: date


def plan(round_: RoundState, inspection_id: UUID, cmd: PlanInspection) -> list[DomainEvent]:
    return [
        InspectionPlanned(
            inspection_id=inspection_id,
            round_id=round_.round_id,
            jurisdiction_id=round_.jurisdiction_id,
            round_type=round_.round_type,
            organization_id=cmd.organization_id,
            organization_name=cmd.organization_name,
            group_name=cmd.group_name,
        )
    ]


@dataclass(frozen=True)
class Authorization:
    """The events of one authorization, per stream."""

    on_inspection: list[DomainEvent]
    on_group: list[DomainEvent]
    on_register: list[DomainEvent]


def authorize_group(
    state: InspectionState,
    group: GroupState,
    cmd: AuthorizeGroup,
    policy: tuple[PolicyRef, PolicyParameters],
) -> Authorization:
    ref, params = policy
    require_stage(state.stage, [InspectionStage.PLANNED], "authorize the group")
    if group.stage not in (GroupStage.FORMED, GroupStage.AUTHORIZED):
        raise InvalidTransition(
            f"group {group.name} cannot be authorized while its stage is '{group.stage}'; "
            "form it first"
        )
    require(
        any(t.inspection_id == state.inspection_id for t in group.targets),
        f"inspection {state.inspection_id} is not a target of group {group.name}",
    )
    gaps = readiness_gaps(group, params)
    require(
        not gaps, f"group {group.name} is not ready under policy v{ref.version}: " + "; ".join(gaps)
    )
    require(cmd.window_start <= cmd.window_end, "window_start must not be after window_end")
    leader, deputies, members = members_of(group)
    on_group, on_register = authorized_for_target(group, state, (cmd.window_start, cmd.window_end))
    authorized = GroupAuthorized(
        inspection_id=state.inspection_id,
        group_id=group.group_id,
        leader=leader,
        deputies=deputies,
        members=members,
        window_start=cmd.window_start,
        window_end=cmd.window_end,
        policy=ref,
    )
    return Authorization([authorized], on_group, on_register)


def _in_window(state: InspectionState, day: date) -> bool:
    return state.window is not None and state.window[0] <= day <= state.window[1]


def issue_notice(
    state: InspectionState,
    cmd: IssueInspectionNotice,
    ctx: Context,
    policy: tuple[PolicyRef, PolicyParameters],
) -> list[DomainEvent]:
    ref, params = policy
    require_stage(state.stage, [InspectionStage.GROUP_AUTHORIZED], "issue the inspection notice")
    require_not_future(cmd.notice_date, ctx, "notice_date")
    require(
        _in_window(state, cmd.planned_stationing_date),
        f"planned_stationing_date {cmd.planned_stationing_date} is outside the group's "
        f"authorization window {state.window}",
    )
    lead = (cmd.planned_stationing_date - cmd.notice_date).days
    require(
        lead >= params.notice_lead_days,
        f"the notice must come at least {params.notice_lead_days} days before stationing "
        f"under policy v{ref.version}; it comes {lead} days before",
    )
    return [
        InspectionNoticeIssued(
            inspection_id=state.inspection_id,
            notice_date=cmd.notice_date,
            planned_stationing_date=cmd.planned_stationing_date,
            addressee=cmd.addressee,
            policy=ref,
        )
    ]


def publish_announcement(
    state: InspectionState, cmd: PublishInspectionAnnouncement, ctx: Context
) -> list[DomainEvent]:
    require_stage(state.stage, [InspectionStage.NOTIFIED], "publish the announcement")
    if ctx.actor.role == Role.GROUP_LEADER:
        require_leader(state, ctx)
    require_not_future(cmd.published_on, ctx, "published_on")
    assert state.notice_date is not None
    require(cmd.published_on >= state.notice_date, "the announcement cannot precede the notice")
    require(cmd.period_start <= cmd.period_end, "period_start must not be after period_end")
    require(
        cmd.period_start <= cmd.intake_deadline <= cmd.period_end,
        "intake_deadline must fall within the announced period",
    )
    c = cmd.contacts
    channels = [c.phone, c.mailbox, c.email, c.qr_code_url, *c.drop_boxes]
    require(
        any(channel and channel.strip() for channel in channels),
        "contacts need at least one channel: phone, mailbox, email, drop_boxes or qr_code_url",
    )
    require(
        not (c.phone and c.phone.strip()) or bool(c.phone_hours and c.phone_hours.strip()),
        "a contact phone needs its phone_hours",
    )
    data = cmd.model_dump(exclude={"inspection_id"})
    return [InspectionAnnouncementPublished(inspection_id=state.inspection_id, **data)]


def station_group(state: InspectionState, cmd: StationGroup, ctx: Context) -> list[DomainEvent]:
    require_stage(state.stage, [InspectionStage.ANNOUNCED], "station the group")
    require_leader(state, ctx)
    require_not_future(cmd.stationed_on, ctx, "stationed_on")
    require(
        _in_window(state, cmd.stationed_on),
        f"stationed_on {cmd.stationed_on} is outside the authorization window {state.window}",
    )
    assert state.planned_stationing_date is not None
    require(
        cmd.stationed_on >= state.planned_stationing_date,
        f"stationing cannot precede the date in the notice ({state.planned_stationing_date})",
    )
    assert state.announced_on is not None
    require(cmd.stationed_on >= state.announced_on, "stationing cannot precede the announcement")
    return [
        GroupStationed(inspection_id=state.inspection_id, stationed_on=cmd.stationed_on),
        PetitionChannelsOpened(inspection_id=state.inspection_id, opened_on=cmd.stationed_on),
    ]


def end_stationing(state: InspectionState, cmd: EndStationing, ctx: Context) -> list[DomainEvent]:
    require_stage(state.stage, [InspectionStage.STATIONED], "end the stationing")
    require_leader(state, ctx)
    require_not_future(cmd.withdrawn_on, ctx, "withdrawn_on")
    assert state.stationed_on is not None
    require(cmd.withdrawn_on >= state.stationed_on, "withdrawn_on cannot precede stationed_on")
    require(
        _in_window(state, cmd.withdrawn_on),
        f"withdrawn_on {cmd.withdrawn_on} is outside the authorization window {state.window}",
    )
    return [
        GroupWithdrawn(inspection_id=state.inspection_id, withdrawn_on=cmd.withdrawn_on),
        PetitionChannelsClosed(inspection_id=state.inspection_id, closed_on=cmd.withdrawn_on),
    ]

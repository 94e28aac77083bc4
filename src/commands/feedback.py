"""反馈: the feedback opinion with its problem ledger, and its delivery (starts the clocks)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import Field

from xuncha.commands.base import (
    Aggregate,
    Context,
    require,
    require_actor,
    require_not_future,
    require_stage,
)
from xuncha.commands.dates import add_months
from xuncha.commands.errors import InvalidTransition
from xuncha.commands.handling import Registered, on
from xuncha.commands.inspection import (
    INSPECTION,
    InspectionCommand,
    InspectionState,
    require_leader,
)
from xuncha.commands.inspection.handling import beside, inspection_of
from xuncha.commands.unit_of_work import UnitOfWork
from xuncha.events.base import DomainEvent, Role
from xuncha.events.feedback import (
    CopyRecipient,
    CopyRecipientKind,
    DisclosureExemption,
    DisclosureScope,
    FeedbackAcknowledged,
    FeedbackCopiedTo,
    FeedbackDelivered,
    FeedbackOpinionDrafted,
    FeedbackPublished,
    JointFeedbackTeamFormed,
    JointTeamMember,
    JointUnit,
    PrincipalBriefedOneToOne,
)
from xuncha.events.inspection import InspectionFeedbackDelivered
from xuncha.events.policy import PolicyParameters
from xuncha.events.values import LedgerItem, PolicyRef
from xuncha.events.vocabulary import InspectionStage


def feedback_stream_id(inspection_id: UUID) -> UUID:
    """One feedback per inspection; its stream id is derived from the inspection's."""
    return uuid5(NAMESPACE_URL, f"xuncha:feedback:{inspection_id}")


@dataclass(frozen=True)
class FeedbackState:
    feedback_id: UUID
    inspection_id: UUID
    draft_no: int
    ledger: tuple[LedgerItem, ...]
    delivered_on: date | None = None
    joint_team: frozenset[JointUnit] = frozenset()
    briefed_on: date | None = None
    copied_to: frozenset[CopyRecipientKind] = frozenset()
    acknowledged_on: date | None = None
    published: frozenset[DisclosureScope] = frozenset()


def evolve(state: FeedbackState | None, event: DomainEvent) -> FeedbackState | None:
    match event:
        case FeedbackOpinionDrafted() if state:  # a new draft keeps the team and the briefing
            return replace(state, draft_no=event.draft_no, ledger=tuple(event.ledger))
        case FeedbackOpinionDrafted():
            return FeedbackState(
                event.feedback_id, event.inspection_id, event.draft_no, tuple(event.ledger)
            )
        case FeedbackDelivered() if state:
            return replace(state, delivered_on=event.delivered_on)
        case JointFeedbackTeamFormed() if state:
            return replace(state, joint_team=frozenset(m.unit for m in event.members))
        case PrincipalBriefedOneToOne() if state:
            return replace(state, briefed_on=event.briefed_on)
        case FeedbackCopiedTo() if state:
            kinds = frozenset(r.kind for r in event.recipients)
            return replace(state, copied_to=state.copied_to | kinds)
        case FeedbackAcknowledged() if state:
            return replace(state, acknowledged_on=event.acknowledged_on)
        case FeedbackPublished() if state:
            return replace(state, published=state.published | {event.scope})
    return state


FEEDBACK = Aggregate[FeedbackState]("feedback", evolve)


class DraftFeedbackOpinion(InspectionCommand):
    allowed_roles: ClassVar[frozenset[Role]] = frozenset(
        {Role.GROUP_LEADER, Role.INSPECTION_OFFICE}
    )
    opinion: str = Field(min_length=1, max_length=50000)
    ledger: list[LedgerItem] = Field(min_length=1, max_length=500)


class DeliverFeedback(InspectionCommand):
    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.GROUP_LEADER})
    delivered_on: date
    attendees: list[str] = Field(default_factory=list, max_length=200)


def draft_opinion(
    state: FeedbackState | None,
    cmd: DraftFeedbackOpinion,
    ctx: Context,
    inspection: InspectionState,
) -> list[DomainEvent]:
    require_stage(inspection.stage, [InspectionStage.REPORT_APPROVED], "draft the feedback opinion")
    if ctx.actor.role == Role.GROUP_LEADER:
        require_leader(inspection, ctx)
    numbers = [item.item_no for item in cmd.ledger]
    require(len(set(numbers)) == len(numbers), "ledger item numbers must be unique")
    for item in cmd.ledger:
        stray = [str(f) for f in item.finding_ids if f not in inspection.approved_finding_ids]
        require(
            not stray,
            f"ledger item {item.item_no} cites finding(s) {', '.join(stray)} that are not in "
            "the approved report; every ledger item maps to approved findings",
        )
    return [
        FeedbackOpinionDrafted(
            feedback_id=feedback_stream_id(inspection.inspection_id),
            inspection_id=inspection.inspection_id,
            draft_no=(state.draft_no if state else 0) + 1,
            opinion=cmd.opinion,
            ledger=cmd.ledger,
        )
    ]


def deliver(
    state: FeedbackState | None,
    inspection: InspectionState,
    cmd: DeliverFeedback,
    ctx: Context,
    policy: tuple[PolicyRef, PolicyParameters],
) -> tuple[list[DomainEvent], list[DomainEvent]]:
    """Returns the feedback's events and the inspection's events (the clocks start here)."""
    require_stage(inspection.stage, [InspectionStage.REPORT_APPROVED], "deliver feedback")
    require_leader(inspection, ctx)
    if state is None:
        raise InvalidTransition("draft the feedback opinion before delivering feedback")
    require_not_future(cmd.delivered_on, ctx, "delivered_on")
    assert inspection.approved_on is not None
    require(
        cmd.delivered_on >= inspection.approved_on,
        "feedback cannot be delivered before the report was approved",
    )
    ref, params = policy
    if params.require_joint_feedback_team and not state.joint_team:
        raise InvalidTransition(
            "the policy requires a joint feedback team (联合反馈); form it before delivering"
        )
    feedback = FeedbackDelivered(
        feedback_id=state.feedback_id,
        inspection_id=state.inspection_id,
        draft_no=state.draft_no,
        delivered_on=cmd.delivered_on,
        attendees=cmd.attendees,
    )
    clocks = InspectionFeedbackDelivered(
        inspection_id=inspection.inspection_id,
        delivered_on=cmd.delivered_on,
        ledger_item_nos=[item.item_no for item in state.ledger],
        plan_due=cmd.delivered_on + timedelta(days=params.plan_due_days),
        written_report_due=add_months(cmd.delivered_on, params.written_report_months),
        policy=ref,
    )
    return [feedback], [clocks]


# Joint feedback, 双反馈, 四抄告, acknowledgement and disclosure -------------------------------


class FormJointFeedbackTeam(InspectionCommand):
    """联合反馈: 纪检、组织、工委、信访、巡察, optionally the 业务主管单位."""

    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.COMMITTEE, Role.LEADING_GROUP})
    members: list[JointTeamMember] = Field(min_length=1, max_length=50)


class HoldOneToOneFeedback(InspectionCommand):
    """双反馈: the group leader briefs the principal alone before the feedback meeting."""

    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.GROUP_LEADER})
    principal_name: str = Field(min_length=1, max_length=100)
    briefed_on: date


class SendCopyNotices(InspectionCommand):
    """四抄告: copies to 分管领导, 业务主管单位, 纪委 and 组织部."""

    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.INSPECTION_OFFICE})
    recipients: list[CopyRecipient] = Field(min_length=1, max_length=4)
    sent_on: date


class AcknowledgeFeedback(InspectionCommand):
    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.INSPECTED_ORG_PRINCIPAL})
    acknowledged_on: date


class PublishFeedbackSummary(InspectionCommand):
    """以公开为原则、不公开为例外: exemptions need the leading group, who then publishes."""

    allowed_roles: ClassVar[frozenset[Role]] = frozenset(
        {Role.INSPECTION_OFFICE, Role.INSPECTED_ORG_PRINCIPAL, Role.LEADING_GROUP}
    )
    scope: DisclosureScope
    summary: str = Field(min_length=1, max_length=30000)
    published_on: date
    exemptions: list[DisclosureExemption] = Field(default_factory=list, max_length=5)


def _before_delivery(
    state: FeedbackState | None, inspection: InspectionState, action: str
) -> FeedbackState:
    require_stage(inspection.stage, [InspectionStage.REPORT_APPROVED], action)
    if state is None:
        raise InvalidTransition(f"draft the feedback opinion before you {action}")
    return state


def _delivered(state: FeedbackState | None, action: str) -> FeedbackState:
    if state is None or state.delivered_on is None:
        raise InvalidTransition(f"cannot {action} before the feedback is delivered")
    return state


def form_joint_team(
    state: FeedbackState | None,
    cmd: FormJointFeedbackTeam,
    inspection: InspectionState,
    params: PolicyParameters,
) -> list[DomainEvent]:
    feedback = _before_delivery(state, inspection, "form the joint feedback team")
    units = [m.unit for m in cmd.members]
    require(
        JointUnit.INSPECTION in units, "the joint feedback team includes the inspection (巡察) side"
    )
    if params.joint_team_requires_discipline_and_organization:
        missing = [
            u.value for u in (JointUnit.DISCIPLINE, JointUnit.ORGANIZATION) if u not in units
        ]
        require(
            not missing,
            f"the policy requires the joint team to include discipline and organization; "
            f"missing: {', '.join(missing)}",
        )
    return [
        JointFeedbackTeamFormed(
            feedback_id=feedback.feedback_id,
            inspection_id=feedback.inspection_id,
            members=cmd.members,
        )
    ]


def hold_one_to_one(
    state: FeedbackState | None,
    cmd: HoldOneToOneFeedback,
    ctx: Context,
    inspection: InspectionState,
) -> list[DomainEvent]:
    feedback = _before_delivery(state, inspection, "brief the principal one to one")
    require_leader(inspection, ctx)
    require_not_future(cmd.briefed_on, ctx, "briefed_on")
    assert inspection.approved_on is not None
    require(
        cmd.briefed_on >= inspection.approved_on,
        "the principal cannot be briefed before the report was approved",
    )
    return [
        PrincipalBriefedOneToOne(
            feedback_id=feedback.feedback_id,
            inspection_id=feedback.inspection_id,
            leader_user_id=ctx.actor.user_id,
            principal_name=cmd.principal_name,
            briefed_on=cmd.briefed_on,
        )
    ]


def send_copies(
    state: FeedbackState | None, cmd: SendCopyNotices, ctx: Context
) -> list[DomainEvent]:
    feedback = _delivered(state, "send copy notices (抄告)")
    kinds = [r.kind for r in cmd.recipients]
    require(len(set(kinds)) == len(kinds), "each kind of recipient is copied once")
    again = sorted(k.value for k in kinds if k in feedback.copied_to)
    if again:
        raise InvalidTransition(f"the feedback was already copied to: {', '.join(again)}")
    require_not_future(cmd.sent_on, ctx, "sent_on")
    assert feedback.delivered_on is not None
    require(cmd.sent_on >= feedback.delivered_on, "copies cannot precede the feedback")
    return [
        FeedbackCopiedTo(
            feedback_id=feedback.feedback_id,
            inspection_id=feedback.inspection_id,
            recipients=cmd.recipients,
            sent_on=cmd.sent_on,
        )
    ]


def acknowledge(
    state: FeedbackState | None,
    cmd: AcknowledgeFeedback,
    ctx: Context,
    inspection: InspectionState,
) -> list[DomainEvent]:
    feedback = _delivered(state, "acknowledge the feedback")
    require_actor(
        ctx.actor.organization_id == inspection.organization_id,
        "only the inspected organization's principal acknowledges its feedback",
    )
    if feedback.acknowledged_on is not None:
        raise InvalidTransition(f"the feedback was acknowledged on {feedback.acknowledged_on}")
    require_not_future(cmd.acknowledged_on, ctx, "acknowledged_on")
    assert feedback.delivered_on is not None
    require(
        cmd.acknowledged_on >= feedback.delivered_on,
        "the feedback cannot be acknowledged before it was delivered",
    )
    return [
        FeedbackAcknowledged(
            feedback_id=feedback.feedback_id,
            inspection_id=feedback.inspection_id,
            principal_user_id=ctx.actor.user_id,
            acknowledged_on=cmd.acknowledged_on,
        )
    ]


def require_exemptions_approved(exemptions: list[DisclosureExemption], ctx: Context) -> None:
    """Disclosure exemptions (不公开的例外) are decided by the leading group only."""
    require_actor(
        not exemptions or ctx.actor.role == Role.LEADING_GROUP,
        "disclosure exemptions need the leading group's approval: the leading group publishes "
        "with exemptions",
    )
    require(len(set(exemptions)) == len(exemptions), "each exemption is listed once")


def publish_summary(
    state: FeedbackState | None,
    cmd: PublishFeedbackSummary,
    ctx: Context,
    inspection: InspectionState,
) -> list[DomainEvent]:
    feedback = _delivered(state, "publish the feedback summary")
    if ctx.actor.role == Role.INSPECTED_ORG_PRINCIPAL:
        require_actor(
            ctx.actor.organization_id == inspection.organization_id,
            "only the inspected organization's principal publishes its feedback",
        )
    require_exemptions_approved(cmd.exemptions, ctx)
    if cmd.scope in feedback.published:
        raise InvalidTransition(f"the feedback summary was already published ({cmd.scope})")
    require_not_future(cmd.published_on, ctx, "published_on")
    assert feedback.delivered_on is not None
    require(cmd.published_on >= feedback.delivered_on, "publication cannot precede the feedback")
    return [
        FeedbackPublished(
            feedback_id=feedback.feedback_id,
            inspection_id=feedback.inspection_id,
            scope=cmd.scope,
            summary=cmd.summary,
            published_on=cmd.published_on,
            exemptions=cmd.exemptions,
            exemptions_approved_by=ctx.actor.user_id if cmd.exemptions else None,
        )
    ]


# Handlers ------------------------------------------------------------------------------------


def handle_draft_opinion(uow: UnitOfWork, cmd: DraftFeedbackOpinion) -> None:
    inspection = inspection_of(uow, cmd.inspection_id)
    stream_id = feedback_stream_id(cmd.inspection_id)
    state = uow.find(FEEDBACK, stream_id)
    uow.record(FEEDBACK, stream_id, draft_opinion(state, cmd, uow.ctx, inspection))


def handle_deliver(uow: UnitOfWork, cmd: DeliverFeedback) -> None:
    inspection = inspection_of(uow, cmd.inspection_id)
    stream_id = feedback_stream_id(cmd.inspection_id)
    state = uow.find(FEEDBACK, stream_id)
    in_force = uow.policy(inspection.jurisdiction_id, cmd.delivered_on)
    on_feedback, on_inspection = deliver(state, inspection, cmd, uow.ctx, in_force)
    uow.record(FEEDBACK, stream_id, on_feedback)
    uow.record(INSPECTION, cmd.inspection_id, on_inspection)


def handle_form_joint_team(uow: UnitOfWork, cmd: FormJointFeedbackTeam) -> None:
    inspection = inspection_of(uow, cmd.inspection_id)
    sid = feedback_stream_id(cmd.inspection_id)
    params = uow.policy(inspection.jurisdiction_id, uow.ctx.today)[1]
    uow.record(FEEDBACK, sid, form_joint_team(uow.find(FEEDBACK, sid), cmd, inspection, params))


def handle_send_copies(uow: UnitOfWork, cmd: SendCopyNotices) -> None:
    inspection_of(uow, cmd.inspection_id)
    sid = feedback_stream_id(cmd.inspection_id)
    uow.record(FEEDBACK, sid, send_copies(uow.find(FEEDBACK, sid), cmd, uow.ctx))


HANDLERS: tuple[Registered, ...] = (
    on(DraftFeedbackOpinion, handle_draft_opinion),
    on(DeliverFeedback, handle_deliver),
    on(FormJointFeedbackTeam, handle_form_joint_team),
    on(HoldOneToOneFeedback, beside(FEEDBACK, feedback_stream_id, hold_one_to_one)),
    on(SendCopyNotices, handle_send_copies),
    on(AcknowledgeFeedback, beside(FEEDBACK, feedback_stream_id, acknowledge)),
    on(PublishFeedbackSummary, beside(FEEDBACK, feedback_stream_id, publish_summary)),
)

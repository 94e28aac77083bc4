"""The transfer: approved by the leading group, made by the office (or by the group leader
during fieldwork for a fast-track lead); the clocks start under the policy in force."""

from __future__ import annotations

from datetime import date, timedelta
from typing import ClassVar

from pydantic import Field

from xuncha.commands.base import (
    Context,
    require,
    require_not_future,
    require_stage,
)
from xuncha.commands.dates import add_months
from xuncha.commands.errors import InvalidTransition
from xuncha.commands.inspection import (
    InspectionState,
    require_leader,
)
from xuncha.commands.lead.state import CHANNEL, OFFICE, LeadCommand, LeadState
from xuncha.events.base import DomainEvent, Role
from xuncha.events.lead import (
    LeadTransferApproved,
    LeadTransferred,
    LeadTransferredDuringFieldwork,
    ReceivingAuthority,
)
from xuncha.events.policy import PolicyParameters
from xuncha.events.values import PolicyRef
from xuncha.events.vocabulary import InspectionStage, LeadStage


class ApproveLeadTransfer(LeadCommand):
    """The leading group approves the transfer; the receiver follows the subject's
    management level through the jurisdiction's policy."""

    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.LEADING_GROUP})
    note: str = Field(default="", max_length=2000)
    approved_on: date | None = Field(
        default=None,
        description="the day the leading group approved the transfer, if not today; "
        "not in the future",
    )


class TransferLead(LeadCommand):
    """The office hands the sealed package over (after fieldwork); the clocks start."""

    allowed_roles: ClassVar[frozenset[Role]] = OFFICE
    package_ref: str = Field(min_length=1, max_length=200)
    transferred_on: date


class TransferLeadDuringFieldwork(LeadCommand):
    """边办案: the group leader hands a fast-track lead over while the group is stationed."""

    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.GROUP_LEADER})
    package_ref: str = Field(min_length=1, max_length=200)
    transferred_on: date


def approve_transfer(
    state: LeadState,
    cmd: ApproveLeadTransfer,
    ctx: Context,
    policy: tuple[PolicyRef, PolicyParameters],
    inspection: InspectionState,
) -> list[DomainEvent]:
    """`policy`: the policy in force on the approval day; `inspection`: the lead's
    inspection (leads exist from stationing on, so no approval is dated before it)."""
    require_stage(state.stage, [LeadStage.CLASSIFIED], "approve the lead's transfer")
    assert state.lead_type is not None
    ref, params = policy
    channel = CHANNEL[state.lead_type]
    route = params.lead_route(channel, state.management_level)
    require(
        route is not None,
        f"policy version {ref.version} of {ref.jurisdiction_id} names no receiving authority "
        f"for {channel.value} leads about {state.management_level.value} cadres; "
        "publish a policy version whose lead_routes do",
    )
    assert route is not None
    approved_on = cmd.approved_on or ctx.today
    require_not_future(approved_on, ctx, "approved_on")
    stationed_on = inspection.stationed_on
    require(
        stationed_on is None or approved_on >= stationed_on,
        f"approved_on ({approved_on}) is before the group was stationed ({stationed_on}), "
        "when the lead could not exist yet",
    )
    receiver = ReceivingAuthority(
        channel=channel, organization_id=route.organization_id, name=route.name
    )
    return [
        LeadTransferApproved(
            lead_id=state.lead_id,
            inspection_id=state.inspection_id,
            receiver=receiver,
            management_level=state.management_level,
            lead_type=state.lead_type,
            approved_on=approved_on,
            note=cmd.note,
            policy=ref,
        )
    ]


def _clocks(
    state: LeadState, transferred_on: date, ctx: Context, params: PolicyParameters
) -> tuple[date, date]:
    require_not_future(transferred_on, ctx, "transferred_on")
    assert state.approved_on is not None
    require(
        transferred_on >= state.approved_on,
        f"a lead cannot be transferred ({transferred_on}) before its transfer was approved "
        f"({state.approved_on})",
    )
    return (
        transferred_on + timedelta(days=params.lead_ack_days),
        add_months(transferred_on, params.lead_outcome_months),
    )


def transfer(
    state: LeadState,
    cmd: TransferLead,
    ctx: Context,
    inspection: InspectionState,
    policy: tuple[PolicyRef, PolicyParameters],
) -> list[DomainEvent]:
    require_stage(state.stage, [LeadStage.TRANSFER_APPROVED], "transfer the lead")
    if inspection.stage == InspectionStage.STATIONED:
        raise InvalidTransition(
            "the group is still stationed: during fieldwork only fast-track leads "
            "(八项规定/四风) are transferred, by the group leader (transfer during fieldwork)"
        )
    ref, params = policy
    ack_due, outcome_due = _clocks(state, cmd.transferred_on, ctx, params)
    assert state.receiver is not None
    return [
        LeadTransferred(
            lead_id=state.lead_id,
            inspection_id=state.inspection_id,
            receiver=state.receiver,
            package_ref=cmd.package_ref,
            transferred_on=cmd.transferred_on,
            acknowledgement_due=ack_due,
            outcome_due=outcome_due,
            policy=ref,
        )
    ]


def transfer_during_fieldwork(
    state: LeadState,
    cmd: TransferLeadDuringFieldwork,
    ctx: Context,
    inspection: InspectionState,
    policy: tuple[PolicyRef, PolicyParameters],
) -> list[DomainEvent]:
    if state.stage in (LeadStage.REGISTERED, LeadStage.CLASSIFIED):
        raise InvalidTransition(
            "a fast-track lead is transferred during fieldwork only with the leading group's "
            "approval; approve the transfer first"
        )
    require_stage(state.stage, [LeadStage.TRANSFER_APPROVED], "transfer the lead during fieldwork")
    require(
        state.fast_track is not None,
        "only leads classified fast-track (八项规定/四风) are transferred during fieldwork",
    )
    if inspection.stage != InspectionStage.STATIONED:
        raise InvalidTransition(
            f"the inspection's stage is '{inspection.stage}', not "
            f"'{InspectionStage.STATIONED}': the fast track is for fieldwork; after it the office "
            "transfers the lead"
        )
    require_leader(inspection, ctx)
    assert inspection.stationed_on is not None
    require(
        cmd.transferred_on >= inspection.stationed_on,
        "a lead is not transferred during fieldwork before the group was stationed",
    )
    ref, params = policy
    ack_due, outcome_due = _clocks(state, cmd.transferred_on, ctx, params)
    assert state.receiver is not None
    assert state.fast_track is not None
    return [
        LeadTransferredDuringFieldwork(
            lead_id=state.lead_id,
            inspection_id=state.inspection_id,
            receiver=state.receiver,
            fast_track=state.fast_track,
            package_ref=cmd.package_ref,
            transferred_on=cmd.transferred_on,
            acknowledgement_due=ack_due,
            outcome_due=outcome_due,
            policy=ref,
        )
    ]

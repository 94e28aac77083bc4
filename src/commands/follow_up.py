"""FollowUp (回访督查 / 整改评估 / 回头看) of one inspection's rectification: return visits with
sample checks of closed items, the evaluation (after a policy delay), re-rectification orders,
accountability (问责), and launching a look-back inspection (回头看)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import Field

from xuncha.commands.base import (
    Aggregate,
    Command,
    Context,
    require,
    require_not_future,
    require_stage,
)
from xuncha.commands.dates import add_months
from xuncha.commands.errors import InvalidTransition
from xuncha.commands.handling import Registered, on
from xuncha.commands.inspection import INSPECTION, InspectionCommand, InspectionState
from xuncha.commands.inspection.handling import beside, beside_pinned
from xuncha.commands.round import ROUND, PlanInspection, RoundState
from xuncha.commands.round.handlers import plan_inspection
from xuncha.commands.unit_of_work import UnitOfWork
from xuncha.events.base import DomainEvent, Role
from xuncha.events.follow_up import (
    AccountabilityImposed,
    CheckedItem,
    CheckResult,
    Grade,
    Indicator,
    LookbackInspectionLaunched,
    LookbackLinked,
    RectificationEvaluated,
    ReRectificationOrdered,
    ReturnVisitConducted,
    ReturnVisitScheduled,
    SatisfactionSurveyRecorded,
    VisitMethod,
)
from xuncha.events.policy import PolicyParameters
from xuncha.events.values import RoundType
from xuncha.events.vocabulary import InspectionStage

FOLLOWERS = frozenset(
    {Role.INSPECTION_OFFICE, Role.LEADING_GROUP, Role.GROUP_LEADER, Role.DEPUTY_GROUP_LEADER}
)
EVALUATORS = frozenset(
    {
        Role.INSPECTION_OFFICE,
        Role.LEADING_GROUP,
        Role.DISCIPLINE_COMMISSION,
        Role.ORGANIZATION_DEPARTMENT,
    }
)
AFTER_PLAN = (
    InspectionStage.RECTIFYING,
    InspectionStage.RECTIFICATION_REPORT_SUBMITTED,
    InspectionStage.RECTIFICATION_REPORT_RETURNED,
    InspectionStage.RECTIFICATION_REPORT_ACCEPTED,
    InspectionStage.CLOSED,
)


def follow_up_stream_id(inspection_id: UUID) -> UUID:
    return uuid5(NAMESPACE_URL, f"xuncha:follow-up:{inspection_id}")


@dataclass(frozen=True)
class FollowUpState:
    follow_up_id: UUID
    inspection_id: UUID
    scheduled: Mapping[int, tuple[UUID, ...]] = field(default_factory=dict)
    checks: Mapping[int, Mapping[UUID, CheckResult]] = field(default_factory=dict)
    evaluations: tuple[Grade, ...] = ()
    orders: int = 0
    lookbacks: tuple[UUID, ...] = ()
    accountabilities: int = 0


FOLLOW_UP_EVENTS = (
    ReturnVisitScheduled,
    ReturnVisitConducted,
    SatisfactionSurveyRecorded,
    RectificationEvaluated,
    ReRectificationOrdered,
    LookbackInspectionLaunched,
    AccountabilityImposed,
)


def evolve(state: FollowUpState | None, event: DomainEvent) -> FollowUpState | None:
    if not isinstance(event, FOLLOW_UP_EVENTS):
        return state
    if state is None:
        state = FollowUpState(event.follow_up_id, event.inspection_id)
    match event:
        case ReturnVisitScheduled():
            scheduled = {**state.scheduled, event.visit_no: tuple(event.item_ids)}
            return replace(state, scheduled=scheduled)
        case ReturnVisitConducted():
            results = {c.item_id: c.result for c in event.checked_items}
            return replace(state, checks={**state.checks, event.visit_no: results})
        case RectificationEvaluated():
            return replace(state, evaluations=(*state.evaluations, event.grade))
        case ReRectificationOrdered():
            return replace(state, orders=event.order_no)
        case LookbackInspectionLaunched():
            return replace(state, lookbacks=(*state.lookbacks, event.lookback_inspection_id))
        case AccountabilityImposed():
            return replace(state, accountabilities=state.accountabilities + 1)
    return state


FOLLOW_UP = Aggregate[FollowUpState]("follow_up", evolve)


class ScheduleReturnVisit(InspectionCommand):
    """回访督查, by 听、看、查、访; names the items to sample-check (台账销号反向核查)."""

    allowed_roles: ClassVar[frozenset[Role]] = FOLLOWERS
    planned_on: date
    methods: list[VisitMethod] = Field(min_length=1, max_length=4)
    item_ids: list[UUID] = Field(default_factory=list, max_length=500)


class SatisfactionSurvey(Command):
    respondents: int = Field(ge=1, le=100000)
    satisfied: int = Field(ge=0, le=100000)
    basically_satisfied: int = Field(ge=0, le=100000)
    dissatisfied: int = Field(ge=0, le=100000)


class RecordReturnVisit(InspectionCommand):
    allowed_roles: ClassVar[frozenset[Role]] = FOLLOWERS
    visit_no: int = Field(ge=1)
    conducted_on: date
    checked_items: list[CheckedItem] = Field(default_factory=list, max_length=500)
    notes: str = Field(default="", max_length=30000)
    survey: SatisfactionSurvey | None = None


class EvaluateRectification(InspectionCommand):
    """整改评估: score, grade (优秀/较好/一般/差) and indicators, after the policy's delay."""

    allowed_roles: ClassVar[frozenset[Role]] = EVALUATORS
    evaluated_on: date
    score: float = Field(ge=0, le=100)
    grade: Grade
    indicators: list[Indicator] = Field(min_length=1, max_length=100)
    evaluators: list[str] = Field(min_length=1, max_length=50)


class OrderReRectification(InspectionCommand):
    """再整改通知."""

    allowed_roles: ClassVar[frozenset[Role]] = frozenset(
        {Role.INSPECTION_OFFICE, Role.LEADING_GROUP}
    )
    item_ids: list[UUID] = Field(min_length=1, max_length=500)
    justification: str = Field(min_length=1, max_length=10000)
    due: date

    @property
    def reason(self) -> str | None:
        return self.justification


class ImposeAccountability(InspectionCommand):
    """问责 for 整改不力 or 虚假整改."""

    allowed_roles: ClassVar[frozenset[Role]] = frozenset(
        {Role.LEADING_GROUP, Role.DISCIPLINE_COMMISSION}
    )
    subject: str = Field(min_length=1, max_length=200)
    form: str = Field(min_length=1, max_length=200)
    justification: str = Field(min_length=1, max_length=10000)
    item_ids: list[UUID] = Field(default_factory=list, max_length=500)
    decided_on: date

    @property
    def reason(self) -> str | None:
        return self.justification


class LaunchLookback(Command):
    """回头看: a new inspection in a look-back round, linked to the inspection it looks back at
    and/or to provincial 巡视 feedback items."""

    target: ClassVar[str | None] = "round_id"
    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.COMMITTEE})
    round_id: UUID
    lookback_of_inspection_id: UUID | None = None
    provincial_feedback_refs: list[str] = Field(default_factory=list, max_length=200)
    organization_id: str | None = Field(default=None, min_length=1, max_length=64)
    organization_name: str | None = Field(default=None, min_length=1, max_length=200)
    group_name: str = Field(min_length=1, max_length=200)


def _unknown_items(state: InspectionState, item_ids: list[UUID]) -> None:
    stray = sorted(str(i) for i in set(item_ids) - set(state.item_ids))
    require(not stray, f"item(s) {', '.join(stray)} are not rectification items of this inspection")
    require(len(set(item_ids)) == len(item_ids), "each item is listed once")


def schedule_visit(
    follow_up: FollowUpState | None,
    cmd: ScheduleReturnVisit,
    ctx: Context,
    state: InspectionState,
) -> list[DomainEvent]:
    require_stage(state.stage, AFTER_PLAN, "schedule a return visit")
    _unknown_items(state, cmd.item_ids)
    require(len(set(cmd.methods)) == len(cmd.methods), "each method is listed once")
    return [
        ReturnVisitScheduled(
            follow_up_id=follow_up_stream_id(state.inspection_id),
            inspection_id=state.inspection_id,
            visit_no=len(follow_up.scheduled) + 1 if follow_up else 1,
            planned_on=cmd.planned_on,
            methods=cmd.methods,
            item_ids=cmd.item_ids,
        )
    ]


def record_visit(
    follow_up: FollowUpState | None,
    cmd: RecordReturnVisit,
    ctx: Context,
    state: InspectionState,
) -> list[DomainEvent]:
    if follow_up is None or cmd.visit_no not in follow_up.scheduled:
        raise InvalidTransition(f"return visit {cmd.visit_no} is not scheduled")
    if cmd.visit_no in follow_up.checks:
        raise InvalidTransition(f"return visit {cmd.visit_no} is already recorded")
    require_not_future(cmd.conducted_on, ctx, "conducted_on")
    _unknown_items(state, [c.item_id for c in cmd.checked_items])
    events: list[DomainEvent] = [
        ReturnVisitConducted(
            follow_up_id=follow_up.follow_up_id,
            inspection_id=state.inspection_id,
            visit_no=cmd.visit_no,
            conducted_on=cmd.conducted_on,
            checked_items=cmd.checked_items,
            notes=cmd.notes,
        )
    ]
    if cmd.survey is not None:
        s = cmd.survey
        require(
            s.satisfied + s.basically_satisfied + s.dissatisfied <= s.respondents,
            "the survey's answers exceed its respondents",
        )
        events.append(
            SatisfactionSurveyRecorded(
                follow_up_id=follow_up.follow_up_id,
                inspection_id=state.inspection_id,
                visit_no=cmd.visit_no,
                respondents=s.respondents,
                satisfied=s.satisfied,
                basically_satisfied=s.basically_satisfied,
                dissatisfied=s.dissatisfied,
            )
        )
    return events


def evaluate(
    follow_up: FollowUpState | None,
    cmd: EvaluateRectification,
    ctx: Context,
    state: InspectionState,
    params: PolicyParameters,
) -> list[DomainEvent]:
    """`params`: the policy version pinned when feedback started the rectification clocks."""
    require_stage(
        state.stage,
        [InspectionStage.RECTIFICATION_REPORT_ACCEPTED, InspectionStage.CLOSED],
        "evaluate the rectification",
    )
    require_not_future(cmd.evaluated_on, ctx, "evaluated_on")
    assert state.delivered_on is not None
    earliest = add_months(state.delivered_on, params.evaluation_delay_months)
    require(
        cmd.evaluated_on >= earliest,
        f"the rectification can be evaluated from {earliest} on "
        f"({params.evaluation_delay_months} months after the feedback of {state.delivered_on})",
    )
    for indicator in cmd.indicators:
        require(
            0 <= indicator.score <= indicator.max_score,
            f"indicator {indicator.name!r} scores outside 0..{indicator.max_score}",
        )
    return [
        RectificationEvaluated(
            follow_up_id=follow_up_stream_id(state.inspection_id),
            inspection_id=state.inspection_id,
            evaluation_no=len(follow_up.evaluations) + 1 if follow_up else 1,
            evaluated_on=cmd.evaluated_on,
            score=cmd.score,
            grade=cmd.grade,
            indicators=cmd.indicators,
            evaluators=cmd.evaluators,
            earliest_on=earliest,
        )
    ]


def order_re_rectification(
    follow_up: FollowUpState | None,
    cmd: OrderReRectification,
    ctx: Context,
    state: InspectionState,
) -> list[DomainEvent]:
    require_stage(state.stage, AFTER_PLAN, "order re-rectification")
    _unknown_items(state, cmd.item_ids)
    require(cmd.due > ctx.today, f"the re-rectification is due after today ({ctx.today})")
    return [
        ReRectificationOrdered(
            follow_up_id=follow_up_stream_id(state.inspection_id),
            inspection_id=state.inspection_id,
            order_no=(follow_up.orders if follow_up else 0) + 1,
            item_ids=cmd.item_ids,
            reason=cmd.justification,
            due=cmd.due,
        )
    ]


def impose_accountability(
    follow_up: FollowUpState | None,
    cmd: ImposeAccountability,
    ctx: Context,
    state: InspectionState,
) -> list[DomainEvent]:
    require_stage(state.stage, AFTER_PLAN, "impose accountability for the rectification")
    _unknown_items(state, cmd.item_ids)
    require_not_future(cmd.decided_on, ctx, "decided_on")
    return [
        AccountabilityImposed(
            follow_up_id=follow_up_stream_id(state.inspection_id),
            inspection_id=state.inspection_id,
            subject=cmd.subject,
            form=cmd.form,
            reason=cmd.justification,
            item_ids=cmd.item_ids,
            decided_on=cmd.decided_on,
        )
    ]


def lookback_target(cmd: LaunchLookback, earlier: InspectionState | None) -> PlanInspection:
    """The look-back's target: the earlier inspection's organization unless named."""
    organization_id = cmd.organization_id or (earlier.organization_id if earlier else None)
    name = cmd.organization_name or (earlier.organization_name if earlier else None)
    require(
        organization_id is not None and name is not None,
        "name the organization to look back at (organization_id and organization_name) when "
        "there is no earlier inspection",
    )
    assert organization_id is not None
    assert name is not None
    return PlanInspection(
        round_id=cmd.round_id,
        organization_id=organization_id,
        organization_name=name,
        group_name=cmd.group_name,
    )


def launch_lookback(
    cmd: LaunchLookback,
    round_state: RoundState,
    earlier: InspectionState | None,
    lookback_id: UUID,
) -> tuple[list[DomainEvent], list[DomainEvent]]:
    """The link on the new inspection's stream, and the launch on the earlier one's follow-up
    (empty without an earlier inspection). Planning itself is the round's usual rule."""
    require(
        round_state.round_type == RoundType.LOOKBACK,
        f"a look-back inspection belongs to a look-back round; this round is "
        f"{round_state.round_type.value}",
    )
    require(
        cmd.lookback_of_inspection_id is not None or bool(cmd.provincial_feedback_refs),
        "a look-back links to an earlier inspection or to provincial feedback items (or both)",
    )
    refs = [r.strip() for r in cmd.provincial_feedback_refs]
    require(all(refs) and len(set(refs)) == len(refs), "provincial feedback refs are unique")
    launched: list[DomainEvent] = []
    if cmd.lookback_of_inspection_id is not None:
        if earlier is None:
            raise InvalidTransition(f"inspection {cmd.lookback_of_inspection_id} does not exist")
        require_stage(earlier.stage, AFTER_PLAN, "look back at this inspection")
        launched.append(
            LookbackInspectionLaunched(
                follow_up_id=follow_up_stream_id(earlier.inspection_id),
                inspection_id=earlier.inspection_id,
                lookback_inspection_id=lookback_id,
                round_id=round_state.round_id,
            )
        )
    link = LookbackLinked(
        inspection_id=lookback_id,
        lookback_of_inspection_id=cmd.lookback_of_inspection_id,
        provincial_feedback_refs=refs,
    )
    return [link], launched


# Handlers ------------------------------------------------------------------------------------


def handle_launch_lookback(uow: UnitOfWork, cmd: LaunchLookback) -> UUID:
    """The look-back opens a new inspection, planned as the round plans any other."""
    round_state = uow.get(ROUND, cmd.round_id, "round")
    earlier = None
    if cmd.lookback_of_inspection_id is not None:
        earlier = uow.find(INSPECTION, cmd.lookback_of_inspection_id)
    target = lookback_target(cmd, earlier)
    # Decide the link before planning, so a refused look-back plans nothing.
    launch_lookback(cmd, round_state, earlier, UUID(int=0))
    lookback_id = plan_inspection(uow, target)
    link, launched = launch_lookback(cmd, round_state, earlier, lookback_id)
    uow.record(INSPECTION, lookback_id, link)
    if earlier is not None:
        sid = follow_up_stream_id(earlier.inspection_id)
        uow.find(FOLLOW_UP, sid)  # load its version: the launch appends after its events
        uow.record(FOLLOW_UP, sid, launched)
    return lookback_id


HANDLERS: tuple[Registered, ...] = (
    on(ScheduleReturnVisit, beside(FOLLOW_UP, follow_up_stream_id, schedule_visit)),
    on(RecordReturnVisit, beside(FOLLOW_UP, follow_up_stream_id, record_visit)),
    on(EvaluateRectification, beside_pinned(FOLLOW_UP, follow_up_stream_id, evaluate)),
    on(OrderReRectification, beside(FOLLOW_UP, follow_up_stream_id, order_re_rectification)),
    on(ImposeAccountability, beside(FOLLOW_UP, follow_up_stream_id, impose_accountability)),
    on(LaunchLookback, handle_launch_lookback),
)

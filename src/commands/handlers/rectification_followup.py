"""Handlers of feedback (joint team, 双反馈, 抄告, acknowledgement, disclosure), the
rectification as a whole and item by item (long-term, extension, reopening, 督办, 约谈, the
three-colour timer), the follow-up (回访, 评估, 再整改, 回头看, 问责), and the use of results."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from xuncha.commands import feedback, follow_up, rectification, results
from xuncha.commands import rectification_plan as plan
from xuncha.commands.base import Aggregate
from xuncha.commands.feedback import FEEDBACK, feedback_stream_id
from xuncha.commands.finding import FINDING
from xuncha.commands.follow_up import FOLLOW_UP, follow_up_stream_id
from xuncha.commands.handlers.lifecycle import plan_inspection
from xuncha.commands.inspection import INSPECTION, InspectionState
from xuncha.commands.rectification import RECTIFICATION_ITEM, ItemState
from xuncha.commands.registry import Handler, handles, register_all
from xuncha.commands.round import ROUND
from xuncha.commands.unit_of_work import UnitOfWork
from xuncha.events.policy import PolicyParameters


def _inspection(uow: UnitOfWork, inspection_id: UUID) -> InspectionState:
    return uow.get(INSPECTION, inspection_id, "inspection")


def _pinned(uow: UnitOfWork, state: InspectionState) -> PolicyParameters:
    """The policy version the feedback's clocks started under (in force today before that)."""
    ref = state.rectification_policy
    if ref is not None:
        return uow.pinned_policy(ref)
    return uow.policy(state.jurisdiction_id, uow.ctx.today)[1]


def _items(uow: UnitOfWork, state: InspectionState) -> dict[UUID, ItemState]:
    return {i: uow.get(RECTIFICATION_ITEM, i, "rectification item") for i in state.item_ids}


def _beside(
    aggregate: Aggregate[Any],
    stream_id: Callable[[UUID], UUID],
    decide: Callable[..., Any],
    *extra: str,
) -> Handler:
    """A command on a record kept beside its inspection (feedback, rectification programme,
    follow-up): decide(record, cmd, [ctx], inspection[, pinned policy])."""

    def handler(uow: UnitOfWork, cmd: Any) -> None:
        inspection = _inspection(uow, cmd.inspection_id)
        sid = stream_id(cmd.inspection_id)
        record = uow.find(aggregate, sid)
        args: list[Any] = [uow.ctx] if "ctx" in extra else []
        args.append(inspection)
        if "pinned" in extra:
            args.append(_pinned(uow, inspection))
        uow.record(aggregate, sid, decide(record, cmd, *args))

    return handler


def _on_item(decide: Callable[..., Any]) -> Handler:
    def handler(uow: UnitOfWork, cmd: Any) -> None:
        state = uow.get(RECTIFICATION_ITEM, cmd.item_id, "rectification item")
        uow.record(RECTIFICATION_ITEM, cmd.item_id, decide(state, cmd, uow.ctx))

    return handler


# Feedback ---------------------------------------------------------------------------------------


@handles(feedback.FormJointFeedbackTeam)
def form_joint_team(uow: UnitOfWork, cmd: feedback.FormJointFeedbackTeam) -> None:
    inspection = _inspection(uow, cmd.inspection_id)
    sid = feedback_stream_id(cmd.inspection_id)
    params = uow.policy(inspection.jurisdiction_id, uow.ctx.today)[1]
    events = feedback.form_joint_team(uow.find(FEEDBACK, sid), cmd, inspection, params)
    uow.record(FEEDBACK, sid, events)


@handles(feedback.SendCopyNotices)
def send_copies(uow: UnitOfWork, cmd: feedback.SendCopyNotices) -> None:
    _inspection(uow, cmd.inspection_id)
    sid = feedback_stream_id(cmd.inspection_id)
    uow.record(FEEDBACK, sid, feedback.send_copies(uow.find(FEEDBACK, sid), cmd, uow.ctx))


register_all(
    {
        feedback.HoldOneToOneFeedback: _beside(
            FEEDBACK, feedback_stream_id, feedback.hold_one_to_one, "ctx"
        ),
        feedback.AcknowledgeFeedback: _beside(
            FEEDBACK, feedback_stream_id, feedback.acknowledge, "ctx"
        ),
        feedback.PublishFeedbackSummary: _beside(
            FEEDBACK, feedback_stream_id, feedback.publish_summary, "ctx"
        ),
        plan.EstablishRectificationTaskforce: _beside(
            plan.RECTIFICATION_PROGRAMME,
            plan.rectification_stream_id,
            plan.establish_taskforce,
            "ctx",
        ),
        plan.HoldRectificationLifeMeeting: _beside(
            plan.RECTIFICATION_PROGRAMME,
            plan.rectification_stream_id,
            plan.hold_life_meeting,
            "ctx",
            "pinned",
        ),
        follow_up.ScheduleReturnVisit: _beside(
            FOLLOW_UP, follow_up_stream_id, follow_up.schedule_visit, "ctx"
        ),
        follow_up.RecordReturnVisit: _beside(
            FOLLOW_UP, follow_up_stream_id, follow_up.record_visit, "ctx"
        ),
        follow_up.EvaluateRectification: _beside(
            FOLLOW_UP, follow_up_stream_id, follow_up.evaluate, "ctx", "pinned"
        ),
        follow_up.OrderReRectification: _beside(
            FOLLOW_UP, follow_up_stream_id, follow_up.order_re_rectification, "ctx"
        ),
        follow_up.ImposeAccountability: _beside(
            FOLLOW_UP, follow_up_stream_id, follow_up.impose_accountability, "ctx"
        ),
        rectification.ReclassifyItemAsLongTerm: _on_item(rectification.reclassify_long_term),
        rectification.ExtendItemDeadline: _on_item(rectification.extend_deadline),
        rectification.IssueSupervisionNotice: _on_item(rectification.issue_supervision_notice),
        rectification.HoldAccountabilityTalk: _on_item(rectification.hold_accountability_talk),
    }
)


# The rectification as a whole -------------------------------------------------------------------


@handles(plan.DiscloseRectification)
def disclose(uow: UnitOfWork, cmd: plan.DiscloseRectification) -> None:
    reported = uow.get(plan.INSPECTION_WITH_REPORTS, cmd.inspection_id, "inspection")
    sid = plan.rectification_stream_id(cmd.inspection_id)
    programme = uow.find(plan.RECTIFICATION_PROGRAMME, sid)
    uow.record(plan.RECTIFICATION_PROGRAMME, sid, plan.disclose(programme, cmd, uow.ctx, reported))


@handles(plan.EndCentralizedRectification)
def end_centralized(uow: UnitOfWork, cmd: plan.EndCentralizedRectification) -> None:
    inspection = _inspection(uow, cmd.inspection_id)
    sid = plan.rectification_stream_id(cmd.inspection_id)
    programme = uow.find(plan.RECTIFICATION_PROGRAMME, sid)
    statuses = {i: s.status for i, s in _items(uow, inspection).items()}
    events = plan.end_centralized(programme, cmd, uow.ctx, inspection, statuses)
    uow.record(plan.RECTIFICATION_PROGRAMME, sid, events)


@handles(plan.StartContinuousRectification)
def start_continuous(uow: UnitOfWork, cmd: plan.StartContinuousRectification) -> None:
    inspection = _inspection(uow, cmd.inspection_id)
    sid = plan.rectification_stream_id(cmd.inspection_id)
    programme = uow.find(plan.RECTIFICATION_PROGRAMME, sid)
    long_term = [i for i, s in _items(uow, inspection).items() if s.long_term]
    events = plan.start_continuous(programme, cmd, uow.ctx, inspection, long_term)
    uow.record(plan.RECTIFICATION_PROGRAMME, sid, events)


@handles(plan.SummarizeRectification)
def summarize(uow: UnitOfWork, cmd: plan.SummarizeRectification) -> None:
    inspection = _inspection(uow, cmd.inspection_id)
    sid = plan.rectification_stream_id(cmd.inspection_id)
    programme = uow.find(plan.RECTIFICATION_PROGRAMME, sid)
    items = {i: (s.status, s.long_term) for i, s in _items(uow, inspection).items()}
    events = plan.summarize(programme, cmd, uow.ctx, inspection, items)
    uow.record(plan.RECTIFICATION_PROGRAMME, sid, events)


# Items: reopening after a return visit, and the three-colour timer ------------------------------


@handles(rectification.ReopenItem)
def reopen_item(uow: UnitOfWork, cmd: rectification.ReopenItem) -> None:
    state = uow.get(RECTIFICATION_ITEM, cmd.item_id, "rectification item")
    follow = uow.find(FOLLOW_UP, follow_up_stream_id(state.inspection_id))
    checks = {n: dict(c) for n, c in follow.checks.items()} if follow else {}
    events = rectification.reopen(
        state, cmd, uow.ctx, follow_up_stream_id(state.inspection_id), checks
    )
    uow.record(RECTIFICATION_ITEM, cmd.item_id, events)


@handles(rectification.RaiseDeadlineWarnings)
def raise_warnings(uow: UnitOfWork, cmd: rectification.RaiseDeadlineWarnings) -> None:
    state = uow.get(RECTIFICATION_ITEM, cmd.item_id, "rectification item")
    assert state.policy is not None
    params = uow.pinned_policy(state.policy)  # the version the item was opened with
    uow.record(
        RECTIFICATION_ITEM, cmd.item_id, rectification.raise_warnings(state, cmd, uow.ctx, params)
    )


# Follow-up: reopening is on the item; the look-back opens a new inspection ----------------------


@handles(follow_up.LaunchLookback)
def launch_lookback(uow: UnitOfWork, cmd: follow_up.LaunchLookback) -> UUID:
    round_state = uow.get(ROUND, cmd.round_id, "round")
    earlier = None
    if cmd.lookback_of_inspection_id is not None:
        earlier = uow.find(INSPECTION, cmd.lookback_of_inspection_id)
    target = follow_up.lookback_target(cmd, earlier)
    # Decide the link before planning, so a refused look-back plans nothing.
    follow_up.launch_lookback(cmd, round_state, earlier, UUID(int=0))
    lookback_id = plan_inspection(uow, target)
    assert lookback_id is not None
    link, launched = follow_up.launch_lookback(cmd, round_state, earlier, lookback_id)
    uow.record(INSPECTION, lookback_id, link)
    if earlier is not None:
        sid = follow_up_stream_id(earlier.inspection_id)
        uow.find(FOLLOW_UP, sid)  # load its version: the launch appends after its events
        uow.record(FOLLOW_UP, sid, launched)
    return lookback_id


# Results and education --------------------------------------------------------------------------


@handles(results.PublishSharedResult)
def publish_shared_result(uow: UnitOfWork, cmd: results.PublishSharedResult) -> None:
    inspection = _inspection(uow, cmd.inspection_id)
    findings = [
        f.content
        for ref in inspection.report_findings
        if (f := uow.find(FINDING, ref.finding_id)) is not None
    ]
    follow = uow.find(FOLLOW_UP, follow_up_stream_id(cmd.inspection_id))
    sid = results.shared_result_stream_id(cmd.inspection_id)
    events = results.publish_shared_result(
        uow.find(results.SHARED_RESULT, sid),
        cmd,
        uow.ctx,
        inspection,
        findings,
        _items(uow, inspection),
        follow.evaluations if follow else (),
        _pinned(uow, inspection),
    )
    uow.record(results.SHARED_RESULT, sid, events)


def _creates(decide: Callable[..., Any]) -> Handler:
    def handler(uow: UnitOfWork, cmd: Any) -> UUID:
        record_id = uow.new_id()
        uow.record(results.EDUCATION, record_id, decide(cmd, uow.ctx, record_id))
        return record_id

    return handler


def _on_book(decide: Callable[..., Any]) -> Handler:
    def handler(uow: UnitOfWork, cmd: Any) -> None:
        state = uow.get(results.EDUCATION, cmd.record_id, "confession book")
        uow.record(results.EDUCATION, cmd.record_id, decide(state, cmd, uow.ctx))

    return handler


@handles(results.CompileConfessionBook)
def compile_book(uow: UnitOfWork, cmd: results.CompileConfessionBook) -> UUID:
    record_id = uow.new_id()
    uow.record(results.EDUCATION, record_id, results.compile_book(cmd, record_id))
    return record_id


register_all(
    {
        results.IssueWarningBulletin: _creates(results.issue_bulletin),
        results.HoldWarningStudySession: _creates(results.hold_study),
        results.RecommendSectorRectification: _creates(results.recommend_sector),
        results.AddConfessionEntry: _on_book(results.add_entry),
        results.PublishConfessionBook: _on_book(results.publish_book),
    }
)

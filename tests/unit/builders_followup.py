"""Given-histories for feedback completion, the rectification programme, items beyond the
first lifecycle, the follow-up and results; same fixed ids and dates as `builders`."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.unit.builders import (
    DEFAULT_REF,
    DELIVERED_ON,
    FEEDBACK_ID,
    INSPECTION_ID,
    ITEM_1,
    ITEM_DEADLINE,
    ROUND_ID,
    TARGET_ORG,
    TODAY,
    item_verified,
    uid,
)
from xuncha.commands.follow_up import follow_up_stream_id
from xuncha.commands.rectification.programme import rectification_stream_id
from xuncha.commands.results import shared_result_stream_id
from xuncha.events.base import DomainEvent
from xuncha.events.feedback import (
    CopyRecipient,
    CopyRecipientKind,
    DisclosureScope,
    FeedbackAcknowledged,
    FeedbackCopiedTo,
    FeedbackPublished,
    JointFeedbackTeamFormed,
    JointTeamMember,
    JointUnit,
    PrincipalBriefedOneToOne,
)
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
from xuncha.events.rectification import (
    AccountabilityTalkHeld,
    ItemDeadlineApproaching,
    ItemDeadlineExtended,
    ItemOverdue,
    ItemReclassifiedLongTerm,
    Milestone,
    RectificationItemClosed,
    RectificationItemReopened,
    ReopenReason,
    SupervisionNoticeIssued,
    WarningLevel,
)
from xuncha.events.rectification_plan import (
    CentralizedRectificationPeriodEnded,
    ContinuousRectificationStarted,
    RectificationDemocraticLifeMeetingHeld,
    RectificationDisclosedInternally,
    RectificationDisclosedPublicly,
    RectificationSummarized,
    RectificationTaskforceEstablished,
)
from xuncha.events.results import (
    ConfessionBookCompiled,
    ConfessionBookPublished,
    ConfessionEntryAdded,
    InspectionResultShared,
    SectorRectificationRecommended,
    ShareBasis,
    WarningBulletinIssued,
    WarningStudySessionHeld,
)

RECTIFICATION_ID = rectification_stream_id(INSPECTION_ID)
FOLLOW_UP_ID = follow_up_stream_id(INSPECTION_ID)
RESULT_ID = shared_result_stream_id(INSPECTION_ID)
LOOKBACK_ID = uid(31)
RECORD_ID = uid(41)
TEAM = [
    JointTeamMember(unit=JointUnit.INSPECTION, organization_id="org-xcb", name="巡察办"),
    JointTeamMember(unit=JointUnit.DISCIPLINE, organization_id="org-jw", name="市纪委监委"),
    JointTeamMember(unit=JointUnit.ORGANIZATION, organization_id="org-zzb", name="市委组织部"),
]
MILESTONES = [
    Milestone(due=date(2026, 12, 31), description="制度建立"),
    Milestone(due=date(2027, 6, 30), description="全面完成"),
]


def item_closed() -> list[DomainEvent]:
    done = RectificationItemClosed(
        item_id=ITEM_1, inspection_id=INSPECTION_ID, closed_on=TODAY, on_time=True
    )
    return [*item_verified(), done]


def visit(result: CheckResult, visit_no: int = 1) -> list[DomainEvent]:
    """A follow-up with a return visit that checked ITEM_1 with `result`."""
    return [
        ReturnVisitScheduled(
            follow_up_id=FOLLOW_UP_ID,
            inspection_id=INSPECTION_ID,
            visit_no=visit_no,
            planned_on=TODAY,
            methods=[VisitMethod.CHECK],
            item_ids=[ITEM_1],
        ),
        ReturnVisitConducted(
            follow_up_id=FOLLOW_UP_ID,
            inspection_id=INSPECTION_ID,
            visit_no=visit_no,
            conducted_on=TODAY,
            checked_items=[CheckedItem(item_id=ITEM_1, result=result)],
            notes="",
        ),
    ]


def evaluated(grade: Grade = Grade.GOOD) -> RectificationEvaluated:
    return RectificationEvaluated(
        follow_up_id=FOLLOW_UP_ID,
        inspection_id=INSPECTION_ID,
        evaluation_no=1,
        evaluated_on=TODAY,
        score=86.5,
        grade=grade,
        indicators=[Indicator(name="整改完成率", score=18, max_score=20)],
        evaluators=["巡察办", "市纪委监委"],
        earliest_on=TODAY,
    )


def extra_events() -> list[DomainEvent]:
    """One instance of every event type of this area, for the evolve properties."""
    common = {"feedback_id": FEEDBACK_ID, "inspection_id": INSPECTION_ID}
    prog = {"rectification_id": RECTIFICATION_ID, "inspection_id": INSPECTION_ID}
    item = {"item_id": ITEM_1, "inspection_id": INSPECTION_ID}
    fu = {"follow_up_id": FOLLOW_UP_ID, "inspection_id": INSPECTION_ID}
    return [
        JointFeedbackTeamFormed(**common, members=TEAM),
        PrincipalBriefedOneToOne(
            **common, leader_user_id="leader-1", principal_name="书记", briefed_on=DELIVERED_ON
        ),
        FeedbackCopiedTo(
            **common,
            recipients=[CopyRecipient(kind=CopyRecipientKind.DISCIPLINE_COMMISSION, name="纪委")],
            sent_on=DELIVERED_ON,
        ),
        FeedbackAcknowledged(**common, principal_user_id="principal-1", acknowledged_on=TODAY),
        FeedbackPublished(
            **common,
            scope=DisclosureScope.INTERNAL,
            summary="s",
            published_on=TODAY,
            exemptions=[],
            exemptions_approved_by=None,
        ),
        RectificationTaskforceEstablished(
            **prog, leader_name="书记", members=["局长"], office="办公室", established_on=TODAY
        ),
        RectificationDemocraticLifeMeetingHeld(
            **prog,
            held_on=TODAY,
            attendees=["班子成员"],
            supervised_by=[],
            topics="t",
            due=TODAY,
            on_time=True,
        ),
        RectificationDisclosedInternally(
            **prog,
            report_no=1,
            content="c",
            disclosed_on=TODAY,
            exemptions=[],
            exemptions_approved_by=None,
        ),
        RectificationDisclosedPublicly(
            **prog,
            report_no=1,
            content="c",
            disclosed_on=TODAY,
            channel="网站",
            exemptions=[],
            exemptions_approved_by=None,
        ),
        CentralizedRectificationPeriodEnded(**prog, ended_on=TODAY, items_closed=1, items_open=1),
        ContinuousRectificationStarted(**prog, started_on=TODAY, long_term_item_ids=[]),
        RectificationSummarized(
            **prog, summarized_on=TODAY, summary="s", items_closed=1, items_long_term=0
        ),
        ItemReclassifiedLongTerm(
            **item,
            reason="r",
            milestones=MILESTONES,
            previous_deadline=ITEM_DEADLINE,
            deadline=MILESTONES[-1].due,
            approved_by="office-1",
        ),
        ItemDeadlineExtended(
            **item,
            extension_no=1,
            previous_deadline=ITEM_DEADLINE,
            deadline=date(2026, 12, 31),
            reason="r",
            approval_ref="批复",
            approved_by="office-1",
        ),
        RectificationItemReopened(
            **item,
            reopen_no=1,
            reason=ReopenReason.PAPER_RECTIFICATION,
            follow_up_id=FOLLOW_UP_ID,
            visit_no=1,
            comments="c",
            reopened_on=date(2026, 7, 20),
        ),
        ItemDeadlineApproaching(
            **item,
            level=WarningLevel.GREEN,
            deadline=ITEM_DEADLINE,
            days_left=20,
            warned_on=TODAY,
            policy=DEFAULT_REF,
        ),
        ItemOverdue(**item, deadline=ITEM_DEADLINE, detected_on=TODAY, policy=DEFAULT_REF),
        SupervisionNoticeIssued(
            **item, notice_no=1, content="c", respond_by=TODAY, issued_on=TODAY
        ),
        AccountabilityTalkHeld(**item, talk_no=1, interviewee="局长", held_on=TODAY, summary="s"),
        *visit(CheckResult.CONFIRMED),
        SatisfactionSurveyRecorded(
            **fu, visit_no=1, respondents=10, satisfied=8, basically_satisfied=1, dissatisfied=1
        ),
        evaluated(),
        ReRectificationOrdered(**fu, order_no=1, item_ids=[ITEM_1], reason="r", due=TODAY),
        LookbackInspectionLaunched(**fu, lookback_inspection_id=LOOKBACK_ID, round_id=ROUND_ID),
        AccountabilityImposed(
            **fu, subject="局长", form="诫勉", reason="r", item_ids=[], decided_on=TODAY
        ),
        LookbackLinked(
            inspection_id=LOOKBACK_ID,
            lookback_of_inspection_id=INSPECTION_ID,
            provincial_feedback_refs=[],
        ),
        InspectionResultShared(
            result_id=RESULT_ID,
            sequence=1,
            basis=ShareBasis.REPORT_APPROVED,
            inspection_id=INSPECTION_ID,
            round_id=ROUND_ID,
            organization_id=TARGET_ORG,
            organization_name="市水务局党组",
            findings_total=0,
            findings_by_tag=[],
            rectification=None,
            leads=None,
            evaluation_grade=None,
            responsible_leaders=None,
            published_on=TODAY,
        ),
        WarningBulletinIssued(
            record_id=RECORD_ID, title="t", case_summaries=["c"], audience="a", issued_on=TODAY
        ),
        ConfessionBookCompiled(record_id=RECORD_ID, title="t"),
        ConfessionEntryAdded(
            record_id=RECORD_ID, entry_no=1, subject_label="某局原局长", text="t", case_ref="c"
        ),
        ConfessionBookPublished(record_id=RECORD_ID, entries=1, published_on=TODAY),
        WarningStudySessionHeld(
            record_id=RECORD_ID,
            organization_id=TARGET_ORG,
            held_on=TODAY,
            participants=30,
            materials=["m"],
        ),
        SectorRectificationRecommended(
            record_id=RECORD_ID,
            sector="水务",
            recipient_department="市水务局",
            problems="p",
            inspection_ids=[],
            recommended_on=TODAY,
        ),
    ]


def attr(event: DomainEvent, name: str) -> Any:
    """One field of an event, whatever its class."""
    return event.model_dump()[name]

"""Given-histories of fieldwork records, petitions, interviews, immediate rectifications and
group management, on the timeline of `builders` (stationed 11 Mar 2026, intake until 5 Apr,
window 1 Mar – 30 Apr). `FIELD_DAY` (20 Mar) is a day of fieldwork used as "today"."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

from tests.unit.builders import (
    FINDING_1,
    INSPECTION_ID,
    TARGET_ORG,
    stationed,
    uid,
)
from tests.unit.gwt import given
from xuncha.commands.base import Context
from xuncha.commands.fieldwork import FieldworkState
from xuncha.commands.inspection import INSPECTION, InspectionState
from xuncha.events.base import Actor, DomainEvent
from xuncha.events.fieldwork import (
    BriefingReceived,
    BriefingRequested,
    DocumentCustodyClosed,
    DocumentsReceived,
    DocumentsRequested,
    DocumentsReturned,
    GroupMeetingHeld,
    GroupWorkPlanApproved,
    GroupWorkPlanSubmitted,
    ImmediateRectificationCompleted,
    ImmediateRectificationRequested,
    InterimBulletinIssued,
    InterimReportSubmitted,
    MobilizationMeetingHeld,
    PreInspectionAnalysisRecorded,
    ReceivedDocument,
    SiteVisitConducted,
    SpecialCheckCompleted,
    SurveyDistributed,
    SurveyFigure,
    SurveyResultsRecorded,
    SystemImprovementRecommended,
    TemporaryPartyBranchEstablished,
    WorkPlanContent,
    WorkReportHeard,
)
from xuncha.events.interview import (
    InterviewConducted,
    Interviewee,
    IntervieweeCategory,
    InterviewRecordSigned,
)
from xuncha.events.management import (
    AttendanceRecorded,
    CollectiveStudyHeld,
    ConfidentialityBreachReported,
    InspectorCommended,
    InspectorHeldAccountable,
    InspectorPenalized,
    InstructionGiven,
    InstructionRequested,
    LeaveApproved,
    LeaveRequested,
    MatterReported,
    MemberSignedIn,
    OtherManagementRecorded,
    TrainingKind,
    TrainingRecorded,
    WorkLogEntryWritten,
)
from xuncha.events.petition import (
    Discipline,
    InScopeBasis,
    OutOfScopeReason,
    PetitionAssessedInScope,
    PetitionAssessedOutOfScope,
    PetitionChannel,
    PetitionClosedNoAction,
    Petitioner,
    PetitionForwardAcknowledged,
    PetitionForwarded,
    PetitionLinkedToFinding,
    PetitionLinkedToLead,
    PetitionRegistered,
)

FIELD_DAY = date(2026, 3, 20)
MEETING_ID = uid(31)
PETITION_ID = uid(32)
INTERVIEW_ID = uid(33)
REQUEST_ID = uid(34)
SURVEY_ID = uid(35)
IMMEDIATE_ID = uid(36)
LEAVE_ID = uid(37)
INSTRUCTION_ID = uid(38)
BRIEFING_ID = uid(39)
NEW_ID = uid(40)
LINKED_LEAD_ID = uid(41)
LETTERS_DEPT = "org-xfj"  # 信访局, a receiving department
SECRET_NAME = "举报人张三"
SECRET_CONTENT = "反映局长违规收受礼金"


def at(who: Actor, day: date = FIELD_DAY) -> Context:
    return Context(now=datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC), actor=who)


def inspection_stationed() -> InspectionState:
    return given(INSPECTION, *stationed())


def meeting_held(meeting_id: UUID = MEETING_ID) -> GroupMeetingHeld:
    return GroupMeetingHeld(
        inspection_id=INSPECTION_ID,
        meeting_id=meeting_id,
        meeting_no=1,
        held_on=FIELD_DAY,
        agenda=["信访件分类"],
        decisions=["第1件属于受理范围"],
        attendees=["leader-1", "deputy-1"],
    )


def with_meeting() -> FieldworkState:
    return FieldworkState(INSPECTION_ID, meetings=frozenset({MEETING_ID}), meetings_held=1)


def petition_registered(anonymous: bool = False) -> list[DomainEvent]:
    return [
        PetitionRegistered(
            petition_id=PETITION_ID,
            inspection_id=INSPECTION_ID,
            channel=PetitionChannel.LETTER,
            received_on=date(2026, 3, 15),
            anonymous=anonymous,
            petitioner=None if anonymous else Petitioner(name=SECRET_NAME, contact="138"),
            content=SECRET_CONTENT,
        )
    ]


def petition_in_scope() -> list[DomainEvent]:
    return [
        *petition_registered(),
        PetitionAssessedInScope(
            petition_id=PETITION_ID,
            inspection_id=INSPECTION_ID,
            basis=InScopeBasis.LEADERSHIP_TEAM,
            disciplines=[Discipline.INTEGRITY],
            meeting_id=MEETING_ID,
        ),
    ]


def petition_out_of_scope() -> list[DomainEvent]:
    return [
        *petition_registered(),
        PetitionAssessedOutOfScope(
            petition_id=PETITION_ID,
            inspection_id=INSPECTION_ID,
            reason=OutOfScopeReason.PERSONAL_CLAIM,
            note="个人诉求",
            meeting_id=MEETING_ID,
        ),
    ]


def petition_forwarded() -> list[DomainEvent]:
    return [
        *petition_out_of_scope(),
        PetitionForwarded(
            petition_id=PETITION_ID,
            inspection_id=INSPECTION_ID,
            department_id=LETTERS_DEPT,
            department_name="市信访局",
            forwarded_on=date(2026, 3, 22),
        ),
    ]


def interview_conducted() -> list[DomainEvent]:
    return [
        InterviewConducted(
            interview_id=INTERVIEW_ID,
            inspection_id=INSPECTION_ID,
            interviewers=["member-1", "member-2"],
            category=IntervieweeCategory.LEADERSHIP_TEAM,
            conducted_on=FIELD_DAY,
            interviewee=Interviewee(name="李四", position="副局长"),
            record="谈话内容",
        )
    ]


def documents_received() -> list[DomainEvent]:
    return [
        DocumentsRequested(
            inspection_id=INSPECTION_ID,
            request_id=REQUEST_ID,
            items=["2025年党组会议记录"],
            requested_on=FIELD_DAY,
        ),
        DocumentsReceived(
            inspection_id=INSPECTION_ID,
            request_id=REQUEST_ID,
            documents=[
                ReceivedDocument(doc_no="D-1", title="党组会议记录", copies=1),
                ReceivedDocument(doc_no="D-2", title="采购合同", copies=3),
            ],
            received_on=FIELD_DAY,
            handed_over_by="办公室主任",
        ),
    ]


def every_fieldwork_event() -> list[DomainEvent]:
    """One instance of every event type of this area (for the evolve properties)."""
    i = INSPECTION_ID
    d = FIELD_DAY
    plan = WorkPlanContent(
        focus="四个落实",
        interview_list=["班子成员"],
        document_list=["会议记录"],
        sites=["下属水厂"],
        schedule="30天",
        division_of_labor="分三个小组",
    )
    return [
        BriefingRequested(
            inspection_id=i, briefing_id=BRIEFING_ID, provider="audit", subject="s", requested_on=d
        ),
        BriefingReceived(
            inspection_id=i,
            briefing_id=BRIEFING_ID,
            provider="audit",
            classification="C",
            received_on=d,
            content="审计发现",
        ),
        PreInspectionAnalysisRecorded(
            inspection_id=i,
            analysis_no=1,
            focus_areas=["采购"],
            key_persons=["局长"],
            key_matters=["工程"],
            key_problems=["拆分采购"],
            taxonomy_version="four-implementations-2022",
        ),
        GroupWorkPlanSubmitted(inspection_id=i, plan_version=1, content=plan),
        GroupWorkPlanApproved(inspection_id=i, plan_version=1),
        TemporaryPartyBranchEstablished(
            inspection_id=i, secretary_user_id="leader-1", member_user_ids=["m"], established_on=d
        ),
        MobilizationMeetingHeld(
            inspection_id=i, held_on=d, presided_by="书记", attendees=["a"], speeches=[]
        ),
        SurveyDistributed(
            inspection_id=i,
            survey_id=SURVEY_ID,
            instrument="民主测评",
            distributed=50,
            distributed_on=d,
        ),
        SurveyResultsRecorded(
            inspection_id=i,
            survey_id=SURVEY_ID,
            responses=40,
            aggregates=[SurveyFigure(item="好", count=30, share_percent=75)],
            raw_data="原始答卷",
            recorded_on=d,
        ),
        WorkReportHeard(
            inspection_id=i,
            heard_on=d,
            reporter_kind="principal",
            reporter="书记",
            summary="s",
            self_identified_problem_share=None,
            below_norm=False,
        ),
        *documents_received(),
        DocumentsReturned(
            inspection_id=i, doc_nos=["D-1", "D-2"], returned_on=d, received_back_by="主任"
        ),
        DocumentCustodyClosed(inspection_id=i, closed_on=d, documents_returned=2),
        SiteVisitConducted(
            inspection_id=i,
            visit_id=NEW_ID,
            site="水厂",
            method="四不两直",
            visited_on=d,
            visitors=["member-1"],
            notes="",
        ),
        SpecialCheckCompleted(
            inspection_id=i,
            check_id=NEW_ID,
            subject="财务",
            conducted_by=["m"],
            summary="s",
            completed_on=d,
        ),
        meeting_held(),
        InterimReportSubmitted(
            inspection_id=i,
            report_no=1,
            submitted_on=d,
            summary="s",
            serious_matters=[],
            immediate=False,
        ),
        InterimBulletinIssued(
            inspection_id=i, bulletin_no=1, issued_on=d, audience="全市", content="c"
        ),
        SystemImprovementRecommended(
            inspection_id=i,
            recommendation_no=1,
            addressee_kind="inspected_organization",
            addressee_organization_id=TARGET_ORG,
            recommendation="r",
            recommended_on=d,
        ),
        ImmediateRectificationRequested(
            item_id=IMMEDIATE_ID,
            inspection_id=i,
            organization_id=TARGET_ORG,
            problem="p",
            measures="m",
            finding_id=FINDING_1,
            requested_on=d,
        ),
        ImmediateRectificationCompleted(
            item_id=IMMEDIATE_ID, inspection_id=i, completed_on=d, outcome="o", evidence_refs=["e"]
        ),
        *petition_forwarded(),
        PetitionForwardAcknowledged(
            petition_id=PETITION_ID,
            inspection_id=i,
            department_id=LETTERS_DEPT,
            acknowledged_on=d,
            receipt_no="R-1",
        ),
        *petition_in_scope()[1:],
        PetitionLinkedToFinding(petition_id=PETITION_ID, inspection_id=i, finding_id=FINDING_1),
        PetitionLinkedToLead(petition_id=PETITION_ID, inspection_id=i, lead_id=LINKED_LEAD_ID),
        PetitionClosedNoAction(
            petition_id=PETITION_ID, inspection_id=i, reason="r", meeting_id=MEETING_ID
        ),
        *interview_conducted(),
        InterviewRecordSigned(
            interview_id=INTERVIEW_ID, inspection_id=i, signed_on=d, recorded_by="member-1"
        ),
        *management_events(),
    ]


def management_events() -> list[DomainEvent]:
    i, d = INSPECTION_ID, FIELD_DAY
    return [
        CollectiveStudyHeld(inspection_id=i, held_on=d, topic="t", attendees=["member-1"]),
        AttendanceRecorded(inspection_id=i, day=d, present=["member-1"], absent=[]),
        LeaveRequested(
            inspection_id=i,
            leave_id=LEAVE_ID,
            user_id="member-1",
            first_day=d,
            last_day=d,
            reason="r",
        ),
        LeaveApproved(inspection_id=i, leave_id=LEAVE_ID, user_id="member-1", approved_by="l"),
        MemberSignedIn(
            inspection_id=i,
            user_id="member-1",
            signed_in_at=datetime(2026, 3, 20, 8, 30, tzinfo=UTC),
            place="驻点",
        ),
        WorkLogEntryWritten(inspection_id=i, user_id="member-1", day=d, content="c"),
        InstructionRequested(
            inspection_id=i,
            instruction_id=INSTRUCTION_ID,
            subject="s",
            question="q",
            requested_on=d,
        ),
        InstructionGiven(
            inspection_id=i, instruction_id=INSTRUCTION_ID, instruction="i", given_on=d
        ),
        MatterReported(inspection_id=i, subject="s", content="c", reported_on=d),
        InspectorCommended(inspection_id=i, user_id="member-1", reason="r", decided_on=d),
        InspectorPenalized(
            inspection_id=i, user_id="member-1", penalty="p", reason="r", decided_on=d
        ),
        InspectorHeldAccountable(
            inspection_id=i, user_id="member-1", basis="b", measure="m", decided_on=d
        ),
        TrainingRecorded(
            inspection_id=i,
            kind=TrainingKind.SHADOWING,
            user_ids=["member-1"],
            title="t",
            provider="省委巡视组",
            completed_on=d,
            hours=40,
        ),
        ConfidentialityBreachReported(
            inspection_id=i, discovered_on=d, involved_user_ids=[], description="d"
        ),
        OtherManagementRecorded(
            inspection_id=i, system="廉洁自律", held_on=d, participants=[], description="d"
        ),
    ]

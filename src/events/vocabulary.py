"""The vocabulary (词表): every stage, status, state, colour and category value that a decider
checks or a read model exposes, as a `StrEnum`, with a Chinese and an English label.

A member's value is exactly the string stored today in events and read-model rows; the labels
are what clients, exports and pages show (整改中 / In progress, not `in_progress`). Enums that
events already carry (`Role`, `RoundType`, `WarningLevel`, `Disposition`…) stay where they are
and get their labels here. Names are stable: add members and vocabularies, never rename.

Over 500 lines on purpose: this is the one place every value and its labels live (`GET
/vocabulary`, docs/vocabulary.md and the literal check read this module); split by area, a value
would be looked for, and added again, in the wrong file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from xuncha.events.base import Role
from xuncha.events.follow_up import Grade as EvaluationGrade
from xuncha.events.group import GroupRole
from xuncha.events.lead import Disposition
from xuncha.events.pool import ServiceGrade
from xuncha.events.rectification import ReopenReason, WarningLevel
from xuncha.events.values import RoundType

__all__ = [
    "VOCABULARIES",
    "AgingBucket",
    "CoveragePlanStage",
    "CoverageStatus",
    "Disposition",
    "EducationRecordKind",
    "EducationRecordStatus",
    "EvaluationGrade",
    "FeedbackStatus",
    "FindingCategory",
    "FindingStatus",
    "FourForms",
    "GroupRole",
    "GroupStage",
    "ImmediateRectificationStatus",
    "InspectionStage",
    "InterviewRecordState",
    "Label",
    "LeadStage",
    "PetitionStatus",
    "PlanStatus",
    "PoolMemberStatus",
    "RectificationItemStatus",
    "RectificationPhase",
    "RecusalKind",
    "ReopenReason",
    "ReportStatus",
    "Role",
    "RoundStage",
    "RoundType",
    "SanctionKind",
    "ServiceGrade",
    "ServiceStatus",
    "StageDating",
    "SupplementaryReportStage",
    "Vocabulary",
    "WarningLevel",
    "label",
    "vocabulary_of",
]


class RoundStage(StrEnum):
    """巡察轮次阶段: where a round stands."""

    PROPOSED = "proposed"
    APPROVED = "approved"
    MOBILIZED = "mobilized"  # shown by the read models once the 动员部署会 is held
    CLOSED = "closed"


class InspectionStage(StrEnum):
    """巡察阶段: where the inspection of one organization stands (DOMAIN.md §4)."""

    PLANNED = "planned"
    GROUP_AUTHORIZED = "group_authorized"
    NOTIFIED = "notified"
    ANNOUNCED = "announced"
    STATIONED = "stationed"
    WITHDRAWN = "withdrawn"
    REPORT_DRAFTED = "report_drafted"
    REPORT_OFFICE_REVIEWED = "report_office_reviewed"
    REPORT_RETURNED = "report_returned"
    REPORT_DELIBERATED = "report_deliberated"
    REPORT_APPROVED = "report_approved"
    FEEDBACK_DELIVERED = "feedback_delivered"
    PLAN_SUBMITTED = "plan_submitted"
    PLAN_RETURNED = "plan_returned"
    RECTIFYING = "rectifying"
    RECTIFICATION_REPORT_SUBMITTED = "rectification_report_submitted"
    RECTIFICATION_REPORT_RETURNED = "rectification_report_returned"
    RECTIFICATION_REPORT_ACCEPTED = "rectification_report_accepted"
    CLOSED = "closed"
    SUSPENDED = "suspended"
    CANCELLED = "cancelled"


class StageDating(StrEnum):
    """阶段日期依据: what the day an inspection entered a stage is (the round dashboard's stage
    timeline): the date the event states, or the office day it was recorded."""

    FACT = "fact"
    RECORDED = "recorded"


class GroupStage(StrEnum):
    """巡察组状态: an inspection group from its proposal to its dissolution."""

    PROPOSED = "proposed"
    FORMED = "formed"
    LEADERLESS = "leaderless"
    AUTHORIZED = "authorized"
    DISSOLVED = "dissolved"


class FindingStatus(StrEnum):
    """问题 (finding) status through review and approval."""

    DRAFTED = "drafted"
    REVIEWED = "reviewed"
    RETURNED = "returned"
    APPROVED = "approved"


class LeadStage(StrEnum):
    """问题线索 state, from registration to closure by the receiving authority."""

    REGISTERED = "registered"
    CLASSIFIED = "classified"
    TRANSFER_APPROVED = "transfer_approved"
    TRANSFERRED = "transferred"
    ACKNOWLEDGED = "acknowledged"
    DISPOSED = "disposed"
    OUTCOME_REPORTED = "outcome_reported"
    CLOSED = "closed"


class ReportStatus(StrEnum):
    """巡察报告: the status of an inspection's report through review and approval."""

    DRAFTED = "drafted"
    OFFICE_REVIEWED = "office_reviewed"
    RETURNED = "returned"
    DELIBERATED = "deliberated"
    APPROVED = "approved"


class SupplementaryReportStage(StrEnum):
    """专题报告 / 补充报告 stage."""

    DRAFTED = "drafted"
    OFFICE_REVIEWED = "office_reviewed"
    RETURNED = "returned"
    APPROVED = "approved"


class CoveragePlanStage(StrEnum):
    """届内全覆盖规划 stage."""

    DRAFTED = "drafted"
    APPROVED = "approved"


class FeedbackStatus(StrEnum):
    """巡察反馈 of one inspection, from the opinion's first draft to its acknowledgement."""

    NOT_DRAFTED = "not_drafted"
    DRAFTED = "drafted"
    DELIVERED = "delivered"
    ACKNOWLEDGED = "acknowledged"


class PlanStatus(StrEnum):
    """整改方案 of one inspection: awaited, submitted, returned or accepted."""

    AWAITING_FEEDBACK = "awaiting_feedback"
    AWAITING_PLAN = "awaiting_plan"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"


class RectificationPhase(StrEnum):
    """整改阶段 of an inspected organization's rectification programme."""

    CENTRALIZED = "centralized"
    CENTRALIZED_ENDED = "centralized_ended"
    CONTINUOUS = "continuous"
    SUMMARIZED = "summarized"


class RectificationItemStatus(StrEnum):
    """整改事项 status in the 整改台账."""

    OPENED = "opened"
    IN_PROGRESS = "in_progress"
    CLOSURE_REQUESTED = "closure_requested"
    VERIFIED = "verified"
    CLOSED = "closed"
    LONG_TERM = "long_term"


class ImmediateRectificationStatus(StrEnum):
    """立行立改 status."""

    REQUESTED = "requested"
    COMPLETED = "completed"


class PetitionStatus(StrEnum):
    """信访件 state during fieldwork."""

    REGISTERED = "registered"
    IN_SCOPE = "in_scope"
    OUT_OF_SCOPE = "out_of_scope"
    FORWARDED = "forwarded"
    ACKNOWLEDGED = "acknowledged"
    LINKED = "linked"
    CLOSED_NO_ACTION = "closed_no_action"


class InterviewRecordState(StrEnum):
    """个别谈话记录: whether the interviewee has signed the record."""

    UNSIGNED = "unsigned"
    SIGNED = "signed"


class PoolMemberStatus(StrEnum):
    """巡察人才库 member status."""

    NOMINATED = "nominated"
    ADMITTED = "admitted"
    SUSPENDED = "suspended"
    REMOVED = "removed"


class AgingBucket(StrEnum):
    """逾期账龄: how long an open rectification item is past its deadline."""

    NOT_OVERDUE = "not_overdue"
    OVERDUE_1_30 = "overdue_1_30"
    OVERDUE_31_90 = "overdue_31_90"
    OVERDUE_91_180 = "overdue_91_180"
    OVERDUE_OVER_180 = "overdue_over_180"


class FourForms(StrEnum):
    """监督执纪"四种形态" of a lead's disposition; events store the level as 1–4, read
    models count it as text, `none` where no level was recorded."""

    FIRST = "1"
    SECOND = "2"
    THIRD = "3"
    FOURTH = "4"
    NONE = "none"


class FindingCategory(StrEnum):
    """四个落实 (taxonomy `four-implementations-2022`): the categories findings are counted
    under; the values are the category names as tagged, `untagged` for a finding without."""

    PARTY_LINE = "落实党的理论路线方针政策和党中央重大决策部署"
    STRICT_GOVERNANCE = "落实全面从严治党战略部署"
    ORGANIZATIONAL_LINE = "落实新时代党的组织路线"
    RECTIFICATION = "落实巡视巡察整改和日常监督发现问题整改"
    UNTAGGED = "untagged"


class CoverageStatus(StrEnum):
    """全覆盖 status of an organization within the term."""

    INSPECTED = "inspected"
    SCHEDULED = "scheduled"
    DUE = "due"
    DEREGISTERED = "deregistered"


class ServiceStatus(StrEnum):
    """An inspector's service in one group (the inspector record)."""

    APPOINTED = "appointed"
    SERVING = "serving"
    SERVED = "served"
    NOT_SERVED = "not_served"
    RECUSED = "recused"


class RecusalKind(StrEnum):
    """回避: the entries of an inspector's recusal history."""

    DECLARED = "declared"
    RECUSED = "recused"
    CLEARED = "cleared"
    RECUSED_FROM_INSPECTION = "recused_from_inspection"


class EducationRecordKind(StrEnum):
    """警示教育 records: what kind of warning-education record it is."""

    BULLETIN = "bulletin"
    CONFESSION_BOOK = "confession_book"
    STUDY_SESSION = "study_session"
    SECTOR_RECTIFICATION = "sector_rectification"


class EducationRecordStatus(StrEnum):
    """警示教育 record status: recorded; a confession book is compiled, then published."""

    RECORDED = "recorded"
    COMPILED = "compiled"
    PUBLISHED = "published"


class SanctionKind(StrEnum):
    """奖惩: commendations, penalties and accountability in an inspector's record."""

    COMMENDATION = "commendation"
    PENALTY = "penalty"
    ACCOUNTABILITY = "accountability"


@dataclass(frozen=True)
class Label:
    """A value's label in Chinese and in English."""

    zh: str
    en: str


@dataclass(frozen=True)
class Vocabulary:
    """One enum with its stable name, its own labels and a label for each member."""

    name: str
    zh: str
    en: str
    enum: type[StrEnum]
    labels: Mapping[str, Label]


def _vocabulary(
    name: str, zh: str, en: str, enum: type[StrEnum], labels: Mapping[StrEnum, tuple[str, str]]
) -> Vocabulary:
    return Vocabulary(name, zh, en, enum, {str(m): Label(*pair) for m, pair in labels.items()})


S = InspectionStage
VOCABULARIES: tuple[Vocabulary, ...] = (
    _vocabulary(
        "round_stage",
        "巡察轮次阶段",
        "Round stage",
        RoundStage,
        {
            RoundStage.PROPOSED: ("已提请", "Proposed"),
            RoundStage.APPROVED: ("已批准", "Approved"),
            RoundStage.MOBILIZED: ("已动员部署", "Mobilized"),
            RoundStage.CLOSED: ("已结束", "Closed"),
        },
    ),
    _vocabulary(
        "inspection_stage",
        "巡察阶段",
        "Inspection stage",
        InspectionStage,
        {
            S.PLANNED: ("已列入计划", "Planned"),
            S.GROUP_AUTHORIZED: ("巡察组已授权", "Group authorized"),
            S.NOTIFIED: ("已通知", "Notified"),
            S.ANNOUNCED: ("已公告", "Announced"),
            S.STATIONED: ("已进驻", "Stationed"),
            S.WITHDRAWN: ("已撤离", "Withdrawn"),
            S.REPORT_DRAFTED: ("巡察报告已起草", "Report drafted"),
            S.REPORT_OFFICE_REVIEWED: ("巡察办已审核报告", "Report reviewed by the office"),
            S.REPORT_RETURNED: ("报告退回修改", "Report returned"),
            S.REPORT_DELIBERATED: ("领导小组已审议", "Report deliberated"),
            S.REPORT_APPROVED: ("报告已批准", "Report approved"),
            S.FEEDBACK_DELIVERED: ("已反馈", "Feedback delivered"),
            S.PLAN_SUBMITTED: ("整改方案已报送", "Rectification plan submitted"),
            S.PLAN_RETURNED: ("整改方案退回", "Rectification plan returned"),
            S.RECTIFYING: ("整改中", "Rectifying"),
            S.RECTIFICATION_REPORT_SUBMITTED: (
                "整改报告已报送",
                "Rectification report submitted",
            ),
            S.RECTIFICATION_REPORT_RETURNED: ("整改报告退回", "Rectification report returned"),
            S.RECTIFICATION_REPORT_ACCEPTED: ("整改报告已验收", "Rectification report accepted"),
            S.CLOSED: ("已结束", "Closed"),
            S.SUSPENDED: ("已中止", "Suspended"),
            S.CANCELLED: ("已取消", "Cancelled"),
        },
    ),
    _vocabulary(
        "stage_dated_by",
        "阶段日期依据",
        "Stage dated by",
        StageDating,
        {
            StageDating.FACT: ("事实日期", "Date of the fact"),
            StageDating.RECORDED: ("录入日期", "Day recorded"),
        },
    ),
    _vocabulary(
        "group_stage",
        "巡察组状态",
        "Group status",
        GroupStage,
        {
            GroupStage.PROPOSED: ("拟组建", "Proposed"),
            GroupStage.FORMED: ("已组建", "Formed"),
            GroupStage.LEADERLESS: ("缺组长", "Without a leader"),
            GroupStage.AUTHORIZED: ("已授权", "Authorized"),
            GroupStage.DISSOLVED: ("已解散", "Dissolved"),
        },
    ),
    _vocabulary(
        "group_role",
        "组内职务",
        "Role in the group",
        GroupRole,
        {
            GroupRole.LEADER: ("组长", "Group leader"),
            GroupRole.DEPUTY: ("副组长", "Deputy group leader"),
            GroupRole.MEMBER: ("组员", "Group member"),
        },
    ),
    _vocabulary(
        "finding_status",
        "问题状态",
        "Finding status",
        FindingStatus,
        {
            FindingStatus.DRAFTED: ("已起草", "Drafted"),
            FindingStatus.REVIEWED: ("已审核", "Reviewed"),
            FindingStatus.RETURNED: ("已退回", "Returned"),
            FindingStatus.APPROVED: ("已确认", "Approved"),
        },
    ),
    _vocabulary(
        "finding_category",
        "四个落实",
        "Finding category (four implementations)",
        FindingCategory,
        {
            FindingCategory.PARTY_LINE: (
                "落实党的理论路线方针政策和党中央重大决策部署",
                "Implementing the Party's theory, line, policies and major decisions",
            ),
            FindingCategory.STRICT_GOVERNANCE: (
                "落实全面从严治党战略部署",
                "Implementing full and rigorous Party self-governance",
            ),
            FindingCategory.ORGANIZATIONAL_LINE: (
                "落实新时代党的组织路线",
                "Implementing the Party's organizational line",
            ),
            FindingCategory.RECTIFICATION: (
                "落实巡视巡察整改和日常监督发现问题整改",
                "Rectifying problems found by inspections and routine supervision",
            ),
            FindingCategory.UNTAGGED: ("未分类", "Untagged"),
        },
    ),
    _vocabulary(
        "lead_stage",
        "线索状态",
        "Lead state",
        LeadStage,
        {
            LeadStage.REGISTERED: ("已登记", "Registered"),
            LeadStage.CLASSIFIED: ("已分类", "Classified"),
            LeadStage.TRANSFER_APPROVED: ("移交已批准", "Transfer approved"),
            LeadStage.TRANSFERRED: ("已移交", "Transferred"),
            LeadStage.ACKNOWLEDGED: ("已签收", "Acknowledged"),
            LeadStage.DISPOSED: ("已处置", "Disposed"),
            LeadStage.OUTCOME_REPORTED: ("已反馈结果", "Outcome reported"),
            LeadStage.CLOSED: ("已办结", "Closed"),
        },
    ),
    _vocabulary(
        "lead_disposition",
        "线索处置方式",
        "Lead disposition",
        Disposition,
        {
            Disposition.TALK_OR_INQUIRY: ("谈话函询", "Talk or letter of inquiry"),
            Disposition.PRELIMINARY_VERIFICATION: ("初步核实", "Preliminary verification"),
            Disposition.SHELVED: ("暂存待查", "Shelved pending inquiry"),
            Disposition.CONCLUDED: ("予以了结", "Concluded"),
            Disposition.CASE_FILED: ("立案审查", "Case filed"),
        },
    ),
    _vocabulary(
        "four_forms",
        "四种形态",
        "Four forms of discipline",
        FourForms,
        {
            FourForms.FIRST: ("第一种形态", "First form (criticism and education)"),
            FourForms.SECOND: ("第二种形态", "Second form (light sanctions)"),
            FourForms.THIRD: ("第三种形态", "Third form (heavy sanctions)"),
            FourForms.FOURTH: ("第四种形态", "Fourth form (case transferred for prosecution)"),
            FourForms.NONE: ("未认定", "Not recorded"),
        },
    ),
    _vocabulary(
        "petition_status",
        "信访件状态",
        "Petition state",
        PetitionStatus,
        {
            PetitionStatus.REGISTERED: ("已登记", "Registered"),
            PetitionStatus.IN_SCOPE: ("属于受理范围", "In scope"),
            PetitionStatus.OUT_OF_SCOPE: ("不属于受理范围", "Out of scope"),
            PetitionStatus.FORWARDED: ("已转办", "Forwarded"),
            PetitionStatus.ACKNOWLEDGED: ("已签收", "Acknowledged"),
            PetitionStatus.LINKED: ("已关联", "Linked to a finding or lead"),
            PetitionStatus.CLOSED_NO_ACTION: ("了结", "Closed without action"),
        },
    ),
    _vocabulary(
        "interview_record_state",
        "谈话记录状态",
        "Interview record state",
        InterviewRecordState,
        {
            InterviewRecordState.UNSIGNED: ("待签字", "Not yet signed"),
            InterviewRecordState.SIGNED: ("已签字", "Signed"),
        },
    ),
    _vocabulary(
        "report_status",
        "巡察报告状态",
        "Report status",
        ReportStatus,
        {
            ReportStatus.DRAFTED: ("已起草", "Drafted"),
            ReportStatus.OFFICE_REVIEWED: ("巡察办已审核", "Reviewed by the office"),
            ReportStatus.RETURNED: ("退回修改", "Returned for revision"),
            ReportStatus.DELIBERATED: ("领导小组已审议", "Deliberated by the leading group"),
            ReportStatus.APPROVED: ("已批准", "Approved"),
        },
    ),
    _vocabulary(
        "supplementary_report_stage",
        "专题报告状态",
        "Supplementary report stage",
        SupplementaryReportStage,
        {
            SupplementaryReportStage.DRAFTED: ("已起草", "Drafted"),
            SupplementaryReportStage.OFFICE_REVIEWED: ("巡察办已审核", "Reviewed by the office"),
            SupplementaryReportStage.RETURNED: ("已退回", "Returned"),
            SupplementaryReportStage.APPROVED: ("已批准", "Approved"),
        },
    ),
    _vocabulary(
        "coverage_plan_stage",
        "全覆盖规划状态",
        "Coverage plan stage",
        CoveragePlanStage,
        {
            CoveragePlanStage.DRAFTED: ("已起草", "Drafted"),
            CoveragePlanStage.APPROVED: ("已批准", "Approved"),
        },
    ),
    _vocabulary(
        "coverage_status",
        "全覆盖状态",
        "Coverage status",
        CoverageStatus,
        {
            CoverageStatus.INSPECTED: ("已巡察", "Inspected"),
            CoverageStatus.SCHEDULED: ("已安排", "Scheduled"),
            CoverageStatus.DUE: ("待巡察", "Due"),
            CoverageStatus.DEREGISTERED: ("已撤销", "Deregistered"),
        },
    ),
    _vocabulary(
        "feedback_status",
        "反馈状态",
        "Feedback status",
        FeedbackStatus,
        {
            FeedbackStatus.NOT_DRAFTED: ("反馈意见未起草", "Not drafted"),
            FeedbackStatus.DRAFTED: ("反馈意见已起草", "Opinion drafted"),
            FeedbackStatus.DELIVERED: ("已反馈", "Delivered"),
            FeedbackStatus.ACKNOWLEDGED: ("已签收", "Acknowledged"),
        },
    ),
    _vocabulary(
        "plan_status",
        "整改方案状态",
        "Rectification plan status",
        PlanStatus,
        {
            PlanStatus.AWAITING_FEEDBACK: ("待反馈", "Awaiting feedback"),
            PlanStatus.AWAITING_PLAN: ("待报送整改方案", "Awaiting the plan"),
            PlanStatus.SUBMITTED: ("整改方案已报送", "Submitted"),
            PlanStatus.RETURNED: ("整改方案已退回", "Returned"),
            PlanStatus.ACCEPTED: ("整改方案已审核通过", "Accepted"),
        },
    ),
    _vocabulary(
        "rectification_phase",
        "整改阶段",
        "Rectification phase",
        RectificationPhase,
        {
            RectificationPhase.CENTRALIZED: ("集中整改", "Centralized rectification"),
            RectificationPhase.CENTRALIZED_ENDED: (
                "集中整改结束",
                "Centralized rectification ended",
            ),
            RectificationPhase.CONTINUOUS: ("持续整改", "Continuous rectification"),
            RectificationPhase.SUMMARIZED: ("已总结", "Summarized"),
        },
    ),
    _vocabulary(
        "rectification_item_status",
        "整改事项状态",
        "Rectification item status",
        RectificationItemStatus,
        {
            RectificationItemStatus.OPENED: ("已立项", "Opened"),
            RectificationItemStatus.IN_PROGRESS: ("整改中", "In progress"),
            RectificationItemStatus.CLOSURE_REQUESTED: ("申请销号", "Closure requested"),
            RectificationItemStatus.VERIFIED: ("已核查", "Verified"),
            RectificationItemStatus.CLOSED: ("已销号", "Closed (销号)"),
            RectificationItemStatus.LONG_TERM: ("长期整改", "Long-term"),
        },
    ),
    _vocabulary(
        "reopen_reason",
        "再整改原因",
        "Reopen reason",
        ReopenReason,
        {
            ReopenReason.FALSE_RECTIFICATION: ("虚假整改", "False rectification"),
            ReopenReason.PAPER_RECTIFICATION: ("纸面整改", "Rectification on paper only"),
            ReopenReason.INCOMPLETE: ("整改不到位", "Incomplete rectification"),
        },
    ),
    _vocabulary(
        "immediate_rectification_status",
        "立行立改状态",
        "Immediate rectification status",
        ImmediateRectificationStatus,
        {
            ImmediateRectificationStatus.REQUESTED: ("已提出", "Requested"),
            ImmediateRectificationStatus.COMPLETED: ("已完成", "Completed"),
        },
    ),
    _vocabulary(
        "warning_level",
        "三色预警",
        "Three-colour warning",
        WarningLevel,
        {
            WarningLevel.GREEN: ("绿色预警", "Green warning"),
            WarningLevel.YELLOW: ("黄色预警", "Yellow warning"),
            WarningLevel.RED: ("红色预警", "Red warning"),
        },
    ),
    _vocabulary(
        "aging_bucket",
        "逾期账龄",
        "Overdue aging",
        AgingBucket,
        {
            AgingBucket.NOT_OVERDUE: ("未逾期", "Not overdue"),
            AgingBucket.OVERDUE_1_30: ("逾期1至30天", "Overdue 1–30 days"),
            AgingBucket.OVERDUE_31_90: ("逾期31至90天", "Overdue 31–90 days"),
            AgingBucket.OVERDUE_91_180: ("逾期91至180天", "Overdue 91–180 days"),
            AgingBucket.OVERDUE_OVER_180: ("逾期180天以上", "Overdue more than 180 days"),
        },
    ),
    _vocabulary(
        "evaluation_grade",
        "整改评估等次",
        "Rectification evaluation grade",
        EvaluationGrade,
        {
            EvaluationGrade.EXCELLENT: ("优秀", "Excellent"),
            EvaluationGrade.GOOD: ("较好", "Good"),
            EvaluationGrade.FAIR: ("一般", "Fair"),
            EvaluationGrade.POOR: ("差", "Poor"),
        },
    ),
    _vocabulary(
        "pool_member_status",
        "人才库人员状态",
        "Talent pool member status",
        PoolMemberStatus,
        {
            PoolMemberStatus.NOMINATED: ("已推荐", "Nominated"),
            PoolMemberStatus.ADMITTED: ("已入库", "Admitted"),
            PoolMemberStatus.SUSPENDED: ("暂停使用", "Suspended"),
            PoolMemberStatus.REMOVED: ("已出库", "Removed"),
        },
    ),
    _vocabulary(
        "service_status",
        "参与巡察情况",
        "Service in a group",
        ServiceStatus,
        {
            ServiceStatus.APPOINTED: ("已选派", "Appointed"),
            ServiceStatus.SERVING: ("在组工作", "Serving"),
            ServiceStatus.SERVED: ("已完成任务", "Served"),
            ServiceStatus.NOT_SERVED: ("未参加", "Did not serve"),
            ServiceStatus.RECUSED: ("已回避", "Recused"),
        },
    ),
    _vocabulary(
        "recusal_kind",
        "回避记录类别",
        "Recusal entry",
        RecusalKind,
        {
            RecusalKind.DECLARED: ("申报回避事项", "Conflict declared"),
            RecusalKind.RECUSED: ("已回避", "Recused from the group"),
            RecusalKind.CLEARED: ("经审查无需回避", "Cleared"),
            RecusalKind.RECUSED_FROM_INSPECTION: (
                "对该巡察对象回避",
                "Recused from one inspection",
            ),
        },
    ),
    _vocabulary(
        "service_grade",
        "鉴定等次",
        "Service evaluation grade",
        ServiceGrade,
        {
            ServiceGrade.EXCELLENT: ("优秀", "Excellent"),
            ServiceGrade.COMPETENT: ("称职", "Competent"),
            ServiceGrade.BASICALLY_COMPETENT: ("基本称职", "Basically competent"),
            ServiceGrade.INCOMPETENT: ("不称职", "Incompetent"),
        },
    ),
    _vocabulary(
        "sanction_kind",
        "奖惩类别",
        "Reward or penalty",
        SanctionKind,
        {
            SanctionKind.COMMENDATION: ("表彰", "Commendation"),
            SanctionKind.PENALTY: ("处分", "Penalty"),
            SanctionKind.ACCOUNTABILITY: ("问责", "Accountability"),
        },
    ),
    _vocabulary(
        "education_record_kind",
        "警示教育记录类别",
        "Warning education record",
        EducationRecordKind,
        {
            EducationRecordKind.BULLETIN: ("典型案例通报", "Warning bulletin"),
            EducationRecordKind.CONFESSION_BOOK: ("忏悔录", "Confession book"),
            EducationRecordKind.STUDY_SESSION: ("警示教育会", "Warning study session"),
            EducationRecordKind.SECTOR_RECTIFICATION: (
                "行业系统整改建议",
                "Sector rectification recommendation",
            ),
        },
    ),
    _vocabulary(
        "education_record_status",
        "警示教育记录状态",
        "Warning education record status",
        EducationRecordStatus,
        {
            EducationRecordStatus.RECORDED: ("已记录", "Recorded"),
            EducationRecordStatus.COMPILED: ("汇编中", "Being compiled"),
            EducationRecordStatus.PUBLISHED: ("已印发", "Published"),
        },
    ),
    _vocabulary(
        "round_type",
        "巡察类型",
        "Round type",
        RoundType,
        {
            RoundType.REGULAR: ("常规巡察", "Regular inspection"),
            RoundType.SPECIAL: ("专项巡察", "Special inspection"),
            RoundType.MOBILE: ("机动巡察", "Mobile inspection"),
            RoundType.LOOKBACK: ("巡察“回头看”", "Look-back inspection"),
            RoundType.CROSS: ("交叉巡察", "Cross inspection"),
            RoundType.ESCALATED: ("提级巡察", "Escalated inspection"),
            RoundType.LINKED: ("上下联动巡察", "Linked inspection"),
            RoundType.VILLAGE: ("对村巡察", "Village inspection"),
        },
    ),
    _vocabulary(
        "role",
        "角色",
        "Role",
        Role,
        {
            Role.COMMITTEE: ("党委", "Party committee"),
            Role.LEADING_GROUP: ("巡察工作领导小组", "Inspection leading group"),
            Role.INSPECTION_OFFICE: ("巡察办", "Inspection office"),
            Role.GROUP_LEADER: ("巡察组组长", "Group leader"),
            Role.DEPUTY_GROUP_LEADER: ("巡察组副组长", "Deputy group leader"),
            Role.GROUP_MEMBER: ("巡察组组员", "Group member"),
            Role.EXTERNAL_EXPERT: ("外聘专家", "External expert"),
            Role.INSPECTED_ORG_PRINCIPAL: (
                "被巡察党组织主要负责人",
                "Principal of the inspected organization",
            ),
            Role.INSPECTED_ORG_LIAISON: ("整改联络员", "Rectification liaison"),
            Role.DISCIPLINE_COMMISSION: ("纪委监委", "Discipline inspection commission"),
            Role.ORGANIZATION_DEPARTMENT: ("组织部", "Organization department"),
            Role.SUPERVISING_DEPARTMENT: ("业务主管单位", "Supervising department"),
            Role.AUDITOR: ("审计人员", "Auditor"),
            Role.DASHBOARD_READER: ("统计查看人员", "Dashboard reader"),
            Role.INTEGRATION_CLIENT: ("对接系统", "Integration client"),
            Role.SYSTEM: ("系统", "System"),
        },
    ),
)
del S

_BY_ENUM: Mapping[type[StrEnum], Vocabulary] = {v.enum: v for v in VOCABULARIES}


def vocabulary_of(enum: type[StrEnum]) -> Vocabulary:
    """The vocabulary an enum belongs to (KeyError for an enum outside the vocabulary)."""
    return _BY_ENUM[enum]


def label(member: StrEnum) -> Label:
    """The Chinese and English label of one value."""
    return _BY_ENUM[type(member)].labels[str(member)]

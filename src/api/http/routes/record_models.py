"""Response models of the readable records behind each id (`routes/aggregate_records.py`):
groups, findings, reports, feedback and plans; pool, fieldwork and education records are in
`routes/register_models.py`.

Dates are ISO dates, moments ISO date-times (UTC). `at` and `by` on an entry are when the
step was recorded and who recorded it (user id). Sealed fields are never shown.

A little over 500 lines: the records share their entry models, and the OpenAPI descriptions
of the fields are the figures' definitions, kept beside each other.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import Field, JsonValue

from xuncha.api.http.schemas.common import FREE_FORM, View
from xuncha.events.vocabulary import (
    FeedbackStatus,
    FindingStatus,
    GroupRole,
    GroupStage,
    PlanStatus,
    RecusalKind,
    ReportStatus,
    RoundType,
    SupplementaryReportStage,
)

SEALED: Literal["[sealed]"] = "[sealed]"
Sealed = Literal["[sealed]"]
STREAM_VERSION = "The record's stream version (the ETag for `If-Match` on its commands)"


class Correction(View):
    """An event of the record that the office declared recorded in error (its facts no
    longer hold; the event itself stays in the log)."""

    stream_version: int = Field(description="Version of the event recorded in error")
    event_type: str = Field(description="Its type, e.g. `finding.approved`")
    reason: str = Field(description="Why it was recorded in error")


class Corrected(View):
    recorded_in_error: bool = Field(
        False, description="True when the event that created the record was recorded in error"
    )
    corrections: list[Correction] = Field(
        default_factory=list, description="Events of the record declared recorded in error"
    )


class Step(View):
    at: datetime = Field(description="When the step was recorded")
    by: str = Field(description="User id of who recorded it")


# Groups -------------------------------------------------------------------------------------


class GroupTargetOut(View):
    inspection_id: UUID
    organization_id: str
    organization_name: str
    jurisdiction_id: str = Field(description="Where the target lies")


class PersonOut(View):
    user_id: str
    name: str


class GroupMemberOut(PersonOut):
    role: GroupRole = Field(description="leader, deputy or member")
    external: bool = Field(description="An outside expert (外聘专家)")


class RecusalOut(View):
    """A recusal declaration (回避申请书) and what became of it; never its sealed contents."""

    user_id: str
    declared_on: date | None = Field(description="None: recused without a declaration")
    conflicts: int = Field(description="Number of conflicts the declaration showed")
    conflict_kinds: list[str] = Field(description="Kinds of those conflicts")
    status: RecusalKind = Field(description="declared, cleared or recused")
    recused_role: str | None = Field(None, description="The role the person was recused from")
    reason: str | None = Field(None, description="Why the person was recused")


class PledgeOut(View):
    user_id: str
    signed_on: date = Field(description="Day the confidentiality pledge (保密承诺) was signed")


class TrainingOut(View):
    user_ids: list[str]
    training: str
    completed_on: date


class SecondmentOut(View):
    user_id: str
    name: str
    direction: str
    role: str
    home_jurisdiction: str


class GroupWarningOut(View):
    """A composition (结构) or leader-rotation warning raised for the group."""

    type: str
    aspect: str | None = None
    detail: str | None = None
    leader_user_id: str | None = None
    subject: str | None = None
    subject_id: str | None = None
    previous_round_id: UUID | None = None
    rounds_ago: int | None = None
    within_rounds: int | None = None


class GroupAuthorizationOut(View):
    inspection_id: UUID
    organization_id: str
    window_start: date
    window_end: date
    authorizer: str
    authorizing_committee: str | None


class GroupRecordOut(Corrected):
    """An inspection group (巡察组): members and roles, recusals, pledges, training, status."""

    group_id: UUID
    round_id: UUID
    jurisdiction_id: str
    round_type: RoundType
    name: str
    status: GroupStage = Field(description="proposed, leaderless, formed, authorized or dissolved")
    home_jurisdiction: str = Field(description="Where the group comes from")
    authorizer: str
    stream_version: int = Field(description=STREAM_VERSION)
    targets: list[GroupTargetOut] = Field(description="The inspections the group is meant for")
    leader: PersonOut | None = Field(description="None while the group has no leader")
    deputies: list[PersonOut]
    members: list[GroupMemberOut] = Field(description="Everyone in the group, with roles")
    recusals: list[RecusalOut]
    pledges: list[PledgeOut]
    training: list[TrainingOut]
    secondments: list[SecondmentOut]
    warnings: list[GroupWarningOut]
    authorizations: list[GroupAuthorizationOut]
    dissolved_on: date | None


# Findings -----------------------------------------------------------------------------------


class FindingContentOut(View):
    title: str
    facts: str
    basis: str
    evidence_refs: list[str]
    responsible_subject: str
    taxonomy_version: str = Field(description="The problem taxonomy the tags come from")
    tags: list[str] = Field(description="Taxonomy tags (e.g. 四个落实 categories)")


class FindingVersionOut(View):
    version: int
    content: FindingContentOut
    recorded_at: datetime
    recorded_by: str


class FindingReviewOut(Step):
    version: int = Field(description="The finding version reviewed")
    meeting_ref: str = Field(description="The group meeting (组务会) that reviewed it")
    opinion: str


class FindingReturnOut(Step):
    version: int
    comments: str


class FindingApprovalOut(Step):
    """The group leader's signature of one version."""

    version: int


class FindingRecordOut(Corrected):
    """A finding (问题底稿) with its versions, reviews, returns and signature."""

    finding_id: UUID
    inspection_id: UUID
    status: FindingStatus = Field(description="drafted, reviewed, returned or approved")
    version: int = Field(description="The current content version")
    content: FindingContentOut = Field(description="The current content")
    review_required: bool = Field(description="Its drafter was recused: review and sign again")
    stream_version: int = Field(description=STREAM_VERSION)
    versions: list[FindingVersionOut]
    reviews: list[FindingReviewOut]
    returns: list[FindingReturnOut]
    approvals: list[FindingApprovalOut] = Field(description="Signatures (签字) by the leader")


# The inspection report ----------------------------------------------------------------------


class FindingRefOut(View):
    finding_id: UUID
    version: int


class ReportVersionOut(Step):
    report_version: int
    summary: str
    findings: list[FindingRefOut] = Field(description="The finding versions the report cites")
    content_hash: str


class ReportCommentOut(Step):
    report_version: int
    comments: str


class ReportDeliberationOut(Step):
    report_version: int
    decisions: str


class ReportApprovalOut(Step):
    report_version: int
    content_hash: str = Field(description="Hash of the frozen version approved")
    approved_on: date
    meeting: str


class FactualViewsOut(Step):
    report_version: int
    exchanged_on: date
    principal_name: str
    views: str


class ResultsUseOut(View):
    addressee: str
    use: str


class ResultsUseDecisionOut(Step):
    report_version: int
    decided_on: date
    meeting: str
    decisions: list[ResultsUseOut]


class ReportRecordOut(Corrected):
    """The inspection report (巡察报告): versions, reviews, deliberation and approval."""

    inspection_id: UUID
    status: ReportStatus = Field(
        description="drafted, office_reviewed, returned, deliberated or approved (last step)"
    )
    version: int = Field(description="The latest drafted version")
    versions: list[ReportVersionOut]
    office_reviews: list[ReportCommentOut]
    returns: list[ReportCommentOut]
    deliberations: list[ReportDeliberationOut]
    approvals: list[ReportApprovalOut]
    factual_views: list[FactualViewsOut]
    results_use: list[ResultsUseDecisionOut]


class SupplementaryVersionOut(Step):
    kind: str
    version: int
    topic: str
    addressees: list[str]
    content_hash: str = Field(description="Hash of the (sealed) content of this version")


class SupplementaryCommentOut(Step):
    version: int
    comments: str


class SupplementaryApprovalOut(Step):
    version: int
    content_hash: str
    approved_on: date


class SupplementaryReportOut(Corrected):
    """A special, lead or cadre-selection report; its content is sealed and not shown."""

    report_id: UUID
    inspection_id: UUID
    kind: str
    topic: str
    addressees: list[str]
    version: int
    status: SupplementaryReportStage = Field(
        description="drafted, office_reviewed, returned or approved"
    )
    stream_version: int = Field(description=STREAM_VERSION)
    versions: list[SupplementaryVersionOut]
    office_reviews: list[SupplementaryCommentOut]
    returns: list[SupplementaryCommentOut]
    approvals: list[SupplementaryApprovalOut]


# Feedback and the rectification plan --------------------------------------------------------


class LedgerItemOut(View):
    """One problem of the problem ledger (问题台账)."""

    item_no: int
    problem: str
    finding_ids: list[UUID]


class DraftOut(View):
    draft_no: int
    at: datetime
    by: str


class DeliveryOut(View):
    draft_no: int
    delivered_on: date
    attendees: list[str]
    at: datetime


class JointMemberOut(View):
    unit: str
    organization_id: str
    name: str


class JointTeamOut(View):
    members: list[JointMemberOut]
    at: datetime


class OneToOneOut(View):
    leader_user_id: str
    principal_name: str
    briefed_on: date
    at: datetime


class CopyRecipientOut(View):
    kind: str
    name: str


class CopiesOut(View):
    recipients: list[CopyRecipientOut]
    sent_on: date
    at: datetime


class AcknowledgementOut(View):
    principal_user_id: str
    acknowledged_on: date
    at: datetime


class PublicationOut(View):
    scope: str
    summary: str
    published_on: date
    exemptions: list[str]
    exemptions_approved_by: str | None
    at: datetime


class FeedbackRecordOut(Corrected):
    """The feedback of an inspection with its problem ledger (问题台账)."""

    inspection_id: UUID
    feedback_id: UUID
    status: FeedbackStatus = Field(description="not_drafted, drafted, delivered or acknowledged")
    draft_no: int = Field(description="The latest draft of the opinion")
    opinion: str | None = Field(description="The feedback opinion as last drafted")
    ledger: list[LedgerItemOut] = Field(description="The problem ledger as last drafted")
    drafts: list[DraftOut]
    delivery: DeliveryOut | None
    joint_team: JointTeamOut | None
    one_to_one: OneToOneOut | None
    copies: list[CopiesOut]
    acknowledgement: AcknowledgementOut | None
    publications: list[PublicationOut]
    stream_version: int = Field(description="The feedback stream's version")


class PlanItemOut(View):
    ledger_item_no: int
    measures: str
    responsible_leader: str
    responsible_department: str
    deadline: date


class PlanVersionOut(Step):
    plan_version: int
    items: list[PlanItemOut]
    submitted_on: date = Field(description="Day the plan was submitted (date of the fact)")


class PlanReturnOut(Step):
    plan_version: int
    comments: str


class PlanAcceptanceOut(Step):
    plan_version: int
    item_ids: list[UUID] = Field(description="The ledger items opened, one per plan item")
    accepted_on: date = Field(
        description="Day the plan was accepted and its items opened (date of the fact)"
    )


class ProblemOut(View):
    """问题清单: one problem of the feedback's ledger."""

    ledger_item_no: int
    problem: str | None = Field(description="None if the ledger has no such number")
    finding_ids: list[UUID]


class TaskOut(View):
    """任务清单: what is done about a problem, by when."""

    ledger_item_no: int
    measures: str
    deadline: date
    item_id: UUID | None = Field(description="The rectification item opened for it, if any")


class ResponsibilityOut(View):
    """责任清单: who answers for a task."""

    ledger_item_no: int
    responsible_leader: str = Field(description="责任领导")
    responsible_department: str = Field(description="责任部门")
    deadline: date


class WrittenReportOut(Step):
    report_no: int
    organization_report: str = Field(description="整改情况报告")
    principal_report: str = Field(description="组织落实情况报告")
    submitted_on: date
    due: date
    on_time: bool


class WrittenReportStepOut(Step):
    report_no: int
    comments: str | None = None


class ProgrammeStepOut(Step):
    """A step of the rectification programme (taskforce, democratic life meeting,
    disclosure, end of the centralized period, continuous rectification, summary)."""

    type: str = Field(description="The event type, e.g. `rectification_plan.summarized`")
    details: dict[str, JsonValue] = Field(
        description="The step's recorded fields. Free-form: they are the fields of the "
        "step's event (its type names them), which differ from one step to another",
        json_schema_extra=FREE_FORM,
    )


class PlanRecordOut(View):
    """The rectification plan (整改方案) with its 三清单, written reports and programme."""

    inspection_id: UUID
    status: PlanStatus = Field(
        description="awaiting_feedback, awaiting_plan, submitted, returned or accepted"
    )
    plan_version: int = Field(description="The latest submitted version (0: none yet)")
    plan_due: date | None = Field(description="When the plan is due (from feedback delivery)")
    written_report_due: date | None
    ledger: list[LedgerItemOut] = Field(description="The feedback's problem ledger")
    problem_list: list[ProblemOut] = Field(description="问题清单")
    task_list: list[TaskOut] = Field(description="任务清单")
    responsibility_list: list[ResponsibilityOut] = Field(description="责任清单")
    versions: list[PlanVersionOut]
    returns: list[PlanReturnOut]
    acceptances: list[PlanAcceptanceOut]
    reports: list[WrittenReportOut]
    report_returns: list[WrittenReportStepOut]
    report_acceptances: list[WrittenReportStepOut]
    programme: list[ProgrammeStepOut]
    corrections: list[Correction] = Field(default_factory=list)

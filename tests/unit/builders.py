"""Canonical given-histories with fixed ids, dates and actors.

One inspection of the water bureau in the first round of 2026, one step per builder; each
builder returns the whole history up to its stage, so `given(INSPECTION, *stationed())` is an
inspection whose group has just been stationed. The timeline (all in 2026):

    window 1 Mar – 30 Apr; notice 1 Mar for stationing 11 Mar; announcement 5 Mar (period
    11 Mar – 10 Apr, intake until 5 Apr); stationed 11 Mar; withdrawn 10 Apr; report approved
    6 May; feedback delivered 15 May (plan due 14 Jun, written report due 15 Jul);
    plan deadlines 30 Sep; today is 30 Jun.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from uuid import UUID

from tests.contract.examples import example_of
from xuncha.commands.base import Context
from xuncha.commands.feedback import feedback_stream_id
from xuncha.commands.inspection.report import content_hash
from xuncha.commands.policy import DEFAULT_EFFECTIVE_FROM
from xuncha.events.base import Actor, DomainEvent, Role
from xuncha.events.feedback import FeedbackDelivered, FeedbackOpinionDrafted
from xuncha.events.finding import (
    FindingAmended,
    FindingApproved,
    FindingContent,
    FindingDrafted,
    FindingReturned,
    FindingReviewed,
)
from xuncha.events.inspection import (
    GroupAuthorized,
    GroupStationed,
    GroupWithdrawn,
    InspectionAnnouncementPublished,
    InspectionClosed,
    InspectionFeedbackDelivered,
    InspectionNoticeIssued,
    InspectionPlanned,
    InspectionReportDrafted,
    RectificationPlanAccepted,
    RectificationPlanReturned,
    RectificationPlanSubmitted,
    RectificationReportAccepted,
    RectificationReportReturned,
    RectificationReportSubmitted,
    ReportApproved,
    ReportDeliberatedByLeadingGroup,
    ReportReturnedForRevision,
    ReportReviewedByOffice,
)
from xuncha.events.policy import PolicyParameters, PolicyVersionPublished
from xuncha.events.rectification import (
    ItemClosureRequested,
    ItemVerificationFailed,
    ItemVerified,
    RectificationItemClosed,
    RectificationItemOpened,
    RectificationProgressReported,
)
from xuncha.events.registry import REGISTRY
from xuncha.events.round import RoundApproved, RoundClosed, RoundProposed, RoundTargetAssigned
from xuncha.events.values import (
    Contacts,
    FindingRef,
    LedgerItem,
    Member,
    PlanItem,
    PolicyRef,
    RoundType,
)


def uid(n: int) -> UUID:
    return UUID(f"00000000-0000-4000-8000-{n:012d}")


JURISDICTION = "yulin"
TARGET_ORG = "org-water-bureau"
OTHER_ORG = "org-roads-bureau"
ROUND_ID = uid(1)
INSPECTION_ID = uid(2)
OTHER_INSPECTION_ID = uid(3)
FINDING_1 = uid(11)
FINDING_2 = uid(12)
FINDING_ELSEWHERE = uid(19)  # a finding of another inspection
GROUP_ID = uid(4)
ITEM_1 = uid(21)
ITEM_2 = uid(22)
FEEDBACK_ID = feedback_stream_id(INSPECTION_ID)

TODAY = date(2026, 6, 30)
WINDOW = (date(2026, 3, 1), date(2026, 4, 30))
NOTICE_DATE = date(2026, 3, 1)
STATIONING_DATE = date(2026, 3, 11)
ANNOUNCED_ON = date(2026, 3, 5)
WITHDRAWN_ON = date(2026, 4, 10)
APPROVED_ON = date(2026, 5, 6)
DELIVERED_ON = date(2026, 5, 15)
PLAN_DUE = date(2026, 6, 14)
WRITTEN_REPORT_DUE = date(2026, 7, 15)
ITEM_DEADLINE = date(2026, 9, 30)
PLAN_SUBMITTED_ON = date(2026, 5, 25)
PLAN_ACCEPTED_ON = date(2026, 6, 1)  # the items open on it


def actor(user_id: str, role: Role, organization_id: str) -> Actor:
    return Actor(user_id=user_id, role=role, organization_id=organization_id)


OFFICE = actor("office-1", Role.INSPECTION_OFFICE, "org-xcb")
COMMITTEE = actor("secretary-1", Role.COMMITTEE, "org-city-committee")
LEADER = actor("leader-1", Role.GROUP_LEADER, "org-xcb")
DEPUTY = actor("deputy-1", Role.DEPUTY_GROUP_LEADER, "org-xcb")
MEMBER = actor("member-1", Role.GROUP_MEMBER, "org-audit")
OTHER_LEADER = actor("leader-9", Role.GROUP_LEADER, "org-xcb")  # leads another group
OUTSIDER = actor("member-9", Role.GROUP_MEMBER, "org-audit")  # in no group of this inspection
PRINCIPAL = actor("principal-1", Role.INSPECTED_ORG_PRINCIPAL, TARGET_ORG)
LIAISON = actor("liaison-1", Role.INSPECTED_ORG_LIAISON, TARGET_ORG)
OTHER_PRINCIPAL = actor("principal-9", Role.INSPECTED_ORG_PRINCIPAL, OTHER_ORG)
DISCIPLINE = actor("dc-1", Role.DISCIPLINE_COMMISSION, "org-jw")


def ctx(who: Actor, today: date = TODAY) -> Context:
    return Context(now=datetime.combine(today, time(9, 0), UTC), actor=who)


LEADER_M = Member(user_id="leader-1", name="张组长")
DEPUTY_M = Member(user_id="deputy-1", name="李副组长")
MEMBERS = [
    Member(user_id="member-1", name="王组员"),
    Member(user_id="member-2", name="赵组员"),
    Member(user_id="member-3", name="钱组员"),
]

DEFAULT_REF = PolicyRef(
    jurisdiction_id=JURISDICTION, version=0, effective_from=DEFAULT_EFFECTIVE_FROM
)
DEFAULT_POLICY = (DEFAULT_REF, PolicyParameters())
REF_V1 = PolicyRef(jurisdiction_id=JURISDICTION, version=1, effective_from=date(2026, 1, 1))


def policy(**parameters: int) -> tuple[PolicyRef, PolicyParameters]:
    """Version 1 of the jurisdiction's policy, with `parameters` overriding the defaults."""
    return REF_V1, PolicyParameters(**parameters)


COMPLETE = FindingContent(
    title="Procurement split to avoid tendering",
    facts="Three contracts of 190,000 yuan each went to one supplier within a month.",
    basis="Tendering Law Art. 4",
    evidence_refs=["doc-2026-017"],
    responsible_subject="Party group of the water bureau",
    taxonomy_version="four-implementations-2022",
    tags=["三重一大"],
)
SUMMARY = "总体评价与问题"
REPORT_FINDINGS = [
    FindingRef(finding_id=FINDING_1, version=1),
    FindingRef(finding_id=FINDING_2, version=1),
]
REPORT_HASH = content_hash(SUMMARY, REPORT_FINDINGS)
LEDGER = [
    LedgerItem(item_no=1, problem="违规拆分采购", finding_ids=[FINDING_1]),
    LedgerItem(item_no=2, problem="三重一大决策不规范", finding_ids=[FINDING_2]),
]
PLAN_ITEMS = [
    PlanItem(
        ledger_item_no=n,
        measures=f"措施 {n}",
        responsible_leader="局长",
        responsible_department="财务科",
        deadline=ITEM_DEADLINE,
    )
    for n in (1, 2)
]


# Round ---------------------------------------------------------------------------------------

ROUND_PROPOSED = RoundProposed(
    round_id=ROUND_ID,
    jurisdiction_id=JURISDICTION,
    committee="中共榆林市委",
    name="2026年第一轮巡察",
    round_type=RoundType.REGULAR,
    topic=None,
    planned_start=date(2026, 1, 1),
    planned_end=date(2026, 12, 31),
)


def round_approved() -> list[DomainEvent]:
    return [ROUND_PROPOSED, RoundApproved(round_id=ROUND_ID)]


def round_with_target() -> list[DomainEvent]:
    assigned = RoundTargetAssigned(
        round_id=ROUND_ID, inspection_id=INSPECTION_ID, organization_id=TARGET_ORG
    )
    return [*round_approved(), assigned]


# Inspection, stage by stage ------------------------------------------------------------------


def planned() -> list[DomainEvent]:
    return [
        InspectionPlanned(
            inspection_id=INSPECTION_ID,
            round_id=ROUND_ID,
            jurisdiction_id=JURISDICTION,
            round_type=RoundType.REGULAR,
            organization_id=TARGET_ORG,
            organization_name="市水务局党组",
            group_name="第一巡察组",
        )
    ]


def authorized() -> list[DomainEvent]:
    return [
        *planned(),
        GroupAuthorized(
            inspection_id=INSPECTION_ID,
            group_id=GROUP_ID,
            leader=LEADER_M,
            deputies=[DEPUTY_M],
            members=MEMBERS,
            window_start=WINDOW[0],
            window_end=WINDOW[1],
            policy=DEFAULT_REF,
        ),
    ]


def notified() -> list[DomainEvent]:
    notice = InspectionNoticeIssued(
        inspection_id=INSPECTION_ID,
        notice_date=NOTICE_DATE,
        planned_stationing_date=STATIONING_DATE,
        addressee="市水务局党组书记",
        policy=DEFAULT_REF,
    )
    return [*authorized(), notice]


def announced() -> list[DomainEvent]:
    announcement = InspectionAnnouncementPublished(
        inspection_id=INSPECTION_ID,
        published_on=ANNOUNCED_ON,
        scope="市水务局党组及班子成员",
        focus="四个落实",
        period_start=date(2026, 3, 11),
        period_end=date(2026, 4, 10),
        contacts=Contacts(phone="0912-1234567", phone_hours="工作日 8:00-18:00"),
        intake_deadline=date(2026, 4, 5),
    )
    return [*notified(), announcement]


def stationed() -> list[DomainEvent]:
    return [*announced(), GroupStationed(inspection_id=INSPECTION_ID, stationed_on=STATIONING_DATE)]


def withdrawn() -> list[DomainEvent]:
    return [*stationed(), GroupWithdrawn(inspection_id=INSPECTION_ID, withdrawn_on=WITHDRAWN_ON)]


def report_drafted() -> list[DomainEvent]:
    draft = InspectionReportDrafted(
        inspection_id=INSPECTION_ID,
        report_version=1,
        summary=SUMMARY,
        findings=REPORT_FINDINGS,
        content_hash=REPORT_HASH,
    )
    return [*withdrawn(), draft]


def office_reviewed() -> list[DomainEvent]:
    review = ReportReviewedByOffice(inspection_id=INSPECTION_ID, report_version=1, comments="")
    return [*report_drafted(), review]


def deliberated() -> list[DomainEvent]:
    deliberation = ReportDeliberatedByLeadingGroup(
        inspection_id=INSPECTION_ID, report_version=1, decisions=""
    )
    return [*office_reviewed(), deliberation]


def report_approved() -> list[DomainEvent]:
    approval = ReportApproved(
        inspection_id=INSPECTION_ID,
        report_version=1,
        content_hash=REPORT_HASH,
        approved_on=APPROVED_ON,
        meeting="书记专题会",
    )
    return [*deliberated(), approval]


def feedback_delivered() -> list[DomainEvent]:
    clocks = InspectionFeedbackDelivered(
        inspection_id=INSPECTION_ID,
        delivered_on=DELIVERED_ON,
        ledger_item_nos=[1, 2],
        plan_due=PLAN_DUE,
        written_report_due=WRITTEN_REPORT_DUE,
        policy=DEFAULT_REF,
    )
    return [*report_approved(), clocks]


def plan_submitted() -> list[DomainEvent]:
    submitted = RectificationPlanSubmitted(
        inspection_id=INSPECTION_ID,
        plan_version=1,
        items=PLAN_ITEMS,
        submitted_on=PLAN_SUBMITTED_ON,
    )
    return [*feedback_delivered(), submitted]


def rectifying() -> list[DomainEvent]:
    accepted = RectificationPlanAccepted(
        inspection_id=INSPECTION_ID,
        plan_version=1,
        item_ids=[ITEM_1, ITEM_2],
        accepted_on=PLAN_ACCEPTED_ON,
    )
    return [*plan_submitted(), accepted]


def rectification_report_submitted() -> list[DomainEvent]:
    submitted = RectificationReportSubmitted(
        inspection_id=INSPECTION_ID,
        report_no=1,
        organization_report="整改情况报告",
        principal_report="组织落实情况报告",
        submitted_on=TODAY,
        due=WRITTEN_REPORT_DUE,
        on_time=True,
    )
    return [*rectifying(), submitted]


def rectification_report_accepted() -> list[DomainEvent]:
    return [
        *rectification_report_submitted(),
        RectificationReportAccepted(inspection_id=INSPECTION_ID, report_no=1),
    ]


# Finding -------------------------------------------------------------------------------------


def finding_drafted(
    finding_id: UUID = FINDING_1,
    content: FindingContent = COMPLETE,
    inspection_id: UUID = INSPECTION_ID,
) -> list[DomainEvent]:
    return [FindingDrafted(finding_id=finding_id, inspection_id=inspection_id, content=content)]


def finding_reviewed(
    finding_id: UUID = FINDING_1, content: FindingContent = COMPLETE
) -> list[DomainEvent]:
    review = FindingReviewed(
        finding_id=finding_id,
        inspection_id=INSPECTION_ID,
        version=1,
        meeting_ref="组务会 第3次",
        opinion="",
    )
    return [*finding_drafted(finding_id, content), review]


def finding_approved(
    finding_id: UUID = FINDING_1, inspection_id: UUID = INSPECTION_ID
) -> list[DomainEvent]:
    return [
        *finding_drafted(finding_id, inspection_id=inspection_id),
        FindingReviewed(
            finding_id=finding_id,
            inspection_id=inspection_id,
            version=1,
            meeting_ref="组务会 第3次",
            opinion="",
        ),
        FindingApproved(finding_id=finding_id, inspection_id=inspection_id, version=1),
    ]


# Feedback ------------------------------------------------------------------------------------


def opinion_drafted() -> list[DomainEvent]:
    return [
        FeedbackOpinionDrafted(
            feedback_id=FEEDBACK_ID,
            inspection_id=INSPECTION_ID,
            draft_no=1,
            opinion="整改意见",
            ledger=LEDGER,
        )
    ]


def feedback_stream_delivered() -> list[DomainEvent]:
    delivered = FeedbackDelivered(
        feedback_id=FEEDBACK_ID,
        inspection_id=INSPECTION_ID,
        draft_no=1,
        delivered_on=DELIVERED_ON,
        attendees=["市水务局党组全体成员"],
    )
    return [*opinion_drafted(), delivered]


# Rectification item --------------------------------------------------------------------------


def item_opened(item_id: UUID = ITEM_1) -> list[DomainEvent]:
    return [
        RectificationItemOpened(
            item_id=item_id,
            inspection_id=INSPECTION_ID,
            round_id=ROUND_ID,
            organization_id=TARGET_ORG,
            organization_name="市水务局党组",
            ledger_item_no=1,
            problem="违规拆分采购",
            finding_ids=[FINDING_1],
            measures="措施 1",
            responsible_leader="局长",
            responsible_department="财务科",
            deadline=ITEM_DEADLINE,
            policy=DEFAULT_REF,
            opened_on=PLAN_ACCEPTED_ON,
        )
    ]


def item_in_progress() -> list[DomainEvent]:
    progress = RectificationProgressReported(
        item_id=ITEM_1, inspection_id=INSPECTION_ID, percent=60, note="已重新招标", evidence_refs=[]
    )
    return [*item_opened(), progress]


def closure_requested() -> list[DomainEvent]:
    request = ItemClosureRequested(
        item_id=ITEM_1,
        inspection_id=INSPECTION_ID,
        summary="整改完成",
        evidence_refs=["doc-2026-101"],
        requested_on=TODAY,
    )
    return [*item_in_progress(), request]


def item_verified() -> list[DomainEvent]:
    verified = ItemVerified(
        item_id=ITEM_1,
        inspection_id=INSPECTION_ID,
        verifier_organization_id="org-jw",
        note="核查属实",
        verified_on=TODAY,
    )
    return [*closure_requested(), verified]


# Every kind of event at once, for properties of the evolve functions --------------------------


def every_event() -> list[DomainEvent]:
    """One instance of every registered event type, from all the aggregates."""
    extra: list[DomainEvent] = [
        ReportReturnedForRevision(inspection_id=INSPECTION_ID, report_version=1, comments="c"),
        RectificationPlanReturned(inspection_id=INSPECTION_ID, plan_version=1, comments="c"),
        RectificationReportReturned(inspection_id=INSPECTION_ID, report_no=1, comments="c"),
        InspectionClosed(inspection_id=INSPECTION_ID, closed_on=TODAY),
        FindingReturned(finding_id=FINDING_1, inspection_id=INSPECTION_ID, version=1, comments="c"),
        FindingAmended(
            finding_id=FINDING_1, inspection_id=INSPECTION_ID, version=2, content=COMPLETE
        ),
        ItemVerificationFailed(
            item_id=ITEM_1,
            inspection_id=INSPECTION_ID,
            verifier_organization_id="o",
            comments="c",
            failed_on=TODAY,
        ),
        RectificationItemClosed(
            item_id=ITEM_1, inspection_id=INSPECTION_ID, closed_on=TODAY, on_time=True
        ),
        RoundClosed(round_id=ROUND_ID),
        PolicyVersionPublished(
            jurisdiction_id=JURISDICTION,
            version=1,
            effective_from=date(2026, 1, 1),
            parameters=PolicyParameters(),
        ),
    ]
    events = [
        *round_with_target(),
        *rectification_report_accepted(),
        *finding_approved(),
        *feedback_stream_delivered(),
        *item_verified(),
        *extra,
        *_fieldwork_events(),
        *_follow_up_events(),
        *_group_events(),
    ]
    # Areas without hand-built histories here get the contract's deterministic example.
    seen = {type(event) for event in events}
    events += [cls.model_validate(example_of(cls)) for cls in REGISTRY if cls not in seen]
    return events


def _group_events() -> list[DomainEvent]:
    from tests.unit.group_builders import every_group_event  # it builds on this module

    return every_group_event()


def _follow_up_events() -> list[DomainEvent]:
    from tests.unit.builders_followup import extra_events  # it builds on this module

    return extra_events()


def _fieldwork_events() -> list[DomainEvent]:
    from tests.unit.fieldwork_builders import every_fieldwork_event  # it builds on this module

    return every_fieldwork_event()

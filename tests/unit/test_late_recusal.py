"""Late recusal (DOMAIN.md §6.1 inv. 1, last sentence): a conflict found after the group's
authorization recuses the person and sends the findings they drafted back for review; those in
an approved (frozen) report are only reported to the office."""

from __future__ import annotations

from uuid import UUID

from tests.unit.builders import (
    FINDING_1,
    FINDING_2,
    GROUP_ID,
    INSPECTION_ID,
    LEADER,
    MEMBER,
    ROUND_ID,
    TARGET_ORG,
    WINDOW,
    ctx,
    finding_approved,
    finding_drafted,
    finding_reviewed,
    report_approved,
    report_drafted,
    stationed,
    uid,
)
from tests.unit.group_builders import proposed, ready
from tests.unit.gwt import given, refused, then
from xuncha.commands import finding, group
from xuncha.commands.errors import InvalidTransition, NotPermitted, RuleViolated
from xuncha.commands.finding import FINDING
from xuncha.commands.group import INSPECTION_GROUP
from xuncha.commands.inspection import INSPECTION
from xuncha.events.base import DomainEvent
from xuncha.events.finding import FindingReturned, FindingReviewRequired, ReviewReason
from xuncha.events.group import (
    AuthorizerKind,
    GroupAuthorizedForTarget,
    GroupRole,
    MemberRecused,
    RecusalFindingsReported,
    RecusedFinding,
)
from xuncha.events.inspection import (
    InspectionFindingRegistered,
    InspectionGroupMemberRecused,
    ReportReturnedForRevision,
)

FINDING_3 = uid(13)  # drafted by member-1, not in any report
FINDING_OTHERS = uid(14)  # drafted by member-2

AUTHORIZED = GroupAuthorizedForTarget(
    group_id=GROUP_ID,
    round_id=ROUND_ID,
    inspection_id=INSPECTION_ID,
    organization_id=TARGET_ORG,
    window_start=WINDOW[0],
    window_end=WINDOW[1],
    authorizer=AuthorizerKind.DISPATCHING_COMMITTEE,
    authorizing_committee=None,
)


def registered(finding_id: UUID, drafter: str = "member-1") -> InspectionFindingRegistered:
    return InspectionFindingRegistered(
        inspection_id=INSPECTION_ID, finding_id=finding_id, drafter_user_id=drafter
    )


def registrations() -> list[DomainEvent]:
    return [
        registered(FINDING_1),
        registered(FINDING_2),
        registered(FINDING_3),
        registered(FINDING_OTHERS, "member-2"),
    ]


def findings() -> dict[UUID, finding.FindingState]:
    return {
        FINDING_1: given(FINDING, *finding_approved(FINDING_1)),
        FINDING_2: given(FINDING, *finding_reviewed(FINDING_2)),
        FINDING_3: given(FINDING, *finding_drafted(FINDING_3)),
        FINDING_OTHERS: given(FINDING, *finding_drafted(FINDING_OTHERS)),
    }


def recuse(user_id: str = "member-1") -> group.RecuseMember:
    return group.RecuseMember(group_id=GROUP_ID, user_id=user_id, why="配偶在被巡察单位任职")


def review_required(finding_id: UUID, user_id: str = "member-1") -> FindingReviewRequired:
    return FindingReviewRequired(
        finding_id=finding_id,
        inspection_id=INSPECTION_ID,
        version=1,
        reason=ReviewReason.DRAFTER_RECUSED,
        drafter_user_id=user_id,
        group_id=GROUP_ID,
    )


def left(user_id: str = "member-1") -> InspectionGroupMemberRecused:
    return InspectionGroupMemberRecused(
        inspection_id=INSPECTION_ID, group_id=GROUP_ID, user_id=user_id
    )


def authorized_group() -> group.GroupState:
    return given(INSPECTION_GROUP, *ready(), AUTHORIZED)


def test_drafting_registers_the_drafter_on_the_inspection() -> None:
    inspection = given(INSPECTION, *stationed())
    then(finding.register(inspection, FINDING_1, ctx(MEMBER)), [registered(FINDING_1)])
    state = given(INSPECTION, *stationed(), *registrations(), registered(FINDING_1))
    assert state.findings_by_drafter == {
        "member-1": (FINDING_1, FINDING_2, FINDING_3),
        "member-2": (FINDING_OTHERS,),
    }


def test_a_member_can_be_recused_after_the_authorization() -> None:
    then(
        group.recuse_member(authorized_group(), recuse()),
        [
            MemberRecused(
                group_id=GROUP_ID, user_id="member-1", role=GroupRole.MEMBER, reason=recuse().why
            )
        ],
    )


def test_late_recusal_in_fieldwork_sends_every_finding_of_the_person_back_for_review() -> None:
    inspection = given(INSPECTION, *stationed(), *registrations())
    late = group.late_recusal(
        authorized_group(), "member-1", {INSPECTION_ID: inspection}, findings()
    )
    assert late.on_group == []
    then(late.on_inspections[INSPECTION_ID], [left()])
    assert sorted(late.on_findings) == sorted([FINDING_1, FINDING_2, FINDING_3])
    for finding_id, events in late.on_findings.items():
        then(events, [review_required(finding_id)])


def test_an_approved_or_reviewed_finding_must_be_reviewed_and_signed_again() -> None:
    approved = given(FINDING, *finding_approved(FINDING_1), review_required(FINDING_1))
    reviewed = given(FINDING, *finding_reviewed(FINDING_2), review_required(FINDING_2))
    assert (approved.status, approved.review_required) == ("drafted", True)
    assert (reviewed.status, reviewed.review_required) == ("drafted", True)
    inspection = given(INSPECTION, *stationed())
    approve = finding.ApproveFinding(finding_id=FINDING_1)
    with refused(InvalidTransition, "approve the finding"):
        finding.approve(approved, approve, ctx(LEADER), inspection)
    review = finding.ReviewFinding(finding_id=FINDING_1, meeting_ref="组务会 第5次")
    events = finding.review(approved, review, ctx(LEADER), inspection)
    again = given(FINDING, *finding_approved(FINDING_1), review_required(FINDING_1), *events)
    assert (again.status, again.review_required) == ("reviewed", False)
    signed = finding.approve(again, approve, ctx(LEADER), inspection)
    history = [*finding_approved(FINDING_1), review_required(FINDING_1), *events, *signed]
    assert given(FINDING, *history).status == "approved"


def test_a_returned_finding_keeps_its_status_when_its_review_is_required() -> None:
    returned = FindingReturned(
        finding_id=FINDING_3, inspection_id=INSPECTION_ID, version=1, comments="补充证据"
    )
    state = given(FINDING, *finding_drafted(FINDING_3), returned, review_required(FINDING_3))
    assert (state.status, state.review_required) == ("returned", True)


def test_the_recused_person_no_longer_acts_for_the_inspection() -> None:
    inspection = given(INSPECTION, *stationed(), left())
    cmd = finding.DraftFinding(
        inspection_id=INSPECTION_ID,
        content=finding.FindingText(title="t", taxonomy_version="v1"),
    )
    with refused(NotPermitted, "members of the group"):
        finding.draft(inspection, cmd, ctx(MEMBER), FINDING_3)


def test_a_recused_leader_no_longer_signs_findings() -> None:
    inspection = given(INSPECTION, *stationed(), left("leader-1"))
    state = given(FINDING, *finding_reviewed(FINDING_2))
    with refused(NotPermitted, "group leader"):
        finding.approve(
            state, finding.ApproveFinding(finding_id=FINDING_2), ctx(LEADER), inspection
        )


def test_findings_in_the_approved_report_are_only_reported_to_the_office() -> None:
    inspection = given(INSPECTION, *report_approved(), *registrations())
    late = group.late_recusal(
        authorized_group(), "member-1", {INSPECTION_ID: inspection}, findings()
    )
    then(
        late.on_group,
        [
            RecusalFindingsReported(
                group_id=GROUP_ID,
                user_id="member-1",
                findings=[
                    RecusedFinding(inspection_id=INSPECTION_ID, finding_id=f, version=1)
                    for f in (FINDING_1, FINDING_2)
                ],
            )
        ],
    )
    then(late.on_inspections[INSPECTION_ID], [left()])
    assert list(late.on_findings) == [FINDING_3]  # the one not in the approved report


def test_a_report_draft_citing_a_finding_sent_back_is_returned_for_revision() -> None:
    inspection = given(INSPECTION, *report_drafted(), *registrations())
    late = group.late_recusal(
        authorized_group(), "member-1", {INSPECTION_ID: inspection}, findings()
    )
    events = late.on_inspections[INSPECTION_ID]
    assert [type(e) for e in events] == [InspectionGroupMemberRecused, ReportReturnedForRevision]
    returned = events[1]
    assert isinstance(returned, ReportReturnedForRevision)
    assert returned.report_version == 1
    assert given(INSPECTION, *report_drafted(), *events).stage == "report_returned"


def test_a_report_draft_without_the_person_s_findings_stays() -> None:
    inspection = given(INSPECTION, *report_drafted(), *registrations())
    late = group.late_recusal(
        authorized_group(), "member-2", {INSPECTION_ID: inspection}, findings()
    )
    then(late.on_inspections[INSPECTION_ID], [left("member-2")])
    assert list(late.on_findings) == [FINDING_OTHERS]


def test_a_recusal_before_the_authorization_has_no_late_consequences() -> None:
    state = given(INSPECTION_GROUP, *proposed())
    inspection = given(INSPECTION, *stationed(), *registrations())
    late = group.late_recusal(state, "member-1", {INSPECTION_ID: inspection}, findings())
    assert (late.on_group, late.on_inspections, late.on_findings) == ([], {}, {})


def test_a_person_not_in_the_group_cannot_be_recused_late() -> None:
    with refused(RuleViolated, "not in group"):
        group.recuse_member(authorized_group(), recuse("member-9"))

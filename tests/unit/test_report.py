"""报告: drafted from approved findings → office review → leading-group deliberation →
committee approval of a frozen version (content hash); stale versions are refused."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date

import pytest

from tests.unit.builders import (
    APPROVED_ON,
    COMMITTEE,
    COMPLETE,
    FINDING_1,
    FINDING_2,
    FINDING_ELSEWHERE,
    INSPECTION_ID,
    LEADER,
    OTHER_INSPECTION_ID,
    REPORT_FINDINGS,
    REPORT_HASH,
    SUMMARY,
    WITHDRAWN_ON,
    ctx,
    deliberated,
    feedback_delivered,
    finding_approved,
    finding_drafted,
    finding_reviewed,
    office_reviewed,
    report_approved,
    report_drafted,
    stationed,
    withdrawn,
)
from tests.unit.gwt import given, refused, then
from xuncha.commands.errors import InvalidTransition, NotFound, RuleViolated
from xuncha.commands.finding import FINDING
from xuncha.commands.inspection import INSPECTION, InspectionState, report
from xuncha.commands.inspection.report import (
    ApproveReport,
    DeliberateReport,
    DraftInspectionReport,
    ReturnReportForRevision,
    ReviewReportByOffice,
)
from xuncha.events.base import DomainEvent, Role
from xuncha.events.finding import FindingAmended, FindingApproved, FindingReviewed
from xuncha.events.inspection import (
    InspectionReportDrafted,
    ReportApproved,
    ReportDeliberatedByLeadingGroup,
    ReportReturnedForRevision,
    ReportReviewedByOffice,
)
from xuncha.events.values import FindingRef

History = Callable[[], list[DomainEvent]]


FINDINGS = {
    FINDING_1: given(FINDING, *finding_approved(FINDING_1)),
    FINDING_2: given(FINDING, *finding_approved(FINDING_2)),
}
DRAFT = DraftInspectionReport(
    inspection_id=INSPECTION_ID, summary=SUMMARY, finding_ids=[FINDING_1, FINDING_2]
)
RETURNED = ReportReturnedForRevision(inspection_id=INSPECTION_ID, report_version=1, comments="补充")


def sha256_of(summary: str, refs: list[tuple[str, int]]) -> str:
    """The content hash, spelled out: canonical JSON of the summary and the cited versions."""
    body = {"summary": summary, "findings": [{"finding_id": f, "version": v} for f, v in refs]}
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False).encode()
    return "sha256:" + hashlib.sha256(canonical).hexdigest()


def inspection(history: History) -> InspectionState:
    return given(INSPECTION, *history())


def redrafted() -> list[DomainEvent]:
    """Version 1 returned and version 2 drafted with another summary."""
    refs = REPORT_FINDINGS
    v2 = InspectionReportDrafted(
        inspection_id=INSPECTION_ID,
        report_version=2,
        summary="修订稿",
        findings=refs,
        content_hash=report.content_hash("修订稿", refs),
    )
    return [*report_drafted(), RETURNED, v2]


# Draft -----------------------------------------------------------------------------------------


def test_draft_from_approved_findings_records_their_versions_and_the_hash() -> None:
    then(
        report.draft(inspection(withdrawn), DRAFT, ctx(LEADER), FINDINGS),
        [
            InspectionReportDrafted(
                inspection_id=INSPECTION_ID,
                report_version=1,
                summary=SUMMARY,
                findings=[
                    FindingRef(finding_id=FINDING_1, version=1),
                    FindingRef(finding_id=FINDING_2, version=1),
                ],
                content_hash=sha256_of(SUMMARY, [(str(FINDING_1), 1), (str(FINDING_2), 1)]),
            )
        ],
    )


def test_draft_cites_the_approved_version_of_an_amended_finding() -> None:
    amended = given(
        FINDING,
        *finding_drafted(FINDING_1),
        FindingAmended(
            finding_id=FINDING_1, inspection_id=INSPECTION_ID, version=2, content=COMPLETE
        ),
        FindingReviewed(
            finding_id=FINDING_1,
            inspection_id=INSPECTION_ID,
            version=2,
            meeting_ref="组务会",
            opinion="",
        ),
        FindingApproved(finding_id=FINDING_1, inspection_id=INSPECTION_ID, version=2),
    )
    cmd = DRAFT.model_copy(update={"finding_ids": [FINDING_1]})
    [event] = report.draft(inspection(withdrawn), cmd, ctx(LEADER), {FINDING_1: amended})
    assert isinstance(event, InspectionReportDrafted)
    assert event.findings == [FindingRef(finding_id=FINDING_1, version=2)]
    assert event.content_hash == sha256_of(SUMMARY, [(str(FINDING_1), 2)])


def test_draft_after_a_return_is_the_next_version() -> None:
    state = inspection(lambda: [*report_drafted(), RETURNED])
    [event] = report.draft(state, DRAFT, ctx(LEADER), FINDINGS)
    assert isinstance(event, InspectionReportDrafted)
    assert event.report_version == 2


@pytest.mark.parametrize(
    ("history", "stage"),
    [
        (stationed, "stationed"),
        (report_drafted, "report_drafted"),
        (report_approved, "report_approved"),
    ],
)
def test_draft_outside_withdrawn_or_returned_is_refused(history: History, stage: str) -> None:
    with refused(InvalidTransition, "draft the report", f"'{stage}'"):
        report.draft(inspection(history), DRAFT, ctx(LEADER), FINDINGS)


def test_draft_listing_a_finding_twice_is_refused() -> None:
    twice = DRAFT.model_copy(update={"finding_ids": [FINDING_1, FINDING_2, FINDING_1]})
    with refused(RuleViolated, "listed twice"):
        report.draft(inspection(withdrawn), twice, ctx(LEADER), FINDINGS)


def test_draft_citing_a_missing_finding_is_refused() -> None:
    with refused(NotFound, str(FINDING_2), "does not exist in this inspection"):
        report.draft(inspection(withdrawn), DRAFT, ctx(LEADER), {FINDING_1: FINDINGS[FINDING_1]})


def test_draft_citing_a_finding_of_another_inspection_is_refused() -> None:
    elsewhere = given(FINDING, *finding_approved(FINDING_ELSEWHERE, OTHER_INSPECTION_ID))
    cmd = DRAFT.model_copy(update={"finding_ids": [FINDING_1, FINDING_ELSEWHERE]})
    findings = {**FINDINGS, FINDING_ELSEWHERE: elsewhere}
    with refused(NotFound, str(FINDING_ELSEWHERE), "does not exist in this inspection"):
        report.draft(inspection(withdrawn), cmd, ctx(LEADER), findings)


@pytest.mark.parametrize(
    ("history", "status"),
    [(finding_drafted, "drafted"), (finding_reviewed, "reviewed")],
)
def test_draft_citing_an_unapproved_finding_is_refused(history: History, status: str) -> None:
    findings = {**FINDINGS, FINDING_2: given(FINDING, *history())}
    with refused(RuleViolated, f"'{status}'", "only approved findings"):
        report.draft(inspection(withdrawn), DRAFT, ctx(LEADER), findings)


def test_draft_is_for_the_group_leader_and_deputies_only() -> None:
    assert DraftInspectionReport.allowed_roles == {Role.GROUP_LEADER, Role.DEPUTY_GROUP_LEADER}


# Office review, return, deliberation -------------------------------------------------------------


def test_review_by_office_of_the_current_draft() -> None:
    cmd = ReviewReportByOffice(inspection_id=INSPECTION_ID, report_version=1, comments="结构清楚")
    then(
        report.review_by_office(inspection(report_drafted), cmd),
        [
            ReportReviewedByOffice(
                inspection_id=INSPECTION_ID, report_version=1, comments="结构清楚"
            )
        ],
    )


@pytest.mark.parametrize(
    ("history", "stage"), [(withdrawn, "withdrawn"), (office_reviewed, "report_office_reviewed")]
)
def test_review_by_office_outside_a_fresh_draft_is_refused(history: History, stage: str) -> None:
    cmd = ReviewReportByOffice(inspection_id=INSPECTION_ID, report_version=1)
    with refused(InvalidTransition, "review the report", f"'{stage}'"):
        report.review_by_office(inspection(history), cmd)


def test_review_by_office_of_a_stale_version_is_refused() -> None:
    cmd = ReviewReportByOffice(inspection_id=INSPECTION_ID, report_version=1)
    with refused(InvalidTransition, "report version 1 is not the current draft (v2)"):
        report.review_by_office(inspection(redrafted), cmd)


def test_review_by_office_of_a_version_not_yet_drafted_is_refused() -> None:
    cmd = ReviewReportByOffice(inspection_id=INSPECTION_ID, report_version=2)
    with refused(InvalidTransition, "report version 2 is not the current draft (v1)"):
        report.review_by_office(inspection(report_drafted), cmd)


@pytest.mark.parametrize("history", [report_drafted, office_reviewed, deliberated])
def test_return_for_revision_before_approval(history: History) -> None:
    cmd = ReturnReportForRevision(inspection_id=INSPECTION_ID, report_version=1, comments="补充")
    then(report.return_for_revision(inspection(history), cmd), [RETURNED])


def test_return_for_revision_of_an_approved_report_is_refused() -> None:
    cmd = ReturnReportForRevision(inspection_id=INSPECTION_ID, report_version=1, comments="补充")
    with refused(InvalidTransition, "return the report for revision", "'report_approved'"):
        report.return_for_revision(inspection(report_approved), cmd)


def test_return_for_revision_of_a_stale_version_is_refused() -> None:
    cmd = ReturnReportForRevision(inspection_id=INSPECTION_ID, report_version=1, comments="补充")
    with refused(InvalidTransition, "not the current draft"):
        report.return_for_revision(inspection(redrafted), cmd)


def test_deliberate_an_office_reviewed_report() -> None:
    cmd = DeliberateReport(inspection_id=INSPECTION_ID, report_version=1, decisions="移交线索2件")
    then(
        report.deliberate(inspection(office_reviewed), cmd),
        [
            ReportDeliberatedByLeadingGroup(
                inspection_id=INSPECTION_ID, report_version=1, decisions="移交线索2件"
            )
        ],
    )


def test_deliberate_before_the_office_review_is_refused() -> None:
    cmd = DeliberateReport(inspection_id=INSPECTION_ID, report_version=1)
    with refused(InvalidTransition, "deliberate the report", "'report_drafted'"):
        report.deliberate(inspection(report_drafted), cmd)


def test_deliberate_a_stale_version_is_refused() -> None:
    history = [
        *redrafted(),
        ReportReviewedByOffice(inspection_id=INSPECTION_ID, report_version=2, comments=""),
    ]
    cmd = DeliberateReport(inspection_id=INSPECTION_ID, report_version=1)
    with refused(InvalidTransition, "not the current draft (v2)"):
        report.deliberate(given(INSPECTION, *history), cmd)


# Approval (审定) ----------------------------------------------------------------------------------


def approve(version: int = 1, on: date = APPROVED_ON) -> ApproveReport:
    return ApproveReport(
        inspection_id=INSPECTION_ID, report_version=version, approved_on=on, meeting="书记专题会"
    )


def test_approve_records_the_content_hash_of_the_deliberated_version() -> None:
    then(
        report.approve(inspection(deliberated), approve(), ctx(COMMITTEE)),
        [
            ReportApproved(
                inspection_id=INSPECTION_ID,
                report_version=1,
                content_hash=REPORT_HASH,
                approved_on=APPROVED_ON,
                meeting="书记专题会",
            )
        ],
    )


def test_approve_records_the_hash_of_the_redrafted_version_not_the_first() -> None:
    history = [
        *redrafted(),
        ReportReviewedByOffice(inspection_id=INSPECTION_ID, report_version=2, comments=""),
        ReportDeliberatedByLeadingGroup(
            inspection_id=INSPECTION_ID, report_version=2, decisions=""
        ),
    ]
    [event] = report.approve(given(INSPECTION, *history), approve(version=2), ctx(COMMITTEE))
    assert isinstance(event, ReportApproved)
    revised = [(str(FINDING_1), 1), (str(FINDING_2), 1)]
    assert event.content_hash == sha256_of("修订稿", revised)
    assert event.content_hash != REPORT_HASH


def test_approve_freezes_the_cited_findings_as_the_approved_ones() -> None:
    state = given(INSPECTION, *report_approved())
    assert state.approved_finding_ids == {FINDING_1, FINDING_2}
    assert state.report_hash == REPORT_HASH


@pytest.mark.parametrize(
    ("history", "stage"),
    [(office_reviewed, "report_office_reviewed"), (report_approved, "report_approved")],
)
def test_approve_outside_a_deliberated_report_is_refused(history: History, stage: str) -> None:
    with refused(InvalidTransition, "approve the report", f"'{stage}'"):
        report.approve(inspection(history), approve(), ctx(COMMITTEE))


def test_approve_after_feedback_is_refused() -> None:
    with refused(InvalidTransition, "approve the report", "'feedback_delivered'"):
        report.approve(inspection(feedback_delivered), approve(), ctx(COMMITTEE))


def test_approve_a_stale_version_is_refused() -> None:
    with refused(InvalidTransition, "report version 2 is not the current draft (v1)"):
        report.approve(inspection(deliberated), approve(version=2), ctx(COMMITTEE))


def test_approve_dated_in_the_future_is_refused() -> None:
    with refused(RuleViolated, "approved_on", "future"):
        report.approve(inspection(deliberated), approve(), ctx(COMMITTEE, date(2026, 5, 5)))


def test_approve_dated_before_the_withdrawal_is_refused() -> None:
    with refused(RuleViolated, "approved_on cannot precede the withdrawal"):
        report.approve(inspection(deliberated), approve(on=date(2026, 4, 9)), ctx(COMMITTEE))


def test_approve_on_the_withdrawal_day_is_accepted() -> None:
    events = report.approve(inspection(deliberated), approve(on=WITHDRAWN_ON), ctx(COMMITTEE))
    assert [type(e) for e in events] == [ReportApproved]


def test_report_steps_are_for_their_bodies_only() -> None:
    assert ApproveReport.allowed_roles == {Role.COMMITTEE}
    assert DeliberateReport.allowed_roles == {Role.LEADING_GROUP}
    assert ReviewReportByOffice.allowed_roles == {Role.INSPECTION_OFFICE}

"""Supplementary reports: drafted after fieldwork by the group, reviewed, approved, frozen."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from tests.unit.builders import (
    COMMITTEE,
    INSPECTION_ID,
    LEADER,
    OTHER_LEADER,
    ctx,
    stationed,
    uid,
    withdrawn,
)
from tests.unit.gwt import given, refused, then
from xuncha.commands import supplementary_report as sup
from xuncha.commands.errors import InvalidTransition, NotPermitted, RuleViolated
from xuncha.commands.inspection import INSPECTION, InspectionState
from xuncha.events.base import DomainEvent
from xuncha.events.supplementary_report import (
    SupplementaryKind,
    SupplementaryReportApproved,
    SupplementaryReportDrafted,
    SupplementaryReportReturned,
    SupplementaryReportReviewed,
)


def inspection(history: Callable[[], list[DomainEvent]]) -> InspectionState:
    return given(INSPECTION, *history())


REPORT_ID = uid(40)
DRAFT = sup.DraftSupplementaryReport(
    inspection_id=INSPECTION_ID,
    kind=SupplementaryKind.SPECIAL,
    topic="工程招投标系统性问题",
    addressees=["市住建局"],
    content="专题报告正文",
)


def drafted() -> SupplementaryReportDrafted:
    [event] = sup.draft(inspection(withdrawn), DRAFT, ctx(LEADER), REPORT_ID)
    assert isinstance(event, SupplementaryReportDrafted)
    return event


def test_draft_after_fieldwork_records_version_one_with_sealed_content() -> None:
    event = drafted()
    assert (event.version, event.kind, event.content) == (1, "special", "专题报告正文")
    assert event.content_hash.startswith("sha256:")
    assert event.public_data()["content"] == "[sealed]"


def test_draft_during_fieldwork_is_refused() -> None:
    with refused(InvalidTransition, "draft a supplementary report", "stationed"):
        sup.draft(inspection(stationed), DRAFT, ctx(LEADER), REPORT_ID)


def test_draft_by_a_leader_of_another_group_is_refused() -> None:
    with refused(NotPermitted, "members of the group"):
        sup.draft(inspection(withdrawn), DRAFT, ctx(OTHER_LEADER), REPORT_ID)


def test_review_return_redraft_and_approve_freeze_the_last_version() -> None:
    state = given(sup.SUPPLEMENTARY_REPORT, drafted())
    review = sup.ReviewSupplementaryReport(report_id=REPORT_ID, version=1)
    reviewed = SupplementaryReportReviewed(
        report_id=REPORT_ID, inspection_id=INSPECTION_ID, version=1, comments=""
    )
    then(sup.review(state, review), [reviewed])
    back = sup.ReturnSupplementaryReport(report_id=REPORT_ID, version=1, comments="补充数据")
    returned = SupplementaryReportReturned(
        report_id=REPORT_ID, inspection_id=INSPECTION_ID, version=1, comments="补充数据"
    )
    then(sup.return_(given(sup.SUPPLEMENTARY_REPORT, drafted(), reviewed), back), [returned])
    redraft = sup.RedraftSupplementaryReport(report_id=REPORT_ID, topic="t", content="第二稿")
    state = given(sup.SUPPLEMENTARY_REPORT, drafted(), reviewed, returned)
    [v2] = sup.redraft(state, redraft, ctx(LEADER), inspection(withdrawn))
    assert isinstance(v2, SupplementaryReportDrafted)
    assert v2.version == 2
    state = given(
        sup.SUPPLEMENTARY_REPORT,
        drafted(),
        reviewed,
        returned,
        v2,
        reviewed.model_copy(update={"version": 2}),
    )
    approve = sup.ApproveSupplementaryReport(
        report_id=REPORT_ID, version=2, approved_on=date(2026, 6, 1)
    )
    then(
        sup.approve(state, approve, ctx(COMMITTEE)),
        [
            SupplementaryReportApproved(
                report_id=REPORT_ID,
                inspection_id=INSPECTION_ID,
                version=2,
                content_hash=v2.content_hash,
                approved_on=date(2026, 6, 1),
            )
        ],
    )


def test_a_stale_version_or_an_unreviewed_draft_cannot_be_approved() -> None:
    approve = sup.ApproveSupplementaryReport(
        report_id=REPORT_ID, version=1, approved_on=date(2026, 6, 1)
    )
    with refused(InvalidTransition, "approve", "drafted"):
        sup.approve(given(sup.SUPPLEMENTARY_REPORT, drafted()), approve, ctx(COMMITTEE))
    reviewed = SupplementaryReportReviewed(
        report_id=REPORT_ID, inspection_id=INSPECTION_ID, version=1, comments=""
    )
    state = given(sup.SUPPLEMENTARY_REPORT, drafted(), reviewed)
    with refused(InvalidTransition, "not the current draft"):
        sup.approve(state, approve.model_copy(update={"version": 3}), ctx(COMMITTEE))
    with refused(RuleViolated, "future"):
        sup.approve(
            state, approve.model_copy(update={"approved_on": date(2030, 1, 1)}), ctx(COMMITTEE)
        )


def test_only_a_returned_report_is_redrafted() -> None:
    redraft = sup.RedraftSupplementaryReport(report_id=REPORT_ID, topic="t", content="c")
    with refused(InvalidTransition, "redraft", "drafted"):
        sup.redraft(
            given(sup.SUPPLEMENTARY_REPORT, drafted()), redraft, ctx(LEADER), inspection(withdrawn)
        )

"""成果运用: the shared result (minimized; after approval and again after each evaluation;
responsible leaders only if the policy allows) and the warning-education records."""

from __future__ import annotations

from dataclasses import replace

from tests.unit.builders import (
    COMPLETE,
    INSPECTION_ID,
    ITEM_1,
    ITEM_2,
    OFFICE,
    OTHER_PRINCIPAL,
    ROUND_ID,
    TARGET_ORG,
    TODAY,
    ctx,
    item_opened,
    rectification_report_accepted,
    report_approved,
    withdrawn,
)
from tests.unit.builders_followup import RECORD_ID, RESULT_ID, attr, item_closed
from tests.unit.gwt import given, refused, then
from xuncha.commands import results
from xuncha.commands.errors import InvalidTransition, NotPermitted, RuleViolated
from xuncha.commands.inspection import INSPECTION
from xuncha.commands.rectification import RECTIFICATION_ITEM
from xuncha.commands.results import (
    EDUCATION,
    SHARED_RESULT,
    AddConfessionEntry,
    CompileConfessionBook,
    HoldWarningStudySession,
    PublishConfessionBook,
    PublishSharedResult,
)
from xuncha.events.follow_up import Grade
from xuncha.events.policy import PolicyParameters
from xuncha.events.results import (
    InspectionResultShared,
    LeadsSummary,
    RectificationStatus,
    ShareBasis,
    TagCount,
)

SHARE = PublishSharedResult(
    inspection_id=INSPECTION_ID, leads=LeadsSummary(transferred=2, disposed=1, open=1)
)
ITEMS = {
    ITEM_1: given(RECTIFICATION_ITEM, *item_closed()),
    ITEM_2: replace(given(RECTIFICATION_ITEM, *item_opened(ITEM_2)), responsible_leader="副局长"),
}
APPROVED = given(INSPECTION, *report_approved())
ACCEPTED = given(INSPECTION, *rectification_report_accepted())
NO_NAMES = PolicyParameters(share_responsible_leaders=False)


def test_first_share_after_report_approval_is_minimized() -> None:
    then(
        results.publish_shared_result(
            None, SHARE, ctx(OFFICE), APPROVED, [COMPLETE, COMPLETE], {}, (), NO_NAMES
        ),
        [
            InspectionResultShared(
                result_id=RESULT_ID,
                sequence=1,
                basis=ShareBasis.REPORT_APPROVED,
                inspection_id=INSPECTION_ID,
                round_id=ROUND_ID,
                organization_id=TARGET_ORG,
                organization_name="市水务局党组",
                findings_total=2,
                findings_by_tag=[
                    TagCount(taxonomy_version="four-implementations-2022", tag="三重一大", count=2)
                ],
                rectification=None,
                leads=SHARE.leads,
                evaluation_grade=None,
                responsible_leaders=None,
                published_on=TODAY,
            )
        ],
    )


def test_shared_again_only_after_a_new_evaluation() -> None:
    first = results.publish_shared_result(
        None, SHARE, ctx(OFFICE), ACCEPTED, [COMPLETE], ITEMS, (), NO_NAMES
    )
    shared = given(SHARED_RESULT, *first)
    with refused(InvalidTransition, "shared again after a new rectification evaluation"):
        results.publish_shared_result(
            shared, SHARE, ctx(OFFICE), ACCEPTED, [COMPLETE], ITEMS, (), NO_NAMES
        )
    [second] = results.publish_shared_result(
        shared, SHARE, ctx(OFFICE), ACCEPTED, [COMPLETE], ITEMS, (Grade.GOOD,), NO_NAMES
    )
    assert isinstance(second, InspectionResultShared)
    assert (second.sequence, second.basis, second.evaluation_grade) == (
        2,
        ShareBasis.EVALUATED,
        "good",
    )
    assert second.rectification == RectificationStatus(
        items_total=2,
        items_closed=1,
        items_long_term=0,
        items_reopened=0,
        items_extended=0,
        completion_rate=0.5,
    )
    with refused(InvalidTransition, "shared again"):
        results.publish_shared_result(
            given(SHARED_RESULT, *first, second),
            SHARE,
            ctx(OFFICE),
            ACCEPTED,
            [],
            ITEMS,
            (Grade.GOOD,),
            NO_NAMES,
        )


def test_responsible_leaders_only_when_the_policy_allows() -> None:
    allow = PolicyParameters(share_responsible_leaders=True)
    [named] = results.publish_shared_result(
        None, SHARE, ctx(OFFICE), ACCEPTED, [], ITEMS, (), allow
    )
    assert attr(named, "responsible_leaders") == ["副局长", "局长"]
    [anonymous] = results.publish_shared_result(
        None, SHARE, ctx(OFFICE), ACCEPTED, [], ITEMS, (), NO_NAMES
    )
    assert attr(anonymous, "responsible_leaders") is None
    assert PolicyParameters().share_responsible_leaders is False


def test_no_share_before_report_approval() -> None:
    with refused(InvalidTransition, "share", "'withdrawn'"):
        results.publish_shared_result(
            None, SHARE, ctx(OFFICE), given(INSPECTION, *withdrawn()), [], {}, (), NO_NAMES
        )


def test_confession_book_entries_then_publication_once() -> None:
    book = given(EDUCATION, *results.compile_book(CompileConfessionBook(title="忏悔录"), RECORD_ID))
    with refused(RuleViolated, "at least one entry"):
        results.publish_book(
            book, PublishConfessionBook(record_id=RECORD_ID, published_on=TODAY), ctx(OFFICE)
        )
    entry = AddConfessionEntry(
        record_id=RECORD_ID, subject_label="某局原局长", text="忏悔", case_ref="案-1"
    )
    added = results.add_entry(book, entry, ctx(OFFICE))
    book = given(
        EDUCATION, *results.compile_book(CompileConfessionBook(title="忏悔录"), RECORD_ID), *added
    )
    published = results.publish_book(
        book, PublishConfessionBook(record_id=RECORD_ID, published_on=TODAY), ctx(OFFICE)
    )
    assert attr(published[0], "entries") == 1
    done = given(
        EDUCATION,
        *results.compile_book(CompileConfessionBook(title="忏悔录"), RECORD_ID),
        *added,
        *published,
    )
    with refused(InvalidTransition, "published"):
        results.add_entry(done, entry, ctx(OFFICE))


def test_study_sessions_of_another_organization_by_a_principal_are_refused() -> None:
    cmd = HoldWarningStudySession(
        organization_id=TARGET_ORG, held_on=TODAY, participants=40, materials=["忏悔录"]
    )
    with refused(NotPermitted, "own organization"):
        results.hold_study(cmd, ctx(OTHER_PRINCIPAL), RECORD_ID)
    assert len(results.hold_study(cmd, ctx(OFFICE), RECORD_ID)) == 1

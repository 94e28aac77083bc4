"""RectificationItem (整改台账条目): progress → closure requested with evidence → verified by a
party other than the rectifying organization → closed (销号); a failed check reopens work."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from pydantic import ValidationError

from tests.unit.builders import (
    DISCIPLINE,
    INSPECTION_ID,
    ITEM_1,
    ITEM_DEADLINE,
    LEADER,
    LIAISON,
    OFFICE,
    OTHER_ORG,
    OTHER_PRINCIPAL,
    PRINCIPAL,
    TARGET_ORG,
    TODAY,
    actor,
    closure_requested,
    ctx,
    item_in_progress,
    item_opened,
    item_verified,
)
from tests.unit.gwt import given, refused, then
from xuncha.commands import rectification
from xuncha.commands.errors import InvalidTransition, NotPermitted
from xuncha.commands.rectification import (
    RECTIFICATION_ITEM,
    CloseItem,
    FailItemVerification,
    ReportItemProgress,
    RequestItemClosure,
    VerifyItem,
)
from xuncha.events.base import Actor, DomainEvent, Role
from xuncha.events.rectification import (
    ItemClosureRequested,
    ItemVerificationFailed,
    ItemVerified,
    RectificationItemClosed,
    RectificationProgressReported,
)

History = Callable[[], list[DomainEvent]]
PROGRESS = ReportItemProgress(item_id=ITEM_1, percent=60, note="已重新招标", evidence_refs=["d-1"])
REQUEST = RequestItemClosure(item_id=ITEM_1, summary="整改完成", evidence_refs=["doc-2026-101"])
VERIFY = VerifyItem(item_id=ITEM_1, note="核查属实")
FAIL = FailItemVerification(item_id=ITEM_1, comments="证据不足")
CLOSE = CloseItem(item_id=ITEM_1)
# An office user who works for the rectifying organization: role allowed, organization not.
OFFICE_AT_TARGET = actor("office-7", Role.INSPECTION_OFFICE, TARGET_ORG)


def closed() -> list[DomainEvent]:
    done = RectificationItemClosed(
        item_id=ITEM_1, inspection_id=INSPECTION_ID, closed_on=TODAY, on_time=True
    )
    return [*item_verified(), done]


def verification_failed() -> list[DomainEvent]:
    failed = ItemVerificationFailed(
        item_id=ITEM_1,
        inspection_id=INSPECTION_ID,
        verifier_organization_id="org-jw",
        comments="",
        failed_on=TODAY,
    )
    return [*closure_requested(), failed]


# Progress and closure request (the rectifying organization) -------------------------------------


@pytest.mark.parametrize("history", [item_opened, item_in_progress, verification_failed])
def test_report_progress_while_open(history: History) -> None:
    then(
        rectification.report_progress(
            given(RECTIFICATION_ITEM, *history()), PROGRESS, ctx(LIAISON)
        ),
        [
            RectificationProgressReported(
                item_id=ITEM_1,
                inspection_id=INSPECTION_ID,
                percent=60,
                note="已重新招标",
                evidence_refs=["d-1"],
            )
        ],
    )


@pytest.mark.parametrize(
    ("history", "status"),
    [(closure_requested, "closure_requested"), (item_verified, "verified"), (closed, "closed")],
)
def test_report_progress_once_closure_is_requested_is_refused(
    history: History, status: str
) -> None:
    with refused(InvalidTransition, "report progress", f"'{status}'"):
        rectification.report_progress(given(RECTIFICATION_ITEM, *history()), PROGRESS, ctx(LIAISON))


def test_report_progress_for_another_organization_is_refused() -> None:
    other_liaison = actor("liaison-9", Role.INSPECTED_ORG_LIAISON, OTHER_ORG)
    with refused(NotPermitted, "only the rectifying organization"):
        rectification.report_progress(
            given(RECTIFICATION_ITEM, *item_opened()), PROGRESS, ctx(other_liaison)
        )


@pytest.mark.parametrize("history", [item_opened, item_in_progress])
def test_request_closure_with_evidence(history: History) -> None:
    then(
        rectification.request_closure(
            given(RECTIFICATION_ITEM, *history()), REQUEST, ctx(PRINCIPAL)
        ),
        [
            ItemClosureRequested(
                item_id=ITEM_1,
                inspection_id=INSPECTION_ID,
                summary="整改完成",
                evidence_refs=["doc-2026-101"],
                requested_on=TODAY,
            )
        ],
    )


def test_request_closure_without_evidence_is_refused() -> None:
    with pytest.raises(ValidationError, match="evidence_refs"):
        RequestItemClosure(item_id=ITEM_1, summary="整改完成", evidence_refs=[])


def test_request_closure_twice_is_refused() -> None:
    with refused(InvalidTransition, "request closure", "'closure_requested'"):
        rectification.request_closure(
            given(RECTIFICATION_ITEM, *closure_requested()), REQUEST, ctx(PRINCIPAL)
        )


def test_request_closure_of_another_organizations_item_is_refused() -> None:
    with refused(NotPermitted, "only the rectifying organization"):
        rectification.request_closure(
            given(RECTIFICATION_ITEM, *item_in_progress()), REQUEST, ctx(OTHER_PRINCIPAL)
        )


# Verification (by someone else) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "organization"), [(DISCIPLINE, "org-jw"), (OFFICE, "org-xcb"), (LEADER, "org-xcb")]
)
def test_verify_records_the_verifier_organization(who: Actor, organization: str) -> None:
    then(
        rectification.verify(given(RECTIFICATION_ITEM, *closure_requested()), VERIFY, ctx(who)),
        [
            ItemVerified(
                item_id=ITEM_1,
                inspection_id=INSPECTION_ID,
                verifier_organization_id=organization,
                note="核查属实",
                verified_on=TODAY,
            )
        ],
    )


@pytest.mark.parametrize(
    ("history", "status"),
    [(item_opened, "opened"), (item_in_progress, "in_progress"), (item_verified, "verified")],
)
def test_verify_without_a_closure_request_is_refused(history: History, status: str) -> None:
    with refused(InvalidTransition, "verify the item", f"'{status}'"):
        rectification.verify(given(RECTIFICATION_ITEM, *history()), VERIFY, ctx(DISCIPLINE))


@pytest.mark.parametrize("who", [PRINCIPAL, OFFICE_AT_TARGET], ids=["principal", "office-user"])
def test_verify_by_the_rectifying_organization_is_refused(who: Actor) -> None:
    with refused(NotPermitted, "cannot verify or close its own item", "separation of duties"):
        rectification.verify(given(RECTIFICATION_ITEM, *closure_requested()), VERIFY, ctx(who))


def test_fail_verification_sends_the_item_back_to_work() -> None:
    history = closure_requested()
    failed = rectification.fail_verification(
        given(RECTIFICATION_ITEM, *history), FAIL, ctx(DISCIPLINE)
    )
    then(
        failed,
        [
            ItemVerificationFailed(
                item_id=ITEM_1,
                inspection_id=INSPECTION_ID,
                verifier_organization_id="org-jw",
                comments="证据不足",
                failed_on=TODAY,
            )
        ],
    )
    state = given(RECTIFICATION_ITEM, *history, *failed)
    assert state.status == "in_progress"
    assert len(rectification.request_closure(state, REQUEST, ctx(PRINCIPAL))) == 1


def test_fail_verification_without_a_closure_request_is_refused() -> None:
    with refused(InvalidTransition, "fail the verification", "'in_progress'"):
        rectification.fail_verification(
            given(RECTIFICATION_ITEM, *item_in_progress()), FAIL, ctx(DISCIPLINE)
        )


def test_fail_verification_by_the_rectifying_organization_is_refused() -> None:
    with refused(NotPermitted, "separation of duties"):
        rectification.fail_verification(
            given(RECTIFICATION_ITEM, *closure_requested()), FAIL, ctx(OFFICE_AT_TARGET)
        )


# Closure (销号) -----------------------------------------------------------------------------------


def test_close_a_verified_item_on_time() -> None:
    then(
        rectification.close(given(RECTIFICATION_ITEM, *item_verified()), CLOSE, ctx(OFFICE)),
        [
            RectificationItemClosed(
                item_id=ITEM_1, inspection_id=INSPECTION_ID, closed_on=TODAY, on_time=True
            )
        ],
    )


@pytest.mark.parametrize(
    ("today", "on_time"),
    [(ITEM_DEADLINE, True), (date(2026, 10, 1), False)],
    ids=["on-the-deadline", "a-day-late"],
)
def test_close_records_whether_it_met_the_deadline(today: date, on_time: bool) -> None:
    [event] = rectification.close(
        given(RECTIFICATION_ITEM, *item_verified()), CLOSE, ctx(OFFICE, today)
    )
    assert isinstance(event, RectificationItemClosed)
    assert (event.closed_on, event.on_time) == (today, on_time)


@pytest.mark.parametrize(
    ("history", "status"),
    [
        (item_opened, "opened"),
        (item_in_progress, "in_progress"),
        (closure_requested, "closure_requested"),
        (verification_failed, "in_progress"),
        (closed, "closed"),
    ],
)
def test_close_an_unverified_item_is_refused(history: History, status: str) -> None:
    with refused(InvalidTransition, "close (销号) the item", f"'{status}'", "'verified'"):
        rectification.close(given(RECTIFICATION_ITEM, *history()), CLOSE, ctx(OFFICE))


def test_close_by_the_rectifying_organization_is_refused() -> None:
    with refused(NotPermitted, "cannot verify or close its own item"):
        rectification.close(
            given(RECTIFICATION_ITEM, *item_verified()), CLOSE, ctx(OFFICE_AT_TARGET)
        )


def test_the_inspected_organization_never_verifies_or_closes() -> None:
    inspected = {Role.INSPECTED_ORG_PRINCIPAL, Role.INSPECTED_ORG_LIAISON}
    assert not inspected & VerifyItem.allowed_roles
    assert not inspected & FailItemVerification.allowed_roles
    assert CloseItem.allowed_roles == {Role.INSPECTION_OFFICE}
    assert RequestItemClosure.allowed_roles == {Role.INSPECTED_ORG_PRINCIPAL}
    assert ReportItemProgress.allowed_roles == inspected

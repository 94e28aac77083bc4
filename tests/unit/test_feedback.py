"""反馈: the opinion with its problem ledger (mapped to the approved report's findings), and its
delivery, which starts the rectification clocks under the policy version in force."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from pydantic import ValidationError

from tests.unit.builders import (
    APPROVED_ON,
    DEFAULT_REF,
    DELIVERED_ON,
    FEEDBACK_ID,
    FINDING_1,
    FINDING_2,
    FINDING_ELSEWHERE,
    INSPECTION_ID,
    JURISDICTION,
    LEADER,
    LEDGER,
    OTHER_INSPECTION_ID,
    OTHER_LEADER,
    PLAN_DUE,
    WRITTEN_REPORT_DUE,
    ctx,
    deliberated,
    feedback_delivered,
    opinion_drafted,
    report_approved,
    withdrawn,
)
from tests.unit.gwt import given, refused, then
from xuncha.commands import feedback
from xuncha.commands.errors import InvalidTransition, NotPermitted, RuleViolated
from xuncha.commands.feedback import (
    FEEDBACK,
    DeliverFeedback,
    DraftFeedbackOpinion,
    feedback_stream_id,
)
from xuncha.commands.inspection import INSPECTION, InspectionState
from xuncha.commands.inspection.report import content_hash
from xuncha.commands.policy import POLICY, PolicyBook
from xuncha.events.base import DomainEvent, Role
from xuncha.events.feedback import FeedbackDelivered, FeedbackOpinionDrafted
from xuncha.events.inspection import (
    InspectionFeedbackDelivered,
    InspectionReportDrafted,
    ReportApproved,
    ReportDeliberatedByLeadingGroup,
    ReportReviewedByOffice,
)
from xuncha.events.policy import PolicyParameters, PolicyVersionPublished
from xuncha.events.values import FindingRef, LedgerItem, PolicyRef

History = Callable[[], list[DomainEvent]]
OPINION = DraftFeedbackOpinion(inspection_id=INSPECTION_ID, opinion="整改意见", ledger=LEDGER)
DELIVER = DeliverFeedback(
    inspection_id=INSPECTION_ID, delivered_on=DELIVERED_ON, attendees=["市水务局党组全体成员"]
)


def inspection(history: History = report_approved) -> InspectionState:
    return given(INSPECTION, *history())


def published(effective_from: date, **parameters: int) -> PolicyBook:
    """The jurisdiction's policy book with one published version."""
    version = PolicyVersionPublished(
        jurisdiction_id=JURISDICTION,
        version=1,
        effective_from=effective_from,
        parameters=PolicyParameters(**parameters),
    )
    return given(POLICY, version)


# Draft the opinion and its ledger ----------------------------------------------------------------


def test_draft_opinion_records_the_ledger() -> None:
    then(
        feedback.draft_opinion(None, OPINION, ctx(LEADER), inspection()),
        [
            FeedbackOpinionDrafted(
                feedback_id=FEEDBACK_ID,
                inspection_id=INSPECTION_ID,
                draft_no=1,
                opinion="整改意见",
                ledger=LEDGER,
            )
        ],
    )


def test_draft_opinion_again_replaces_the_draft_with_the_next_number() -> None:
    state = given(FEEDBACK, *opinion_drafted())
    [event] = feedback.draft_opinion(state, OPINION, ctx(LEADER), inspection())
    assert isinstance(event, FeedbackOpinionDrafted)
    assert event.draft_no == 2


def test_draft_opinion_may_map_one_item_to_several_findings() -> None:
    ledger = [LedgerItem(item_no=1, problem="采购与决策问题", finding_ids=[FINDING_1, FINDING_2])]
    cmd = OPINION.model_copy(update={"ledger": ledger})
    assert len(feedback.draft_opinion(None, cmd, ctx(LEADER), inspection())) == 1


def test_feedback_stream_is_one_per_inspection() -> None:
    assert feedback_stream_id(INSPECTION_ID) == FEEDBACK_ID
    assert feedback_stream_id(OTHER_INSPECTION_ID) != FEEDBACK_ID


@pytest.mark.parametrize(
    ("history", "stage"),
    [(deliberated, "report_deliberated"), (feedback_delivered, "feedback_delivered")],
)
def test_draft_opinion_outside_an_approved_report_is_refused(history: History, stage: str) -> None:
    with refused(InvalidTransition, "draft the feedback opinion", f"'{stage}'"):
        feedback.draft_opinion(None, OPINION, ctx(LEADER), inspection(history))


def test_draft_opinion_with_a_repeated_item_number_is_refused() -> None:
    ledger = [*LEDGER, LedgerItem(item_no=2, problem="重复", finding_ids=[FINDING_1])]
    with refused(RuleViolated, "item numbers must be unique"):
        feedback.draft_opinion(
            None, OPINION.model_copy(update={"ledger": ledger}), ctx(LEADER), inspection()
        )


def test_draft_opinion_citing_a_finding_not_in_the_approved_report_is_refused() -> None:
    stray = LedgerItem(item_no=3, problem="其他问题", finding_ids=[FINDING_1, FINDING_ELSEWHERE])
    cmd = OPINION.model_copy(update={"ledger": [*LEDGER, stray]})
    with refused(
        RuleViolated, "ledger item 3", str(FINDING_ELSEWHERE), "not in the approved report"
    ):
        feedback.draft_opinion(None, cmd, ctx(LEADER), inspection())


def test_draft_opinion_citing_an_approved_finding_left_out_of_the_report_is_refused() -> None:
    only_first = [FindingRef(finding_id=FINDING_1, version=1)]
    state = given(
        INSPECTION,
        *withdrawn(),
        InspectionReportDrafted(
            inspection_id=INSPECTION_ID,
            report_version=1,
            summary="只含问题一",
            findings=only_first,
            content_hash=content_hash("只含问题一", only_first),
        ),
        ReportReviewedByOffice(inspection_id=INSPECTION_ID, report_version=1, comments=""),
        ReportDeliberatedByLeadingGroup(
            inspection_id=INSPECTION_ID, report_version=1, decisions=""
        ),
        ReportApproved(
            inspection_id=INSPECTION_ID,
            report_version=1,
            content_hash=content_hash("只含问题一", only_first),
            approved_on=APPROVED_ON,
            meeting="书记专题会",
        ),
    )
    with refused(RuleViolated, "ledger item 2", str(FINDING_2), "not in the approved report"):
        feedback.draft_opinion(None, OPINION, ctx(LEADER), state)


def test_draft_opinion_with_a_ledger_item_without_findings_is_refused() -> None:
    with pytest.raises(ValidationError, match="finding_ids"):
        LedgerItem(item_no=1, problem="无依据的问题", finding_ids=[])


# Deliver (the clocks start) ----------------------------------------------------------------------


def test_deliver_starts_the_clocks_under_the_default_policy() -> None:
    on_feedback, on_inspection = feedback.deliver(
        given(FEEDBACK, *opinion_drafted()),
        inspection(),
        DELIVER,
        ctx(LEADER),
        PolicyBook(JURISDICTION).in_force(DELIVERED_ON),
    )
    then(
        on_feedback,
        [
            FeedbackDelivered(
                feedback_id=FEEDBACK_ID,
                inspection_id=INSPECTION_ID,
                draft_no=1,
                delivered_on=DELIVERED_ON,
                attendees=["市水务局党组全体成员"],
            )
        ],
    )
    then(
        on_inspection,
        [
            InspectionFeedbackDelivered(
                inspection_id=INSPECTION_ID,
                delivered_on=DELIVERED_ON,
                ledger_item_nos=[1, 2],
                plan_due=PLAN_DUE,  # 30 days
                written_report_due=WRITTEN_REPORT_DUE,  # 2 months
                policy=DEFAULT_REF,
            )
        ],
    )


def test_deliver_under_a_published_policy_records_its_version_and_deadlines() -> None:
    book = published(date(2026, 1, 1), written_report_months=3, plan_due_days=15)
    _, [clocks] = feedback.deliver(
        given(FEEDBACK, *opinion_drafted()),
        inspection(),
        DELIVER,
        ctx(LEADER),
        book.in_force(DELIVERED_ON),
    )
    assert isinstance(clocks, InspectionFeedbackDelivered)
    assert clocks.written_report_due == date(2026, 8, 15)
    assert clocks.plan_due == date(2026, 5, 30)
    assert clocks.policy == PolicyRef(
        jurisdiction_id=JURISDICTION, version=1, effective_from=date(2026, 1, 1)
    )


def test_deliver_ignores_a_policy_that_takes_effect_later() -> None:
    book = published(date(2026, 6, 1), written_report_months=3)
    _, [clocks] = feedback.deliver(
        given(FEEDBACK, *opinion_drafted()),
        inspection(),
        DELIVER,
        ctx(LEADER),
        book.in_force(DELIVERED_ON),
    )
    assert isinstance(clocks, InspectionFeedbackDelivered)
    assert clocks.written_report_due == WRITTEN_REPORT_DUE
    assert clocks.policy == DEFAULT_REF


def test_deliver_on_the_last_day_of_a_month_clamps_the_written_report_due_date() -> None:
    cmd = DELIVER.model_copy(update={"delivered_on": date(2026, 12, 31)})
    _, [clocks] = feedback.deliver(
        given(FEEDBACK, *opinion_drafted()),
        inspection(),
        cmd,
        ctx(LEADER, date(2027, 1, 5)),
        PolicyBook(JURISDICTION).in_force(cmd.delivered_on),
    )
    assert isinstance(clocks, InspectionFeedbackDelivered)
    assert clocks.written_report_due == date(2027, 2, 28)
    assert clocks.plan_due == date(2027, 1, 30)


def test_deliver_the_latest_draft() -> None:
    redraft = FeedbackOpinionDrafted(
        feedback_id=FEEDBACK_ID,
        inspection_id=INSPECTION_ID,
        draft_no=2,
        opinion="修订",
        ledger=LEDGER[:1],
    )
    on_feedback, [clocks] = feedback.deliver(
        given(FEEDBACK, *opinion_drafted(), redraft),
        inspection(),
        DELIVER,
        ctx(LEADER),
        (DEFAULT_REF, PolicyParameters()),
    )
    assert isinstance(on_feedback[0], FeedbackDelivered)
    assert on_feedback[0].draft_no == 2
    assert isinstance(clocks, InspectionFeedbackDelivered)
    assert clocks.ledger_item_nos == [1]


def test_deliver_before_the_report_is_approved_is_refused() -> None:
    with refused(InvalidTransition, "deliver feedback", "'report_deliberated'"):
        feedback.deliver(
            given(FEEDBACK, *opinion_drafted()),
            inspection(deliberated),
            DELIVER,
            ctx(LEADER),
            (DEFAULT_REF, PolicyParameters()),
        )


def test_deliver_twice_is_refused() -> None:
    with refused(InvalidTransition, "deliver feedback", "'feedback_delivered'"):
        feedback.deliver(
            given(FEEDBACK, *opinion_drafted()),
            inspection(feedback_delivered),
            DELIVER,
            ctx(LEADER),
            (DEFAULT_REF, PolicyParameters()),
        )


def test_deliver_without_a_drafted_opinion_is_refused() -> None:
    with refused(InvalidTransition, "draft the feedback opinion before delivering"):
        feedback.deliver(
            None, inspection(), DELIVER, ctx(LEADER), (DEFAULT_REF, PolicyParameters())
        )


def test_deliver_dated_in_the_future_is_refused() -> None:
    with refused(RuleViolated, "delivered_on", "future"):
        feedback.deliver(
            given(FEEDBACK, *opinion_drafted()),
            inspection(),
            DELIVER,
            ctx(LEADER, date(2026, 5, 14)),
            (DEFAULT_REF, PolicyParameters()),
        )


def test_deliver_dated_before_the_report_approval_is_refused() -> None:
    early = DELIVER.model_copy(update={"delivered_on": date(2026, 5, 5)})
    with refused(RuleViolated, "cannot be delivered before the report was approved"):
        feedback.deliver(
            given(FEEDBACK, *opinion_drafted()),
            inspection(),
            early,
            ctx(LEADER),
            (DEFAULT_REF, PolicyParameters()),
        )


def test_deliver_on_the_approval_day_is_accepted() -> None:
    same_day = DELIVER.model_copy(update={"delivered_on": APPROVED_ON})
    on_feedback, _ = feedback.deliver(
        given(FEEDBACK, *opinion_drafted()),
        inspection(),
        same_day,
        ctx(LEADER),
        (DEFAULT_REF, PolicyParameters()),
    )
    assert [type(e) for e in on_feedback] == [FeedbackDelivered]


def test_deliver_by_the_leader_of_another_group_is_refused() -> None:
    """BUG: any group leader may deliver the feedback of any inspection.

    `deliver` receives the context but never checks that the actor leads this inspection's
    group, unlike stationing, withdrawal and finding approval (组长负责制, 一次一授权).
    """
    with refused(NotPermitted, "group leader"):
        feedback.deliver(
            given(FEEDBACK, *opinion_drafted()),
            inspection(),
            DELIVER,
            ctx(OTHER_LEADER),
            (DEFAULT_REF, PolicyParameters()),
        )


def test_feedback_roles() -> None:
    assert DeliverFeedback.allowed_roles == {Role.GROUP_LEADER}
    assert DraftFeedbackOpinion.allowed_roles == {Role.GROUP_LEADER, Role.INSPECTION_OFFICE}

"""The rectification as a whole: taskforce, the special democratic life meeting (within policy
days of feedback), disclosure matching the accepted report, and the stages 集中整改 → 持续整改
→ 整改总结 (every item closed or formally long-term)."""

from __future__ import annotations

from datetime import date, timedelta

from tests.unit.builders import (
    DELIVERED_ON,
    INSPECTION_ID,
    ITEM_1,
    ITEM_2,
    LIAISON,
    OFFICE,
    OTHER_PRINCIPAL,
    PRINCIPAL,
    TODAY,
    actor,
    ctx,
    feedback_delivered,
    rectification_report_accepted,
    rectifying,
    report_approved,
)
from tests.unit.builders_followup import RECTIFICATION_ID, attr
from tests.unit.gwt import given, refused, then
from xuncha.commands.errors import InvalidTransition, NotPermitted, RuleViolated
from xuncha.commands.inspection import INSPECTION
from xuncha.commands.rectification import programme as plan
from xuncha.commands.rectification.programme import (
    INSPECTION_WITH_REPORTS,
    RECTIFICATION_PROGRAMME,
    DiscloseRectification,
    EndCentralizedRectification,
    EstablishRectificationTaskforce,
    HoldRectificationLifeMeeting,
    StartContinuousRectification,
    SummarizeRectification,
)
from xuncha.events.base import DomainEvent, Role
from xuncha.events.feedback import DisclosureExemption, DisclosureScope
from xuncha.events.policy import PolicyParameters
from xuncha.events.rectification_plan import (
    RectificationDemocraticLifeMeetingHeld,
    RectificationDisclosedPublicly,
    RectificationTaskforceEstablished,
)

DELIVERED = given(INSPECTION, *feedback_delivered())
RECTIFYING = given(INSPECTION, *rectifying())
LG = actor("lg-1", Role.LEADING_GROUP, "org-leading-group")
TASKFORCE = EstablishRectificationTaskforce(
    inspection_id=INSPECTION_ID,
    leader_name="党组书记",
    members=["局长", "副局长"],
    office="办公室",
    established_on=DELIVERED_ON,
)


def programme(*events: DomainEvent):  # type: ignore[no-untyped-def]
    return given(RECTIFICATION_PROGRAMME, *events)


def test_taskforce_once_after_feedback_by_the_inspected_organization() -> None:
    events = plan.establish_taskforce(None, TASKFORCE, ctx(LIAISON), DELIVERED)
    then(
        events,
        [
            RectificationTaskforceEstablished(
                rectification_id=RECTIFICATION_ID,
                inspection_id=INSPECTION_ID,
                leader_name="党组书记",
                members=["局长", "副局长"],
                office="办公室",
                established_on=DELIVERED_ON,
            )
        ],
    )
    with refused(InvalidTransition, "established on"):
        plan.establish_taskforce(programme(*events), TASKFORCE, ctx(PRINCIPAL), DELIVERED)
    with refused(NotPermitted, "inspected organization"):
        plan.establish_taskforce(None, TASKFORCE, ctx(OTHER_PRINCIPAL), DELIVERED)
    with refused(InvalidTransition, "'report_approved'"):
        plan.establish_taskforce(
            None, TASKFORCE, ctx(PRINCIPAL), given(INSPECTION, *report_approved())
        )


def meeting(held_on: date) -> HoldRectificationLifeMeeting:
    return HoldRectificationLifeMeeting(
        inspection_id=INSPECTION_ID,
        held_on=held_on,
        attendees=["班子成员"],
        supervised_by=["市纪委监委"],
        topics="对照反馈问题",
    )


def test_life_meeting_records_whether_it_was_within_the_policy_days() -> None:
    params = PolicyParameters(life_meeting_days=30)
    due = DELIVERED_ON + timedelta(days=30)
    [on_time] = plan.hold_life_meeting(None, meeting(due), ctx(PRINCIPAL), DELIVERED, params)
    [late] = plan.hold_life_meeting(
        None, meeting(due + timedelta(days=1)), ctx(PRINCIPAL), DELIVERED, params
    )
    assert isinstance(on_time, RectificationDemocraticLifeMeetingHeld)
    assert isinstance(late, RectificationDemocraticLifeMeetingHeld)
    assert (on_time.due, on_time.on_time, late.on_time) == (due, True, False)
    with refused(RuleViolated, "precede the feedback"):
        plan.hold_life_meeting(
            None, meeting(DELIVERED_ON - timedelta(days=1)), ctx(PRINCIPAL), DELIVERED, params
        )
    with refused(InvalidTransition, "was held on"):
        plan.hold_life_meeting(programme(on_time), meeting(due), ctx(PRINCIPAL), DELIVERED, params)


# Disclosure ---------------------------------------------------------------------------------

ACCEPTED = given(INSPECTION_WITH_REPORTS, *rectification_report_accepted())


def disclose(
    content: str, scope: DisclosureScope = DisclosureScope.PUBLIC, *ex: DisclosureExemption
) -> DiscloseRectification:
    return DiscloseRectification(
        inspection_id=INSPECTION_ID,
        scope=scope,
        content=content,
        disclosed_on=TODAY,
        channel="市水务局门户网站",
        exemptions=list(ex),
    )


def test_disclosure_content_matches_the_accepted_report() -> None:
    [event] = plan.disclose(None, disclose("整改情况报告"), ctx(PRINCIPAL), ACCEPTED)
    assert isinstance(event, RectificationDisclosedPublicly)
    assert (event.report_no, event.content, event.exemptions_approved_by) == (
        1,
        "整改情况报告",
        None,
    )
    with refused(RuleViolated, "must be the accepted rectification report"):
        plan.disclose(None, disclose("另一份文字"), ctx(PRINCIPAL), ACCEPTED)


def test_disclosing_less_needs_exemptions_from_the_leading_group() -> None:
    cmd = disclose("删节版", DisclosureScope.PUBLIC, DisclosureExemption.STATE_SECRET)
    with refused(NotPermitted, "leading group"):
        plan.disclose(None, cmd, ctx(OFFICE), ACCEPTED)
    [event] = plan.disclose(None, cmd, ctx(LG), ACCEPTED)
    assert attr(event, "exemptions_approved_by") == "lg-1"


def test_disclosure_once_per_scope_and_only_after_acceptance() -> None:
    internal = plan.disclose(
        None, disclose("整改情况报告", DisclosureScope.INTERNAL), ctx(OFFICE), ACCEPTED
    )
    with refused(InvalidTransition, "already disclosed"):
        plan.disclose(
            programme(*internal),
            disclose("整改情况报告", DisclosureScope.INTERNAL),
            ctx(OFFICE),
            ACCEPTED,
        )
    assert plan.disclose(programme(*internal), disclose("整改情况报告"), ctx(OFFICE), ACCEPTED)
    with refused(InvalidTransition, "disclose the rectification", "'rectifying'"):
        plan.disclose(
            None,
            disclose("整改情况报告"),
            ctx(OFFICE),
            given(INSPECTION_WITH_REPORTS, *rectifying()),
        )


# Stages ---------------------------------------------------------------------------------------


def test_stages_in_order_and_summary_needs_every_item_closed_or_long_term() -> None:
    statuses = {ITEM_1: "closed", ITEM_2: "in_progress"}
    end = EndCentralizedRectification(inspection_id=INSPECTION_ID, ended_on=TODAY)
    ended = plan.end_centralized(None, end, ctx(OFFICE), RECTIFYING, statuses)
    assert (attr(ended[0], "items_closed"), attr(ended[0], "items_open")) == (1, 1)
    with refused(InvalidTransition, "'centralized_ended'"):
        plan.end_centralized(programme(*ended), end, ctx(OFFICE), RECTIFYING, statuses)
    start = StartContinuousRectification(inspection_id=INSPECTION_ID, started_on=TODAY)
    with refused(InvalidTransition, "start continuous", "'centralized'"):
        plan.start_continuous(None, start, ctx(OFFICE), RECTIFYING, [])
    started = plan.start_continuous(programme(*ended), start, ctx(OFFICE), RECTIFYING, [ITEM_2])
    assert attr(started[0], "long_term_item_ids") == [ITEM_2]
    summary = SummarizeRectification(
        inspection_id=INSPECTION_ID, summarized_on=TODAY, summary="总结"
    )
    with refused(InvalidTransition, "summarize", "'centralized_ended'"):
        plan.summarize(programme(*ended), summary, ctx(OFFICE), RECTIFYING, {})
    both = programme(*ended, *started)
    with refused(InvalidTransition, "1 item(s)", str(ITEM_2)):
        plan.summarize(
            both,
            summary,
            ctx(OFFICE),
            RECTIFYING,
            {ITEM_1: ("closed", False), ITEM_2: ("in_progress", False)},
        )
    [done] = plan.summarize(
        both,
        summary,
        ctx(OFFICE),
        RECTIFYING,
        {ITEM_1: ("closed", False), ITEM_2: ("long_term", True)},
    )
    assert (attr(done, "items_closed"), attr(done, "items_long_term")) == (1, 1)


def test_centralized_period_needs_an_accepted_plan() -> None:
    end = EndCentralizedRectification(inspection_id=INSPECTION_ID, ended_on=TODAY)
    with refused(InvalidTransition, "'feedback_delivered'"):
        plan.end_centralized(None, end, ctx(OFFICE), DELIVERED, {})

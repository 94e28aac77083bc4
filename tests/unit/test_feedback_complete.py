"""反馈 completed: the joint team (policy may require 纪检 + 组织, and a team before delivery),
双反馈, 四抄告, the principal's acknowledgement and the disclosure of the summary."""

from __future__ import annotations

from datetime import date

import pytest

from tests.unit.builders import (
    APPROVED_ON,
    DEFAULT_REF,
    DELIVERED_ON,
    FEEDBACK_ID,
    INSPECTION_ID,
    LEADER,
    OFFICE,
    OTHER_LEADER,
    OTHER_PRINCIPAL,
    PRINCIPAL,
    TODAY,
    actor,
    ctx,
    feedback_delivered,
    feedback_stream_delivered,
    opinion_drafted,
    report_approved,
)
from tests.unit.builders_followup import TEAM
from tests.unit.gwt import given, refused, then
from xuncha.commands import feedback
from xuncha.commands.errors import InvalidTransition, NotPermitted, RuleViolated
from xuncha.commands.feedback import (
    FEEDBACK,
    AcknowledgeFeedback,
    DeliverFeedback,
    FormJointFeedbackTeam,
    HoldOneToOneFeedback,
    PublishFeedbackSummary,
    SendCopyNotices,
)
from xuncha.commands.inspection import INSPECTION
from xuncha.events.base import Actor, Role
from xuncha.events.feedback import (
    CopyRecipient,
    CopyRecipientKind,
    DisclosureExemption,
    DisclosureScope,
    FeedbackAcknowledged,
    FeedbackCopiedTo,
    FeedbackPublished,
    JointFeedbackTeamFormed,
    JointUnit,
    PrincipalBriefedOneToOne,
)
from xuncha.events.policy import PolicyParameters

LG = actor("lg-1", Role.LEADING_GROUP, "org-leading-group")
APPROVED = given(INSPECTION, *report_approved())
DELIVERED = given(INSPECTION, *feedback_delivered())
DRAFTED = given(FEEDBACK, *opinion_drafted())
DONE = given(FEEDBACK, *feedback_stream_delivered())
TEAM_CMD = FormJointFeedbackTeam(inspection_id=INSPECTION_ID, members=TEAM)
STRICT = PolicyParameters(joint_team_requires_discipline_and_organization=True)
LAX = PolicyParameters(joint_team_requires_discipline_and_organization=False)


# Joint team ---------------------------------------------------------------------------------


def test_form_joint_team_before_delivery() -> None:
    then(
        feedback.form_joint_team(DRAFTED, TEAM_CMD, APPROVED, STRICT),
        [
            JointFeedbackTeamFormed(
                feedback_id=FEEDBACK_ID, inspection_id=INSPECTION_ID, members=TEAM
            )
        ],
    )


def test_joint_team_without_discipline_under_a_strict_policy_is_refused() -> None:
    cmd = FormJointFeedbackTeam(inspection_id=INSPECTION_ID, members=[TEAM[0], TEAM[2]])
    with refused(RuleViolated, "discipline and organization", "missing: discipline"):
        feedback.form_joint_team(DRAFTED, cmd, APPROVED, STRICT)
    assert len(feedback.form_joint_team(DRAFTED, cmd, APPROVED, LAX)) == 1


def test_joint_team_without_the_inspection_side_is_refused() -> None:
    cmd = FormJointFeedbackTeam(inspection_id=INSPECTION_ID, members=TEAM[1:])
    with refused(RuleViolated, "inspection (巡察) side"):
        feedback.form_joint_team(DRAFTED, cmd, APPROVED, LAX)


def test_joint_team_before_the_opinion_or_after_delivery_is_refused() -> None:
    with refused(InvalidTransition, "draft the feedback opinion"):
        feedback.form_joint_team(None, TEAM_CMD, APPROVED, STRICT)
    with refused(InvalidTransition, "'feedback_delivered'"):
        feedback.form_joint_team(DONE, TEAM_CMD, DELIVERED, STRICT)


def test_a_redrafted_opinion_keeps_the_team() -> None:
    team = JointFeedbackTeamFormed(
        feedback_id=FEEDBACK_ID, inspection_id=INSPECTION_ID, members=TEAM
    )
    state = given(FEEDBACK, *opinion_drafted(), team, *opinion_drafted())
    assert state.joint_team == {JointUnit.INSPECTION, JointUnit.DISCIPLINE, JointUnit.ORGANIZATION}


DELIVER = DeliverFeedback(inspection_id=INSPECTION_ID, delivered_on=DELIVERED_ON)


def test_delivery_without_a_team_is_refused_when_the_policy_requires_one() -> None:
    policy = (DEFAULT_REF, PolicyParameters(require_joint_feedback_team=True))
    with refused(InvalidTransition, "joint feedback team"):
        feedback.deliver(DRAFTED, APPROVED, DELIVER, ctx(LEADER), policy)
    team = JointFeedbackTeamFormed(
        feedback_id=FEEDBACK_ID, inspection_id=INSPECTION_ID, members=TEAM
    )
    with_team = given(FEEDBACK, *opinion_drafted(), team)
    on_feedback, _ = feedback.deliver(with_team, APPROVED, DELIVER, ctx(LEADER), policy)
    assert len(on_feedback) == 1


def test_delivery_without_a_team_is_fine_by_default() -> None:
    policy = (DEFAULT_REF, PolicyParameters())
    on_feedback, _ = feedback.deliver(DRAFTED, APPROVED, DELIVER, ctx(LEADER), policy)
    assert len(on_feedback) == 1


# 双反馈 --------------------------------------------------------------------------------------

BRIEF = HoldOneToOneFeedback(
    inspection_id=INSPECTION_ID, principal_name="党组书记", briefed_on=APPROVED_ON
)


def test_the_leader_briefs_the_principal_one_to_one() -> None:
    then(
        feedback.hold_one_to_one(DRAFTED, BRIEF, ctx(LEADER), APPROVED),
        [
            PrincipalBriefedOneToOne(
                feedback_id=FEEDBACK_ID,
                inspection_id=INSPECTION_ID,
                leader_user_id="leader-1",
                principal_name="党组书记",
                briefed_on=APPROVED_ON,
            )
        ],
    )


def test_one_to_one_by_another_leader_or_before_approval_is_refused() -> None:
    with refused(NotPermitted, "group leader"):
        feedback.hold_one_to_one(DRAFTED, BRIEF, ctx(OTHER_LEADER), APPROVED)
    early = BRIEF.model_copy(update={"briefed_on": date(2026, 5, 1)})
    with refused(RuleViolated, "before the report was approved"):
        feedback.hold_one_to_one(DRAFTED, early, ctx(LEADER), APPROVED)


# 四抄告 --------------------------------------------------------------------------------------

COPIES = SendCopyNotices(
    inspection_id=INSPECTION_ID,
    recipients=[
        CopyRecipient(kind=CopyRecipientKind.LEADER_IN_CHARGE, name="分管副市长"),
        CopyRecipient(kind=CopyRecipientKind.ORGANIZATION_DEPARTMENT, name="市委组织部"),
    ],
    sent_on=TODAY,
)


def test_copies_after_delivery() -> None:
    then(
        feedback.send_copies(DONE, COPIES, ctx(OFFICE)),
        [
            FeedbackCopiedTo(
                feedback_id=FEEDBACK_ID,
                inspection_id=INSPECTION_ID,
                recipients=COPIES.recipients,
                sent_on=TODAY,
            )
        ],
    )


def test_copies_before_delivery_twice_or_duplicated_are_refused() -> None:
    with refused(InvalidTransition, "before the feedback is delivered"):
        feedback.send_copies(DRAFTED, COPIES, ctx(OFFICE))
    again = given(
        FEEDBACK, *feedback_stream_delivered(), *feedback.send_copies(DONE, COPIES, ctx(OFFICE))
    )
    with refused(InvalidTransition, "already copied", "leader_in_charge"):
        feedback.send_copies(again, COPIES, ctx(OFFICE))
    twice = COPIES.model_copy(update={"recipients": [COPIES.recipients[0]] * 2})
    with refused(RuleViolated, "copied once"):
        feedback.send_copies(DONE, twice, ctx(OFFICE))


# Acknowledgement ----------------------------------------------------------------------------

ACK = AcknowledgeFeedback(inspection_id=INSPECTION_ID, acknowledged_on=TODAY)


def test_the_principal_acknowledges_once() -> None:
    events = feedback.acknowledge(DONE, ACK, ctx(PRINCIPAL), DELIVERED)
    then(
        events,
        [
            FeedbackAcknowledged(
                feedback_id=FEEDBACK_ID,
                inspection_id=INSPECTION_ID,
                principal_user_id="principal-1",
                acknowledged_on=TODAY,
            )
        ],
    )
    with refused(InvalidTransition, "acknowledged on"):
        feedback.acknowledge(
            given(FEEDBACK, *feedback_stream_delivered(), *events), ACK, ctx(PRINCIPAL), DELIVERED
        )


def test_acknowledgement_by_another_organization_or_before_delivery_is_refused() -> None:
    with refused(NotPermitted, "principal"):
        feedback.acknowledge(DONE, ACK, ctx(OTHER_PRINCIPAL), DELIVERED)
    with refused(InvalidTransition, "before the feedback is delivered"):
        feedback.acknowledge(DRAFTED, ACK, ctx(PRINCIPAL), APPROVED)


# Disclosure of the summary ------------------------------------------------------------------


def publish(scope: DisclosureScope, *exemptions: DisclosureExemption) -> PublishFeedbackSummary:
    return PublishFeedbackSummary(
        inspection_id=INSPECTION_ID,
        scope=scope,
        summary="反馈情况摘要",
        published_on=TODAY,
        exemptions=list(exemptions),
    )


@pytest.mark.parametrize("who", [OFFICE, PRINCIPAL, LG], ids=["office", "principal", "lg"])
def test_publish_without_exemptions(who: Actor) -> None:
    [event] = feedback.publish_summary(DONE, publish(DisclosureScope.PUBLIC), ctx(who), DELIVERED)
    assert isinstance(event, FeedbackPublished)
    assert (event.scope, event.exemptions_approved_by) == (DisclosureScope.PUBLIC, None)


def test_exemptions_need_the_leading_group() -> None:
    cmd = publish(DisclosureScope.PUBLIC, DisclosureExemption.OPEN_INVESTIGATION)
    with refused(NotPermitted, "leading group"):
        feedback.publish_summary(DONE, cmd, ctx(OFFICE), DELIVERED)
    [event] = feedback.publish_summary(DONE, cmd, ctx(LG), DELIVERED)
    assert isinstance(event, FeedbackPublished)
    assert event.exemptions_approved_by == "lg-1"


def test_publish_twice_in_one_scope_or_before_delivery_is_refused() -> None:
    events = feedback.publish_summary(
        DONE, publish(DisclosureScope.INTERNAL), ctx(OFFICE), DELIVERED
    )
    state = given(FEEDBACK, *feedback_stream_delivered(), *events)
    with refused(InvalidTransition, "already published"):
        feedback.publish_summary(state, publish(DisclosureScope.INTERNAL), ctx(OFFICE), DELIVERED)
    assert feedback.publish_summary(state, publish(DisclosureScope.PUBLIC), ctx(OFFICE), DELIVERED)
    with refused(InvalidTransition, "before the feedback is delivered"):
        feedback.publish_summary(DRAFTED, publish(DisclosureScope.PUBLIC), ctx(OFFICE), APPROVED)
    with refused(NotPermitted, "principal"):
        feedback.publish_summary(
            DONE, publish(DisclosureScope.PUBLIC), ctx(OTHER_PRINCIPAL), DELIVERED
        )

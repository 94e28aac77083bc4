"""The inspectors' management regime, and immediate rectifications (立行立改) that never touch
the rectification ledger (invariant 15)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tests.unit.builders import (
    FINDING_1,
    FINDING_ELSEWHERE,
    INSPECTION_ID,
    LEADER,
    LIAISON,
    MEMBER,
    OFFICE,
    OTHER_PRINCIPAL,
    OUTSIDER,
    PRINCIPAL,
    TARGET_ORG,
    actor,
    finding_drafted,
    planned,
)
from tests.unit.fieldwork_builders import (
    FIELD_DAY,
    IMMEDIATE_ID,
    INSTRUCTION_ID,
    LEAVE_ID,
    NEW_ID,
    at,
    inspection_stationed,
)
from tests.unit.gwt import given, refused, then
from xuncha.commands import immediate_rectification as ir
from xuncha.commands import management as mg
from xuncha.commands.errors import InvalidTransition, NotFound, NotPermitted, RuleViolated
from xuncha.commands.finding import FINDING
from xuncha.commands.immediate_rectification import IMMEDIATE_RECTIFICATION
from xuncha.commands.management import GROUP_MANAGEMENT, ManagementState
from xuncha.events.base import Role
from xuncha.events.fieldwork import ImmediateRectificationCompleted, ImmediateRectificationRequested
from xuncha.events.management import LeaveApproved, MemberSignedIn, TrainingKind
from xuncha.events.policy import PolicyParameters

P = PolicyParameters()
EMPTY = ManagementState(INSPECTION_ID)
LEADING_GROUP = actor("lg-1", Role.LEADING_GROUP, "org-leading-group")


def leave_requested(by: str = "member-1") -> ManagementState:
    return ManagementState(INSPECTION_ID, leaves={LEAVE_ID: by})


APPROVE = mg.ApproveLeave(inspection_id=INSPECTION_ID, leave_id=LEAVE_ID)


def test_a_member_requests_leave_for_themself_and_the_leader_approves() -> None:
    cmd = mg.RequestLeave(
        inspection_id=INSPECTION_ID,
        first_day=date(2026, 3, 23),
        last_day=date(2026, 3, 24),
        reason_text="家中有事",
    )
    (requested,) = mg.request_leave(EMPTY, inspection_stationed(), cmd, at(MEMBER), P, LEAVE_ID)
    state = given(GROUP_MANAGEMENT, requested)
    then(
        mg.approve_leave(state, inspection_stationed(), APPROVE, at(LEADER), P, NEW_ID),
        [
            LeaveApproved(
                inspection_id=INSPECTION_ID,
                leave_id=LEAVE_ID,
                user_id="member-1",
                approved_by="leader-1",
            )
        ],
    )
    backwards = cmd.model_copy(update={"last_day": date(2026, 3, 22)})
    with refused(RuleViolated, "first_day"):
        mg.request_leave(EMPTY, inspection_stationed(), backwards, at(MEMBER), P, LEAVE_ID)


def test_the_leader_does_not_approve_their_own_leave() -> None:
    with refused(NotPermitted, "office or the leading group"):
        mg.approve_leave(
            leave_requested("leader-1"), inspection_stationed(), APPROVE, at(LEADER), P, NEW_ID
        )
    assert mg.approve_leave(
        leave_requested("leader-1"), inspection_stationed(), APPROVE, at(OFFICE), P, NEW_ID
    )


def test_leave_is_approved_once_and_must_exist() -> None:
    approved = ManagementState(
        INSPECTION_ID, leaves={LEAVE_ID: "member-1"}, leaves_approved=frozenset({LEAVE_ID})
    )
    with refused(InvalidTransition, "already approved"):
        mg.approve_leave(approved, inspection_stationed(), APPROVE, at(LEADER), P, NEW_ID)
    with refused(NotFound, "no leave request"):
        mg.approve_leave(EMPTY, inspection_stationed(), APPROVE, at(LEADER), P, NEW_ID)


def test_sign_in_is_by_a_member_for_themself_and_not_in_the_future() -> None:
    moment = datetime(2026, 3, 20, 8, 30, tzinfo=UTC)
    cmd = mg.SignIn(inspection_id=INSPECTION_ID, signed_in_at=moment, place="驻点办公室")
    then(
        mg.sign_in(EMPTY, inspection_stationed(), cmd, at(MEMBER), P, NEW_ID),
        [
            MemberSignedIn(
                inspection_id=INSPECTION_ID,
                user_id="member-1",
                signed_in_at=moment,
                place="驻点办公室",
            )
        ],
    )
    with refused(NotPermitted, "members of the group"):
        mg.sign_in(EMPTY, inspection_stationed(), cmd, at(OUTSIDER), P, NEW_ID)
    future = cmd.model_copy(update={"signed_in_at": datetime(2026, 3, 20, 18, 0, tzinfo=UTC)})
    with refused(RuleViolated, "future"):
        mg.sign_in(EMPTY, inspection_stationed(), future, at(MEMBER), P, NEW_ID)


def test_attendance_names_group_members_once_per_day() -> None:
    cmd = mg.RecordAttendance(
        inspection_id=INSPECTION_ID, day=FIELD_DAY, present=["member-1"], absent=["member-1"]
    )
    with refused(RuleViolated, "must not repeat"):
        mg.record_attendance(EMPTY, inspection_stationed(), cmd, at(LEADER), P, NEW_ID)
    ok = cmd.model_copy(update={"absent": ["member-2"]})
    recorded = given(
        GROUP_MANAGEMENT,
        *mg.record_attendance(EMPTY, inspection_stationed(), ok, at(LEADER), P, NEW_ID),
    )
    with refused(InvalidTransition, "already recorded"):
        mg.record_attendance(recorded, inspection_stationed(), ok, at(LEADER), P, NEW_ID)


def test_instructions_are_answered_once() -> None:
    give = mg.GiveInstruction(
        inspection_id=INSPECTION_ID,
        instruction_id=INSTRUCTION_ID,
        instruction="同意",
        given_on=FIELD_DAY,
    )
    with refused(NotFound, "no request for instruction"):
        mg.give_instruction(EMPTY, inspection_stationed(), give, at(LEADING_GROUP), P, NEW_ID)
    asked = ManagementState(INSPECTION_ID, instructions=frozenset({INSTRUCTION_ID}))
    answered = given(
        GROUP_MANAGEMENT,
        *mg.give_instruction(asked, inspection_stationed(), give, at(LEADING_GROUP), P, NEW_ID),
    )
    assert answered.instructions_given == frozenset({INSTRUCTION_ID})


def test_rewards_penalties_and_accountability_concern_members_of_this_group() -> None:
    commend = mg.CommendInspector(
        inspection_id=INSPECTION_ID,
        user_id="member-9",
        reason_text="表现突出",
        decided_on=FIELD_DAY,
    )
    with refused(NotFound, "not a member of this inspection's group"):
        mg.commend(EMPTY, inspection_stationed(), commend, at(OFFICE), P, NEW_ID)
    accountable = mg.HoldInspectorAccountable(
        inspection_id=INSPECTION_ID,
        user_id="member-2",
        basis="泄露谈话内容",
        measure="调离巡察组",
        decided_on=FIELD_DAY,
    )
    assert mg.hold_accountable(EMPTY, inspection_stationed(), accountable, at(OFFICE), P, NEW_ID)


def test_training_kinds_and_pre_inspection_study_before_stationing() -> None:
    cmd = mg.RecordTraining(
        inspection_id=INSPECTION_ID,
        kind=TrainingKind.PRE_INSPECTION_STUDY,
        user_ids=["member-1", "member-2"],
        title="巡前集中学习",
        provider="市委巡察办",
        completed_on=FIELD_DAY,
        hours=16,
    )
    with refused(RuleViolated, "before stationing"):
        mg.record_training(EMPTY, inspection_stationed(), cmd, at(OFFICE), P, NEW_ID)
    shadowing = cmd.model_copy(update={"kind": TrainingKind.SHADOWING})
    assert mg.record_training(EMPTY, inspection_stationed(), shadowing, at(OFFICE), P, NEW_ID)


def test_the_tenth_system_is_one_the_jurisdiction_configured() -> None:
    cmd = mg.RecordOtherManagementActivity(
        inspection_id=INSPECTION_ID,
        system="外出报备",
        held_on=FIELD_DAY,
        description="组员外出报备",
    )
    with refused(RuleViolated, "not one of this jurisdiction's management systems", "廉洁自律"):
        mg.record_other(EMPTY, inspection_stationed(), cmd, at(LEADER), P, NEW_ID)
    local = PolicyParameters(other_management_systems=["外出报备"])
    assert mg.record_other(EMPTY, inspection_stationed(), cmd, at(LEADER), local, NEW_ID)


def test_management_needs_an_authorized_group() -> None:
    cmd = mg.WriteWorkLogEntry(inspection_id=INSPECTION_ID, day=FIELD_DAY, content="谈话两人")
    from xuncha.commands.inspection import INSPECTION

    with refused(InvalidTransition, "authorized"):
        mg.write_log(EMPTY, given(INSPECTION, *planned()), cmd, at(MEMBER), P, NEW_ID)


# 立行立改 --------------------------------------------------------------------------------------


def request(finding_id: object = None) -> ir.RequestImmediateRectification:
    return ir.RequestImmediateRectification.model_validate(
        {
            "inspection_id": INSPECTION_ID,
            "problem": "公车私用",
            "measures": "收回车辆并通报",
            "finding_id": finding_id,
            "requested_on": FIELD_DAY,
        }
    )


def test_an_immediate_rectification_is_requested_during_fieldwork() -> None:
    finding = given(FINDING, *finding_drafted())
    then(
        ir.request(inspection_stationed(), request(FINDING_1), at(LEADER), finding, IMMEDIATE_ID),
        [
            ImmediateRectificationRequested(
                item_id=IMMEDIATE_ID,
                inspection_id=INSPECTION_ID,
                organization_id=TARGET_ORG,
                problem="公车私用",
                measures="收回车辆并通报",
                finding_id=FINDING_1,
                requested_on=FIELD_DAY,
            )
        ],
    )
    elsewhere = given(FINDING, *finding_drafted(FINDING_ELSEWHERE, inspection_id=FINDING_ELSEWHERE))
    with refused(NotFound, "not a finding of this inspection"):
        ir.request(
            inspection_stationed(), request(FINDING_ELSEWHERE), at(LEADER), elsewhere, IMMEDIATE_ID
        )


def complete(day: date = FIELD_DAY) -> ir.CompleteImmediateRectification:
    return ir.CompleteImmediateRectification(
        item_id=IMMEDIATE_ID, completed_on=day, outcome="已收回", evidence_refs=["doc-1"]
    )


def test_the_inspected_organization_completes_it_and_nothing_touches_the_ledger() -> None:
    state = given(
        IMMEDIATE_RECTIFICATION,
        *ir.request(inspection_stationed(), request(), at(LEADER), None, IMMEDIATE_ID),
    )
    events = ir.complete(state, complete(), at(PRINCIPAL), inspection_stationed())
    then(
        events,
        [
            ImmediateRectificationCompleted(
                item_id=IMMEDIATE_ID,
                inspection_id=INSPECTION_ID,
                completed_on=FIELD_DAY,
                outcome="已收回",
                evidence_refs=["doc-1"],
            )
        ],
    )
    # Invariant 15: completion is only an immediate_rectification event, never a ledger one.
    assert all(e.type_name.startswith("immediate_rectification.") for e in events)
    assert ir.complete(state, complete(), at(LIAISON), inspection_stationed())
    with refused(NotPermitted, "only the inspected organization"):
        ir.complete(state, complete(), at(OTHER_PRINCIPAL), inspection_stationed())
    done = IMMEDIATE_RECTIFICATION.fold(events, state)
    assert done is not None
    with refused(InvalidTransition, "complete the immediate rectification"):
        ir.complete(done, complete(), at(PRINCIPAL), inspection_stationed())

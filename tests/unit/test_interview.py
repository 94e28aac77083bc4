"""Interviews: at least two inspectors of the authorized group, inside the window, sealed
identity and record, and a record signed once by the interviewee (invariants 2 and 7)."""

from __future__ import annotations

from datetime import date

from tests.unit.builders import INSPECTION_ID, LEADER, MEMBER, OUTSIDER, authorized, withdrawn
from tests.unit.fieldwork_builders import (
    FIELD_DAY,
    INTERVIEW_ID,
    at,
    inspection_stationed,
    interview_conducted,
)
from tests.unit.gwt import given, refused, then
from xuncha.commands import interview as iv
from xuncha.commands.errors import InvalidTransition, NotPermitted, RuleViolated
from xuncha.commands.inspection import INSPECTION
from xuncha.commands.interview import INTERVIEW
from xuncha.events.base import SEALED
from xuncha.events.interview import (
    InterviewConducted,
    Interviewee,
    IntervieweeCategory,
    InterviewRecordSigned,
)
from xuncha.events.policy import PolicyParameters

P = PolicyParameters()


def talk(interviewers: list[str], day: date = FIELD_DAY) -> iv.ConductInterview:
    return iv.ConductInterview(
        inspection_id=INSPECTION_ID,
        interviewers=interviewers,
        category=IntervieweeCategory.LEADERSHIP_TEAM,
        conducted_on=day,
        interviewee=iv.IntervieweeIn(name="李四", position="副局长"),
        record="谈话内容",
    )


def test_two_inspectors_of_the_group_conduct_an_interview_with_sealed_contents() -> None:
    events = iv.conduct(
        inspection_stationed(), talk(["member-1", "member-2"]), at(MEMBER), P, INTERVIEW_ID
    )
    then(
        events,
        [
            InterviewConducted(
                interview_id=INTERVIEW_ID,
                inspection_id=INSPECTION_ID,
                interviewers=["member-1", "member-2"],
                category=IntervieweeCategory.LEADERSHIP_TEAM,
                conducted_on=FIELD_DAY,
                interviewee=Interviewee(name="李四", position="副局长"),
                record="谈话内容",
            )
        ],
    )
    public = events[0].public_data()
    assert (public["interviewee"], public["record"]) == (SEALED, SEALED)


def test_one_inspector_alone_cannot_conduct_an_interview() -> None:
    with refused(RuleViolated, "at least 2 inspectors"):
        iv.conduct(inspection_stationed(), talk(["member-1"]), at(MEMBER), P, INTERVIEW_ID)
    with refused(RuleViolated, "must not repeat"):
        iv.conduct(
            inspection_stationed(), talk(["member-1", "member-1"]), at(MEMBER), P, INTERVIEW_ID
        )


def test_a_policy_can_require_more_interviewers_but_never_fewer_than_two() -> None:
    three = PolicyParameters(interviewers_min=3)
    with refused(RuleViolated, "at least 3 inspectors"):
        iv.conduct(
            inspection_stationed(), talk(["member-1", "member-2"]), at(MEMBER), three, INTERVIEW_ID
        )
    one = PolicyParameters(interviewers_min=1)
    with refused(RuleViolated, "at least 2 inspectors"):
        iv.conduct(inspection_stationed(), talk(["member-1"]), at(MEMBER), one, INTERVIEW_ID)


def test_every_interviewer_is_in_the_authorized_group_and_the_recorder_was_present() -> None:
    with refused(RuleViolated, "member-9"):
        iv.conduct(
            inspection_stationed(), talk(["member-1", "member-9"]), at(MEMBER), P, INTERVIEW_ID
        )
    with refused(RuleViolated, "one of the interviewers"):
        iv.conduct(
            inspection_stationed(), talk(["member-2", "member-3"]), at(MEMBER), P, INTERVIEW_ID
        )
    with refused(NotPermitted, "members of the group authorized"):
        iv.conduct(
            inspection_stationed(), talk(["member-1", "member-2"]), at(OUTSIDER), P, INTERVIEW_ID
        )


def test_interviews_only_while_stationed_and_inside_the_window() -> None:
    with refused(InvalidTransition, "conduct an interview"):
        iv.conduct(
            given(INSPECTION, *authorized()),
            talk(["member-1", "member-2"]),
            at(MEMBER),
            P,
            INTERVIEW_ID,
        )
    late = date(2026, 5, 3)
    with refused(NotPermitted, "authorization window"):
        iv.conduct(
            inspection_stationed(),
            talk(["member-1", "member-2"], late),
            at(MEMBER, late),
            P,
            INTERVIEW_ID,
        )


def sign(day: date = FIELD_DAY) -> iv.SignInterviewRecord:
    return iv.SignInterviewRecord(interview_id=INTERVIEW_ID, signed_on=day)


def test_the_interviewee_signs_the_record_once_as_recorded_by_an_inspector() -> None:
    state = given(INTERVIEW, *interview_conducted())
    events = iv.sign(state, sign(), at(LEADER), inspection_stationed())
    then(
        events,
        [
            InterviewRecordSigned(
                interview_id=INTERVIEW_ID,
                inspection_id=INSPECTION_ID,
                signed_on=FIELD_DAY,
                recorded_by="leader-1",
            )
        ],
    )
    signed = INTERVIEW.fold(events, state)
    assert signed is not None
    with refused(InvalidTransition, "sign the record"):
        iv.sign(signed, sign(), at(LEADER), inspection_stationed())


def test_a_signature_is_recorded_by_the_group_and_not_before_the_talk() -> None:
    state = given(INTERVIEW, *interview_conducted())
    with refused(NotPermitted, "members of the group authorized"):
        iv.sign(state, sign(), at(OUTSIDER), inspection_stationed())
    with refused(RuleViolated, "before the interview"):
        iv.sign(state, sign(date(2026, 3, 19)), at(MEMBER), inspection_stationed())
    after = date(2026, 4, 12)
    assert iv.sign(state, sign(after), at(MEMBER, after), given(INSPECTION, *withdrawn()))

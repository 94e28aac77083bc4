"""Petitions: intake in scope and before the deadline, triage in a group meeting, and
out-of-scope petitions forwarded and acknowledged, never dropped (invariants 2 and 14)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from tests.unit.builders import (
    DEPUTY,
    FINDING_1,
    FINDING_ELSEWHERE,
    INSPECTION_ID,
    MEMBER,
    OFFICE,
    OUTSIDER,
    actor,
    finding_drafted,
    withdrawn,
)
from tests.unit.fieldwork_builders import (
    FIELD_DAY,
    LETTERS_DEPT,
    MEETING_ID,
    PETITION_ID,
    SECRET_CONTENT,
    SECRET_NAME,
    at,
    inspection_stationed,
    petition_forwarded,
    petition_in_scope,
    petition_out_of_scope,
    petition_registered,
    with_meeting,
)
from tests.unit.gwt import given, refused, then
from tests.unit.test_lead import LEAD_ID, registered_event
from xuncha.commands import petition as pt
from xuncha.commands.errors import InvalidTransition, NotFound, NotPermitted, RuleViolated
from xuncha.commands.fieldwork import FieldworkState
from xuncha.commands.finding import FINDING
from xuncha.commands.lead import LEAD, LeadState
from xuncha.commands.petition import PETITION
from xuncha.events.base import SEALED, Role
from xuncha.events.petition import (
    Discipline,
    InScopeBasis,
    OutOfScopeReason,
    PetitionAssessedOutOfScope,
    PetitionChannel,
    Petitioner,
    PetitionForwardAcknowledged,
    PetitionForwarded,
    PetitionLinkedToLead,
    PetitionRegistered,
)

LETTERS = actor("xfj-1", Role.SUPERVISING_DEPARTMENT, LETTERS_DEPT)
OTHER_DEPT = actor("dept-9", Role.SUPERVISING_DEPARTMENT, "org-elsewhere")
LATER = date(2026, 3, 28)


def register(day: date = FIELD_DAY, **changes: object) -> pt.RegisterPetition:
    data: dict[str, object] = {
        "inspection_id": INSPECTION_ID,
        "channel": PetitionChannel.LETTER,
        "received_on": day,
        "petitioner": pt.PetitionerIn(name=SECRET_NAME, contact="138"),
        "content": SECRET_CONTENT,
    }
    return pt.RegisterPetition.model_validate({**data, **changes})


def test_a_group_member_registers_a_petition_with_sealed_identity_and_content() -> None:
    events = pt.register(inspection_stationed(), register(), at(MEMBER), PETITION_ID)
    then(
        events,
        [
            PetitionRegistered(
                petition_id=PETITION_ID,
                inspection_id=INSPECTION_ID,
                channel=PetitionChannel.LETTER,
                received_on=FIELD_DAY,
                anonymous=False,
                petitioner=Petitioner(name=SECRET_NAME, contact="138"),
                content=SECRET_CONTENT,
            )
        ],
    )
    public = events[0].public_data()
    assert (public["petitioner"], public["content"]) == (SEALED, SEALED)


def test_anonymous_petitions_are_allowed_without_identity() -> None:
    cmd = register(anonymous=True, petitioner=None)
    (event,) = pt.register(inspection_stationed(), cmd, at(MEMBER), PETITION_ID)
    assert isinstance(event, PetitionRegistered)
    assert event.petitioner is None
    with refused(RuleViolated, "anonymous petition carries no petitioner"):
        pt.register(inspection_stationed(), register(anonymous=True), at(MEMBER), PETITION_ID)
    with refused(RuleViolated, "needs the petitioner"):
        pt.register(inspection_stationed(), register(petitioner=None), at(MEMBER), PETITION_ID)


def test_petitions_are_received_only_until_the_intake_deadline() -> None:
    late = date(2026, 4, 6)  # the announcement's intake deadline is 5 Apr
    with refused(RuleViolated, "intake deadline was 2026-04-05", "inspection office"):
        pt.register(inspection_stationed(), register(late), at(MEMBER, late), PETITION_ID)
    deadline = date(2026, 4, 5)
    assert pt.register(
        inspection_stationed(), register(deadline), at(MEMBER, deadline), PETITION_ID
    )


def test_petition_intake_is_a_fieldwork_act_of_the_authorized_group() -> None:
    with refused(NotPermitted, "members of the group authorized"):
        pt.register(inspection_stationed(), register(), at(OUTSIDER), PETITION_ID)
    from xuncha.commands.inspection import INSPECTION

    with refused(InvalidTransition, "register a petition", "stationed"):
        pt.register(given(INSPECTION, *withdrawn()), register(), at(MEMBER), PETITION_ID)


def triage(decision: pt.Decision, **changes: object) -> pt.TriagePetition:
    data: dict[str, object] = {
        "petition_id": PETITION_ID,
        "decision": decision,
        "meeting_id": MEETING_ID,
    }
    return pt.TriagePetition.model_validate({**data, **changes})


IN_SCOPE = {"basis": InScopeBasis.LEADERSHIP_TEAM, "disciplines": [Discipline.INTEGRITY]}


def test_triage_cites_a_recorded_group_meeting() -> None:
    state = given(PETITION, *petition_registered())
    cmd = triage(pt.Decision.IN_SCOPE, **IN_SCOPE)
    assert pt.triage(state, cmd, at(DEPUTY), inspection_stationed(), with_meeting())
    with refused(NotFound, "no group meeting"):
        pt.triage(state, cmd, at(DEPUTY), inspection_stationed(), FieldworkState(INSPECTION_ID))


def test_triage_needs_the_fields_of_its_decision() -> None:
    state = given(PETITION, *petition_registered())
    with refused(RuleViolated, "basis"):
        pt.triage(
            state, triage(pt.Decision.IN_SCOPE), at(DEPUTY), inspection_stationed(), with_meeting()
        )
    with refused(RuleViolated, "out_of_scope_reason"):
        pt.triage(
            state,
            triage(pt.Decision.OUT_OF_SCOPE),
            at(DEPUTY),
            inspection_stationed(),
            with_meeting(),
        )
    out = triage(pt.Decision.OUT_OF_SCOPE, out_of_scope_reason=OutOfScopeReason.LITIGATION)
    then(
        pt.triage(state, out, at(DEPUTY), inspection_stationed(), with_meeting()),
        [
            PetitionAssessedOutOfScope(
                petition_id=PETITION_ID,
                inspection_id=INSPECTION_ID,
                reason=OutOfScopeReason.LITIGATION,
                note="",
                meeting_id=MEETING_ID,
            )
        ],
    )
    triaged = given(PETITION, *petition_in_scope())
    with refused(InvalidTransition, "triage the petition"):
        pt.triage(triaged, out, at(DEPUTY), inspection_stationed(), with_meeting())


def close(meeting_id: object = MEETING_ID) -> pt.ClosePetitionNoAction:
    return pt.ClosePetitionNoAction.model_validate(
        {"petition_id": PETITION_ID, "reason_text": "查无实据", "meeting_id": meeting_id}
    )


def test_an_out_of_scope_petition_can_never_be_closed_without_forwarding() -> None:
    for history in (petition_out_of_scope(), petition_forwarded()):
        with refused(InvalidTransition, "must be forwarded to a named department", "acknowledged"):
            pt.close_no_action(
                given(PETITION, *history),
                close(),
                at(DEPUTY),
                inspection_stationed(),
                with_meeting(),
            )


def test_a_registered_petition_cannot_be_dropped_before_triage() -> None:
    with refused(InvalidTransition, "close the petition without action"):
        pt.close_no_action(
            given(PETITION, *petition_registered()),
            close(),
            at(DEPUTY),
            inspection_stationed(),
            with_meeting(),
        )


def test_an_in_scope_petition_is_closed_without_action_by_a_group_meeting() -> None:
    state = given(PETITION, *petition_in_scope())
    assert pt.close_no_action(state, close(), at(DEPUTY), inspection_stationed(), with_meeting())
    with refused(NotFound, "no group meeting"):
        pt.close_no_action(
            state, close(FINDING_1), at(DEPUTY), inspection_stationed(), with_meeting()
        )


def forward() -> pt.ForwardPetition:
    return pt.ForwardPetition(
        petition_id=PETITION_ID,
        department_id=LETTERS_DEPT,
        department_name="市信访局",
        forwarded_on=date(2026, 3, 22),
    )


def test_only_out_of_scope_petitions_are_forwarded_to_a_named_department() -> None:
    then(
        pt.forward(
            given(PETITION, *petition_out_of_scope()),
            forward(),
            at(OFFICE, LATER),
            inspection_stationed(),
        ),
        [
            PetitionForwarded(
                petition_id=PETITION_ID,
                inspection_id=INSPECTION_ID,
                department_id=LETTERS_DEPT,
                department_name="市信访局",
                forwarded_on=date(2026, 3, 22),
            )
        ],
    )
    with refused(InvalidTransition, "forward the petition"):
        pt.forward(
            given(PETITION, *petition_in_scope()),
            forward(),
            at(DEPUTY, LATER),
            inspection_stationed(),
        )


def acknowledge(day: date = date(2026, 3, 25)) -> pt.AcknowledgePetitionForward:
    return pt.AcknowledgePetitionForward(
        petition_id=PETITION_ID, acknowledged_on=day, receipt_no="XF-2026-88"
    )


def test_only_the_receiving_department_acknowledges_and_that_closes_the_petition() -> None:
    state = given(PETITION, *petition_forwarded())
    with refused(NotPermitted, "only the receiving department", LETTERS_DEPT):
        pt.acknowledge(state, acknowledge(), at(OTHER_DEPT, LATER))
    events = pt.acknowledge(state, acknowledge(), at(LETTERS, LATER))
    then(
        events,
        [
            PetitionForwardAcknowledged(
                petition_id=PETITION_ID,
                inspection_id=INSPECTION_ID,
                department_id=LETTERS_DEPT,
                acknowledged_on=date(2026, 3, 25),
                receipt_no="XF-2026-88",
            )
        ],
    )
    assert PETITION.fold(events, state).closed  # type: ignore[union-attr]
    with refused(RuleViolated, "precedes forwarded_on"):
        pt.acknowledge(state, acknowledge(date(2026, 3, 21)), at(LETTERS, LATER))


def test_an_unforwarded_petition_cannot_be_acknowledged() -> None:
    with refused(InvalidTransition, "acknowledge the forwarded petition"):
        pt.acknowledge(given(PETITION, *petition_out_of_scope()), acknowledge(), at(LETTERS, LATER))


def test_in_scope_petitions_link_to_findings_of_the_same_inspection() -> None:
    state = given(PETITION, *petition_in_scope())
    cmd = pt.LinkPetitionToFinding(petition_id=PETITION_ID, finding_id=FINDING_1)
    finding = given(FINDING, *finding_drafted())
    linked = pt.link_to_finding(state, cmd, at(MEMBER), inspection_stationed(), finding)
    assert PETITION.fold(linked, state).status == "linked"  # type: ignore[union-attr]
    elsewhere = given(FINDING, *finding_drafted(FINDING_ELSEWHERE, inspection_id=FINDING_ELSEWHERE))
    other = cmd.model_copy(update={"finding_id": FINDING_ELSEWHERE})
    with refused(NotFound, "not a finding of this inspection"):
        pt.link_to_finding(state, other, at(MEMBER), inspection_stationed(), elsewhere)
    with refused(InvalidTransition, "link the petition"):
        pt.link_to_finding(
            given(PETITION, *petition_out_of_scope()),
            cmd,
            at(MEMBER),
            inspection_stationed(),
            finding,
        )


def lead_of(inspection_id: UUID) -> LeadState:
    return given(LEAD, registered_event().model_copy(update={"inspection_id": inspection_id}))


def test_an_in_scope_petition_links_to_a_lead_of_the_same_inspection() -> None:
    state = given(PETITION, *petition_in_scope())
    cmd = pt.LinkPetitionToLead(petition_id=PETITION_ID, lead_id=LEAD_ID)
    linked = pt.link_to_lead(state, cmd, at(MEMBER), inspection_stationed(), lead_of(INSPECTION_ID))
    then(
        linked,
        [
            PetitionLinkedToLead(
                petition_id=PETITION_ID, inspection_id=INSPECTION_ID, lead_id=LEAD_ID
            )
        ],
    )
    after = PETITION.fold(linked, state)
    assert after is not None
    assert after.status == "linked"
    assert after.lead_ids == {LEAD_ID}
    assert "content" not in linked[0].model_dump()  # the sealed content stays sealed
    with refused(InvalidTransition, "already linked to lead"):
        pt.link_to_lead(after, cmd, at(MEMBER), inspection_stationed(), lead_of(INSPECTION_ID))


def test_a_petition_links_only_to_a_lead_of_its_own_inspection() -> None:
    state = given(PETITION, *petition_in_scope())
    cmd = pt.LinkPetitionToLead(petition_id=PETITION_ID, lead_id=LEAD_ID)
    with refused(NotFound, "not a lead of this inspection"):
        pt.link_to_lead(state, cmd, at(MEMBER), inspection_stationed(), lead_of(FINDING_ELSEWHERE))
    with refused(NotFound, "not a lead of this inspection"):
        pt.link_to_lead(state, cmd, at(MEMBER), inspection_stationed(), None)


def test_only_in_scope_petitions_link_to_leads_by_the_group() -> None:
    cmd = pt.LinkPetitionToLead(petition_id=PETITION_ID, lead_id=LEAD_ID)
    lead = lead_of(INSPECTION_ID)
    for history in (petition_registered(), petition_out_of_scope()):
        with refused(InvalidTransition, "link the petition to a lead"):
            pt.link_to_lead(
                given(PETITION, *history), cmd, at(MEMBER), inspection_stationed(), lead
            )
    with refused(NotPermitted):
        pt.link_to_lead(
            given(PETITION, *petition_in_scope()), cmd, at(OUTSIDER), inspection_stationed(), lead
        )

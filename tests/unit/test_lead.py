"""Lead (问题线索): registered by the group → classified (组务会) → transfer approved by the
leading group (receiver by management level) → transferred (or fast-tracked during fieldwork)
→ acknowledged, disposed of and reported on by the receiving authority only → closed;
timers flag late acknowledgements and outcomes; a round closes only when its leads are closed
(见底清零)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import cast

import pytest
from hypothesis import given as for_all
from hypothesis import strategies as st
from pydantic import ValidationError

from tests.contract.examples import GOLDEN
from tests.unit.builders import (
    DEFAULT_POLICY,
    DEFAULT_REF,
    DEPUTY,
    DISCIPLINE,
    INSPECTION_ID,
    JURISDICTION,
    LEADER,
    MEMBER,
    OFFICE,
    OTHER_LEADER,
    OUTSIDER,
    PRINCIPAL,
    REF_V1,
    ROUND_ID,
    STATIONING_DATE,
    TARGET_ORG,
    TODAY,
    actor,
    announced,
    ctx,
    rectification_report_accepted,
    rectifying,
    round_with_target,
    stationed,
    uid,
    withdrawn,
)
from tests.unit.gwt import given, refused, then
from xuncha.api.container import make_timers
from xuncha.commands import lead, round
from xuncha.commands.errors import InvalidTransition, NotPermitted, RuleViolated
from xuncha.commands.eventstore.store import EventStore
from xuncha.commands.inspection import INSPECTION
from xuncha.commands.lead import (
    LEAD,
    AcknowledgeLead,
    ApproveLeadTransfer,
    ClassifyLead,
    CloseLead,
    LeadCommand,
    MarkLeadAcknowledgementOverdue,
    MarkLeadOutcomeOverdue,
    RecordLeadDisposition,
    RegisterLead,
    ReportLeadOutcome,
    TransferLead,
    TransferLeadDuringFieldwork,
)
from xuncha.commands.round import ROUND, CloseRound
from xuncha.commands.service import Application
from xuncha.commands.timers.lead_overdue import LeadClocks, OverdueLeads
from xuncha.events.base import Actor, DomainEvent, Role
from xuncha.events.inspection import InspectionClosed
from xuncha.events.lead import (
    CadreLevel,
    Disposition,
    FastTrack,
    InspectionLeadRegistered,
    LeadAcknowledged,
    LeadAcknowledgementOverdue,
    LeadChannel,
    LeadClassified,
    LeadClosed,
    LeadDispositionRecorded,
    LeadOutcomeOverdue,
    LeadOutcomeReported,
    LeadRegistered,
    LeadRoute,
    LeadTransferApproved,
    LeadTransferred,
    LeadTransferredDuringFieldwork,
    LeadType,
    ReceivingAuthority,
    SourceKind,
    SourceRef,
    Urgency,
)
from xuncha.events.policy import PolicyParameters, PolicyVersionPublished, default_lead_routes
from xuncha.events.registry import REGISTRY
from xuncha.events.round import RoundClosed, RoundLeadsCleared

History = Callable[[], list[DomainEvent]]
LEAD_ID = uid(31)
OTHER_LEAD = uid(32)

JW = ReceivingAuthority(channel=LeadChannel.DISCIPLINE, organization_id="org-jw", name="市纪委监委")
ZZB = ReceivingAuthority(
    channel=LeadChannel.ORGANIZATION, organization_id="org-zzb", name="市委组织部"
)
ORG_DEPT = actor("zzb-1", Role.ORGANIZATION_DEPARTMENT, "org-zzb")
OTHER_COMMISSION = actor("dc-9", Role.DISCIPLINE_COMMISSION, "org-county-jw")
INTEGRATION = actor("jw-system", Role.INTEGRATION_CLIENT, "org-jw")
LEADING_GROUP = actor("lg-1", Role.LEADING_GROUP, "org-leading-group")
ROUTES = [
    LeadRoute(
        channel=LeadChannel.DISCIPLINE,
        management_level=CadreLevel.CITY_MANAGED,
        organization_id="org-jw",
        name="市纪委监委",
    ),
    LeadRoute(
        channel=LeadChannel.ORGANIZATION,
        management_level=CadreLevel.CITY_MANAGED,
        organization_id="org-zzb",
        name="市委组织部",
    ),
]
POLICY = (REF_V1, PolicyParameters(lead_routes=ROUTES, lead_ack_days=10, lead_outcome_months=3))

SOURCES = [
    SourceRef(kind=SourceKind.PETITION, ref="petition-2026-031"),
    SourceRef(kind=SourceKind.INTERVIEW, ref="interview-2026-007"),
]
APPROVED_ON = date(2026, 4, 1)  # during fieldwork (stationed 11 Mar - withdrawn 10 Apr)
STATIONED = given(INSPECTION, *stationed())
TRANSFERRED_ON = date(2026, 4, 20)
ACK_DUE = date(2026, 4, 30)  # + 10 days under POLICY
OUTCOME_DUE = date(2026, 7, 20)  # + 3 months
ACKNOWLEDGED_ON = date(2026, 4, 25)
DECIDED_ON = date(2026, 5, 10)

REGISTER = RegisterLead(
    inspection_id=INSPECTION_ID,
    subject_name="张某某",
    subject_position="市水务局副局长",
    management_level=CadreLevel.CITY_MANAGED,
    allegation="违规收受礼金，公款吃喝",
    sources=SOURCES,
)


def registered_event(during_fieldwork: bool = True) -> LeadRegistered:
    return LeadRegistered(
        lead_id=LEAD_ID,
        inspection_id=INSPECTION_ID,
        round_id=ROUND_ID,
        jurisdiction_id=JURISDICTION,
        organization_id=TARGET_ORG,
        subject_name="张某某",
        subject_position="市水务局副局长",
        management_level=CadreLevel.CITY_MANAGED,
        allegation="违规收受礼金，公款吃喝",
        sources=SOURCES,
        during_fieldwork=during_fieldwork,
    )


def registered() -> list[DomainEvent]:
    return [registered_event()]


def classified_as(
    lead_type: LeadType = LeadType.DISCIPLINE, fast_track: FastTrack | None = None
) -> list[DomainEvent]:
    event = LeadClassified(
        lead_id=LEAD_ID,
        inspection_id=INSPECTION_ID,
        lead_type=lead_type,
        urgency=Urgency.NORMAL,
        fast_track=fast_track,
        meeting_ref="第5次组务会",
    )
    return [*registered(), event]


def classified() -> list[DomainEvent]:
    return classified_as()


def approved_as(
    lead_type: LeadType = LeadType.DISCIPLINE, fast_track: FastTrack | None = None
) -> list[DomainEvent]:
    event = LeadTransferApproved(
        lead_id=LEAD_ID,
        inspection_id=INSPECTION_ID,
        receiver=ZZB if lead_type == LeadType.CADRE_SELECTION else JW,
        management_level=CadreLevel.CITY_MANAGED,
        lead_type=lead_type,
        approved_on=APPROVED_ON,
        note="",
        policy=REF_V1,
    )
    return [*classified_as(lead_type, fast_track), event]


def approved() -> list[DomainEvent]:
    return approved_as()


def fast_track_approved() -> list[DomainEvent]:
    return approved_as(fast_track=FastTrack.EIGHT_POINT_RULES)


def transferred() -> list[DomainEvent]:
    event = LeadTransferred(
        lead_id=LEAD_ID,
        inspection_id=INSPECTION_ID,
        receiver=JW,
        package_ref="移交函 2026-12",
        transferred_on=TRANSFERRED_ON,
        acknowledgement_due=ACK_DUE,
        outcome_due=OUTCOME_DUE,
        policy=REF_V1,
    )
    return [*approved(), event]


def acknowledged() -> list[DomainEvent]:
    event = LeadAcknowledged(
        lead_id=LEAD_ID,
        inspection_id=INSPECTION_ID,
        receiver_organization_id="org-jw",
        receiver_case_no="JW-2026-088",
        acknowledged_on=ACKNOWLEDGED_ON,
        on_time=True,
    )
    return [*transferred(), event]


def disposition_event(
    category: Disposition, decided_on: date = DECIDED_ON, level: int | None = None
) -> LeadDispositionRecorded:
    return LeadDispositionRecorded(
        lead_id=LEAD_ID,
        inspection_id=INSPECTION_ID,
        receiver_organization_id="org-jw",
        category=category,
        four_forms_level=level,
        decided_on=decided_on,
        note="",
    )


def shelved() -> list[DomainEvent]:
    return [*acknowledged(), disposition_event(Disposition.SHELVED)]


def concluded() -> list[DomainEvent]:
    return [*acknowledged(), disposition_event(Disposition.CONCLUDED, level=1)]


def shelved_then_concluded() -> list[DomainEvent]:
    return [*shelved(), disposition_event(Disposition.CONCLUDED, date(2026, 6, 1))]


def outcome_reported() -> list[DomainEvent]:
    event = LeadOutcomeReported(
        lead_id=LEAD_ID,
        inspection_id=INSPECTION_ID,
        receiver_organization_id="org-jw",
        category=Disposition.CONCLUDED,
        four_forms_level=1,
        summary="批评教育",
        reported_on=date(2026, 6, 10),
        on_time=True,
    )
    return [*concluded(), event]


def closed() -> list[DomainEvent]:
    return [
        *outcome_reported(),
        LeadClosed(lead_id=LEAD_ID, inspection_id=INSPECTION_ID, closed_on=TODAY),
    ]


def inspection_with_lead(history: History = stationed) -> list[DomainEvent]:
    return [*history(), InspectionLeadRegistered(inspection_id=INSPECTION_ID, lead_id=LEAD_ID)]


def closed_inspection() -> list[DomainEvent]:
    return [
        *rectification_report_accepted(),
        InspectionClosed(inspection_id=INSPECTION_ID, closed_on=TODAY),
    ]


INSPECTION_ROLES = [
    Role.COMMITTEE,
    Role.LEADING_GROUP,
    Role.INSPECTION_OFFICE,
    Role.GROUP_LEADER,
    Role.DEPUTY_GROUP_LEADER,
    Role.GROUP_MEMBER,
    Role.EXTERNAL_EXPERT,
]


# Register ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", [MEMBER, DEPUTY, LEADER])
def test_a_group_member_registers_a_lead_during_fieldwork_on_the_lead_and_the_inspection(
    who: Actor,
) -> None:
    inspection = given(INSPECTION, *stationed())
    on_lead, on_inspection = lead.register(inspection, REGISTER, ctx(who), LEAD_ID)
    then(on_lead, [registered_event(during_fieldwork=True)])
    then(on_inspection, [InspectionLeadRegistered(inspection_id=INSPECTION_ID, lead_id=LEAD_ID)])


@pytest.mark.parametrize("history", [withdrawn, rectifying, rectification_report_accepted])
def test_a_lead_is_registered_after_fieldwork_too(history: History) -> None:
    on_lead, _ = lead.register(given(INSPECTION, *history()), REGISTER, ctx(MEMBER), LEAD_ID)
    then(on_lead, [registered_event(during_fieldwork=False)])


@pytest.mark.parametrize("history", [announced, closed_inspection])
def test_no_lead_before_stationing_or_after_the_inspection_closed(history: History) -> None:
    with refused(InvalidTransition, "register a lead", "stationing"):
        lead.register(given(INSPECTION, *history()), REGISTER, ctx(MEMBER), LEAD_ID)


def test_only_members_of_this_inspections_group_register_leads() -> None:
    with refused(NotPermitted, "members of the group"):
        lead.register(given(INSPECTION, *stationed()), REGISTER, ctx(OUTSIDER), LEAD_ID)


def test_the_same_source_cited_twice_is_refused() -> None:
    cmd = REGISTER.model_copy(update={"sources": [SOURCES[0], SOURCES[0]]})
    with refused(RuleViolated, "same source"):
        lead.register(given(INSPECTION, *stationed()), cmd, ctx(MEMBER), LEAD_ID)


@pytest.mark.parametrize(
    "change",
    [
        {"sources": []},
        {"allegation": "   "},
        {"subject_name": ""},
        {"management_level": "vip"},
    ],
)
def test_a_lead_needs_a_person_an_allegation_and_sources(change: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        RegisterLead.model_validate({**REGISTER.model_dump(), **change})


def test_who_may_register_leads() -> None:
    assert RegisterLead.allowed_roles == {
        Role.GROUP_LEADER,
        Role.DEPUTY_GROUP_LEADER,
        Role.GROUP_MEMBER,
    }


def test_the_inspection_keeps_its_leads() -> None:
    state = given(
        INSPECTION,
        *inspection_with_lead(),
        InspectionLeadRegistered(inspection_id=INSPECTION_ID, lead_id=OTHER_LEAD),
    )
    assert state.lead_ids == (LEAD_ID, OTHER_LEAD)


def test_sealed_fields_of_leads_never_leave_the_store() -> None:
    data = registered_event().public_data()
    assert (data["subject_name"], data["subject_position"], data["allegation"]) == (
        "[sealed]",
        "[sealed]",
        "[sealed]",
    )
    assert data["management_level"] == "city_managed"
    assert disposition_event(Disposition.SHELVED).public_data()["note"] == "[sealed]"
    assert given(LEAD, *outcome_reported()).stage == "outcome_reported"
    assert outcome_reported()[-1].public_data()["summary"] == "[sealed]"


# Classify (组务会) ----------------------------------------------------------------------------

CLASSIFY = ClassifyLead(lead_id=LEAD_ID, lead_type=LeadType.DISCIPLINE, meeting_ref="第5次组务会")


@pytest.mark.parametrize("history", [registered, classified])
def test_the_leader_classifies_and_may_reclassify_before_approval(history: History) -> None:
    cmd = CLASSIFY.model_copy(
        update={"fast_track": FastTrack.EIGHT_POINT_RULES, "urgency": Urgency.URGENT}
    )
    then(
        lead.classify(given(LEAD, *history()), cmd, ctx(LEADER), given(INSPECTION, *stationed())),
        [
            LeadClassified(
                lead_id=LEAD_ID,
                inspection_id=INSPECTION_ID,
                lead_type=LeadType.DISCIPLINE,
                urgency=Urgency.URGENT,
                fast_track=FastTrack.EIGHT_POINT_RULES,
                meeting_ref="第5次组务会",
            )
        ],
    )


@pytest.mark.parametrize("who", [DEPUTY, OTHER_LEADER])
def test_only_this_inspections_leader_classifies(who: Actor) -> None:
    with refused(NotPermitted, "group leader"):
        lead.classify(
            given(LEAD, *registered()), CLASSIFY, ctx(who), given(INSPECTION, *stationed())
        )


@pytest.mark.parametrize("lead_type", [LeadType.CADRE_SELECTION, LeadType.OTHER])
def test_only_discipline_leads_are_fast_tracked(lead_type: LeadType) -> None:
    cmd = CLASSIFY.model_copy(update={"lead_type": lead_type, "fast_track": FastTrack.FOUR_WINDS})
    with refused(RuleViolated, "fast-tracked"):
        lead.classify(given(LEAD, *registered()), cmd, ctx(LEADER), given(INSPECTION, *stationed()))


@pytest.mark.parametrize("history", [approved, transferred, closed])
def test_no_reclassification_after_the_transfer_was_approved(history: History) -> None:
    with refused(InvalidTransition, "classify the lead"):
        lead.classify(
            given(LEAD, *history()), CLASSIFY, ctx(LEADER), given(INSPECTION, *stationed())
        )


# Approve the transfer (leading group) --------------------------------------------------------

APPROVE = ApproveLeadTransfer(lead_id=LEAD_ID, note="同意移交")


@pytest.mark.parametrize(
    ("lead_type", "receiver"),
    [(LeadType.DISCIPLINE, JW), (LeadType.OTHER, JW), (LeadType.CADRE_SELECTION, ZZB)],
)
def test_the_receiver_follows_the_management_level_and_the_type(
    lead_type: LeadType, receiver: ReceivingAuthority
) -> None:
    state = given(LEAD, *classified_as(lead_type))
    then(
        lead.approve_transfer(state, APPROVE, ctx(LEADING_GROUP, APPROVED_ON), POLICY, STATIONED),
        [
            LeadTransferApproved(
                lead_id=LEAD_ID,
                inspection_id=INSPECTION_ID,
                receiver=receiver,
                management_level=CadreLevel.CITY_MANAGED,
                lead_type=lead_type,
                approved_on=APPROVED_ON,
                note="同意移交",
                policy=REF_V1,
            )
        ],
    )


def test_the_default_policy_routes_city_managed_cadres_to_the_city_commission() -> None:
    (event,) = lead.approve_transfer(
        given(LEAD, *classified()), APPROVE, ctx(LEADING_GROUP), DEFAULT_POLICY, STATIONED
    )
    assert isinstance(event, LeadTransferApproved)
    assert (event.receiver.organization_id, event.policy) == (
        "city-discipline-commission",
        DEFAULT_REF,
    )


def test_a_level_without_a_route_is_refused() -> None:
    state = given(LEAD, *classified())
    no_route = (REF_V1, PolicyParameters(lead_routes=ROUTES[1:]))
    with refused(RuleViolated, "no receiving authority", "city_managed"):
        lead.approve_transfer(state, APPROVE, ctx(LEADING_GROUP), no_route, STATIONED)


def test_two_routes_for_one_level_are_refused_by_the_policy() -> None:
    with pytest.raises(ValidationError, match="more than one lead route"):
        PolicyParameters(lead_routes=[ROUTES[0], ROUTES[0]])


@pytest.mark.parametrize("history", [registered, approved, transferred])
def test_approval_follows_classification_once(history: History) -> None:
    with refused(InvalidTransition, "approve the lead's transfer"):
        lead.approve_transfer(
            given(LEAD, *history()), APPROVE, ctx(LEADING_GROUP), POLICY, STATIONED
        )


def test_only_the_leading_group_approves_transfers() -> None:
    assert ApproveLeadTransfer.allowed_roles == {Role.LEADING_GROUP}


# Transfer (office) ---------------------------------------------------------------------------

TRANSFER = TransferLead(
    lead_id=LEAD_ID, package_ref="移交函 2026-12", transferred_on=TRANSFERRED_ON
)


def test_the_office_transfers_after_fieldwork_and_the_clocks_start_under_the_policy() -> None:
    then(
        lead.transfer(
            given(LEAD, *approved()), TRANSFER, ctx(OFFICE), given(INSPECTION, *withdrawn()), POLICY
        ),
        [transferred()[-1]],
    )


def test_the_default_policy_gives_fifteen_days_and_three_months() -> None:
    (event,) = lead.transfer(
        given(LEAD, *approved()),
        TRANSFER,
        ctx(OFFICE),
        given(INSPECTION, *withdrawn()),
        DEFAULT_POLICY,
    )
    assert isinstance(event, LeadTransferred)
    assert (event.acknowledgement_due, event.outcome_due, event.policy) == (
        TRANSFERRED_ON + timedelta(days=15),
        date(2026, 7, 20),
        DEFAULT_REF,
    )


def test_during_fieldwork_the_office_does_not_transfer() -> None:
    with refused(InvalidTransition, "still stationed", "fast-track"):
        lead.transfer(
            given(LEAD, *approved()), TRANSFER, ctx(OFFICE), given(INSPECTION, *stationed()), POLICY
        )


@pytest.mark.parametrize("history", [registered, classified, transferred])
def test_transfer_needs_an_approved_transfer_not_yet_done(history: History) -> None:
    with refused(InvalidTransition, "transfer the lead"):
        lead.transfer(
            given(LEAD, *history()), TRANSFER, ctx(OFFICE), given(INSPECTION, *withdrawn()), POLICY
        )


@pytest.mark.parametrize(
    ("day", "words"),
    [
        (APPROVED_ON - timedelta(days=1), "before its transfer was approved"),
        (TODAY + timedelta(days=1), "future"),
    ],
)
def test_the_transfer_date_is_after_approval_and_not_in_the_future(day: date, words: str) -> None:
    cmd = TRANSFER.model_copy(update={"transferred_on": day})
    with refused(RuleViolated, words):
        lead.transfer(
            given(LEAD, *approved()), cmd, ctx(OFFICE), given(INSPECTION, *withdrawn()), POLICY
        )


# Fast track during fieldwork (边办案) ---------------------------------------------------------

FAST = TransferLeadDuringFieldwork(
    lead_id=LEAD_ID, package_ref="快转函 2026-3", transferred_on=APPROVED_ON
)


def test_the_leader_fast_tracks_an_approved_eight_point_rules_lead_while_stationed() -> None:
    then(
        lead.transfer_during_fieldwork(
            given(LEAD, *fast_track_approved()),
            FAST,
            ctx(LEADER),
            given(INSPECTION, *stationed()),
            POLICY,
        ),
        [
            LeadTransferredDuringFieldwork(
                lead_id=LEAD_ID,
                inspection_id=INSPECTION_ID,
                receiver=JW,
                fast_track=FastTrack.EIGHT_POINT_RULES,
                package_ref="快转函 2026-3",
                transferred_on=APPROVED_ON,
                acknowledgement_due=APPROVED_ON + timedelta(days=10),
                outcome_due=date(2026, 7, 1),
                policy=REF_V1,
            )
        ],
    )


def test_the_fast_track_needs_a_fast_track_classification() -> None:
    with refused(RuleViolated, "fast-track"):
        lead.transfer_during_fieldwork(
            given(LEAD, *approved()), FAST, ctx(LEADER), given(INSPECTION, *stationed()), POLICY
        )


def test_the_fast_track_needs_the_leading_groups_approval() -> None:
    history = classified_as(fast_track=FastTrack.FOUR_WINDS)
    with refused(InvalidTransition, "leading group's approval"):
        lead.transfer_during_fieldwork(
            given(LEAD, *history), FAST, ctx(LEADER), given(INSPECTION, *stationed()), POLICY
        )


def test_the_fast_track_is_for_fieldwork_only() -> None:
    with refused(InvalidTransition, "not 'stationed'"):
        lead.transfer_during_fieldwork(
            given(LEAD, *fast_track_approved()),
            FAST,
            ctx(LEADER),
            given(INSPECTION, *withdrawn()),
            POLICY,
        )


def test_only_this_inspections_leader_fast_tracks() -> None:
    with refused(NotPermitted, "group leader"):
        lead.transfer_during_fieldwork(
            given(LEAD, *fast_track_approved()),
            FAST,
            ctx(OTHER_LEADER),
            given(INSPECTION, *stationed()),
            POLICY,
        )


def test_the_fast_track_date_is_not_before_stationing() -> None:
    history = [*classified_as(fast_track=FastTrack.FOUR_WINDS)]
    early = LeadTransferApproved.model_validate(
        {
            **approved_as(fast_track=FastTrack.FOUR_WINDS)[-1].model_dump(),
            "approved_on": STATIONING_DATE - timedelta(days=5),
        }
    )
    cmd = FAST.model_copy(update={"transferred_on": STATIONING_DATE - timedelta(days=1)})
    with refused(RuleViolated, "before the group was stationed"):
        lead.transfer_during_fieldwork(
            given(LEAD, *history, early), cmd, ctx(LEADER), given(INSPECTION, *stationed()), POLICY
        )


# The receiving authority only ----------------------------------------------------------------

ACK = AcknowledgeLead(
    lead_id=LEAD_ID, receiver_case_no="JW-2026-088", acknowledged_on=ACKNOWLEDGED_ON
)
DISPOSE = RecordLeadDisposition(
    lead_id=LEAD_ID, category=Disposition.CONCLUDED, four_forms_level=1, decided_on=DECIDED_ON
)
OUTCOME = ReportLeadOutcome(lead_id=LEAD_ID, summary="批评教育", reported_on=date(2026, 6, 10))


@pytest.mark.parametrize("command", [AcknowledgeLead, RecordLeadDisposition, ReportLeadOutcome])
def test_the_inspection_side_never_records_what_the_authority_decides(
    command: type[LeadCommand],
) -> None:
    assert command.allowed_roles == {
        Role.DISCIPLINE_COMMISSION,
        Role.ORGANIZATION_DEPARTMENT,
        Role.INTEGRATION_CLIENT,
    }
    assert not command.allowed_roles & set(INSPECTION_ROLES)


@pytest.mark.parametrize("who", [DISCIPLINE, INTEGRATION])
def test_the_receiver_acknowledges(who: Actor) -> None:
    then(lead.acknowledge(given(LEAD, *transferred()), ACK, ctx(who)), [acknowledged()[-1]])


def test_a_late_acknowledgement_is_recorded_as_late() -> None:
    cmd = ACK.model_copy(update={"acknowledged_on": ACK_DUE + timedelta(days=1)})
    (event,) = lead.acknowledge(given(LEAD, *transferred()), cmd, ctx(DISCIPLINE))
    assert isinstance(event, LeadAcknowledged)
    assert event.on_time is False


RECEIVER_STEPS: list[tuple[History, Callable[..., list[DomainEvent]], object]] = [
    (transferred, lead.acknowledge, ACK),
    (acknowledged, lead.record_disposition, DISPOSE),
    (concluded, lead.report_outcome, OUTCOME),
]


@pytest.mark.parametrize(("history", "decide", "cmd"), RECEIVER_STEPS)
@pytest.mark.parametrize(
    "who",
    [
        OFFICE,
        LEADER,
        OTHER_COMMISSION,
        ORG_DEPT,
        PRINCIPAL,
        actor("x", Role.INSPECTION_OFFICE, "org-jw"),
    ],
)
def test_only_the_organization_the_lead_went_to_acts_on_it(
    history: History, decide: Callable[..., list[DomainEvent]], cmd: object, who: Actor
) -> None:
    with refused(NotPermitted, "only the receiving authority", "org-jw"):
        decide(given(LEAD, *history()), cmd, ctx(who))


@pytest.mark.parametrize("history", [approved, acknowledged])
def test_acknowledge_only_a_transferred_lead_once(history: History) -> None:
    with refused(InvalidTransition, "acknowledge"):
        lead.acknowledge(given(LEAD, *history()), ACK, ctx(DISCIPLINE))


def test_no_acknowledgement_before_the_transfer_date() -> None:
    cmd = ACK.model_copy(update={"acknowledged_on": TRANSFERRED_ON - timedelta(days=1)})
    with refused(RuleViolated, "before it was transferred"):
        lead.acknowledge(given(LEAD, *transferred()), cmd, ctx(DISCIPLINE))


# Disposition ---------------------------------------------------------------------------------


@pytest.mark.parametrize("category", list(Disposition))
def test_the_receiver_records_any_disposition_after_acknowledging(category: Disposition) -> None:
    cmd = RecordLeadDisposition(
        lead_id=LEAD_ID, category=category, decided_on=DECIDED_ON, note="经研究"
    )
    expected = disposition_event(category).model_copy(update={"note": "经研究"})
    then(lead.record_disposition(given(LEAD, *acknowledged()), cmd, ctx(DISCIPLINE)), [expected])


@pytest.mark.parametrize(
    "history",
    [
        shelved,
        lambda: [*acknowledged(), disposition_event(Disposition.PRELIMINARY_VERIFICATION)],
        lambda: [*acknowledged(), disposition_event(Disposition.TALK_OR_INQUIRY)],
    ],
)
def test_a_shelved_or_ongoing_lead_gets_a_further_disposition(history: History) -> None:
    cmd = DISPOSE.model_copy(update={"category": Disposition.CASE_FILED, "four_forms_level": 4})
    (event,) = lead.record_disposition(given(LEAD, *history()), cmd, ctx(DISCIPLINE))
    assert isinstance(event, LeadDispositionRecorded)
    assert (event.category, event.four_forms_level) == (Disposition.CASE_FILED, 4)
    state = given(LEAD, *history(), event)
    assert (state.stage, state.disposition, len(state.dispositions)) == (
        "disposed",
        "case_filed",
        2,
    )


@pytest.mark.parametrize(
    "history", [concluded, lambda: [*acknowledged(), disposition_event(Disposition.CASE_FILED)]]
)
def test_nothing_follows_a_final_disposition(history: History) -> None:
    with refused(InvalidTransition, "final"):
        lead.record_disposition(given(LEAD, *history()), DISPOSE, ctx(DISCIPLINE))


@pytest.mark.parametrize("history", [transferred, outcome_reported, closed])
def test_disposition_needs_an_acknowledged_lead_without_outcome(history: History) -> None:
    with refused(InvalidTransition, "record a disposition"):
        lead.record_disposition(given(LEAD, *history()), DISPOSE, ctx(DISCIPLINE))


def test_a_shelved_lead_has_no_four_forms_level() -> None:
    cmd = DISPOSE.model_copy(update={"category": Disposition.SHELVED, "four_forms_level": 2})
    with refused(RuleViolated, "暂存待查"):
        lead.record_disposition(given(LEAD, *acknowledged()), cmd, ctx(DISCIPLINE))


def test_the_four_forms_level_is_one_to_four() -> None:
    with pytest.raises(ValidationError):
        RecordLeadDisposition.model_validate({**DISPOSE.model_dump(), "four_forms_level": 5})


@pytest.mark.parametrize(
    ("history", "day"), [(acknowledged, ACKNOWLEDGED_ON), (shelved, DECIDED_ON)]
)
def test_a_disposition_does_not_predate_the_previous_step(history: History, day: date) -> None:
    cmd = DISPOSE.model_copy(update={"decided_on": day - timedelta(days=1)})
    with refused(RuleViolated, "before the previous step"):
        lead.record_disposition(given(LEAD, *history()), cmd, ctx(DISCIPLINE))


# Outcome -------------------------------------------------------------------------------------


@pytest.mark.parametrize("history", [concluded, shelved_then_concluded])
def test_the_receiver_reports_the_outcome_of_a_terminal_disposition(history: History) -> None:
    (event,) = lead.report_outcome(given(LEAD, *history()), OUTCOME, ctx(DISCIPLINE))
    assert isinstance(event, LeadOutcomeReported)
    assert (event.category, event.on_time, event.reported_on) == (
        Disposition.CONCLUDED,
        True,
        date(2026, 6, 10),
    )


def test_the_outcome_keeps_the_dispositions_level_unless_it_gives_one() -> None:
    (event,) = lead.report_outcome(given(LEAD, *concluded()), OUTCOME, ctx(DISCIPLINE))
    then([event], [outcome_reported()[-1]])
    cmd = OUTCOME.model_copy(update={"four_forms_level": 2, "reported_on": TODAY})
    (late,) = lead.report_outcome(given(LEAD, *concluded()), cmd, ctx(DISCIPLINE))
    assert isinstance(late, LeadOutcomeReported)
    assert (late.four_forms_level, late.on_time) == (2, True)


def test_an_outcome_after_the_due_date_is_late() -> None:
    cmd = OUTCOME.model_copy(update={"reported_on": OUTCOME_DUE + timedelta(days=1)})
    (event,) = lead.report_outcome(
        given(LEAD, *concluded()), cmd, ctx(DISCIPLINE, OUTCOME_DUE + timedelta(days=5))
    )
    assert isinstance(event, LeadOutcomeReported)
    assert event.on_time is False


def test_a_shelved_lead_has_no_outcome_yet() -> None:
    with refused(InvalidTransition, "shelved", "not terminal"):
        lead.report_outcome(given(LEAD, *shelved()), OUTCOME, ctx(DISCIPLINE))


@pytest.mark.parametrize("history", [acknowledged, outcome_reported])
def test_an_outcome_needs_a_disposition_and_comes_once(history: History) -> None:
    with refused(InvalidTransition, "report the lead's outcome"):
        lead.report_outcome(given(LEAD, *history()), OUTCOME, ctx(DISCIPLINE))


def test_the_outcome_does_not_predate_the_disposition() -> None:
    cmd = OUTCOME.model_copy(update={"reported_on": DECIDED_ON - timedelta(days=1)})
    with refused(RuleViolated, "before the disposition"):
        lead.report_outcome(given(LEAD, *concluded()), cmd, ctx(DISCIPLINE))


# Close (销号办结) -----------------------------------------------------------------------------

CLOSE = CloseLead(lead_id=LEAD_ID)


def test_the_office_closes_a_lead_with_a_reported_outcome() -> None:
    then(lead.close(given(LEAD, *outcome_reported()), CLOSE, ctx(OFFICE)), [closed()[-1]])
    assert CloseLead.allowed_roles == {Role.INSPECTION_OFFICE}


@pytest.mark.parametrize(
    ("history", "words"),
    [
        (shelved, "disposed: shelved"),
        (concluded, "disposed: concluded"),
        (acknowledged, "acknowledged"),
        (transferred, "transferred"),
        (closed, "closed"),
    ],
)
def test_a_lead_closes_only_after_a_terminal_disposition_and_its_outcome(
    history: History, words: str
) -> None:
    with refused(InvalidTransition, words, "terminal disposition"):
        lead.close(given(LEAD, *history()), CLOSE, ctx(OFFICE))


# Timers --------------------------------------------------------------------------------------


def ack_overdue(as_of: date = ACK_DUE + timedelta(days=1)) -> LeadAcknowledgementOverdue:
    return LeadAcknowledgementOverdue(
        lead_id=LEAD_ID,
        inspection_id=INSPECTION_ID,
        receiver_organization_id="org-jw",
        due=ACK_DUE,
        as_of=as_of,
        policy=REF_V1,
    )


def outcome_overdue() -> LeadOutcomeOverdue:
    return LeadOutcomeOverdue(
        lead_id=LEAD_ID,
        inspection_id=INSPECTION_ID,
        receiver_organization_id="org-jw",
        due=OUTCOME_DUE,
        as_of=OUTCOME_DUE + timedelta(days=1),
        policy=REF_V1,
    )


SYSTEM = actor("system:clock", Role.SYSTEM, "system")
LATE_ACK = MarkLeadAcknowledgementOverdue(lead_id=LEAD_ID, as_of=ACK_DUE + timedelta(days=1))
LATE_OUTCOME = MarkLeadOutcomeOverdue(lead_id=LEAD_ID, as_of=OUTCOME_DUE + timedelta(days=1))


def test_an_unacknowledged_lead_is_flagged_the_day_after_its_due_date() -> None:
    then(
        lead.mark_acknowledgement_overdue(given(LEAD, *transferred()), LATE_ACK, ctx(SYSTEM)),
        [ack_overdue()],
    )
    assert given(LEAD, *transferred(), ack_overdue()).acknowledgement_overdue


@pytest.mark.parametrize(
    ("history", "as_of", "words"),
    [
        (transferred, ACK_DUE, "not overdue yet"),
        (lambda: [*transferred(), ack_overdue()], ACK_DUE + timedelta(days=9), "already flagged"),
        (acknowledged, ACK_DUE + timedelta(days=1), "flag the acknowledgement"),
        (approved, ACK_DUE + timedelta(days=1), "flag the acknowledgement"),
    ],
)
def test_the_acknowledgement_is_flagged_once_and_only_when_late(
    history: History, as_of: date, words: str
) -> None:
    cmd = LATE_ACK.model_copy(update={"as_of": as_of})
    with refused(InvalidTransition, words):
        lead.mark_acknowledgement_overdue(given(LEAD, *history()), cmd, ctx(SYSTEM))


@pytest.mark.parametrize("history", [transferred, acknowledged, shelved, concluded])
def test_an_outcome_not_reported_in_time_is_flagged(history: History) -> None:
    then(
        lead.mark_outcome_overdue(given(LEAD, *history()), LATE_OUTCOME, ctx(SYSTEM)),
        [outcome_overdue()],
    )


@pytest.mark.parametrize(
    ("history", "as_of", "words"),
    [
        (acknowledged, OUTCOME_DUE, "not overdue yet"),
        (
            lambda: [*acknowledged(), outcome_overdue()],
            OUTCOME_DUE + timedelta(days=30),
            "already flagged",
        ),
        (outcome_reported, OUTCOME_DUE + timedelta(days=1), "flag the outcome"),
        (closed, OUTCOME_DUE + timedelta(days=1), "flag the outcome"),
    ],
)
def test_the_outcome_is_flagged_once_and_only_when_late(
    history: History, as_of: date, words: str
) -> None:
    cmd = LATE_OUTCOME.model_copy(update={"as_of": as_of})
    with refused(InvalidTransition, words):
        lead.mark_outcome_overdue(given(LEAD, *history()), cmd, ctx(SYSTEM))


def test_only_the_clock_flags_overdue_leads() -> None:
    assert MarkLeadAcknowledgementOverdue.allowed_roles == {Role.SYSTEM}
    assert MarkLeadOutcomeOverdue.allowed_roles == {Role.SYSTEM}


def test_the_clocks_propose_each_late_lead_until_its_flag_or_answer_arrives() -> None:
    clocks = LeadClocks()
    for event in transferred():
        clocks.apply(event)
    assert clocks.overdue(ACK_DUE) == []
    proposed = clocks.overdue(OUTCOME_DUE + timedelta(days=1))
    assert [type(c).__name__ for c in proposed] == [
        "MarkLeadAcknowledgementOverdue",
        "MarkLeadOutcomeOverdue",
    ]
    clocks.apply(ack_overdue())
    clocks.apply(outcome_overdue())
    assert clocks.overdue(OUTCOME_DUE + timedelta(days=100)) == []


def test_the_clocks_forget_answered_and_closed_leads() -> None:
    clocks = LeadClocks()
    for event in acknowledged():
        clocks.apply(event)
    assert [type(c).__name__ for c in clocks.overdue(TODAY + timedelta(days=100))] == [
        "MarkLeadOutcomeOverdue"
    ]
    clocks.apply(closed()[-1])
    assert clocks.overdue(TODAY + timedelta(days=100)) == []


# 见底清零: the round closes only when its leads are closed -------------------------------------


def test_the_round_does_not_close_while_a_lead_is_open_and_names_it() -> None:
    state = given(ROUND, *round_with_target())
    shelved_lead = given(LEAD, *shelved())
    with refused(
        InvalidTransition, "1 lead(s)", "见底清零", str(LEAD_ID), "disposed: shelved (暂存待查)"
    ):
        round.close(
            state,
            CloseRound(round_id=ROUND_ID),
            {INSPECTION_ID: "closed"},
            {LEAD_ID: shelved_lead.describe()},
        )


def test_the_round_closes_when_its_leads_are_closed() -> None:
    state = given(ROUND, *round_with_target())
    assert not given(LEAD, *closed()).is_open
    then(
        round.close(state, CloseRound(round_id=ROUND_ID), {INSPECTION_ID: "closed"}, {}, 1),
        [RoundLeadsCleared(round_id=ROUND_ID, leads_closed=1), RoundClosed(round_id=ROUND_ID)],
    )


def test_the_whole_history_folds_into_a_closed_lead() -> None:
    state = given(LEAD, *[*shelved(), disposition_event(Disposition.CONCLUDED, date(2026, 6, 1))])
    assert state.dispositions == (Disposition.SHELVED, Disposition.CONCLUDED)
    final = given(LEAD, *closed())
    assert (final.stage, final.receiver, final.clock_policy, final.outcome_due) == (
        "closed",
        JW,
        REF_V1,
        OUTCOME_DUE,
    )


LEAD_EVENTS: list[DomainEvent] = [
    *closed(),
    *fast_track_approved()[-2:],
    ack_overdue(),
    outcome_overdue(),
    disposition_event(Disposition.SHELVED),
    InspectionLeadRegistered(inspection_id=INSPECTION_ID, lead_id=LEAD_ID),
    *stationed()[:2],
]


@for_all(events=st.lists(st.sampled_from(LEAD_EVENTS), max_size=30))
def test_lead_evolve_never_raises_and_starts_at_registration(events: list[DomainEvent]) -> None:
    state = LEAD.fold(events)
    assert (state is None) == (not any(isinstance(e, LeadRegistered) for e in events))
    inspection = INSPECTION.fold(events)
    assert inspection is None or len(inspection.lead_ids) <= len(events)


def test_the_overdue_clock_is_one_of_the_timers_the_composition_root_builds() -> None:
    app = Application(cast(EventStore, None))  # the timers only keep it until they tick
    timers = make_timers(app)
    overdue = timers["lead_overdue"]
    assert isinstance(overdue, OverdueLeads)
    assert overdue.app is app
    assert [t.name for t in timers] == ["lead_overdue", "rectification_deadline_warnings"]


@pytest.mark.parametrize("version", [1, 2])
def test_older_policy_versions_read_with_the_default_lead_parameters(version: int) -> None:
    golden = GOLDEN / f"policy.version_published.v{version}.json"
    event = REGISTRY.load("policy.version_published", version, json.loads(golden.read_text()))
    assert isinstance(event, PolicyVersionPublished)
    params = event.parameters
    assert (params.lead_ack_days, params.lead_outcome_months, params.lead_routes) == (
        15,
        3,
        default_lead_routes(),
    )
    route = params.lead_route(LeadChannel.ORGANIZATION, CadreLevel.COUNTY_MANAGED)
    assert route is not None
    assert route.organization_id == "county-organization-department"

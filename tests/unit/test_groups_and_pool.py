"""Talent pool, reproducible draws, inspection groups (recusal, structure, balance, pledges,
secondment) and cross-inspection pairing: every hard rule and soft warning."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given as for_all
from hypothesis import strategies as st

from tests.unit.builders import (
    DEFAULT_POLICY,
    DEPUTY_M,
    GROUP_ID,
    INSPECTION_ID,
    JURISDICTION,
    LEADER_M,
    MEMBERS,
    OFFICE,
    OTHER_INSPECTION_ID,
    ROUND_ID,
    ROUND_PROPOSED,
    TARGET_ORG,
    actor,
    ctx,
    every_event,
    planned,
    round_approved,
    uid,
)
from tests.unit.group_builders import (
    EVERYONE,
    TARGET,
    balanced,
    cleared,
    formed,
    profile,
    proposed,
)
from tests.unit.gwt import given, refused, then
from xuncha.commands import cross, group, pool
from xuncha.commands.decision import WarningCode, warnings_of
from xuncha.commands.draw import ALGORITHM, digest, draw, verify
from xuncha.commands.errors import InvalidTransition, NotPermitted, RuleViolated
from xuncha.commands.group import INSPECTION_GROUP, LEADERSHIP_REGISTER, Known, RegisterState
from xuncha.commands.inspection import INSPECTION
from xuncha.commands.round import ROUND
from xuncha.events.base import Actor, Role
from xuncha.events.cross import CrossInspectionArranged, CrossPair
from xuncha.events.group import (
    AuthorizerKind,
    CompositionWarningRaised,
    ConflictKind,
    GroupLeadershipProposed,
    GroupRole,
    InspectionGroupFormed,
    LeaderRecorded,
    LeadershipRotationWarningRaised,
    RecusalCleared,
    SecondmentDirection,
)
from xuncha.events.pool import (
    DrawCandidate,
    DrawFilters,
    ExpertCategory,
    ExternalExpertEngaged,
    Gender,
    PoolMemberNominated,
    PoolMembersDrawn,
    Relation,
    RelativeTie,
    TalentPoolMemberEnrolled,
    WorkSpell,
)
from xuncha.events.round import RoundTargetAssigned
from xuncha.events.values import Member, RoundType

PARAMS = DEFAULT_POLICY[1]
LEADER = actor("leader-1", Role.GROUP_LEADER, "org-xcb")
M1 = actor("member-1", Role.GROUP_MEMBER, "org-audit")


def uids(*ns: int) -> list[UUID]:
    return [uid(n) for n in ns]


# Pool ----------------------------------------------------------------------------------------


def nominate_cmd(user_id: str = "p-1", **changes: Any) -> pool.NominatePoolMember:
    return pool.NominatePoolMember(
        jurisdiction_id=JURISDICTION,
        profile=profile(user_id, **changes),
        nominating_organization="org-audit",
    )


def test_nominate_records_the_profile_and_enrols_in_the_roster() -> None:
    on_member, on_roster = pool.nominate(None, nominate_cmd(), ctx(OFFICE))
    [nominated] = on_member
    assert isinstance(nominated, PoolMemberNominated)
    assert nominated.member_id == pool.pool_member_id("p-1")
    assert [e.type_name for e in on_roster] == ["talent_pool.member_enrolled"]


def test_nominate_someone_already_in_the_pool_is_refused() -> None:
    state = given(pool.POOL_MEMBER, *pool.nominate(None, nominate_cmd(), ctx(OFFICE))[0])
    with refused(InvalidTransition, "already in the talent pool"):
        pool.nominate(state, nominate_cmd(), ctx(OFFICE))


def test_nominate_with_a_birth_year_in_the_future_is_refused() -> None:
    with refused(RuleViolated, "birth_year"):
        pool.nominate(None, nominate_cmd(birth_year=2030), ctx(OFFICE))


def test_admit_suspend_readmit_and_remove() -> None:
    events = pool.nominate(None, nominate_cmd(), ctx(OFFICE))[0]
    state = given(pool.POOL_MEMBER, *events)
    mid = state.member_id
    events += pool.admit(state, pool.AdmitPoolMember(member_id=mid))
    state = given(pool.POOL_MEMBER, *events)
    with refused(InvalidTransition, "admit the pool member", "'admitted'"):
        pool.admit(state, pool.AdmitPoolMember(member_id=mid))
    events += pool.suspend(state, pool.SuspendPoolMember(member_id=mid, why="病假"))
    state = given(pool.POOL_MEMBER, *events)
    assert state.status == "suspended"
    events += pool.remove(state, pool.RemovePoolMember(member_id=mid, why="调离"))
    state = given(pool.POOL_MEMBER, *events)
    with refused(InvalidTransition, "suspend the pool member", "'removed'"):
        pool.suspend(state, pool.SuspendPoolMember(member_id=mid, why="x"))


def test_an_engaged_expert_is_external_and_available_at_once() -> None:
    cmd = pool.EngageExternalExpert(
        jurisdiction_id=JURISDICTION, profile=profile("cpa-1"), category=ExpertCategory.ACCOUNTANT
    )
    state = given(pool.POOL_MEMBER, *pool.engage_expert(None, cmd, ctx(OFFICE))[0])
    assert (state.external, state.status) == (True, "admitted")


# Draws ---------------------------------------------------------------------------------------


def cand(n: int, **changes: Any) -> DrawCandidate:
    fields: dict[str, Any] = {
        "member_id": uid(100 + n),
        "user_id": f"p-{n}",
        "specialties": ["finance"] if n % 2 else ["law"],
        "external": n == 7,
        "home_jurisdiction": "county-a" if n < 5 else "county-b",
        "organizations": [f"org-{n}"],
    }
    return DrawCandidate(**{**fields, **changes})


CANDIDATES = [cand(n) for n in range(1, 11)]


def test_draw_is_a_function_of_its_inputs_only() -> None:
    first = draw(CANDIDATES, DrawFilters(), 3, "seed-2026")
    assert first == draw(list(reversed(CANDIDATES)), DrawFilters(), 3, "seed-2026")
    assert len(set(first)) == 3
    assert first != draw(CANDIDATES, DrawFilters(), 3, "another seed")


def test_draw_applies_every_filter() -> None:
    filters = DrawFilters(
        specialties_any=["finance"],
        include_external=False,
        exclude_organizations=["org-1"],
        exclude_home_jurisdictions=["county-b"],
        exclude_user_ids=["p-3"],
    )
    assert set(draw(CANDIDATES, filters, 10, "s")) == set()  # 1 excl., 3 excl., 5+ county-b
    loose = DrawFilters(specialties_any=["finance"], exclude_home_jurisdictions=["county-b"])
    assert set(draw(CANDIDATES, loose, 10, "s")) == {uid(101), uid(103)}


def test_draw_with_an_unknown_algorithm_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown draw algorithm"):
        draw(CANDIDATES, DrawFilters(), 1, "s", "mersenne")


def members_of_pool(n: int) -> list[pool.PoolMemberState]:
    states = []
    for i in range(1, n + 1):
        events = pool.nominate(None, nominate_cmd(f"p-{i}"), ctx(OFFICE))[0]
        state = given(pool.POOL_MEMBER, *events)
        states.append(given(pool.POOL_MEMBER, *events, *pool.admit(state, _admit(state))))
    return states


def _admit(state: pool.PoolMemberState) -> pool.AdmitPoolMember:
    return pool.AdmitPoolMember(member_id=state.member_id)


def draw_cmd(**changes: Any) -> pool.DrawPoolMembers:
    fields: dict[str, Any] = {"jurisdiction_id": JURISDICTION, "count": 2, "purpose": "第一组"}
    return pool.DrawPoolMembers(**{**fields, **changes})


def test_a_recorded_draw_verifies_and_an_altered_one_does_not() -> None:
    [event] = pool.draw_members(
        members_of_pool(6), draw_cmd(), ctx(OFFICE), PARAMS, uid(90), "s-1", DrawFilters()
    )
    assert event.algorithm == ALGORITHM
    assert len(event.candidates) == 6
    assert verify(event).matches
    fewer = event.model_copy(update={"candidates": event.candidates[:-1]})
    assert not verify(fewer).matches
    assert not verify(fewer).digest_matches
    other_result = event.model_copy(update={"drawn": list(reversed(event.drawn))})
    assert (verify(other_result).digest_matches, verify(other_result).matches) == (True, False)


def test_a_draw_leaves_out_members_not_admitted_and_refuses_too_few() -> None:
    states = members_of_pool(3)
    suspended = given(
        pool.POOL_MEMBER,
        *pool.nominate(None, nominate_cmd("p-9"), ctx(OFFICE))[0],
    )
    [event] = pool.draw_members(
        [*states, suspended], draw_cmd(), ctx(OFFICE), PARAMS, uid(90), "s", DrawFilters()
    )
    assert "p-9" not in {c.user_id for c in event.candidates}
    with refused(RuleViolated, "only 3 of 3", "4 asked"):
        pool.draw_members(
            states, draw_cmd(count=4), ctx(OFFICE), PARAMS, uid(90), "s", DrawFilters()
        )


def test_digest_covers_the_candidate_attributes() -> None:
    changed = [cand(1, organizations=["org-x"]), *CANDIDATES[1:]]
    assert digest(CANDIDATES, DrawFilters(), 2, "s", ALGORITHM, 1) != digest(
        changed, DrawFilters(), 2, "s", ALGORITHM, 1
    )


# Propose leadership (三个不固定) ----------------------------------------------------------------


def propose_cmd(**changes: Any) -> group.ProposeGroupLeadership:
    fields: dict[str, Any] = {
        "round_id": ROUND_ID,
        "name": "第一巡察组",
        "inspection_ids": [INSPECTION_ID],
        "leader": LEADER_M,
        "deputies": [DEPUTY_M],
    }
    return group.ProposeGroupLeadership(**{**fields, **changes})


def round_with_inspection(round_type: RoundType = RoundType.REGULAR) -> Any:
    proposed_round = ROUND_PROPOSED.model_copy(update={"round_type": round_type})
    assigned = RoundTargetAssigned(
        round_id=ROUND_ID, inspection_id=INSPECTION_ID, organization_id=TARGET_ORG
    )
    return given(ROUND, proposed_round, *round_approved()[1:], assigned)


def inspections() -> dict[UUID, Any]:
    return {INSPECTION_ID: given(INSPECTION, *planned())}


def test_propose_records_leader_deputies_and_targets() -> None:
    events = group.propose_leadership(
        round_with_inspection(), inspections(), None, None, propose_cmd(), PARAMS, GROUP_ID
    )
    then(events, proposed())


def test_propose_for_an_inspection_of_another_round_is_refused() -> None:
    with refused(RuleViolated, "not a target of this round"):
        group.propose_leadership(
            round_with_inspection(),
            inspections(),
            None,
            None,
            propose_cmd(inspection_ids=[OTHER_INSPECTION_ID]),
            PARAMS,
            GROUP_ID,
        )


def test_propose_with_too_many_deputies_is_refused() -> None:
    deputies = [Member(user_id=f"d-{i}", name="副") for i in range(3)]
    with refused(RuleViolated, "at most 2 deputy"):
        group.propose_leadership(
            round_with_inspection(),
            inspections(),
            None,
            None,
            propose_cmd(deputies=deputies),
            PARAMS,
            GROUP_ID,
        )


def register(*rounds: tuple[int, str, str]) -> RegisterState:
    entries = [
        LeaderRecorded(
            jurisdiction_id=JURISDICTION,
            round_id=uid(500 + r),
            group_id=uid(600 + r),
            group_name=name,
            leader_user_id="leader-1",
            organization_id=org,
        )
        for r, name, org in rounds
    ]
    return given(LEADERSHIP_REGISTER, *entries)


def test_the_same_leader_for_the_same_target_recently_raises_a_warning() -> None:
    history = register((1, "第三巡察组", TARGET_ORG), (2, "第一巡察组", "org-x"))
    events = group.propose_leadership(
        round_with_inspection(), inspections(), None, history, propose_cmd(), PARAMS, GROUP_ID
    )
    warnings = [e for e in events if isinstance(e, LeadershipRotationWarningRaised)]
    assert [(w.subject, w.subject_id, w.rounds_ago) for w in warnings] == [
        ("group", "第一巡察组", 1),
        ("organization", TARGET_ORG, 2),
    ]


def test_a_pairing_older_than_the_policy_rounds_raises_no_warning() -> None:
    history = register((1, "第三巡察组", TARGET_ORG), (2, "x", "y"), (3, "x", "y"))
    events = group.propose_leadership(
        round_with_inspection(), inspections(), None, history, propose_cmd(), PARAMS, GROUP_ID
    )
    assert [type(e) for e in events] == [type(proposed()[0])]


# Recusal (回避) -------------------------------------------------------------------------------


def declare(state: Any, who: Actor = LEADER, profile_: Any = None, **data: Any) -> Any:
    cmd = group.SubmitRecusalDeclaration(group_id=GROUP_ID, **data)
    return group.submit_declaration(state, cmd, ctx(who), PARAMS, profile_)


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        ({"holds_office_in": [TARGET_ORG]}, ConflictKind.APPOINTMENT),
        (
            {"relatives": [RelativeTie(relation=Relation.SPOUSE, organization_id=TARGET_ORG)]},
            ConflictKind.RELATIVE,
        ),
        (
            {"work": [WorkSpell(organization_id=TARGET_ORG, start=date(2020, 1, 1))]},
            ConflictKind.RECENT_WORK,
        ),
    ],
    ids=["appointment", "relative", "recent_work"],
)
def test_a_declared_tie_to_a_target_is_a_conflict_that_cannot_be_cleared(
    data: dict[str, Any], kind: ConflictKind
) -> None:
    state = given(INSPECTION_GROUP, *proposed())
    [declared] = declare(state, **data)
    assert [c.kind for c in declared.conflicts] == [kind]
    state = given(INSPECTION_GROUP, *proposed(), declared)
    with refused(RuleViolated, "leader-1 cannot be cleared", kind.value):
        group.clear_recusal(state, group.ClearRecusal(group_id=GROUP_ID, user_ids=["leader-1"]))


def test_work_ended_before_the_lookback_is_no_conflict() -> None:
    old = WorkSpell(organization_id=TARGET_ORG, start=date(2010, 1, 1), end=date(2023, 5, 1))
    [declared] = declare(given(INSPECTION_GROUP, *proposed()), work=[old])
    assert declared.conflicts == []  # 36 months before 30 Jun 2026 is 30 Jun 2023


def test_ties_in_the_pool_profile_count_too() -> None:
    tied = profile("leader-1", employer_organization=TARGET_ORG)
    [declared] = declare(given(INSPECTION_GROUP, *proposed()), profile_=tied)
    assert [c.kind for c in declared.conflicts] == [ConflictKind.APPOINTMENT]


def test_home_jurisdiction_conflicts_only_in_cross_and_linked_rounds() -> None:
    regular = given(INSPECTION_GROUP, *proposed())
    assert declare(regular, home_jurisdiction=JURISDICTION)[0].conflicts == []
    linked = given(INSPECTION_GROUP, *proposed(round_type=RoundType.LINKED))
    [declared] = declare(linked, home_jurisdiction=JURISDICTION)
    assert [c.kind for c in declared.conflicts] == [ConflictKind.REGIONAL]


def test_only_a_person_in_the_group_declares_for_themselves() -> None:
    with refused(NotPermitted, "only a person in this group"):
        declare(given(INSPECTION_GROUP, *proposed()), who=M1)  # not in the group before forming


def test_clear_without_a_declaration_is_refused_and_a_clean_one_clears() -> None:
    state = given(INSPECTION_GROUP, *proposed())
    clear = group.ClearRecusal(group_id=GROUP_ID, user_ids=["leader-1"])
    with refused(RuleViolated, "has not submitted"):
        group.clear_recusal(state, clear)
    state = given(INSPECTION_GROUP, *proposed(), *declare(state))
    then(group.clear_recusal(state, clear), [RecusalCleared(group_id=GROUP_ID, user_id="leader-1")])


def test_recusing_a_member_after_formation_sends_the_group_back_to_proposed() -> None:
    state = given(INSPECTION_GROUP, *formed())
    events = group.recuse_member(
        state, group.RecuseMember(group_id=GROUP_ID, user_id="member-3", why="配偶在被巡察单位")
    )
    state = given(INSPECTION_GROUP, *formed(), *events)
    assert (state.stage, [m.user_id for m in state.members]) == (
        "proposed",
        ["member-1", "member-2"],
    )
    assert [w.code for w in warnings_of(events)] == [WarningCode.GROUP_BACK_TO_PROPOSED]
    with refused(RuleViolated, "cannot rejoin"):
        group.form_group(state, form_cmd(MEMBERS), ctx(OFFICE), 0, PARAMS, balanced())


def test_recusing_the_leader_leaves_the_group_leaderless() -> None:
    state = given(INSPECTION_GROUP, *proposed())
    events = group.recuse_member(
        state, group.RecuseMember(group_id=GROUP_ID, user_id="leader-1", why="任职回避")
    )
    assert [w.code for w in warnings_of(events)] == [WarningCode.GROUP_LEADERLESS]
    state = given(INSPECTION_GROUP, *proposed(), *events)
    with refused(InvalidTransition, "propose a new group"):
        group.form_group(state, form_cmd(), ctx(OFFICE), 0, PARAMS, {})


# Formation: structure and balance ------------------------------------------------------------


def form_cmd(members: list[Member] = MEMBERS) -> group.FormInspectionGroup:
    return group.FormInspectionGroup(group_id=GROUP_ID, members=members)


def test_form_a_balanced_group_raises_no_warning() -> None:
    state = given(INSPECTION_GROUP, *proposed())
    events = group.form_group(state, form_cmd(), ctx(OFFICE), 0, PARAMS, balanced())
    assert [type(e) for e in events] == [InspectionGroupFormed]


@pytest.mark.parametrize("size", [1, 7])
def test_form_a_group_of_a_size_outside_the_policy_is_refused(size: int) -> None:
    members = [Member(user_id=f"m-{i}", name="组员") for i in range(size)]
    with refused(RuleViolated, "5 to 8 people", f"{size + 2} given"):
        group.form_group(
            given(INSPECTION_GROUP, *proposed()), form_cmd(members), ctx(OFFICE), 0, PARAMS, {}
        )


def test_form_with_deputies_below_the_policy_minimum_is_refused() -> None:
    state = given(INSPECTION_GROUP, *proposed(deputies=[]))
    members = [*MEMBERS, Member(user_id="m-4", name="组员")]
    with refused(RuleViolated, "1 to 2 deputy leaders", "0 proposed"):
        group.form_group(state, form_cmd(members), ctx(OFFICE), 0, PARAMS, {})


def test_form_with_the_leader_also_as_member_is_refused() -> None:
    members = [*MEMBERS[:2], LEADER_M]
    with refused(RuleViolated, "more than once", "leader-1"):
        group.form_group(
            given(INSPECTION_GROUP, *proposed()), form_cmd(members), ctx(OFFICE), 0, PARAMS, {}
        )


def test_form_with_a_member_tied_to_the_target_in_the_pool_is_refused() -> None:
    known = balanced()
    known["member-2"] = Known(profile("member-2", employer_organization=TARGET_ORG), False)
    with refused(RuleViolated, "must be recused first", "member-2: appointment"):
        group.form_group(
            given(INSPECTION_GROUP, *proposed()), form_cmd(), ctx(OFFICE), 0, PARAMS, known
        )


def test_form_in_a_cross_round_with_a_member_from_the_target_county_is_refused() -> None:
    state = given(INSPECTION_GROUP, *proposed(round_type=RoundType.CROSS, home="county-a"))
    known = balanced()  # everyone's home is yulin, the targets' jurisdiction
    with refused(RuleViolated, "must be recused first", "regional"):
        group.form_group(state, form_cmd(), ctx(OFFICE), 0, PARAMS, known)


def aspects(known: dict[str, Known], **policy: Any) -> list[str]:
    params = PARAMS.model_copy(update=policy)
    state = given(INSPECTION_GROUP, *proposed())
    events = group.form_group(state, form_cmd(), ctx(OFFICE), 0, params, known)
    return [e.aspect for e in events if isinstance(e, CompositionWarningRaised)]


def with_all(**changes: Any) -> dict[str, Known]:
    return {
        u: Known(k.profile.model_copy(update=changes), k.external) for u, k in balanced().items()
    }


def test_each_composition_imbalance_raises_its_warning_and_never_refuses() -> None:
    assert aspects(with_all(gender=Gender.MALE)) == ["gender"]
    assert aspects(with_all(birth_year=1980)) == ["age"]
    assert aspects(with_all(seniority_years=2)) == ["seniority"]
    assert aspects(with_all(specialties=["finance"])) == ["specialty"]
    assert aspects(with_all(temperament="steady")) == ["temperament"]
    experts = {u: Known(k.profile, True) for u, k in balanced().items()}
    assert aspects(experts) == ["external_share"]
    partial = dict(list(balanced().items())[:4])
    assert aspects(partial) == ["profiles"]


def test_form_twice_is_refused() -> None:
    with refused(InvalidTransition, "form the group", "'formed'"):
        group.form_group(given(INSPECTION_GROUP, *formed()), form_cmd(), ctx(OFFICE), 0, PARAMS, {})


# Pledge, training ----------------------------------------------------------------------------


def test_a_member_signs_the_pledge_once_for_themselves() -> None:
    state = given(INSPECTION_GROUP, *formed())
    pledge = group.SignConfidentialityPledge(group_id=GROUP_ID, signed_on=date(2026, 2, 20))
    [signed] = group.sign_pledge(state, pledge, ctx(M1))
    with refused(InvalidTransition, "already"):
        group.sign_pledge(given(INSPECTION_GROUP, *formed(), signed), pledge, ctx(M1))
    outsider = actor("member-9", Role.GROUP_MEMBER, "org-audit")
    with refused(NotPermitted, "only a person in this group"):
        group.sign_pledge(state, pledge, ctx(outsider))
    future = group.SignConfidentialityPledge(group_id=GROUP_ID, signed_on=date(2026, 7, 1))
    with refused(RuleViolated, "signed_on", "future"):
        group.sign_pledge(state, future, ctx(M1))


def test_training_is_recorded_for_people_of_the_group_only() -> None:
    state = given(INSPECTION_GROUP, *formed())
    cmd = group.RecordPreStationingTraining(
        group_id=GROUP_ID, user_ids=["member-9"], training="巡前培训", completed_on=date(2026, 2, 1)
    )
    with refused(RuleViolated, "member-9 is not in group"):
        group.record_training(state, cmd, ctx(OFFICE))


# Secondment (市县联动) ------------------------------------------------------------------------


def second_cmd(**changes: Any) -> group.SecondInspector:
    fields: dict[str, Any] = {
        "group_id": GROUP_ID,
        "user_id": "leader-1",
        "name": "张组长",
        "direction": SecondmentDirection.CITY_TO_COUNTY,
        "role": GroupRole.LEADER,
        "home_jurisdiction": "yulin-city",
    }
    return group.SecondInspector(**{**fields, **changes})


def test_a_city_inspector_is_seconded_as_leader_of_a_county_group() -> None:
    state = given(INSPECTION_GROUP, *proposed(round_type=RoundType.LINKED))
    [event] = group.second_inspector(state, second_cmd())
    assert event.type_name == "group.inspector_seconded"


def test_a_city_inspector_is_seconded_as_leader_or_deputy_only() -> None:
    state = given(INSPECTION_GROUP, *proposed(round_type=RoundType.LINKED))
    with refused(RuleViolated, "city_to_county", "not member"):
        group.second_inspector(state, second_cmd(user_id="member-1", role=GroupRole.MEMBER))


def test_a_seconded_inspector_never_inspects_the_home_county() -> None:
    state = given(INSPECTION_GROUP, *proposed(round_type=RoundType.LINKED))
    county = second_cmd(
        user_id="c-1", direction=SecondmentDirection.COUNTY_TO_CITY, role=GroupRole.MEMBER
    )
    with refused(RuleViolated, "地域回避", JURISDICTION):
        group.second_inspector(state, county.model_copy(update={"home_jurisdiction": JURISDICTION}))


def test_secondment_is_for_linked_or_cross_rounds() -> None:
    with refused(RuleViolated, "linked or cross"):
        group.second_inspector(given(INSPECTION_GROUP, *proposed()), second_cmd())


def test_a_seconded_persons_home_makes_their_declaration_conflict() -> None:
    state = given(INSPECTION_GROUP, *proposed(round_type=RoundType.LINKED))
    seconded = group.second_inspector(
        state,
        second_cmd(user_id="deputy-1", role=GroupRole.DEPUTY, home_jurisdiction="yulin-city"),
    )
    state = given(INSPECTION_GROUP, *proposed(round_type=RoundType.LINKED), *seconded)
    deputy = actor("deputy-1", Role.DEPUTY_GROUP_LEADER, "org-xcb")
    assert declare(state, who=deputy)[0].conflicts == []


# Cross inspection (交叉互巡) ------------------------------------------------------------------


def cross_round(*inspection_ids: UUID) -> Any:
    r = round_with_inspection(RoundType.CROSS)
    more = [
        RoundTargetAssigned(round_id=ROUND_ID, inspection_id=i, organization_id=f"org-{i}")
        for i in inspection_ids
    ]
    return ROUND.fold(more, r)


def pair(a: str, b: str, ids: list[UUID], **changes: Any) -> CrossPair:
    fields: dict[str, Any] = {
        "from_jurisdiction": a,
        "to_jurisdiction": b,
        "inspection_ids": ids,
        "authorizer": AuthorizerKind.TARGET_COUNTY_COMMITTEE,
        "authorizing_committee": f"中共{b}委",
    }
    return CrossPair(**{**fields, **changes})


def arrange(pairs: list[CrossPair], **policy: Any) -> list[Any]:
    params = PARAMS.model_copy(update=policy)
    cmd = cross.ArrangeCrossInspection(round_id=ROUND_ID, pairs=pairs)
    return cross.arrange(cross_round(uid(31), uid(32)), None, cmd, params)


def test_arrange_records_the_pairs_and_authorizing_committees() -> None:
    [event] = arrange([pair("a", "b", [INSPECTION_ID]), pair("b", "c", [uid(31)])])
    assert [p.authorizing_committee for p in event.pairs] == ["中共b委", "中共c委"]


def test_a_county_never_inspects_itself() -> None:
    with refused(RuleViolated, "does not inspect itself", "a→a"):
        arrange([pair("a", "a", [INSPECTION_ID])])


def test_each_target_is_in_exactly_one_pair() -> None:
    with refused(RuleViolated, "exactly one group per round"):
        arrange([pair("a", "b", [INSPECTION_ID]), pair("c", "b", [INSPECTION_ID])])


def test_reciprocal_pairs_follow_the_policy() -> None:
    pairs = [pair("a", "b", [INSPECTION_ID]), pair("b", "a", [uid(31)])]
    with refused(RuleViolated, "reciprocal", "a⇄b"):
        arrange(pairs)
    assert len(arrange(pairs, forbid_reciprocal_cross_pairs=False)) == 1


def test_a_cross_pair_is_authorized_by_the_target_county_or_the_city() -> None:
    dispatching = pair("a", "b", [INSPECTION_ID], authorizer=AuthorizerKind.DISPATCHING_COMMITTEE)
    with refused(RuleViolated, "target county's committee or by the city committee"):
        arrange([dispatching])


def test_only_a_cross_round_is_arranged_and_only_once() -> None:
    cmd = cross.ArrangeCrossInspection(round_id=ROUND_ID, pairs=[pair("a", "b", [INSPECTION_ID])])
    with refused(RuleViolated, "only a cross round"):
        cross.arrange(round_with_inspection(), None, cmd, PARAMS)
    existing = cross.CrossState(ROUND_ID, tuple(cmd.pairs))
    with refused(InvalidTransition, "arranged already"):
        cross.arrange(cross_round(), existing, cmd, PARAMS)


def test_a_cross_group_takes_home_target_county_and_authorizer_from_its_pair() -> None:
    arrangement = cross.CrossState(
        ROUND_ID, (pair("a", "b", [INSPECTION_ID], authorizer=AuthorizerKind.CITY_COMMITTEE),)
    )
    [proposal] = group.propose_leadership(
        cross_round(), inspections(), arrangement, None, propose_cmd(), PARAMS, GROUP_ID
    )
    assert isinstance(proposal, type(proposed()[0]))
    assert (proposal.home_jurisdiction, proposal.targets[0].jurisdiction_id) == ("a", "b")
    assert proposal.authorizer == AuthorizerKind.CITY_COMMITTEE
    with refused(InvalidTransition, "arrange the cross inspection"):
        group.propose_leadership(
            cross_round(), inspections(), None, None, propose_cmd(), PARAMS, GROUP_ID
        )


def test_everyone_clean_in_the_builders() -> None:
    assert len(cleared()) == 2 * len(EVERYONE)
    assert TARGET.organization_id == TARGET_ORG


@pytest.mark.parametrize(
    ("aggregate", "first"),
    [
        (pool.POOL_MEMBER, (PoolMemberNominated, ExternalExpertEngaged)),
        (pool.TALENT_POOL, (TalentPoolMemberEnrolled,)),
        (pool.DRAW, (PoolMembersDrawn,)),
        (INSPECTION_GROUP, (GroupLeadershipProposed,)),
        (LEADERSHIP_REGISTER, (LeaderRecorded,)),
        (cross.CROSS_ARRANGEMENT, (CrossInspectionArranged,)),
    ],
    ids=lambda a: getattr(a, "name", ""),
)
@for_all(events=st.lists(st.sampled_from(every_event()), max_size=40))
def test_evolve_of_these_aggregates_never_raises(
    aggregate: Any, first: tuple[type, ...], events: list[Any]
) -> None:
    state = aggregate.fold(events)
    assert (state is None) == (not any(isinstance(e, first) for e in events))

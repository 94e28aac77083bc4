"""Given-histories of an inspection group (and pool profiles) for the water-bureau inspection
of tests/unit/builders.py: proposed, formed, and ready (everyone cleared and pledged)."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.unit.builders import (
    DEPUTY_M,
    GROUP_ID,
    INSPECTION_ID,
    JURISDICTION,
    LEADER_M,
    MEMBERS,
    ROUND_ID,
    TARGET_ORG,
)
from xuncha.commands.group import Known
from xuncha.events.base import DomainEvent
from xuncha.events.group import (
    AuthorizerKind,
    ConfidentialityPledgeSigned,
    GroupLeadershipProposed,
    GroupPerson,
    GroupRole,
    GroupTarget,
    InspectionGroupFormed,
    RecusalCleared,
    RecusalDeclared,
)
from xuncha.events.pool import Gender, InspectorProfile
from xuncha.events.values import Member, RoundType

TARGET = GroupTarget(
    inspection_id=INSPECTION_ID,
    organization_id=TARGET_ORG,
    organization_name="市水务局党组",
    jurisdiction_id=JURISDICTION,
)
EVERYONE = [LEADER_M, DEPUTY_M, *MEMBERS]
PLEDGED_ON = date(2026, 2, 20)


def proposed(
    round_type: RoundType = RoundType.REGULAR,
    target: GroupTarget = TARGET,
    home: str = JURISDICTION,
    deputies: list[Member] | None = None,
) -> list[DomainEvent]:
    return [
        GroupLeadershipProposed(
            group_id=GROUP_ID,
            round_id=ROUND_ID,
            jurisdiction_id=JURISDICTION,
            round_type=round_type,
            name="第一巡察组",
            targets=[target],
            leader=LEADER_M,
            deputies=[DEPUTY_M] if deputies is None else deputies,
            home_jurisdiction=home,
            authorizer=AuthorizerKind.DISPATCHING_COMMITTEE,
            authorizing_committee=None,
        )
    ]


def person(m: Member, role: GroupRole, external: bool = False) -> GroupPerson:
    return GroupPerson(user_id=m.user_id, name=m.name, role=role, external=external)


def formed(**proposal: Any) -> list[DomainEvent]:
    return [
        *proposed(**proposal),
        InspectionGroupFormed(
            group_id=GROUP_ID,
            leader=person(LEADER_M, GroupRole.LEADER),
            deputies=[person(DEPUTY_M, GroupRole.DEPUTY)],
            members=[person(m, GroupRole.MEMBER) for m in MEMBERS],
            policy_version=0,
        ),
    ]


def declared_clean(user_id: str) -> RecusalDeclared:
    return RecusalDeclared(
        group_id=GROUP_ID,
        user_id=user_id,
        declared_on=date(2026, 2, 15),
        holds_office_in=[],
        relatives=[],
        work=[],
        home_jurisdiction=None,
        conflicts=[],
    )


def cleared(users: list[Member] = EVERYONE) -> list[DomainEvent]:
    events: list[DomainEvent] = []
    for m in users:
        events += [declared_clean(m.user_id), RecusalCleared(group_id=GROUP_ID, user_id=m.user_id)]
    return events


def pledged(users: list[Member] = EVERYONE) -> list[DomainEvent]:
    return [
        ConfidentialityPledgeSigned(group_id=GROUP_ID, user_id=m.user_id, signed_on=PLEDGED_ON)
        for m in users
    ]


def ready() -> list[DomainEvent]:
    return [*formed(), *cleared(), *pledged()]


def profile(user_id: str, **changes: Any) -> InspectorProfile:
    fields: dict[str, Any] = {
        "user_id": user_id,
        "name": f"name of {user_id}",
        "specialties": ["finance"],
        "seniority_years": 12,
        "birth_year": 1980,
        "gender": Gender.FEMALE,
        "temperament": "steady",
        "home_jurisdiction": JURISDICTION,
        "employer_organization": "org-audit",
    }
    return InspectorProfile(**{**fields, **changes})


def balanced() -> dict[str, Known]:
    """Profiles of the five people of the group that raise no balance warning."""
    rows = [
        ("leader-1", Gender.MALE, 1970, 25, ["discipline"], "steady"),
        ("deputy-1", Gender.FEMALE, 1978, 15, ["organization"], "lively"),
        ("member-1", Gender.FEMALE, 1985, 8, ["finance"], "steady"),
        ("member-2", Gender.MALE, 1990, 5, ["law"], "lively"),
        ("member-3", Gender.MALE, 1992, 3, ["audit"], "steady"),
    ]
    return {
        u: Known(
            profile(u, gender=g, birth_year=b, seniority_years=s, specialties=sp, temperament=t),
            external=False,
        )
        for u, g, b, s, sp, t in rows
    }


def every_group_event() -> list[DomainEvent]:
    """One instance of every event type of the pool, group and cross areas."""
    from tests.unit.builders import uid
    from xuncha.commands import pool
    from xuncha.commands.draw import ALGORITHM
    from xuncha.events.cross import CrossInspectionArranged, CrossPair
    from xuncha.events.group import (
        CompositionWarningRaised,
        GroupAuthorizedForTarget,
        GroupDissolved,
        InspectorSeconded,
        LeaderRecorded,
        LeadershipRotationWarningRaised,
        MemberRecused,
        PreStationingTrainingCompleted,
        SecondmentDirection,
    )
    from xuncha.events.pool import (
        DrawFilters,
        ExpertCategory,
        ExternalExpertEngaged,
        PoolMemberAdmitted,
        PoolMemberNominated,
        PoolMemberRemoved,
        PoolMembersDrawn,
        PoolMemberSuspended,
        ServiceEvaluationIssued,
        ServiceGrade,
        TalentPoolMemberEnrolled,
    )

    mid = pool.pool_member_id("p-1")
    window = {"window_start": date(2026, 3, 1), "window_end": date(2026, 4, 30)}
    return [
        PoolMemberNominated(
            member_id=mid,
            jurisdiction_id=JURISDICTION,
            profile=profile("p-1"),
            nominating_organization="org-audit",
        ),
        ExternalExpertEngaged(
            member_id=mid,
            jurisdiction_id=JURISDICTION,
            profile=profile("p-1"),
            category=ExpertCategory.LAWYER,
            external=True,
        ),
        PoolMemberAdmitted(member_id=mid),
        PoolMemberSuspended(member_id=mid, reason="r"),
        PoolMemberRemoved(member_id=mid, reason="r"),
        ServiceEvaluationIssued(
            member_id=mid,
            user_id="p-1",
            group_id=GROUP_ID,
            grade=ServiceGrade.COMPETENT,
            text="t",
            sent_to="org-audit",
            issued_on=PLEDGED_ON,
        ),
        TalentPoolMemberEnrolled(jurisdiction_id=JURISDICTION, member_id=mid, user_id="p-1"),
        PoolMembersDrawn(
            draw_id=uid(90),
            jurisdiction_id=JURISDICTION,
            round_id=None,
            group_id=None,
            purpose="p",
            candidates=[],
            filters=DrawFilters(),
            count=1,
            seed="s",
            algorithm=ALGORITHM,
            algorithm_version=1,
            drawn=[],
            digest="d",
        ),
        *ready(),
        *cleared(),
        LeadershipRotationWarningRaised(
            group_id=GROUP_ID,
            leader_user_id="leader-1",
            subject="organization",
            subject_id=TARGET_ORG,
            previous_round_id=uid(501),
            rounds_ago=1,
            within_rounds=2,
        ),
        MemberRecused(group_id=GROUP_ID, user_id="member-3", role=GroupRole.MEMBER, reason="r"),
        CompositionWarningRaised(group_id=GROUP_ID, aspect="gender", detail="d"),
        PreStationingTrainingCompleted(
            group_id=GROUP_ID, user_ids=["leader-1"], training="t", completed_on=PLEDGED_ON
        ),
        InspectorSeconded(
            group_id=GROUP_ID,
            user_id="leader-1",
            name="张组长",
            direction=SecondmentDirection.CITY_TO_COUNTY,
            role=GroupRole.LEADER,
            home_jurisdiction="yulin-city",
        ),
        GroupAuthorizedForTarget(
            group_id=GROUP_ID,
            round_id=ROUND_ID,
            inspection_id=INSPECTION_ID,
            organization_id=TARGET_ORG,
            authorizer=AuthorizerKind.DISPATCHING_COMMITTEE,
            authorizing_committee=None,
            **window,
        ),
        GroupDissolved(group_id=GROUP_ID, dissolved_on=PLEDGED_ON, served_user_ids=["leader-1"]),
        LeaderRecorded(
            jurisdiction_id=JURISDICTION,
            round_id=ROUND_ID,
            group_id=GROUP_ID,
            group_name="第一巡察组",
            leader_user_id="leader-1",
            organization_id=TARGET_ORG,
        ),
        CrossInspectionArranged(
            round_id=ROUND_ID,
            pairs=[
                CrossPair(
                    from_jurisdiction="a",
                    to_jurisdiction="b",
                    inspection_ids=[INSPECTION_ID],
                    authorizer=AuthorizerKind.CITY_COMMITTEE,
                    authorizing_committee="中共榆林市委",
                )
            ],
            reciprocal_pairs_forbidden=True,
        ),
    ]

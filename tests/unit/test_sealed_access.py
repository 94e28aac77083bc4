"""Justified sealed reads and recorded erasures: who may read, what is recorded."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest
from pydantic import ValidationError

from tests.unit.gwt import given, refused, then
from xuncha.commands.base import Context
from xuncha.commands.errors import InvalidTransition, NotPermitted
from xuncha.commands.inspection import InspectionState
from xuncha.commands.sealed_access import (
    DATA_SUBJECT,
    SENSITIVE_ACCESS,
    ReadSealedRecord,
    RecordSubjectErasure,
    read_sealed,
    record_erasure,
)
from xuncha.events.access import SealedRecordType, SensitiveRecordAccessed, SubjectErased
from xuncha.events.base import Actor, Role
from xuncha.events.values import Member, RoundType

INSPECTION = InspectionState(
    inspection_id=uuid4(),
    round_id=uuid4(),
    jurisdiction_id="yulin",
    round_type=RoundType.REGULAR,
    organization_id="org-water-bureau",
    organization_name="水务局",
    leader=Member(user_id="leader-1", name="张组长"),
)
PETITION_ID = uuid4()
WHY = "核查信访件反映的问题线索来源"
READ = ReadSealedRecord(
    record_type=SealedRecordType.PETITION, record_id=PETITION_ID, justification=WHY
)


def ctx(user_id: str, role: Role) -> Context:
    return Context(
        datetime(2026, 3, 1, tzinfo=UTC), Actor(user_id=user_id, role=role, organization_id="o")
    )


def accessed() -> SensitiveRecordAccessed:
    return SensitiveRecordAccessed(
        record_type=SealedRecordType.PETITION,
        record_id=PETITION_ID,
        inspection_id=INSPECTION.inspection_id,
        subject_id=f"petitioner:{PETITION_ID}",
        justification=WHY,
    )


@pytest.mark.parametrize(
    ("user_id", "role"),
    [
        ("office-1", Role.INSPECTION_OFFICE),
        ("auditor-1", Role.AUDITOR),
        ("leader-1", Role.GROUP_LEADER),
    ],
)
def test_a_justified_read_is_recorded_with_who_what_and_why(user_id: str, role: Role) -> None:
    then(
        read_sealed(READ, ctx(user_id, role), INSPECTION, f"petitioner:{PETITION_ID}"), [accessed()]
    )


def test_only_the_leader_of_the_records_inspection_group_reads_it() -> None:
    with refused(NotPermitted, "only the leader of this inspection's group"):
        read_sealed(READ, ctx("leader-9", Role.GROUP_LEADER), INSPECTION, "petitioner:x")


def test_only_the_office_auditors_and_group_leaders_may_issue_sealed_reads() -> None:
    assert ReadSealedRecord.allowed_roles == {
        Role.INSPECTION_OFFICE,
        Role.AUDITOR,
        Role.GROUP_LEADER,
    }
    assert RecordSubjectErasure.allowed_roles == {Role.SYSTEM}


@pytest.mark.parametrize("justification", ["", "   ", "看看", "x" * 2001])
def test_a_read_needs_a_justification_of_ten_to_2000_characters(justification: str) -> None:
    with pytest.raises(ValidationError):
        ReadSealedRecord(
            record_type=SealedRecordType.PETITION,
            record_id=PETITION_ID,
            justification=justification,
        )


def test_reads_are_counted_on_the_records_access_stream() -> None:
    assert given(SENSITIVE_ACCESS, accessed(), accessed()).reads == 2


def test_an_erasure_is_recorded_once() -> None:
    erase = RecordSubjectErasure(subject_id="petitioner:p", why="retention period ended")
    then(
        record_erasure(None, erase),
        [SubjectErased(subject_id="petitioner:p", reason="retention period ended")],
    )
    erased = given(DATA_SUBJECT, *record_erasure(None, erase))
    with refused(InvalidTransition, "recorded already"):
        record_erasure(erased, erase)

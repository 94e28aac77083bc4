"""Handlers of justified sealed reads and of recorded erasures."""

from __future__ import annotations

from uuid import UUID

from xuncha.commands import sealed_access
from xuncha.commands.inspection import INSPECTION
from xuncha.commands.interview import INTERVIEW
from xuncha.commands.petition import PETITION
from xuncha.commands.registry import handles
from xuncha.commands.sealed_access import DATA_SUBJECT, SENSITIVE_ACCESS
from xuncha.commands.unit_of_work import UnitOfWork
from xuncha.events.access import SealedRecordType, access_stream_id, subject_stream_id
from xuncha.events.sealing import interview_subject, petition_subject


def record_of(uow: UnitOfWork, kind: SealedRecordType, record_id: UUID) -> tuple[UUID, str]:
    """The inspection a sealed record belongs to, and its data subject."""
    if kind == SealedRecordType.PETITION:
        petition = uow.get(PETITION, record_id, "petition")
        return petition.inspection_id, petition_subject(record_id)
    interview = uow.get(INTERVIEW, record_id, "interview")
    return interview.inspection_id, interview_subject(record_id)


@handles(sealed_access.ReadSealedRecord)
def read_sealed(uow: UnitOfWork, cmd: sealed_access.ReadSealedRecord) -> None:
    inspection_id, subject_id = record_of(uow, cmd.record_type, cmd.record_id)
    inspection = uow.get(INSPECTION, inspection_id, "inspection")
    events = sealed_access.read_sealed(cmd, uow.ctx, inspection, subject_id)
    uow.record(SENSITIVE_ACCESS, access_stream_id(cmd.record_id), events)


@handles(sealed_access.RecordSubjectErasure)
def record_erasure(uow: UnitOfWork, cmd: sealed_access.RecordSubjectErasure) -> None:
    stream_id = subject_stream_id(cmd.subject_id)
    state = uow.find(DATA_SUBJECT, stream_id)
    uow.record(DATA_SUBJECT, stream_id, sealed_access.record_erasure(state, cmd))

"""Justified access to sealed records, and the record of a data subject's erasure.

Reading the plaintext of a sealed record (a petition's petitioner and content, an interview's
interviewee and record) is a command: it must state a justification, is allowed to the
inspection office, auditors and the leader of the record's inspection group, and records
`audit.sensitive_record_accessed` before anything is shown. Erasing a subject
(`xuncha erase-subject`) destroys its key and records `audit.subject_erased`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, ClassVar
from uuid import UUID

from pydantic import Field

from xuncha.commands.base import Aggregate, Command, Context, require_actor
from xuncha.commands.errors import InvalidTransition, NotFound
from xuncha.commands.eventstore.store import EventStore
from xuncha.commands.handling import Registered, on
from xuncha.commands.inspection import INSPECTION, InspectionState
from xuncha.commands.interview import INTERVIEW
from xuncha.commands.petition import PETITION
from xuncha.commands.unit_of_work import UnitOfWork
from xuncha.events.access import (
    SealedRecordType,
    SensitiveRecordAccessed,
    SubjectErased,
    access_stream_id,
    subject_stream_id,
)
from xuncha.events.base import DomainEvent, Role
from xuncha.events.interview import InterviewConducted
from xuncha.events.petition import PetitionRegistered
from xuncha.events.sealing import ERASED, interview_subject, petition_subject

SEALED_READERS = frozenset({Role.INSPECTION_OFFICE, Role.AUDITOR, Role.GROUP_LEADER})
JUSTIFICATION_MIN = 10


@dataclass(frozen=True)
class AccessLog:
    record_id: UUID
    reads: int = 0


def evolve_access(state: AccessLog | None, event: DomainEvent) -> AccessLog | None:
    if isinstance(event, SensitiveRecordAccessed):
        current = state or AccessLog(event.record_id)
        return replace(current, reads=current.reads + 1)
    return state


SENSITIVE_ACCESS = Aggregate[AccessLog]("sensitive_access", evolve_access)


@dataclass(frozen=True)
class DataSubject:
    subject_id: str
    erased: bool = False


def evolve_subject(state: DataSubject | None, event: DomainEvent) -> DataSubject | None:
    if isinstance(event, SubjectErased):
        return DataSubject(event.subject_id, erased=True)
    return state


DATA_SUBJECT = Aggregate[DataSubject]("data_subject", evolve_subject)


class ReadSealedRecord(Command):
    """Read a sealed record's plaintext, for a stated reason (the read is recorded first)."""

    allowed_roles: ClassVar[frozenset[Role]] = SEALED_READERS
    record_type: SealedRecordType
    record_id: UUID
    justification: str = Field(min_length=JUSTIFICATION_MIN, max_length=2000)

    @property
    def reason(self) -> str | None:
        return self.justification


class RecordSubjectErasure(Command):
    """Record that a data subject's key was destroyed (issued by `xuncha erase-subject`)."""

    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.SYSTEM})
    subject_id: str = Field(min_length=1, max_length=200)
    why: str = Field(min_length=1, max_length=2000)

    @property
    def reason(self) -> str | None:
        return self.why


def read_sealed(
    cmd: ReadSealedRecord, ctx: Context, inspection: InspectionState, subject_id: str
) -> list[DomainEvent]:
    """`inspection`: the inspection the record belongs to."""
    if ctx.actor.role == Role.GROUP_LEADER:
        leader = inspection.leader.user_id if inspection.leader else None
        require_actor(
            leader == ctx.actor.user_id,
            "only the leader of this inspection's group may read its sealed records",
        )
    return [
        SensitiveRecordAccessed(
            record_type=cmd.record_type,
            record_id=cmd.record_id,
            inspection_id=inspection.inspection_id,
            subject_id=subject_id,
            justification=cmd.justification,
        )
    ]


def record_erasure(state: DataSubject | None, cmd: RecordSubjectErasure) -> list[DomainEvent]:
    if state is not None and state.erased:
        raise InvalidTransition(f"the erasure of {cmd.subject_id} is recorded already")
    return [SubjectErased(subject_id=cmd.subject_id, reason=cmd.why)]


@dataclass(frozen=True)
class OpenedRecord:
    """A sealed record's sealed fields as JSON data, or `"[erased]"` markers."""

    record_type: SealedRecordType
    record_id: UUID
    subject_id: str
    erased: bool
    fields: dict[str, Any]


FIRST_EVENT: dict[SealedRecordType, tuple[type[DomainEvent], Callable[[UUID], str]]] = {
    SealedRecordType.PETITION: (PetitionRegistered, petition_subject),
    SealedRecordType.INTERVIEW: (InterviewConducted, interview_subject),
}


def open_sealed(store: EventStore, kind: SealedRecordType, record_id: UUID) -> OpenedRecord:
    """Decrypt the sealed fields of a record (after `ReadSealedRecord` recorded the access)."""
    cls, subject_of = FIRST_EVENT[kind]
    stored = [s for s in store.recorder.select_events(record_id) if s.topic == cls.type_name]
    if not stored:
        raise NotFound(f"{kind.value} {record_id} does not exist")
    event = store.mapper.to_recorded_event(stored[0], unseal=True).event
    data = event.model_dump(mode="json", warnings=False)
    fields = {name: data[name] for name in sorted(cls.sealed_fields)}
    erased = all(value == ERASED for value in fields.values())
    return OpenedRecord(kind, record_id, subject_of(record_id), erased, fields)


# Handlers ------------------------------------------------------------------------------------


def record_of(uow: UnitOfWork, kind: SealedRecordType, record_id: UUID) -> tuple[UUID, str]:
    """The inspection a sealed record belongs to, and its data subject."""
    if kind == SealedRecordType.PETITION:
        petition = uow.get(PETITION, record_id, "petition")
        return petition.inspection_id, petition_subject(record_id)
    interview = uow.get(INTERVIEW, record_id, "interview")
    return interview.inspection_id, interview_subject(record_id)


def handle_read_sealed(uow: UnitOfWork, cmd: ReadSealedRecord) -> None:
    inspection_id, subject_id = record_of(uow, cmd.record_type, cmd.record_id)
    inspection = uow.get(INSPECTION, inspection_id, "inspection")
    events = read_sealed(cmd, uow.ctx, inspection, subject_id)
    uow.record(SENSITIVE_ACCESS, access_stream_id(cmd.record_id), events)


def handle_record_erasure(uow: UnitOfWork, cmd: RecordSubjectErasure) -> None:
    stream_id = subject_stream_id(cmd.subject_id)
    state = uow.find(DATA_SUBJECT, stream_id)
    uow.record(DATA_SUBJECT, stream_id, record_erasure(state, cmd))


HANDLERS: tuple[Registered, ...] = (
    on(ReadSealedRecord, handle_read_sealed),
    on(RecordSubjectErasure, handle_record_erasure),
)

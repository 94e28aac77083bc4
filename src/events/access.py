"""Audit events of sealed personal data (DOMAIN.md §7.3, Appendix A "Access audit").

Reading a sealed record is itself an audited act: `audit.sensitive_record_accessed` says who
(the metadata's actor), what (the record and its data subject) and why (the justification),
on one `sensitive_access` stream per record. `audit.subject_erased` records a crypto-shredding
(the subject's key destroyed) on one `data_subject` stream per subject. Neither carries any
of the sealed values.
"""

from __future__ import annotations

from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from xuncha.events.base import DomainEvent
from xuncha.events.registry import event


class SealedRecordType(StrEnum):
    PETITION = "petition"  # the petitioner's identity and the content
    INTERVIEW = "interview"  # the interviewee's identity and the record


def access_stream_id(record_id: UUID) -> UUID:
    return uuid5(NAMESPACE_URL, f"xuncha:sensitive-access:{record_id}")


def subject_stream_id(subject_id: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"xuncha:data-subject:{subject_id}")


@event("audit.sensitive_record_accessed")
class SensitiveRecordAccessed(DomainEvent):
    """Someone read a sealed record's plaintext, for the stated justification."""

    record_type: SealedRecordType
    record_id: UUID
    inspection_id: UUID
    subject_id: str
    justification: str


@event("audit.subject_erased")
class SubjectErased(DomainEvent):
    """The data subject's key was destroyed: its sealed fields read as "[erased]" from now on
    (the reason must not name the person)."""

    subject_id: str
    reason: str

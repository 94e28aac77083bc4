"""Sealed fields at rest: per-subject AES-GCM encryption of an event's sealed fields.

An event class lists its `sealed_fields`. When such an event is stored, the mapper takes those
fields out of the envelope's ``data`` and stores them, as one JSON object encrypted with the
key of the event's *data subject*, in the envelope's ``sealed`` member:

    {"subject": "petitioner:<petition id>", "nonce": b64, "ciphertext": b64}

The associated data binds the ciphertext to its event (event id, type, version and subject),
so a ciphertext copied onto another event does not open. Keys live outside the events (see
`commands.subject_keys`); destroying a subject's key (crypto-shredding) leaves the log, its
hash chain and every replay intact, and the sealed fields of that subject unreadable.

This module holds no key and reads no database: the `Sealer` protocol is what the mapper
calls, implemented by the key table of the write side.

Reading without unsealing (the default everywhere: aggregates, projections, the Kafka relay)
yields each sealed field as the marker ``"[sealed]"``; unsealing an erased subject's fields
yields ``"[erased]"``. Such an event is an instance of its own class (projections dispatch
on the exact type) whose sealed fields hold the marker string: the other fields are validated
by a variant of the class with string-typed sealed fields (`redacted_model`), then the event
is constructed without validation (`with_markers`). Serialize it with ``warnings=False``
(`DomainEvent.public_data` does) or pydantic warns that a field holds a string.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any, Protocol, cast
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import create_model

from xuncha.events.base import SEALED, DomainEvent, EventMetadata

ERASED = "[erased]"
"""What an unsealed field reads as once its subject's key was destroyed."""

NONCE_BYTES = 12
KEY_BYTES = 32
AAD_PREFIX = b"xuncha.sealed.v1"


class SealBroken(Exception):
    """A ciphertext does not open with its key and associated data: altered, moved to another
    event, or encrypted under another key."""


class Sealer(Protocol):
    """Encrypts and decrypts under the key of a data subject."""

    def seal(self, subject_id: str, plaintext: bytes, aad: bytes) -> tuple[bytes, bytes]:
        """Encrypt under the subject's key (created on first use): (nonce, ciphertext)."""
        ...

    def open(self, subject_id: str, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes | None:
        """Decrypt; None when the subject's key was destroyed (erased)."""
        ...


def encrypt(key: bytes, plaintext: bytes, aad: bytes) -> tuple[bytes, bytes]:
    """AES-256-GCM with a fresh random 96-bit nonce: (nonce, ciphertext with tag)."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce, AESGCM(key).encrypt(nonce, plaintext, aad)


def decrypt(key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes:
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, aad)
    except InvalidTag:
        raise SealBroken("the sealed data does not open: altered or not this event's") from None


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


# Data subjects -------------------------------------------------------------------------------
# Whose key seals an event's sealed fields. One subject per person and record: erasing the
# petitioner of one petition erases nothing else. Events with sealed fields not listed here
# are sealed under their stream (``<stream type>:<stream id>``).
SubjectRule = Callable[[Any], str]

SUBJECTS: dict[str, SubjectRule] = {
    "petition.registered": lambda e: f"petitioner:{e.petition_id}",
    "interview.conducted": lambda e: f"interviewee:{e.interview_id}",
    "lead.registered": lambda e: f"lead_subject:{e.lead_id}",
    "lead.disposition_recorded": lambda e: f"lead_subject:{e.lead_id}",
    "lead.outcome_reported": lambda e: f"lead_subject:{e.lead_id}",
    "group.recusal_declared": lambda e: f"declarant:{e.group_id}:{e.user_id}",
    "fieldwork.briefing_received": lambda e: f"briefing:{e.briefing_id}",
    "fieldwork.pre_inspection_analysis_recorded": (
        lambda e: f"key_persons:{e.inspection_id}:{e.analysis_no}"
    ),
    "fieldwork.survey_results_recorded": lambda e: f"survey:{e.survey_id}",
    "supplementary_report.drafted": lambda e: f"supplementary_report:{e.report_id}",
}


def subject_of(event: DomainEvent, metadata: EventMetadata) -> str:
    rule = SUBJECTS.get(event.type_name)
    if rule is not None:
        return rule(event)
    return f"{metadata.stream_type}:{metadata.stream_id}"


def petition_subject(petition_id: UUID) -> str:
    return f"petitioner:{petition_id}"


def interview_subject(interview_id: UUID) -> str:
    return f"interviewee:{interview_id}"


def associated_data(event_id: UUID | str, topic: str, version: int, subject_id: str) -> bytes:
    parts = [AAD_PREFIX, str(event_id).encode(), topic.encode(), str(version).encode()]
    return b"|".join([*parts, subject_id.encode()])


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def seal_fields(
    sealer: Sealer, subject_id: str, fields: Mapping[str, Any], aad: bytes
) -> dict[str, str]:
    """The envelope's ``sealed`` member for `fields` (JSON data)."""
    plaintext = json.dumps(fields, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    nonce, ciphertext = sealer.seal(subject_id, plaintext.encode(), aad)
    return {"subject": subject_id, "nonce": b64(nonce), "ciphertext": b64(ciphertext)}


def open_fields(sealer: Sealer, sealed: Mapping[str, str], aad: bytes) -> dict[str, Any] | None:
    """The sealed fields' JSON data, or None when the subject was erased."""
    plaintext = sealer.open(
        sealed["subject"], unb64(sealed["nonce"]), unb64(sealed["ciphertext"]), aad
    )
    if plaintext is None:
        return None
    return cast(dict[str, Any], json.loads(plaintext))


@cache
def redacted_model(cls: type[DomainEvent]) -> type[DomainEvent]:
    """`cls` with every sealed field typed as a string (holding a marker, never a value)."""
    fields: Any = {name: (str, ...) for name in cls.sealed_fields if name in cls.model_fields}
    model = create_model(f"{cls.__name__}Redacted", __base__=cls, **fields)
    return cast(type[DomainEvent], model)


def with_markers(cls: type[DomainEvent], validated: DomainEvent) -> DomainEvent:
    """An instance of `cls` itself holding `validated`'s values, markers included."""
    return cls.model_construct(_fields_set=validated.model_fields_set, **validated.__dict__)


def is_marker(value: Any) -> bool:
    return value in (SEALED, ERASED)

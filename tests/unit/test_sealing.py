"""Sealed fields at rest: the AES-GCM cipher, and the mapper's sealing of every event type
with sealed fields (tests/integration/test_crypto_shredding.py runs it on PostgreSQL)."""

from __future__ import annotations

import json
import warnings
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from pydantic import ValidationError

from tests.unit.builders import every_event
from xuncha.api.settings import DEVELOPMENT_KEY_ENCRYPTION_KEY, Settings
from xuncha.events import REGISTRY
from xuncha.events.base import SEALED, Actor, DomainEvent, EventMetadata, RecordedEvent, Role
from xuncha.events.mapper import EnvelopeMapper, SealingUnavailable
from xuncha.events.sealing import (
    ERASED,
    SUBJECTS,
    SealBroken,
    decrypt,
    encrypt,
    new_key,
    redacted_model,
)

SEALED_EVENTS = [e for e in every_event() if e.sealed_fields]


class KeysInMemory:
    """A `Sealer` over a dict, for the mapper alone (the real one is a PostgreSQL table)."""

    def __init__(self) -> None:
        self.keys: dict[str, bytes | None] = {}

    def seal(self, subject_id: str, plaintext: bytes, aad: bytes) -> tuple[bytes, bytes]:
        key = self.keys.setdefault(subject_id, new_key())
        assert key is not None
        return encrypt(key, plaintext, aad)

    def open(self, subject_id: str, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes | None:
        key = self.keys.get(subject_id)
        return None if key is None else decrypt(key, nonce, ciphertext, aad)


def recorded(event: DomainEvent) -> RecordedEvent:
    now, correlation = datetime(2026, 3, 1, tzinfo=UTC), uuid4()
    metadata = EventMetadata(
        event_id=uuid4(),
        stream_id=uuid4(),
        stream_type="test",
        stream_version=1,
        occurred_at=now,
        actor=Actor(user_id="u", role=Role.GROUP_MEMBER, organization_id="o"),
        command="Test",
        correlation_id=correlation,
        causation_id=correlation,
    )
    return RecordedEvent(metadata=metadata, event=event)


def strings_in(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(strings_in(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(strings_in(v) for v in value)) if value else set()
    return set()


# the cipher ----------------------------------------------------------------------------------
def test_a_ciphertext_opens_with_its_key_and_associated_data() -> None:
    key = new_key()
    nonce, ciphertext = encrypt(key, "张三 13800000000".encode(), b"event-1")
    assert "张三".encode() not in ciphertext
    assert decrypt(key, nonce, ciphertext, b"event-1").decode() == "张三 13800000000"


def test_a_tampered_ciphertext_does_not_open() -> None:
    key = new_key()
    nonce, ciphertext = encrypt(key, b"the record", b"event-1")
    tampered = bytes([ciphertext[0] ^ 1]) + ciphertext[1:]
    with pytest.raises(SealBroken):
        decrypt(key, nonce, tampered, b"event-1")


def test_a_ciphertext_does_not_open_with_other_associated_data_or_key() -> None:
    key = new_key()
    nonce, ciphertext = encrypt(key, b"the record", b"event-1")
    with pytest.raises(SealBroken):
        decrypt(key, nonce, ciphertext, b"event-2")
    with pytest.raises(SealBroken):
        decrypt(new_key(), nonce, ciphertext, b"event-1")


def test_nonces_are_fresh() -> None:
    key = new_key()
    assert encrypt(key, b"x", b"a")[0] != encrypt(key, b"x", b"a")[0]


# the mapper ----------------------------------------------------------------------------------
def test_every_event_type_with_sealed_fields_is_covered_and_names_its_data_subject() -> None:
    sealed_types = {cls.type_name for cls in REGISTRY if cls.sealed_fields}
    assert {type(e).type_name for e in SEALED_EVENTS} == sealed_types
    assert sealed_types == set(SUBJECTS), "give every sealed event type its data subject"


@pytest.mark.parametrize("event", SEALED_EVENTS, ids=lambda e: e.type_name)
def test_stored_state_holds_no_sealed_value_and_unseals_to_the_event(event: DomainEvent) -> None:
    mapper = EnvelopeMapper(sealer=KeysInMemory())
    original = recorded(event)
    stored = mapper.to_stored_event(original)
    envelope = json.loads(stored.state)
    sealed_values = strings_in({n: event.model_dump(mode="json")[n] for n in event.sealed_fields})
    public_values = strings_in(event.public_data())
    for value in sealed_values - public_values:
        assert json.dumps(value, ensure_ascii=False) not in stored.state.decode(), value
    assert set(envelope["sealed"]) == {"subject", "nonce", "ciphertext"}
    assert not set(event.sealed_fields) & set(envelope["data"])

    assert mapper.decode(stored.state, stored.topic, unseal=True) == original


@pytest.mark.parametrize("event", SEALED_EVENTS, ids=lambda e: e.type_name)
def test_without_unsealing_the_sealed_fields_read_as_markers(event: DomainEvent) -> None:
    mapper = EnvelopeMapper(sealer=KeysInMemory())
    stored = mapper.to_stored_event(recorded(event))
    for reader in (mapper, EnvelopeMapper()):  # the runner and the relay have no keys
        loaded = reader.decode(stored.state, stored.topic).event
        assert type(loaded) is type(event)  # read models dispatch on the exact type
        assert {getattr(loaded, n) for n in event.sealed_fields} == {SEALED}
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert loaded.public_data() == event.public_data()


@pytest.mark.parametrize("event", SEALED_EVENTS, ids=lambda e: e.type_name)
def test_an_erased_subject_reads_as_erased(event: DomainEvent) -> None:
    keys = KeysInMemory()
    mapper = EnvelopeMapper(sealer=keys)
    stored = mapper.to_stored_event(recorded(event))
    keys.keys = dict.fromkeys(keys.keys)  # every key destroyed
    loaded = mapper.decode(stored.state, stored.topic, unseal=True).event
    assert type(loaded) is type(event)
    assert {getattr(loaded, n) for n in event.sealed_fields} == {ERASED}
    assert loaded.public_data() == event.public_data()


def test_a_sealed_member_moved_to_another_event_does_not_open() -> None:
    mapper = EnvelopeMapper(sealer=KeysInMemory())
    event = SEALED_EVENTS[0]
    first = json.loads(mapper.to_stored_event(recorded(event)).state)
    second_stored = mapper.to_stored_event(recorded(event))
    second = json.loads(second_stored.state)
    second["sealed"] = first["sealed"]
    state = json.dumps(second).encode()
    with pytest.raises(SealBroken):
        mapper.decode(state, second_stored.topic, unseal=True)


def test_a_store_without_keys_refuses_sealed_events_but_stores_the_others() -> None:
    mapper = EnvelopeMapper()
    with pytest.raises(SealingUnavailable):
        mapper.to_stored_event(recorded(SEALED_EVENTS[0]))
    plain = next(e for e in every_event() if not e.sealed_fields)
    stored = mapper.to_stored_event(recorded(plain))
    assert "sealed" not in json.loads(stored.state)
    sealed = EnvelopeMapper(sealer=KeysInMemory()).to_stored_event(recorded(SEALED_EVENTS[0]))
    with pytest.raises(SealingUnavailable):
        EnvelopeMapper().decode(sealed.state, sealed.topic, unseal=True)


def test_events_stored_before_sealing_still_read() -> None:
    event = SEALED_EVENTS[0]
    legacy = recorded(event)
    state = json.dumps(
        {
            "version": event.schema_version,
            "metadata": legacy.metadata.model_dump(mode="json"),
            "data": event.model_dump(mode="json"),
        }
    ).encode()
    assert EnvelopeMapper().decode(state, event.type_name) == legacy


def test_the_redacted_model_validates_the_other_fields() -> None:
    cls = type(SEALED_EVENTS[0])
    redacted = redacted_model(cls)
    assert issubclass(redacted, cls)
    assert redacted_model(cls) is redacted
    data = {**SEALED_EVENTS[0].model_dump(mode="json"), **dict.fromkeys(cls.sealed_fields, SEALED)}
    redacted.model_validate(data)
    first = next(n for n in cls.model_fields if n not in cls.sealed_fields)
    with pytest.raises(ValidationError):
        redacted.model_validate({**data, first: {"not": "valid"}})


# the key-encryption key ----------------------------------------------------------------------
def test_production_refuses_a_missing_or_development_key_encryption_key() -> None:
    base = {"environment": "production", "jwt_secret": "s" * 40, "database_url": "postgresql://x"}
    with pytest.raises(ValidationError, match="XUNCHA_KEY_ENCRYPTION_KEY"):
        Settings(**base)
    with pytest.raises(ValidationError, match="XUNCHA_KEY_ENCRYPTION_KEY"):
        Settings(**base, key_encryption_key=DEVELOPMENT_KEY_ENCRYPTION_KEY)
    good = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="  # base64 of 32 bytes
    assert Settings(**base, key_encryption_key=good).kek_bytes == b"0123456789abcdef" * 2


def test_a_malformed_key_encryption_key_is_refused() -> None:
    with pytest.raises(ValidationError, match="32 bytes"):
        Settings(key_encryption_key="c2hvcnQ=")
    with pytest.raises(ValidationError, match="32 bytes"):
        Settings(key_encryption_key="not base64!")

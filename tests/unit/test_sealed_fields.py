"""Sealed fields never leave the event store: `public_data` replaces them with a marker."""

from __future__ import annotations

from typing import ClassVar

from xuncha.events.base import SEALED, DomainEvent


class Confided(DomainEvent):
    sealed_fields: ClassVar[frozenset[str]] = frozenset({"identity", "contents"})
    channel: str
    identity: str
    contents: str


def test_public_data_replaces_sealed_fields_and_keeps_the_rest() -> None:
    event = Confided(channel="letter", identity="张三", contents="举报内容")
    assert event.public_data() == {"channel": "letter", "identity": SEALED, "contents": SEALED}
    assert event.model_dump()["identity"] == "张三"

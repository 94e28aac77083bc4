"""`GET /vocabulary`: every stage, status, state, colour and category value the API shows, with
its Chinese and English label, so clients, exports and pages show 整改中, 已销号, 红色预警
rather than `in_progress` (`events/vocabulary.py`; docs/vocabulary.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from xuncha.api.http.access import readable_by
from xuncha.api.http.schemas.common import Page
from xuncha.api.http.schemas.vocabulary import LabelledValue, VocabularyEntry
from xuncha.events.base import Role
from xuncha.events.vocabulary import VOCABULARIES, Vocabulary

# Every role a token can carry (`system` never is: api/http/auth.py).
EVERY_ROLE = tuple(role for role in Role if role != Role.SYSTEM)


def _entry(vocabulary: Vocabulary) -> VocabularyEntry:
    return VocabularyEntry(
        name=vocabulary.name,
        zh=vocabulary.zh,
        en=vocabulary.en,
        values=[
            LabelledValue(value=str(member), zh=label.zh, en=label.en)
            for member in vocabulary.enum
            for label in [vocabulary.labels[str(member)]]
        ],
    )


ENTRIES = [_entry(v) for v in VOCABULARIES]
Limit = Annotated[int, Query(ge=1, le=500, description="Page size")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Rows to skip")]


def routers() -> list[APIRouter]:
    r = APIRouter(tags=["vocabulary"])

    @r.get(
        "/vocabulary",
        dependencies=[readable_by(*EVERY_ROLE)],
        summary="Stages, statuses, colours and categories with their Chinese and English labels",
    )
    def vocabulary(limit: Limit = 100, offset: Offset = 0) -> Page[VocabularyEntry]:
        items = ENTRIES[offset : offset + limit]
        return Page[VocabularyEntry](items=items, total=len(ENTRIES), limit=limit, offset=offset)

    return [r]

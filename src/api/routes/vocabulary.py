"""`GET /vocabulary`: every stage, status, state, colour and category value the API shows, with
its Chinese and English label, so clients, exports and pages show 整改中, 已销号, 红色预警
rather than `in_progress` (`events/vocabulary.py`; docs/vocabulary.md)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from api.access import readable_by
from events.base import Role
from events.vocabulary import VOCABULARIES, Vocabulary

# Every role a token can carry (`system` never is: api/auth.py).
EVERY_ROLE = tuple(role for role in Role if role != Role.SYSTEM)


class LabelledValue(BaseModel):
    """One value as stored and shown in read models, with its labels."""

    model_config = ConfigDict(frozen=True)

    value: str = Field(description="the value exactly as answers and events carry it")
    zh: str = Field(description="Chinese label (中文名称)")
    en: str = Field(description="English label")


class VocabularyEntry(BaseModel):
    """One vocabulary (e.g. `rectification_item_status`) and all its values, in order."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(description="stable name of the vocabulary")
    zh: str = Field(description="Chinese name of the vocabulary")
    en: str = Field(description="English name of the vocabulary")
    values: list[LabelledValue]


class VocabularyList(BaseModel):
    """Every vocabulary of the API; names and values are stable, labels may be reworded."""

    model_config = ConfigDict(frozen=True)

    items: list[VocabularyEntry]
    total: int = Field(description="number of vocabularies")


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


ANSWER = VocabularyList(items=[_entry(v) for v in VOCABULARIES], total=len(VOCABULARIES))


def routers() -> list[APIRouter]:
    r = APIRouter(tags=["vocabulary"])

    @r.get(
        "/vocabulary",
        response_model=VocabularyList,
        dependencies=[readable_by(*EVERY_ROLE)],
        summary="Stages, statuses, colours and categories with their Chinese and English labels",
    )
    def vocabulary() -> VocabularyList:
        return ANSWER

    return [r]

"""Answer of `api/http/routes/vocabulary.py`: the vocabularies with their labels."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from xuncha.api.http.schemas.common import Answer


class LabelledValue(Answer):
    """One value as stored and shown in read models, with its labels."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: str = Field(description="the value exactly as answers and events carry it")
    zh: str = Field(description="Chinese label (中文名称)")
    en: str = Field(description="English label")


class VocabularyEntry(Answer):
    """One vocabulary (e.g. `rectification_item_status`) and all its values, in order; names
    and values are stable, labels may be reworded."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(description="stable name of the vocabulary")
    zh: str = Field(description="Chinese name of the vocabulary")
    en: str = Field(description="English name of the vocabulary")
    values: list[LabelledValue]

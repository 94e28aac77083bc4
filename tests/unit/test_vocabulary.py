"""The vocabulary: every value of every vocabulary has a Chinese and an English label."""

from __future__ import annotations

import re
from enum import StrEnum

import pytest

from xuncha.events import vocabulary
from xuncha.events.vocabulary import VOCABULARIES, Vocabulary, label, vocabulary_of

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("vocab", VOCABULARIES, ids=lambda v: v.name)
def test_every_member_has_a_chinese_and_an_english_label(vocab: Vocabulary) -> None:
    assert set(vocab.labels) == {str(m) for m in vocab.enum}
    for member in vocab.enum:
        text = label(member)
        assert HAN.search(text.zh), (member, text)
        assert text.en[:1].isupper(), (member, text)


def test_each_vocabulary_has_its_own_labels_and_a_unique_name() -> None:
    names = [v.name for v in VOCABULARIES]
    assert len(names) == len(set(names))
    assert len({v.enum for v in VOCABULARIES}) == len(VOCABULARIES)
    for vocab in VOCABULARIES:
        assert HAN.search(vocab.zh), vocab.name
        assert vocab.en[:1].isupper(), vocab.name
        assert re.fullmatch(r"[a-z][a-z_]*", vocab.name), vocab.name


def test_every_enum_the_module_exports_is_a_vocabulary() -> None:
    exported = {
        obj
        for name in vocabulary.__all__
        if isinstance(obj := getattr(vocabulary, name), type) and issubclass(obj, StrEnum)
    }
    assert exported == {v.enum for v in VOCABULARIES}
    for enum in exported:
        assert vocabulary_of(enum).enum is enum


def test_labels_are_the_ones_pages_show() -> None:
    assert label(vocabulary.RectificationItemStatus.IN_PROGRESS).zh == "整改中"
    assert label(vocabulary.RectificationItemStatus.CLOSED).zh == "已销号"
    assert label(vocabulary.WarningLevel.RED).zh == "红色预警"
    assert vocabulary.InspectionStage.REPORT_OFFICE_REVIEWED == "report_office_reviewed"

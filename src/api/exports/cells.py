"""Cell values shared by every export format: the formula-injection guard and labels.

Text that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a
carriage return) is written with a leading `'`, in CSV and in xlsx alike; an import strips
that one quote again (`unguard`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from xuncha.events.base import Actor
from xuncha.events.vocabulary import label

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # Excel and WPS read a CSV as UTF-8 only after this mark (else as GBK)
Lang = Literal["zh", "en"]


def guard(text: str) -> str:
    """The text as a cell that no spreadsheet runs as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def unguard(text: str) -> str:
    """The text an export guarded (`guard`), as it was."""
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text


def labelled(member: StrEnum, lang: Lang) -> str:
    """A vocabulary value as its Chinese or English label."""
    found = label(member)
    return found.zh if lang == "zh" else found.en


def reader_of(actor: Actor, lang: Lang) -> str:
    """Whom a file was made for, as its title row says: the user and the role's label."""
    if lang == "zh":
        return f"{actor.user_id}（{labelled(actor.role, 'zh')}）"
    return f"{actor.user_id} ({labelled(actor.role, 'en')})"

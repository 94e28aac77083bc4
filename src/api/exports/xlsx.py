"""A streaming xlsx writer (XlsxWriter in constant-memory mode) for the ledgers offices exchange.

Each sheet has a title row (what, for whom, as of which log position), a frozen header row of
Chinese labels from the vocabulary (English with `lang="en"`), an autofilter, widths that fit
the header and the first rows, dates as dates (`yyyy"年"m"月"d"日"` in Chinese, `yyyy-mm-dd` in
English: native number formats that Excel and WPS show without conversion), rates as
percentages, the three warning colours as cell fills, vocabulary values as their labels, and
the formula-injection guard on every text cell (`cells.guard`). Rows are written one by one
and flushed to disk as they go, so memory stays flat however many rows there are; the file is
a temporary one the caller streams and removes.
"""

from __future__ import annotations

import itertools
import os
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal

import xlsxwriter

from xuncha.api.exports.cells import Lang, guard, labelled
from xuncha.events.vocabulary import WarningLevel

Kind = Literal["text", "int", "date", "datetime", "percent", "colour", "bool", "json"]
MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SAMPLE_ROWS = 200  # rows looked at for column widths
MAX_WIDTH = 60
FILLS = {WarningLevel.GREEN: "#C6EFCE", WarningLevel.YELLOW: "#FFEB9C", WarningLevel.RED: "#FFC7CE"}
DATE_FORMATS = {"zh": 'yyyy"年"m"月"d"日"', "en": "yyyy-mm-dd"}
YES_NO = {"zh": ("是", "否"), "en": ("yes", "no")}


@dataclass(frozen=True)
class Column:
    """One column: the row key it shows, its Chinese and English header, and its kind.
    A `vocabulary` column shows each value's label."""

    key: str
    zh: str
    en: str
    kind: Kind = "text"
    vocabulary: type[StrEnum] | None = None

    def header(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Sheet:
    """A sheet: its tab name, the title row's text and its columns."""

    name: str
    title: str
    columns: Sequence[Column]
    rows: Iterable[Mapping[str, Any]] = field(default=())


def display_width(text: str) -> int:
    """Columns a text takes: two for a wide (CJK) character, one otherwise."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


class _Formats:
    def __init__(self, book: Any, lang: Lang) -> None:
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.header = book.add_format(
            {"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True}
        )
        self.date = book.add_format({"num_format": DATE_FORMATS[lang]})
        self.datetime = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        self.percent = book.add_format({"num_format": "0.0%"})
        self.fills = {c: book.add_format({"bg_color": fill}) for c, fill in FILLS.items()}


def cell_text(column: Column, value: Any, lang: Lang) -> str:
    """The text a value shows as (for widths, and for values that are not numbers or dates)."""
    if value is None:
        return ""
    if column.vocabulary is not None:
        try:
            return labelled(column.vocabulary(str(value)), lang)
        except (ValueError, KeyError):
            return str(value)
    if column.kind == "bool":
        yes, no = YES_NO[lang]
        return yes if value else no
    if column.kind == "percent" and isinstance(value, int | float):
        return f"{value:.1%}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _write(
    ws: Any, formats: _Formats, row: int, col: int, column: Column, value: Any, lang: Lang
) -> None:
    if value is None:
        return
    if column.kind == "date" and isinstance(value, date | str):
        day = date.fromisoformat(value[:10]) if isinstance(value, str) else value
        ws.write_datetime(row, col, datetime(day.year, day.month, day.day), formats.date)
    elif column.kind == "datetime" and isinstance(value, datetime | str):
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        ws.write_datetime(row, col, moment.replace(tzinfo=None), formats.datetime)
    elif (
        column.kind in ("int", "percent")
        and isinstance(value, int | float)
        and not isinstance(value, bool)
    ):
        ws.write_number(row, col, value, formats.percent if column.kind == "percent" else None)
    elif column.kind == "colour":
        fill = formats.fills.get(WarningLevel(value)) if value in FILLS else None
        ws.write_string(row, col, cell_text(column, value, lang), fill)
    else:
        ws.write_string(row, col, guard(cell_text(column, value, lang)))


def _widths(sheet: Sheet, sample: Sequence[Mapping[str, Any]], lang: Lang) -> list[int]:
    widths = []
    for column in sheet.columns:
        texts = [column.header(lang)] + [cell_text(column, r.get(column.key), lang) for r in sample]
        fitted = max(display_width(t) for t in texts) + 2
        if column.kind in ("date", "datetime"):
            fitted = max(fitted, 20 if column.kind == "datetime" else 16)
        widths.append(min(fitted, MAX_WIDTH))
    return widths


def _sheet(book: Any, formats: _Formats, sheet: Sheet, lang: Lang) -> int:
    ws = book.add_worksheet(sheet.name[:31])
    rows: Iterator[Mapping[str, Any]] = iter(sheet.rows)
    sample = list(itertools.islice(rows, SAMPLE_ROWS))
    for n, width in enumerate(_widths(sheet, sample, lang)):
        ws.set_column(n, n, width)
    last_col = len(sheet.columns) - 1
    ws.write_string(0, 0, guard(sheet.title), formats.title)  # row 0: what, whose, as of
    for n, column in enumerate(sheet.columns):
        ws.write_string(1, n, column.header(lang), formats.header)
    ws.freeze_panes(2, 0)
    count = 0
    for count, record in enumerate(itertools.chain(sample, rows), start=1):
        for n, column in enumerate(sheet.columns):
            _write(ws, formats, 1 + count, n, column, record.get(column.key), lang)
    ws.autofilter(1, 0, 1 + count, last_col)
    return count


def write_workbook(sheets: Sequence[Sheet], lang: Lang = "zh") -> tuple[str, int]:
    """Write the sheets to a new temporary .xlsx; its path and the rows written (all sheets).
    The caller removes the file (`stream_file`)."""
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="xuncha-export-")
    os.close(handle)
    book = xlsxwriter.Workbook(
        path,
        {"constant_memory": True, "tmpdir": tempfile.gettempdir(), "strings_to_formulas": False},
    )
    try:
        formats = _Formats(book, lang)
        rows = sum(_sheet(book, formats, sheet, lang) for sheet in sheets)
    finally:
        book.close()
    return path, rows


def stream_file(path: str, chunk: int = 64 * 1024) -> Iterator[bytes]:
    """A temporary file's bytes in chunks; the file is removed at the end (or on abort)."""
    try:
        with open(path, "rb") as f:
            while data := f.read(chunk):
                yield data
    finally:
        os.unlink(path)

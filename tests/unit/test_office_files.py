"""The office-file edges without a database: the formula guard, widths, the writer's layout,
and the import reader's checks on workbooks built in memory."""

from __future__ import annotations

import io
import os
import zipfile
from datetime import date

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xuncha.api.exports.cells import FORMULA_START, guard, unguard
from xuncha.api.exports.docx_writer import chinese_date
from xuncha.api.exports.ledger_import import parse
from xuncha.api.exports.ledgers import THREE_LISTS
from xuncha.api.exports.xlsx import Sheet, display_width, write_workbook
from xuncha.api.http.errors import FileRefused


@given(st.text())
def test_guard_then_unguard_gives_the_text_back_and_never_a_formula(text: str) -> None:
    guarded = guard(text)
    assert unguard(guarded) == text
    assert not guarded.startswith(FORMULA_START)


def test_wide_characters_count_twice() -> None:
    assert display_width("整改abc") == 7


def test_dates_are_written_as_offices_write_them() -> None:
    assert chinese_date(date(2026, 3, 5)) == "2026年3月5日"


def written(rows: list[dict[str, object]]) -> bytes:
    path, count = write_workbook([Sheet("三清单", "title", THREE_LISTS, rows)])
    try:
        assert count == len(rows)
        with open(path, "rb") as f:
            return f.read()
    finally:
        os.unlink(path)


def test_the_export_layout_reads_back_as_plan_items() -> None:
    row = {
        "ledger_item_no": 2,
        "problem": "问题",
        "measures": "-减少审批环节",  # would start a formula: guarded, then read back as it was
        "responsible_leader": "局长",
        "responsible_department": "办公室",
        "deadline": "2027-01-04",
    }
    parsed = parse(written([row]))
    (item,) = parsed.items
    assert (item.ledger_item_no, item.measures, item.deadline) == (
        2,
        "-减少审批环节",
        date(2027, 1, 4),
    )
    assert parsed.rows == [3]  # title row 1, headers row 2


def test_an_empty_workbook_without_headers_is_refused() -> None:
    out = io.BytesIO()
    openpyxl.Workbook().save(out)
    with pytest.raises(FileRefused) as refused:
        parse(out.getvalue())
    assert (refused.value.status, refused.value.code) == (422, "no_header_row")


def test_headers_without_rows_say_there_are_no_items() -> None:
    with pytest.raises(FileRefused) as refused:
        parse(written([]))
    assert [e["en"] for e in refused.value.errors] == ["the sheet holds no items"]


def test_entity_declarations_in_a_sheet_are_refused() -> None:
    """An XML entity bomb (billion laughs) inside a sheet: the parser refuses the DTD."""
    row = {"ledger_item_no": 1, "measures": "m", "responsible_leader": "l"}
    data = written([{**row, "responsible_department": "d", "deadline": "2027-01-04"}])
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as bomb:
        for name in source.namelist():
            text = laughs.encode() if name == "xl/worksheets/sheet1.xml" else source.read(name)
            bomb.writestr(name, text)
    with pytest.raises(FileRefused) as refused:
        parse(out.getvalue())
    assert refused.value.code == "malformed_workbook"

"""Reading a 三清单/整改台账 workbook into plan items, refusing what is unsafe or wrong.

The container is checked before anything parses it: an OLE compound file (a password-
protected workbook, or a legacy .xls) and a workbook carrying macros (`vbaProject.bin`, a
macro-enabled content type) are refused (415); a zip whose members would inflate beyond
`MAX_UNCOMPRESSED`, or at a ratio beyond `MAX_RATIO`, is refused before a byte is inflated
(413); a file that is not an xlsx zip is malformed (422). Then the first sheet is read in
read-only mode: more than `MAX_SHEET_ROWS` rows or `MAX_COLUMNS` columns is refused at once
(413), and every row is checked, the whole file before anything is appended: formulas, merged
cells, wrong types, dates written as text, missing values, each reported with its row,
column and what is wrong in Chinese and English (422).

The header row is found among the first rows by its labels (Chinese or English, with or
without the list named in brackets), so both the export's layout (title row, then headers)
and a bare template (headers first) are read; unknown columns are ignored.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter
from pydantic import ValidationError

from xuncha.api.exports.cells import unguard
from xuncha.api.http.errors import FileRefused
from xuncha.events.values import PlanItem

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_UNCOMPRESSED = 40 * 1024 * 1024
MAX_RATIO = 100  # a real sheet compresses ~10:1; a bomb, by thousands
MAX_MEMBERS = 500
MAX_SHEET_ROWS = 1000
MAX_COLUMNS = 50
MAX_ITEMS = 200  # SubmitRectificationPlan's bound
HEADER_SEARCH = 10
MERGE = re.compile(rb'<mergeCell\s+ref="([A-Z]+)(\d+)(?::[A-Z]+\d+)?"')

# Each field and the header labels that name it (compared without brackets and case).
HEADERS: dict[str, tuple[str, ...]] = {
    "ledger_item_no": ("序号", "问题序号", "no.", "no"),
    "measures": ("整改措施", "measures"),
    "responsible_leader": ("责任领导", "responsible leader"),
    "responsible_department": ("责任部门", "responsible department"),
    "deadline": ("完成时限", "整改时限", "deadline"),
}
LABELS = {
    "ledger_item_no": ("序号", "No."),
    "measures": ("整改措施", "Measures"),
    "responsible_leader": ("责任领导", "Responsible leader"),
    "responsible_department": ("责任部门", "Responsible department"),
    "deadline": ("完成时限", "Deadline"),
}


@dataclass(frozen=True)
class ParsedLedger:
    """The plan items of a workbook, the sheet rows they came from and the file's hash."""

    items: list[PlanItem]
    rows: list[int]
    sha256: str


def problem(row: int, column: str, zh: str, en: str, field: str | None = None) -> dict[str, Any]:
    return {"row": row, "column": column, "field": field, "zh": zh, "en": en}


def check_container(data: bytes) -> None:
    """Refuse an encrypted, macro-carrying, bomb-like or non-xlsx file before parsing it."""
    if len(data) > MAX_FILE_BYTES:
        raise FileRefused(413, "file_too_large", f"the file exceeds {MAX_FILE_BYTES} bytes")
    if data.startswith(OLE_MAGIC):
        raise FileRefused(
            415,
            "encrypted_or_legacy_workbook",
            "this is an OLE container: a password-protected (encrypted) workbook or a legacy "
            ".xls (受密码保护或旧版 .xls 工作簿); save it as an unprotected .xlsx",
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise FileRefused(
            422, "not_a_workbook", f"not an .xlsx workbook (不是 .xlsx 工作簿): {error}"
        ) from None
    _check_members(archive, members)


def _check_members(archive: zipfile.ZipFile, members: Sequence[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_MEMBERS:
        raise FileRefused(413, "too_many_parts", f"the workbook has over {MAX_MEMBERS} parts")
    total = sum(m.file_size for m in members)
    if total > MAX_UNCOMPRESSED or any(
        m.file_size > 1024 * 1024 and m.file_size > MAX_RATIO * max(m.compress_size, 1)
        for m in members
    ):
        raise FileRefused(
            413,
            "zip_bomb",
            f"the workbook would inflate to {total} bytes or at a suspicious ratio "
            f"(解压后过大，疑似压缩炸弹); the limit is {MAX_UNCOMPRESSED} bytes",
        )
    names = {m.filename.lower() for m in members}
    if any(m.flag_bits & 0x1 for m in members):
        raise FileRefused(415, "encrypted_workbook", "the workbook's parts are encrypted")
    types = archive.read("[Content_Types].xml") if "[content_types].xml" in names else b""
    if any("vbaproject" in n for n in names) or b"macroEnabled" in types:
        raise FileRefused(
            415,
            "workbook_with_macros",
            "the workbook carries macros (含宏的工作簿, .xlsm/vbaProject.bin); save it as .xlsx",
        )
    if "xl/workbook.xml" not in names:
        raise FileRefused(422, "not_a_workbook", "not an .xlsx workbook: no xl/workbook.xml")


def _merged(data: bytes) -> list[dict[str, Any]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        first = sorted(sheets, key=lambda n: (len(n), n))[:1]
        found = [m for n in first for m in MERGE.finditer(archive.read(n))]
    return [
        problem(
            int(m.group(2)),
            m.group(1).decode(),
            "合并单元格：请取消合并，每行填写完整",
            "merged cells: unmerge them and fill every row",
        )
        for m in found
    ]


def _norm(value: Any) -> str:
    text = str(value or "").strip().lower()
    return re.split(r"[（(]", text, maxsplit=1)[0].strip()


def _columns(row: Sequence[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, value in enumerate(row):
        name = _norm(value)
        for key, labels in HEADERS.items():
            if name in labels and key not in found:
                found[key] = index
    return found


def _rows(ws: Any) -> Iterator[tuple[int, list[Any]]]:
    for number, cells in enumerate(ws.iter_rows(max_col=MAX_COLUMNS), start=1):
        if number > MAX_SHEET_ROWS:
            raise FileRefused(
                413,
                "sheet_too_large",
                f"the sheet has more than {MAX_SHEET_ROWS} rows (行数过多); a plan holds at most "
                f"{MAX_ITEMS} items",
            )
        yield number, list(cells)


def _value(cell: Any, index: int, key: str, row: int, errors: list[dict[str, Any]]) -> Any:
    column = get_column_letter(index + 1)
    zh_name, en_name = LABELS[key]
    value = cell.value

    def wrong(zh: str, en: str) -> None:
        errors.append(problem(row, column, f"{zh_name}：{zh}", f"{en_name}: {en}", key))

    if getattr(cell, "data_type", None) == "f" or (
        isinstance(value, str) and value.startswith("=")
    ):
        wrong("单元格含公式，请填写数值", "the cell holds a formula; enter the value")
        return None
    if value is None or (isinstance(value, str) and not value.strip()):
        wrong("不能为空", "is empty")
        return None
    if key == "ledger_item_no":
        if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
            wrong("应为正整数（数字格式）", f"expected a whole number, got {value!r}")
            return None
        return int(value)
    if key == "deadline":
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            wrong("日期写成了文本，请设为日期格式", f"a date written as text ({value!r})")
        else:
            wrong("应为日期", f"expected a date, got {value!r}")
        return None
    if not isinstance(value, str):
        wrong("应为文本", f"expected text, got {value!r}")
        return None
    return unguard(value.strip())


def _item(values: dict[str, Any], row: int, columns: dict[str, int], errors: list[Any]) -> Any:
    try:
        return PlanItem.model_validate(values)
    except ValidationError as error:
        for e in error.errors(include_url=False):
            key = str(e["loc"][0])
            zh_name, en_name = LABELS.get(key, (key, key))
            column = get_column_letter(columns[key] + 1) if key in columns else "?"
            errors.append(
                problem(row, column, f"{zh_name}：超出允许范围", f"{en_name}: {e['msg']}", key)
            )
        return None


def parse(data: bytes) -> ParsedLedger:
    """The plan items of a workbook, or `FileRefused` listing every problem found."""
    check_container(data)
    errors = _merged(data)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds on a malformed part
        raise FileRefused(
            422, "malformed_workbook", f"the workbook cannot be read (无法读取): {error}"
        ) from None
    try:
        items, rows = _read(book.worksheets[0] if book.worksheets else None, errors)
    finally:
        book.close()
    if errors:
        raise FileRefused(
            422,
            "invalid_rows",
            f"{len(errors)} problem(s) in the workbook; nothing was imported (未导入任何内容)",
            errors,
        )
    return ParsedLedger(items, rows, hashlib.sha256(data).hexdigest())


def _read(ws: Any, errors: list[dict[str, Any]]) -> tuple[list[PlanItem], list[int]]:
    if ws is None:
        raise FileRefused(422, "no_sheet", "the workbook has no worksheet")
    if (ws.max_row or 0) > MAX_SHEET_ROWS or (ws.max_column or 0) > MAX_COLUMNS:
        raise FileRefused(
            413,
            "sheet_too_large",
            f"the sheet spans {ws.max_row} rows × {ws.max_column} columns; the limit is "
            f"{MAX_SHEET_ROWS} × {MAX_COLUMNS} (工作表过大)",
        )
    columns: dict[str, int] | None = None
    items: list[PlanItem] = []
    rows: list[int] = []
    for number, cells in _rows(ws):
        if columns is None:
            found = _columns([c.value for c in cells])
            if "ledger_item_no" in found and len(found) > 1:
                columns = found
                _missing(found, number, errors)
            elif number >= HEADER_SEARCH:
                raise _no_header()
            continue
        if all(c.value is None or str(c.value).strip() == "" for c in cells):
            continue  # blank rows between items are common
        item = _row(cells, number, columns, errors)
        if item is not None:
            items.append(item)
            rows.append(number)
    if columns is None:  # a short sheet without headers, or none at all
        raise _no_header()
    if not items and not errors:
        errors.append(problem(3, "A", "没有任何整改事项", "the sheet holds no items"))
    if len(items) > MAX_ITEMS:
        errors.append(
            problem(rows[MAX_ITEMS], "A", f"最多 {MAX_ITEMS} 项", f"at most {MAX_ITEMS} items")
        )
    return items, rows


def _no_header() -> FileRefused:
    return FileRefused(
        422,
        "no_header_row",
        "no header row (序号, 整改措施, 责任领导, 责任部门, 完成时限) in the first "
        f"{HEADER_SEARCH} rows",
        [problem(1, "A", "未找到表头行", "no header row found")],
    )


def _missing(columns: dict[str, int], row: int, errors: list[dict[str, Any]]) -> None:
    for key in HEADERS:
        if key not in columns:
            zh, en = LABELS[key]
            errors.append(problem(row, "?", f"缺少“{zh}”列", f"the column {en} is missing", key))


def _row(
    cells: list[Any], number: int, columns: dict[str, int], errors: list[dict[str, Any]]
) -> PlanItem | None:
    before = len(errors)
    values: dict[str, Any] = {}
    for key, index in columns.items():
        if index < len(cells):
            values[key] = _value(cells[index], index, key, number, errors)
        else:
            zh, en = LABELS[key]
            column = get_column_letter(index + 1)
            errors.append(problem(number, column, f"{zh}：不能为空", f"{en}: is empty", key))
    if len(errors) > before or len(values) < len(HEADERS):
        return None
    item: PlanItem | None = _item(values, number, columns, errors)
    return item

"""A Word (.docx) writer in the layout of Party and government documents (GB/T 9704-2012).

A4 with the standard margins (top 37 mm, bottom 35 mm, left 28 mm, right 26 mm); the title
in 方正小标宋简体 二号 (22 pt), centred; 主送 flush left; the body in 仿宋_GB2312 三号 (16 pt),
first line indented two characters, lines at a fixed 28 pt; first-level headings in 黑体,
second-level in 楷体_GB2312; tables in 仿宋_GB2312 四号; the 落款 (issuing body) and the date
(`2026年3月5日`) right-aligned. Fonts are named as offices install them and set for East
Asian text (`w:eastAsia`), where Word looks for Chinese glyphs. The footer names the record,
the log position the document was generated from and a content hash.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
SIZE_2 = Pt(22)  # 二号
SIZE_3 = Pt(16)  # 三号
SIZE_4 = Pt(14)  # 四号
SIZE_FOOTER = Pt(10.5)  # 五号


def chinese_date(day: date) -> str:
    """The date as documents write it: 2026年3月5日."""
    return f"{day.year}年{day.month}月{day.day}日"


def _font(run: object, name: str, size: Pt, *, bold: bool = False) -> None:
    font = run.font  # type: ignore[attr-defined]
    font.name = name
    font.size = size
    font.bold = bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()  # type: ignore[attr-defined]
    fonts.set(qn("w:eastAsia"), name)


class OfficialDocument:
    """One document, built top to bottom: title, 主送, body, tables, 落款, footer."""

    def __init__(self) -> None:
        self.doc = Document()
        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        normal = self.doc.styles["Normal"]
        _font(normal, BODY_FONT, SIZE_3)

    def _paragraph(self, align: WD_ALIGN_PARAGRAPH | None = None, indent: bool = False) -> Any:
        p = self.doc.add_paragraph()
        fmt = p.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(28)
        fmt.space_before = fmt.space_after = Pt(0)
        if indent:
            fmt.first_line_indent = Pt(32)  # two characters of 三号
        if align is not None:
            p.alignment = align
        return p

    def _text(
        self, text: str, font: str, size: Pt, align: WD_ALIGN_PARAGRAPH | None = None, **kw: bool
    ) -> None:
        p = self._paragraph(align, indent=kw.pop("indent", False))
        _font(p.add_run(text), font, size, **kw)

    def title(self, text: str) -> None:
        self._text(text, TITLE_FONT, SIZE_2, WD_ALIGN_PARAGRAPH.CENTER)
        self._paragraph()

    def addressee(self, text: str) -> None:
        """主送机关, flush left, ending with a full-width colon."""
        self._text(text.rstrip("：:") + "：", BODY_FONT, SIZE_3)

    def body(self, text: str) -> None:
        for line in [t for t in text.splitlines() if t.strip()] or [""]:
            self._text(line.strip(), BODY_FONT, SIZE_3, indent=True)

    def heading(self, text: str, level: int = 1) -> None:
        font = HEADING_FONT if level == 1 else SUBHEADING_FONT
        self._text(text, font, SIZE_3, indent=True)

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        table = self.doc.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text in zip(table.rows[0].cells, headers, strict=True):
            _font(cell.paragraphs[0].add_run(text), HEADING_FONT, SIZE_4)
        for row in rows:
            cells = table.add_row().cells
            for cell, text in zip(cells, row, strict=True):
                _font(cell.paragraphs[0].add_run(text), BODY_FONT, SIZE_4)
        self._paragraph()

    def signature(self, issuer: str, day: date | None) -> None:
        """落款 and 成文日期, right-aligned."""
        self._paragraph()
        self._text(issuer, BODY_FONT, SIZE_3, WD_ALIGN_PARAGRAPH.RIGHT)
        shown = chinese_date(day) if day else "    年  月  日"
        self._text(shown, BODY_FONT, SIZE_3, WD_ALIGN_PARAGRAPH.RIGHT)

    def footer(self, text: str) -> None:
        p = self.doc.sections[0].footer.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(p.add_run(text), BODY_FONT, SIZE_FOOTER)

    def save(self) -> bytes:
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()

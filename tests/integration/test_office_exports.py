"""Spreadsheet exports on the real PostgreSQL: every .xlsx read back with openpyxl equals the
API's JSON answer for the same reader; titles, frozen header, filters, dates, percentages and
colours; every export is recorded; the audit CSV carries a byte-order mark unless turned off."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

import openpyxl
import pytest

from tests.support.api import DISCIPLINE, LEADER, OFFICE, PRINCIPAL, Api, Who
from tests.support.lifecycle import Lifecycle
from xuncha.events.base import Role

AUDITOR = Who("auditor-1", Role.AUDITOR, "org-audit-office")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def fetch(api: Api, path: str, who: Who = OFFICE, **params: Any) -> tuple[Any, Any]:
    params.setdefault("min_position", api.position)
    response = api.client.get(path, params=params, headers=api.headers(who))
    assert response.status_code == 200, (path, response.status_code, response.text)
    assert response.headers["content-type"] == XLSX
    return response, openpyxl.load_workbook(io.BytesIO(response.content))


def table(book: Any) -> tuple[str, list[str], list[list[Any]]]:
    """The title, the headers and the data rows of the first sheet."""
    ws = book.worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    return str(rows[0][0]), [str(h) for h in rows[1]], rows[2:]


def records(book: Any, keys: list[str]) -> list[dict[str, Any]]:
    _, _, rows = table(book)
    return [dict(zip(keys, row, strict=True)) for row in rows]


def as_day(value: Any) -> str | None:
    if value is None:
        return None
    assert isinstance(value, datetime), value  # a real date cell, not text
    return value.date().isoformat()


@pytest.fixture
def life(api: Api) -> Lifecycle:
    life = Lifecycle(api)
    life.to_rectifying()
    return life


def test_three_lists_equal_the_plan_record(api: Api, life: Lifecycle) -> None:
    plan = api.get(f"{life.at}/rectification-plan", who=PRINCIPAL)
    response, book = fetch(api, f"{life.at}/rectification-plan/three-lists.xlsx", who=PRINCIPAL)
    title, headers, _ = table(book)
    assert headers[:2] == ["序号", "问题（问题清单）"]
    assert "整改三清单" in title
    assert "principal-1" in title
    assert "截至日志位置" in title
    keys = ["no", "problem", "measures", "leader", "department", "deadline"]
    shown = records(book, keys)
    items = plan["versions"][-1]["items"]
    problems = {p["ledger_item_no"]: p["problem"] for p in plan["problem_list"]}
    assert [
        (r["no"], r["problem"], r["measures"], r["leader"], r["department"], as_day(r["deadline"]))
        for r in shown
    ] == [
        (
            i["ledger_item_no"],
            problems[i["ledger_item_no"]],
            i["measures"],
            i["responsible_leader"],
            i["responsible_department"],
            i["deadline"],
        )
        for i in items
    ]
    ws = book.worksheets[0]
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref == f"A2:F{2 + len(items)}"
    assert ws.cell(3, 6).number_format == 'yyyy"年"m"月"d"日"'
    assert int(response.headers["x-export-rows"]) == len(items)


def test_problem_ledger_equals_the_feedback_record_in_english(api: Api, life: Lifecycle) -> None:
    feedback = api.get(f"{life.at}/feedback", who=OFFICE)
    _, book = fetch(api, f"{life.at}/feedback/problem-ledger.xlsx", lang="en")
    title, headers, rows = table(book)
    assert headers == ["No.", "Problem", "Findings"]
    assert title.startswith("Problem ledger")
    assert "as of log position" in title
    assert rows == [
        [i["item_no"], i["problem"], ", ".join(i["finding_ids"])] for i in feedback["ledger"]
    ]


def test_rectification_ledger_equals_the_items_with_labels_and_percentages(
    api: Api, life: Lifecycle
) -> None:
    at = f"/rectification-items/{life.item_ids[0]}"
    api.command(f"{at}/progress", {"percent": 60, "note": "已重新招标"}, PRINCIPAL)
    items = api.get("/rectification-items", who=OFFICE, inspection_id=life.inspection_id)["items"]
    _, book = fetch(api, "/exports/rectification-ledger.xlsx", inspection_id=life.inspection_id)
    _, headers, rows = table(book)
    assert headers[7:10] == ["整改状态", "完成进度", "三色预警"]
    assert [(r[0], r[2], r[3], as_day(r[6]), r[7], r[8], r[12]) for r in rows] == [
        (
            i["ledger_item_no"],
            i["problem"],
            i["measures"],
            i["deadline"],
            "整改中",
            i["percent"] / 100,
            i["item_id"],
        )
        for i in items
    ]
    ws = book.worksheets[0]
    assert ws.cell(3, 9).number_format == "0.0%"


def test_every_export_is_recorded_with_what_filters_position_and_rows(
    api: Api, life: Lifecycle
) -> None:
    before = api.event_count()
    response, _ = fetch(
        api, "/exports/rectification-ledger.xlsx", overdue="false", justification="月度通报"
    )
    assert api.event_count() == before + 1
    trail = api.get(
        "/audit-trail",
        who=AUDITOR,
        type="audit.export_performed",
        min_position=api.event_count(),
    )["items"]
    (recorded,) = [e for e in trail if e["stream_id"] == response.headers["x-export-id"]]
    data = recorded["data"]
    assert data["what"] == "rectification_ledger"
    assert (data["format"], data["channel"], data["rows"]) == ("xlsx", "http", 1)
    assert data["parameters"]["overdue"] == "False"
    assert data["filters"]["up_to_position"] == int(response.headers["x-export-up-to-position"])
    assert data["justification"] == "月度通报"
    assert recorded["actor_user_id"] == OFFICE.user_id


def test_audit_trail_as_xlsx_and_csv_with_and_without_bom(api: Api, life: Lifecycle) -> None:
    trail = api.get("/audit-trail", who=AUDITOR, inspection_id=life.inspection_id, limit=500)[
        "items"
    ]
    params = {"inspection_id": life.inspection_id}
    _, book = fetch(api, "/audit-trail/export", who=AUDITOR, format="xlsx", **params)
    title, headers, rows = table(book)
    assert "审计日志" in title
    assert "导出给 auditor-1（审计人员）" in title  # whom the file was made for
    assert "截至日志位置" in title
    assert headers[0] == "日志位置"
    assert headers[5] == "事件类型"
    assert [(r[0], r[5]) for r in rows] == [(e["position"], e["type"]) for e in trail]
    assert all(isinstance(r[7], datetime) for r in rows)
    for bom, start in (("true", "\ufeffposition"), ("false", "position")):
        response = api.client.get(
            "/audit-trail/export",
            params={"format": "csv", "bom": bom, **params},
            headers=api.headers(AUDITOR),
        )
        assert response.content.decode("utf-8").startswith(start)


def test_text_that_looks_like_a_formula_is_guarded(api: Api) -> None:
    life = Lifecycle(api)
    life.to_report_approved()
    problem = '=HYPERLINK("http://x")'
    ledger = [{"item_no": 1, "problem": problem, "finding_ids": life.finding_ids}]
    api.command(f"{life.at}/feedback/opinion", {"opinion": "意见", "ledger": ledger}, LEADER)
    _, book = fetch(api, f"{life.at}/feedback/problem-ledger.xlsx")
    _, _, rows = table(book)
    assert rows[0][1] == '\'=HYPERLINK("http://x")'
    ws = book.worksheets[0]
    assert ws.cell(3, 2).data_type == "s"  # a string, never a formula


def test_leads_export_of_a_commission_holds_only_the_leads_sent_to_it(api: Api) -> None:
    assert DISCIPLINE.role is Role.DISCIPLINE_COMMISSION
    shown = api.get("/leads", who=DISCIPLINE)["items"]
    _, book = fetch(api, "/exports/leads.xlsx", who=DISCIPLINE)
    _, _, rows = table(book)
    assert [r[1] for r in rows] == [str(lead["lead_id"]) for lead in shown]


def test_dates_are_date_cells(api: Api, life: Lifecycle) -> None:
    _, book = fetch(api, "/exports/rectification-ledger.xlsx", lang="en")
    ws = book.worksheets[0]
    assert ws.cell(3, 7).number_format == "yyyy-mm-dd"
    assert isinstance(ws.cell(3, 7).value, datetime)
    assert ws.cell(3, 7).value.date() > date(2000, 1, 1)

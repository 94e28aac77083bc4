"""Importing a 三清单/整改台账 workbook on the real PostgreSQL: the round trip (export a plan's
三清单, import it into another inspection: the same items), idempotency by content, the dry
run, and hostile or wrong workbooks refused with the row and reason, appending nothing."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from typing import Any

import openpyxl
import pytest

from tests.support.api import LIAISON, OFFICE, PRINCIPAL, Api, Who
from tests.support.lifecycle import Lifecycle, day

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = ["序号", "问题", "整改措施", "责任领导", "责任部门", "完成时限"]


def upload(
    api: Api,
    life: Lifecycle,
    data: bytes,
    who: Who = PRINCIPAL,
    *,
    form: bool = False,
    **params: Any,
) -> Any:
    path = f"{life.at}/rectification-plan/import"
    headers = api.headers(who)
    if form:
        files = {"file": ("ledger.xlsx", data, XLSX)}
        return api.client.post(path, files=files, params=params, headers=headers)
    headers["Content-Type"] = XLSX
    return api.client.post(path, content=data, params=params, headers=headers)


def workbook(rows: list[list[Any]], merge: str | None = None) -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    if merge:
        ws.merge_cells(merge)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def good_row(**changes: Any) -> list[Any]:
    row = {
        "no": 1,
        "problem": "违规拆分采购",
        "measures": "重新招标",
        "leader": "局长",
        "department": "财务科",
        "deadline": datetime.fromisoformat(day(30)),
    }
    row.update(changes)
    return list(row.values())


@pytest.fixture
def delivered(api: Api) -> Lifecycle:
    """An inspection whose feedback (one ledger problem) is delivered: a plan is due."""
    life = Lifecycle(api)
    life.to_report_approved()
    life.feedback()
    return life


def refused(api: Api, life: Lifecycle, data: bytes, status: int) -> dict[str, Any]:
    before = api.event_count()
    response = upload(api, life, data)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert api.event_count() == before
    body: dict[str, Any] = response.json()
    return body


def test_round_trip_export_then_import_into_another_inspection(api: Api) -> None:
    source = Lifecycle(api)
    source.to_rectifying()
    exported = api.client.get(
        f"{source.at}/rectification-plan/three-lists.xlsx",
        params={"min_position": api.position},
        headers=api.headers(OFFICE),
    )
    assert exported.status_code == 200
    target = Lifecycle(api)
    target.to_report_approved()
    target.feedback()
    response = upload(api, target, exported.content, form=True)
    assert response.status_code == 200, response.text
    api.position = response.json()["result"]["position"]
    original = api.get(f"{source.at}/rectification-plan")["versions"][-1]["items"]
    imported = api.get(f"{target.at}/rectification-plan")["versions"][-1]["items"]
    assert imported == original


def test_the_same_file_imported_twice_appends_once(api: Api, delivered: Lifecycle) -> None:
    data = workbook([good_row()])
    first = upload(api, delivered, data)
    assert first.status_code == 200, first.text
    count = api.event_count()
    again = upload(api, delivered, data)
    assert again.status_code == 200
    assert again.json()["already_imported"] is True
    assert again.json()["result"]["position"] == first.json()["result"]["position"]
    assert api.event_count() == count
    dry = upload(api, delivered, data, dry_run="true")
    assert dry.json()["already_imported"] is True


def test_dry_run_shows_what_would_be_appended_and_appends_nothing(
    api: Api, delivered: Lifecycle
) -> None:
    before = api.event_count()
    response = upload(api, delivered, workbook([good_row()]), dry_run="true")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["would_append"] == ["inspection.rectification_plan_submitted"]
    assert [(i["row"], i["measures"], i["deadline"]) for i in body["items"]] == [
        (2, "重新招标", day(30))
    ]
    assert body["result"] is None
    assert api.event_count() == before


def test_every_bad_row_is_reported_with_row_column_and_reason(
    api: Api, delivered: Lifecycle
) -> None:
    rows = [
        good_row(measures='=HYPERLINK("http://x","点击")'),  # row 2: a formula
        good_row(no="一"),  # row 3: text where a number belongs
        good_row(deadline="2026-03-05"),  # row 4: a date written as text
        good_row(leader=None),  # row 5: empty
        good_row(department=12),  # row 6: a number where text belongs
        good_row(deadline=45),  # row 7: a number, not a date
    ]
    body = refused(api, delivered, workbook(rows), 422)
    assert body["code"] == "invalid_rows"
    found = {(e["row"], e["column"], e["field"]) for e in body["errors"]}
    assert found == {
        (2, "C", "measures"),
        (3, "A", "ledger_item_no"),
        (4, "F", "deadline"),
        (5, "D", "responsible_leader"),
        (6, "E", "responsible_department"),
        (7, "F", "deadline"),
    }
    assert all(e["zh"] and e["en"] for e in body["errors"])
    by_row = {e["row"]: e for e in body["errors"]}
    assert "公式" in by_row[2]["zh"]
    assert "文本" in by_row[4]["zh"]
    assert "text" in by_row[4]["en"]


def test_merged_cells_are_refused_with_their_row(api: Api, delivered: Lifecycle) -> None:
    data = workbook([good_row(), good_row(no=None, problem=None)], merge="A2:A3")
    body = refused(api, delivered, data, 422)
    assert any(e["row"] == 2 and e["column"] == "A" and "合并" in e["zh"] for e in body["errors"])


def test_a_huge_sheet_is_refused_before_its_rows_are_read(api: Api, delivered: Lifecycle) -> None:
    data = workbook([good_row() for _ in range(1200)])
    body = refused(api, delivered, data, 413)
    assert body["code"] == "sheet_too_large"


def test_a_zip_bomb_is_refused_before_inflating(api: Api, delivered: Lifecycle) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * (60 * 1024 * 1024) + b"/>")
    assert len(out.getvalue()) < 1024 * 1024
    body = refused(api, delivered, out.getvalue(), 413)
    assert body["code"] == "zip_bomb"


def test_encrypted_legacy_macro_and_malformed_files_are_refused(
    api: Api, delivered: Lifecycle
) -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096  # how Office stores encryption
    assert refused(api, delivered, ole, 415)["code"] == "encrypted_or_legacy_workbook"
    macro = io.BytesIO()
    source = io.BytesIO(workbook([good_row()]))
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(macro, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, src.read(name))
        dst.writestr("xl/vbaProject.bin", b"Attribute VB_Name")
    assert refused(api, delivered, macro.getvalue(), 415)["code"] == "workbook_with_macros"
    assert refused(api, delivered, b"not a workbook", 422)["code"] == "not_a_workbook"
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as z:
        z.writestr("[Content_Types].xml", "<Types")
        z.writestr("xl/workbook.xml", "<<<")
    assert refused(api, delivered, broken.getvalue(), 422)["code"] == "malformed_workbook"


def test_the_plan_rules_apply_to_an_imported_plan(api: Api, delivered: Lifecycle) -> None:
    """Item 2 is not in the feedback's ledger and item 1 is missing: the decider refuses."""
    body = refused(api, delivered, workbook([good_row(no=2)]), 422)
    assert "ledger items" in body["detail"]
    late = datetime.fromisoformat(day(3000))
    assert refused(api, delivered, workbook([good_row(deadline=late)]), 422)["code"]


def test_only_the_principal_may_import(api: Api, delivered: Lifecycle) -> None:
    before = api.event_count()
    for who in (LIAISON, OFFICE):
        assert upload(api, delivered, workbook([good_row()]), who=who).status_code == 403
    assert api.event_count() == before


def test_a_template_without_measures_reports_each_empty_cell(
    api: Api, delivered: Lifecycle
) -> None:
    template = api.client.get(
        f"{delivered.at}/rectification-plan/three-lists.xlsx",
        params={"min_position": api.position},
        headers=api.headers(PRINCIPAL),
    )
    body = refused(api, delivered, template.content, 422)
    assert {(e["row"], e["field"]) for e in body["errors"]} == {
        (3, "measures"),
        (3, "responsible_leader"),
        (3, "responsible_department"),
        (3, "deadline"),
    }


def test_cli_exports_the_three_lists_and_imports_them_elsewhere(
    api: Api, settings: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    from xuncha.api.cli.main import main

    monkeypatch.setenv("XUNCHA_DATABASE_URL", settings.database_url)
    source = Lifecycle(api)
    source.to_rectifying()
    out = tmp_path / "三清单.xlsx"
    args = ["--inspection-id", source.inspection_id, "--by", "office-7", "--org", "org-xcb"]
    assert main(["export", "three-lists", "--out", str(out), *args]) == 0
    target = Lifecycle(api)
    target.to_report_approved()
    target.feedback()
    who = ["--by", PRINCIPAL.user_id, "--org", PRINCIPAL.organization_id]
    before = api.event_count()
    assert main(["import", "ledger", str(out), "--inspection", target.inspection_id, *who]) == 0
    assert api.event_count() == before + 1  # the plan, submitted
    again = main(["import", "ledger", str(out), "--inspection", target.inspection_id, *who])
    assert again == 0
    assert api.event_count() == before + 1  # the same file: nothing new
    api.position = api.event_count()
    original = api.get(f"{source.at}/rectification-plan")["versions"][-1]["items"]
    imported = api.get(f"{target.at}/rectification-plan")["versions"][-1]["items"]
    assert imported == original
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook([good_row(deadline="2026-03-05")]))
    assert main(["import", "ledger", str(bad), "--inspection", target.inspection_id, *who]) == 2

"""Word documents on the real PostgreSQL, read back with python-docx and compared with the
API's answers for the same reader: the 问题底稿审批单, the 反馈意见 with its problem ledger,
the 三清单 and the rectification report skeleton; GB/T 9704 fonts set for East Asian text; the
footer's record, position and content hash."""

from __future__ import annotations

import hashlib
import io
import json
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn

from tests.support.api import OFFICE, PRINCIPAL, Api, Who
from tests.support.lifecycle import Lifecycle

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def canonical_hash(answer: Any) -> str:
    text = json.dumps(answer, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def document(api: Api, path: str, who: Who = OFFICE, **params: Any) -> tuple[Any, Any]:
    params.setdefault("min_position", api.position)
    response = api.client.get(path, params=params, headers=api.headers(who))
    assert response.status_code == 200, (path, response.status_code, response.text)
    assert response.headers["content-type"] == DOCX
    return response, docx.Document(io.BytesIO(response.content))


def texts(doc: Any) -> list[str]:
    return [p.text for p in doc.paragraphs if p.text.strip()]


def tables(doc: Any) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]


def footer(doc: Any) -> str:
    return "".join(p.text for p in doc.sections[0].footer.paragraphs)


def east_asian(run: Any) -> str:
    return str(run._element.rPr.rFonts.get(qn("w:eastAsia")))


@pytest.fixture
def life(api: Api) -> Lifecycle:
    life = Lifecycle(api)
    life.to_rectifying()
    return life


def test_approval_form_shows_the_finding_and_proves_its_state(api: Api, life: Lifecycle) -> None:
    finding_id = life.finding_ids[0]
    finding = api.get(f"/findings/{finding_id}")
    response, doc = document(api, f"/findings/{finding_id}/approval-form.docx")
    assert texts(doc)[0] == "问题底稿审批单"
    (table,) = tables(doc)
    rows = {r[0]: r[1] for r in table[1:]}
    content = finding["content"]
    assert rows["问题标题"] == content["title"]
    assert rows["问题事实"] == content["facts"]
    assert rows["定性依据"] == content["basis"]
    assert rows["证据材料"] == "；".join(content["evidence_refs"])
    assert "已签字" in rows["组长审批"]
    digest = canonical_hash(finding)
    assert response.headers["x-content-hash"] == digest
    assert f"sha256:{digest}" in footer(doc)
    assert f"finding {finding_id}" in footer(doc)
    assert f"日志位置 {response.headers['x-record-position']}" in footer(doc)
    title_run = doc.paragraphs[0].runs[0]
    assert east_asian(title_run) == "方正小标宋简体"
    assert title_run.font.size.pt == 22


def test_feedback_opinion_has_the_ledger_as_a_table(api: Api, life: Lifecycle) -> None:
    feedback = api.get(f"{life.at}/feedback", who=PRINCIPAL)
    response, doc = document(api, f"{life.at}/feedback/opinion.docx", who=PRINCIPAL)
    shown = texts(doc)
    assert shown[0] == "关于巡察市水务局党组的反馈意见"
    assert shown[1] == "市水务局党组："  # 主送
    assert feedback["opinion"] in shown
    (table,) = tables(doc)
    assert table == [["序号", "问题"]] + [
        [str(i["item_no"]), i["problem"]] for i in feedback["ledger"]
    ]
    year, month, day_ = (int(x) for x in feedback["delivery"]["delivered_on"].split("-"))
    assert shown[-1] == f"{year}年{month}月{day_}日"
    body = next(p for p in doc.paragraphs if p.text == feedback["opinion"])
    assert east_asian(body.runs[0]) == "仿宋_GB2312"
    assert body.runs[0].font.size.pt == 16
    assert response.headers["x-content-hash"] == canonical_hash(feedback)


def test_three_lists_document_equals_the_plan(api: Api, life: Lifecycle) -> None:
    plan = api.get(f"{life.at}/rectification-plan", who=PRINCIPAL)
    response, doc = document(api, f"{life.at}/rectification-plan/three-lists.docx", who=PRINCIPAL)
    problems, tasks, duties = tables(doc)

    def day(text: str) -> str:
        y, m, d = (int(x) for x in text.split("-"))
        return f"{y}年{m}月{d}日"

    assert problems[1:] == [[str(p["ledger_item_no"]), p["problem"]] for p in plan["problem_list"]]
    assert tasks[1:] == [
        [str(t["ledger_item_no"]), t["measures"], day(t["deadline"])] for t in plan["task_list"]
    ]
    assert duties[1:] == [
        [
            str(r["ledger_item_no"]),
            r["responsible_leader"],
            r["responsible_department"],
            day(r["deadline"]),
        ]
        for r in plan["responsibility_list"]
    ]
    assert response.headers["x-content-hash"] == canonical_hash(plan)


def test_report_skeleton_is_filled_from_the_ledger(api: Api, life: Lifecycle) -> None:
    life.close_item(life.item_ids[0])
    as_of = "2026-12-01"
    plan = api.get(f"{life.at}/rectification-plan", who=PRINCIPAL)
    items = api.get(
        "/rectification-items", who=PRINCIPAL, inspection_id=life.inspection_id, as_of=as_of
    )["items"]
    response, doc = document(
        api, f"{life.at}/rectification-plan/report-skeleton.docx", who=PRINCIPAL, as_of=as_of
    )
    shown = "\n".join(texts(doc))
    assert f"整改事项{len(items)}项，已销号1项，整改完成率100.0%" in shown
    assert "【此处填写】" in shown
    (table,) = tables(doc)
    assert [(r[0], r[1], r[2], r[5]) for r in table[1:]] == [
        (str(i["ledger_item_no"]), i["problem"], i["measures"], "已销号（100%）") for i in items
    ]
    assert response.headers["x-content-hash"] == canonical_hash({"plan": plan, "items": items})

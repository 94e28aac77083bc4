"""The documents an inspection office files, generated from the records (docs/documents.md):
the 问题底稿审批单 of a finding, the 反馈意见 of an inspection with its problem ledger, the
三清单 of a rectification plan, and the skeleton of the rectification report filled from the
rectification ledger.

Each reads the record exactly as its GET answers it (the same response model, so the same
fields: sealed fields are never folded into a record, and so never reach a document) and
states in its footer the record, the log position of the read model it was read from, and the
content hash: the SHA-256 of the record's JSON answer in canonical form (keys sorted, UTF-8,
no spaces), which an auditor recomputes from the GET at that position.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from pydantic_core import to_jsonable_python

from xuncha.api.exports.cells import labelled
from xuncha.api.exports.docx_writer import OfficialDocument, chinese_date
from xuncha.api.http.access import ReadScope
from xuncha.api.http.routes import record_models as out
from xuncha.commands.errors import NotFound
from xuncha.events.office_day import office_date
from xuncha.events.vocabulary import FindingStatus, RectificationItemStatus
from xuncha.projections import inspection_overview, rectification_ledger, tracking
from xuncha.projections.feedback_record import FeedbackRecord
from xuncha.projections.finding_record import FindingRecord
from xuncha.projections.plan_record import PlanRecord

FINDINGS = FindingRecord()
FEEDBACK = FeedbackRecord()
PLANS = PlanRecord()


@dataclass(frozen=True)
class Generated:
    """A generated document: its bytes, file name, and what its footer states."""

    content: bytes
    filename: str
    record: str
    position: int
    content_hash: str


def content_hash(answer: Any) -> str:
    """SHA-256 of a JSON answer in canonical form (sorted keys, UTF-8, no spaces)."""
    text = json.dumps(
        to_jsonable_python(answer), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _finish(doc: OfficialDocument, name: str, record: str, position: int, answer: Any) -> Generated:
    digest = content_hash(answer)
    doc.footer(f"记录 {record} · 日志位置 {position} · 内容哈希 sha256:{digest}")
    return Generated(doc.save(), name, record, position, digest)


def _position(conn: Any, *names: str) -> int:
    positions = tracking.positions(conn)
    return min(positions.get(n, 0) for n in names)


def _inspection(conn: Any, inspection_id: UUID) -> dict[str, Any]:
    found = inspection_overview.get_inspection(conn, inspection_id)
    return found or {"organization_name": str(inspection_id), "group_name": "巡察组"}


def _record(model: Any, conn: Any, scope: ReadScope, inspection_id: UUID, what: str) -> Any:
    scope.require_inspection(conn, inspection_id)
    found = model.get(conn, inspection_id)
    if found is None:
        raise NotFound(f"inspection {inspection_id} has no {what} yet")
    return found


def _cells(rows: Sequence[Mapping[str, Any]], keys: Sequence[str]) -> list[list[str]]:
    def shown(value: Any) -> str:
        if isinstance(value, date):
            return chinese_date(value)
        return "" if value is None else str(value)

    return [[shown(r.get(k)) for k in keys] for r in rows]


def approval_form(conn: Any, scope: ReadScope, finding_id: UUID) -> Generated:
    """问题底稿审批单: the finding's content, its group-meeting reviews and the signature."""
    found = scope.visible(FINDINGS.get(conn, finding_id), f"finding {finding_id}")
    finding = out.FindingRecordOut.model_validate(found)
    c = finding.content
    inspection = _inspection(conn, finding.inspection_id)
    doc = OfficialDocument()
    doc.title("问题底稿审批单")
    status = labelled(FindingStatus(finding.status), "zh")
    rows = [
        ["巡察对象", inspection["organization_name"]],
        ["巡察组", inspection["group_name"]],
        ["问题标题", c.title],
        ["问题事实", c.facts],
        ["定性依据", c.basis],
        ["证据材料", "；".join(c.evidence_refs)],
        ["责任主体", c.responsible_subject],
        ["问题分类", "、".join(c.tags) + f"（{c.taxonomy_version}）"],
        ["底稿版本", f"第{finding.version}版（{status}）"],
    ]
    rows += [
        ["组务会审议", f"{r.meeting_ref}：{r.opinion}（{r.by}，{chinese_date(office_date(r.at))}）"]
        for r in finding.reviews
    ]
    rows += [
        ["组长审批", f"第{a.version}版 已签字（{a.by}，{chinese_date(office_date(a.at))}）"]
        for a in finding.approvals
    ] or [["组长审批", "（待签字）"]]
    doc.table(["项目", "内容"], rows)
    signed = office_date(finding.approvals[-1].at) if finding.approvals else None
    doc.signature(inspection["group_name"], signed)
    position = _position(conn, FINDINGS.name)
    name = f"approval-form-{finding_id}.docx"
    return _finish(doc, name, f"finding {finding_id}", position, finding.model_dump(mode="json"))


def feedback_opinion(conn: Any, scope: ReadScope, inspection_id: UUID) -> Generated:
    """反馈意见: the opinion as last drafted with its problem ledger as a table."""
    feedback = out.FeedbackRecordOut.model_validate(
        _record(FEEDBACK, conn, scope, inspection_id, "feedback")
    )
    inspection = _inspection(conn, inspection_id)
    org = inspection["organization_name"]
    doc = OfficialDocument()
    doc.title(f"关于巡察{org}的反馈意见")
    doc.addressee(org)
    doc.body(feedback.opinion or "")
    doc.heading("附件：问题台账")
    ledger = [[str(i.item_no), i.problem] for i in feedback.ledger]
    doc.table(["序号", "问题"], ledger)
    delivered = feedback.delivery.delivered_on if feedback.delivery else None
    doc.signature(inspection["group_name"], delivered)
    position = _position(conn, FEEDBACK.name)
    name = f"feedback-opinion-{inspection_id}.docx"
    record = f"feedback {feedback.feedback_id} (inspection {inspection_id})"
    return _finish(doc, name, record, position, feedback.model_dump(mode="json"))


def _plan(conn: Any, scope: ReadScope, inspection_id: UUID) -> out.PlanRecordOut:
    found = _record(PLANS, conn, scope, inspection_id, "rectification plan")
    return out.PlanRecordOut.model_validate(found)


def three_lists(conn: Any, scope: ReadScope, inspection_id: UUID) -> Generated:
    """整改“三清单”: the problem, task and responsibility lists of the latest plan."""
    plan = _plan(conn, scope, inspection_id)
    inspection = _inspection(conn, inspection_id)
    org = inspection["organization_name"]
    doc = OfficialDocument()
    doc.title(f"{org}巡察整改“三清单”")
    dump = plan.model_dump(mode="python")
    doc.heading("一、问题清单")
    doc.table(["序号", "问题"], _cells(dump["problem_list"], ["ledger_item_no", "problem"]))
    doc.heading("二、任务清单")
    keys = ["ledger_item_no", "measures", "deadline"]
    doc.table(["序号", "整改措施", "完成时限"], _cells(dump["task_list"], keys))
    doc.heading("三、责任清单")
    keys = ["ledger_item_no", "responsible_leader", "responsible_department", "deadline"]
    doc.table(
        ["序号", "责任领导", "责任部门", "完成时限"], _cells(dump["responsibility_list"], keys)
    )
    submitted = office_date(plan.versions[-1].at) if plan.versions else None
    doc.signature(org, submitted)
    position = _position(conn, PLANS.name)
    name = f"three-lists-{inspection_id}.docx"
    record = f"rectification plan of inspection {inspection_id}, version {plan.plan_version}"
    return _finish(doc, name, record, position, plan.model_dump(mode="json"))


def report_skeleton(conn: Any, scope: ReadScope, inspection_id: UUID, today: date) -> Generated:
    """整改情况报告 skeleton: the figures and every item from the ledger, the rest to write."""
    plan = _plan(conn, scope, inspection_id)
    inspection = _inspection(conn, inspection_id)
    org = inspection["organization_name"]
    items = _items(conn, scope, inspection_id, today)
    closed = sum(1 for i in items if i["status"] == RectificationItemStatus.CLOSED)
    doc = OfficialDocument()
    doc.title(f"{org}关于巡察整改情况的报告")
    doc.addressee("巡察工作领导小组")
    doc.body(
        f"根据{inspection['group_name']}反馈意见，现将整改情况报告如下（截至{chinese_date(today)}）。"
    )
    doc.heading("一、整改工作总体情况")
    rate = f"{closed / len(items):.1%}" if items else "—"
    doc.body(
        f"反馈问题{len(plan.ledger)}个，整改事项{len(items)}项，已销号{closed}项，整改完成率{rate}。"
    )
    doc.body("【此处填写组织领导、专题民主生活会、整改工作开展情况】")
    doc.heading("二、反馈问题整改落实情况")
    rows = [
        [
            str(i["ledger_item_no"]),
            i["problem"],
            i["measures"],
            f"{i['responsible_leader']}／{i['responsible_department']}",
            chinese_date(i["deadline"]),
            labelled(RectificationItemStatus(i["status"]), "zh") + f"（{i['percent']}%）",
        ]
        for i in items
    ]
    doc.table(["序号", "问题", "整改措施", "责任领导／部门", "完成时限", "进展"], rows)
    doc.heading("三、存在的不足和下一步打算")
    doc.body("【此处填写】")
    doc.signature(org, None)
    position = _position(conn, PLANS.name, "rectification_ledger")
    answer = {"plan": plan.model_dump(mode="json"), "items": items}
    name = f"rectification-report-{inspection_id}.docx"
    record = f"rectification plan and ledger of inspection {inspection_id}"
    return _finish(doc, name, record, position, answer)


def _items(conn: Any, scope: ReadScope, inspection_id: UUID, today: date) -> list[dict[str, Any]]:
    """The inspection's items exactly as `GET /rectification-items?inspection_id=…` lists them."""
    fetch: Callable[..., dict[str, Any]] = rectification_ledger.list_items
    found = fetch(
        conn,
        inspection_id=inspection_id,
        organization_id=None,
        round_id=None,
        status=None,
        overdue=None,
        as_of=today,
        limit=500,
        offset=0,
        inspection_ids=scope.inspection_ids,
        organization_ids=scope.organization_ids,
    )
    items: list[dict[str, Any]] = found["items"]
    return items

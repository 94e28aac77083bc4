"""The ledgers as sheets: the columns of each export (headers from the vocabulary's wording)
and the rows, read through the same read-model queries as the matching GETs.

The 三清单 sheet is also the import's layout (`ledger_import`): one row per plan item with the
problem it answers; before a plan is submitted it lists the feedback's problems with empty
measure columns, which is the template an office fills in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from xuncha.api.exports.xlsx import Column
from xuncha.events.vocabulary import LeadStage, RectificationItemStatus, WarningLevel

Row = Mapping[str, Any]
PAGE = 500

PROBLEM_LEDGER = (
    Column("item_no", "序号", "No.", "int"),
    Column("problem", "问题", "Problem"),
    Column("finding_ids", "对应问题底稿", "Findings"),
)
# The import reads these headers (zh or en) in any order; extra columns are ignored.
THREE_LISTS = (
    Column("ledger_item_no", "序号", "No.", "int"),
    Column("problem", "问题（问题清单）", "Problem (problem list)"),
    Column("measures", "整改措施（任务清单）", "Measures (task list)"),
    Column(
        "responsible_leader", "责任领导（责任清单）", "Responsible leader (responsibility list)"
    ),
    Column("responsible_department", "责任部门（责任清单）", "Responsible department"),
    Column("deadline", "完成时限", "Deadline", "date"),
)
RECTIFICATION_LEDGER = (
    Column("ledger_item_no", "序号", "No.", "int"),
    Column("organization_name", "被巡察单位", "Inspected organization"),
    Column("problem", "问题（问题清单）", "Problem (problem list)"),
    Column("measures", "整改措施（任务清单）", "Measures (task list)"),
    Column(
        "responsible_leader", "责任领导（责任清单）", "Responsible leader (responsibility list)"
    ),
    Column("responsible_department", "责任部门（责任清单）", "Responsible department"),
    Column("deadline", "完成时限", "Deadline", "date"),
    Column("status", "整改状态", "Status", vocabulary=RectificationItemStatus),
    Column("progress", "完成进度", "Progress", "percent"),
    Column("colour", "三色预警", "Warning colour", "colour", vocabulary=WarningLevel),
    Column("overdue", "是否逾期", "Overdue", "bool"),
    Column("closed_on", "销号日期", "Closed on", "date"),
    Column("item_id", "事项编号", "Item id"),
)
LEAD_REGISTER = (
    Column("registered_at", "登记时间", "Registered at", "datetime"),
    Column("lead_id", "线索编号", "Lead id"),
    Column("organization_id", "被巡察单位", "Inspected organization"),
    Column("management_level", "管理权限", "Management level"),
    Column("status", "线索状态", "Status", vocabulary=LeadStage),
    Column("receiver_name", "移交对象", "Transferred to"),
    Column("transferred_on", "移交日期", "Transferred on", "date"),
    Column("acknowledgement_due", "签收时限", "Acknowledgement due", "date"),
    Column("acknowledged_on", "签收日期", "Acknowledged on", "date"),
    Column("disposition", "处置方式", "Disposition"),
    Column("outcome_due", "反馈结果时限", "Outcome due", "date"),
    Column("outcome_reported_on", "反馈结果日期", "Outcome reported on", "date"),
    Column("closed_on", "办结日期", "Closed on", "date"),
)
SHARED_RESULTS = (
    Column("organization_name", "被巡察单位", "Inspected organization"),
    Column("organization_id", "单位代码", "Organization id"),
    Column("year", "年度", "Year", "int"),
    Column("sequence", "序号", "No.", "int"),
    Column("published_on", "共享日期", "Shared on", "date"),
    Column("findings_total", "发现问题数", "Findings", "int"),
    Column("items_total", "整改事项数", "Items", "int"),
    Column("items_closed", "已销号", "Closed", "int"),
    Column("completion_rate", "整改完成率", "Completion rate", "percent"),
    Column("leads_transferred", "移交线索数", "Leads transferred", "int"),
    Column("leads_disposed", "已处置线索", "Leads disposed", "int"),
    Column("evaluation_grade", "整改评估等次", "Evaluation grade"),
    Column("basis", "共享依据", "Basis"),
)


def paged(fetch: Callable[[int, int], list[dict[str, Any]]]) -> Iterator[dict[str, Any]]:
    """Every row of a paged query (`fetch(limit, offset)`), page by page."""
    offset = 0
    while True:
        rows = fetch(PAGE, offset)
        yield from rows
        if len(rows) < PAGE:
            return
        offset += PAGE


def problem_rows(feedback: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        {**item, "finding_ids": ", ".join(str(f) for f in item["finding_ids"])}
        for item in feedback["ledger"]
    ]


def three_list_rows(plan: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per item of the latest plan version, with its problem; without a plan, one
    empty row per problem of the feedback's ledger (the template)."""
    problems = {p["ledger_item_no"]: p["problem"] for p in plan["problem_list"]}
    items = plan["versions"][-1]["items"] if plan["versions"] else []
    if not items:
        return [{"ledger_item_no": no, "problem": text} for no, text in problems.items()]
    return [{**item, "problem": problems.get(item["ledger_item_no"])} for item in items]


def rectification_row(row: Mapping[str, Any]) -> dict[str, Any]:
    return {**row, "progress": row["percent"] / 100, "item_id": str(row["item_id"])}


def shared_row(row: Mapping[str, Any]) -> dict[str, Any]:
    rate = row.get("completion_rate")
    return {**row, "completion_rate": float(rate) if isinstance(rate, Decimal) else rate}


def lead_row(row: Mapping[str, Any]) -> dict[str, Any]:
    return {**row, "lead_id": str(row["lead_id"])}

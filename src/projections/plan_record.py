"""Rectification plan record (整改方案): the plan of one inspection with every submitted
version, returns and the acceptance, its three lists (三清单) — problems (问题清单, from the
feedback's problem ledger), tasks (任务清单: measures and deadlines, with the ledger item each
opened) and responsibilities (责任清单: responsible leader and department) —, the written
rectification reports, and the programme's steps (taskforce, democratic life meeting,
disclosures, end of the centralized period, continuous rectification, summary) — for
`GET /inspections/{id}/rectification-plan`."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from xuncha.events import feedback as fb
from xuncha.events import inspection as i
from xuncha.events.base import RecordedEvent
from xuncha.events.vocabulary import PlanStatus
from xuncha.projections.record_documents import Document, RecordDocuments, public

# Inspection events about the plan and the written report: (list, status or None).
INSPECTION_STEPS: dict[type[object], tuple[str, str | None]] = {
    i.RectificationPlanSubmitted: ("versions", PlanStatus.SUBMITTED),
    i.RectificationPlanReturned: ("returns", PlanStatus.RETURNED),
    i.RectificationPlanAccepted: ("acceptances", PlanStatus.ACCEPTED),
    i.RectificationReportSubmitted: ("reports", None),
    i.RectificationReportReturned: ("report_returns", None),
    i.RectificationReportAccepted: ("report_acceptances", None),
}
TYPES = frozenset(
    {
        fb.FeedbackOpinionDrafted.type_name,
        i.InspectionFeedbackDelivered.type_name,
        *(cls.type_name for cls in INSPECTION_STEPS),  # type: ignore[attr-defined]
    }
)
PROGRAMME = "rectification_plan"  # prefix of the programme's events (own stream)
LISTS = ("versions", "returns", "acceptances", "reports", "report_returns", "report_acceptances")


def _new(inspection_id: UUID) -> Document:
    doc: Document = {
        "inspection_id": str(inspection_id),
        "status": PlanStatus.AWAITING_FEEDBACK,
        "plan_version": 0,
        "plan_due": None,
        "written_report_due": None,
        "ledger": [],
        "problem_list": [],
        "task_list": [],
        "responsibility_list": [],
        "programme": [],
    }
    doc.update({name: [] for name in LISTS})
    return doc


def _three_lists(doc: Document) -> None:
    """The 三清单 of the latest plan version, the ledger's problems and the opened items."""
    problems = {item["item_no"]: item for item in doc["ledger"]}
    items: list[dict[str, Any]] = doc["versions"][-1]["items"] if doc["versions"] else []
    accepted = [a for a in doc["acceptances"] if a["plan_version"] == doc["plan_version"]]
    opened: list[str] = accepted[-1]["item_ids"] if accepted else []
    cited = sorted({item["ledger_item_no"] for item in items} | set(problems))
    doc["problem_list"] = [
        {
            "ledger_item_no": no,
            "problem": problems[no]["problem"] if no in problems else None,
            "finding_ids": problems[no]["finding_ids"] if no in problems else [],
        }
        for no in cited
    ]
    doc["task_list"] = [
        {
            "ledger_item_no": item["ledger_item_no"],
            "measures": item["measures"],
            "deadline": item["deadline"],
            "item_id": opened[n] if n < len(opened) else None,
        }
        for n, item in enumerate(items)
    ]
    doc["responsibility_list"] = [
        {
            "ledger_item_no": item["ledger_item_no"],
            "responsible_leader": item["responsible_leader"],
            "responsible_department": item["responsible_department"],
            "deadline": item["deadline"],
        }
        for item in items
    ]


def fold(doc: Document | None, recorded: RecordedEvent) -> Document | None:
    e = recorded.event
    inspection_id = getattr(e, "inspection_id", None)
    if inspection_id is None:
        return doc
    doc = doc or _new(inspection_id)
    m = recorded.metadata
    stamp = {"at": m.occurred_at.isoformat(), "by": m.actor.user_id}
    if isinstance(e, fb.FeedbackOpinionDrafted):
        doc["ledger"] = [item.model_dump(mode="json") for item in e.ledger]
    elif isinstance(e, i.InspectionFeedbackDelivered):
        doc.update(plan_due=e.plan_due.isoformat(), status=PlanStatus.AWAITING_PLAN)
        doc["written_report_due"] = e.written_report_due.isoformat()
    elif type(e) in INSPECTION_STEPS:
        listing, status = INSPECTION_STEPS[type(e)]
        doc[listing].append({**public(recorded, "inspection_id"), **stamp})
        if status is not None:
            doc["status"] = status
        if isinstance(e, i.RectificationPlanSubmitted):
            doc["plan_version"] = e.plan_version
    else:  # a step of the rectification programme (整改工作)
        data = public(recorded, "inspection_id", "rectification_id")
        doc["programme"].append({"type": e.type_name, "details": data, **stamp})
    _three_lists(doc)
    return doc


def _key(recorded: RecordedEvent) -> UUID | None:
    return getattr(recorded.event, "inspection_id", None)


class PlanRecord(RecordDocuments):
    """The projection behind `GET /inspections/{id}/rectification-plan`."""

    def __init__(self) -> None:
        super().__init__("plan_record", "rm_rectification_plan", (PROGRAMME,), _key, fold)

    def folds(self, type_name: str) -> bool:
        return type_name in TYPES or super().folds(type_name)

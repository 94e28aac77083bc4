"""Handlers of supplementary reports (special, lead and cadre-selection reports)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from xuncha.commands import supplementary_report as sup
from xuncha.commands.inspection import INSPECTION
from xuncha.commands.registry import handles, register_all
from xuncha.commands.unit_of_work import UnitOfWork


@handles(sup.DraftSupplementaryReport)
def draft(uow: UnitOfWork, cmd: sup.DraftSupplementaryReport) -> UUID:
    inspection = uow.get(INSPECTION, cmd.inspection_id, "inspection")
    report_id = uow.new_id()
    uow.record(sup.SUPPLEMENTARY_REPORT, report_id, sup.draft(inspection, cmd, uow.ctx, report_id))
    return report_id


@handles(sup.RedraftSupplementaryReport)
def redraft(uow: UnitOfWork, cmd: sup.RedraftSupplementaryReport) -> None:
    state = uow.get(sup.SUPPLEMENTARY_REPORT, cmd.report_id, "supplementary report")
    inspection = uow.get(INSPECTION, state.inspection_id, "inspection")
    uow.record(
        sup.SUPPLEMENTARY_REPORT, cmd.report_id, sup.redraft(state, cmd, uow.ctx, inspection)
    )


def _step(decide: Any, with_ctx: bool = False) -> Any:
    def handler(uow: UnitOfWork, cmd: Any) -> None:
        state = uow.get(sup.SUPPLEMENTARY_REPORT, cmd.report_id, "supplementary report")
        events = decide(state, cmd, uow.ctx) if with_ctx else decide(state, cmd)
        uow.record(sup.SUPPLEMENTARY_REPORT, cmd.report_id, events)

    return handler


register_all(
    {
        sup.ReviewSupplementaryReport: _step(sup.review),
        sup.ReturnSupplementaryReport: _step(sup.return_),
        sup.ApproveSupplementaryReport: _step(sup.approve, with_ctx=True),
    }
)

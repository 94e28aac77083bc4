"""Handlers of the management regime: every command decides on the inspection's
`group_management` stream with the inspection and the policy in force, and may create a record
inside it (a leave, an instruction asked, ...: its id is the answer)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from uuid import UUID

from xuncha.commands import management as mg
from xuncha.commands.base import Context
from xuncha.commands.handling import Handler, Registered, created, on
from xuncha.commands.inspection import INSPECTION, InspectionState
from xuncha.commands.management import (
    GROUP_MANAGEMENT,
    ManagementCommand,
    ManagementState,
    management_stream_id,
)
from xuncha.commands.unit_of_work import UnitOfWork
from xuncha.events.base import DomainEvent
from xuncha.events.policy import PolicyParameters

MC = TypeVar("MC", bound=ManagementCommand)


def _on_management(
    decide: Callable[
        [ManagementState, InspectionState, MC, Context, PolicyParameters, UUID], list[DomainEvent]
    ],
) -> Handler[MC]:
    def handler(uow: UnitOfWork, cmd: MC) -> UUID | None:
        inspection = uow.get(INSPECTION, cmd.inspection_id, "inspection")
        stream_id = management_stream_id(cmd.inspection_id)
        state = uow.find(GROUP_MANAGEMENT, stream_id) or ManagementState(cmd.inspection_id)
        params = uow.policy(inspection.jurisdiction_id, uow.ctx.today)[1]
        new_id = uow.new_id()
        events = decide(state, inspection, cmd, uow.ctx, params, new_id)
        uow.record(GROUP_MANAGEMENT, stream_id, events)
        return created(events, new_id)

    return handler


HANDLERS: tuple[Registered, ...] = (
    on(mg.HoldCollectiveStudy, _on_management(mg.hold_study)),
    on(mg.RecordAttendance, _on_management(mg.record_attendance)),
    on(mg.RequestLeave, _on_management(mg.request_leave)),
    on(mg.ApproveLeave, _on_management(mg.approve_leave)),
    on(mg.SignIn, _on_management(mg.sign_in)),
    on(mg.WriteWorkLogEntry, _on_management(mg.write_log)),
    on(mg.RequestInstruction, _on_management(mg.request_instruction)),
    on(mg.GiveInstruction, _on_management(mg.give_instruction)),
    on(mg.ReportMatter, _on_management(mg.report_matter)),
    on(mg.CommendInspector, _on_management(mg.commend)),
    on(mg.PenalizeInspector, _on_management(mg.penalize)),
    on(mg.HoldInspectorAccountable, _on_management(mg.hold_accountable)),
    on(mg.RecordTraining, _on_management(mg.record_training)),
    on(mg.ReportConfidentialityBreach, _on_management(mg.report_breach)),
    on(mg.RecordOtherManagementActivity, _on_management(mg.record_other)),
)

"""The command endpoints of the inspectors' management regime (`commands/management`); its
records are listed with the fieldwork records (`routes/fieldwork.py`)."""

from __future__ import annotations

from fastapi import APIRouter

from xuncha.api.http.routes.factory import add_command
from xuncha.api.http.routes.fieldwork import FIELDWORK_RECORD, INSPECTION
from xuncha.commands import management as mg
from xuncha.commands.base import Command

MANAGEMENT: list[tuple[str, type[Command], str]] = [
    ("/collective-study", mg.HoldCollectiveStudy, "Hold a collective study (集体学习)"),
    ("/attendance", mg.RecordAttendance, "Record attendance (考勤)"),
    ("/leave", mg.RequestLeave, "Request leave"),
    ("/leave/approve", mg.ApproveLeave, "Approve leave"),
    ("/sign-in", mg.SignIn, "Sign in (工作签到)"),
    ("/work-log", mg.WriteWorkLogEntry, "Write a work log entry (工作日志)"),
    ("/instructions", mg.RequestInstruction, "Request an instruction (请示)"),
    ("/instructions/give", mg.GiveInstruction, "Give an instruction"),
    ("/matters", mg.ReportMatter, "Report a matter (报告)"),
    ("/commendations", mg.CommendInspector, "Commend an inspector (奖)"),
    ("/penalties", mg.PenalizeInspector, "Penalize an inspector (惩)"),
    ("/accountability", mg.HoldInspectorAccountable, "Hold an inspector accountable (问责)"),
    ("/training", mg.RecordTraining, "Record training (巡前集中学习/外出培训/跟班学习)"),
    (
        "/confidentiality-breaches",
        mg.ReportConfidentialityBreach,
        "Report a confidentiality breach (保密)",
    ),
    ("/other", mg.RecordOtherManagementActivity, "Record an activity of a configured system"),
]


# Commands that create a record of their own (answered 201 with its id and Location).
CREATING = frozenset({"/leave", "/instructions"})


def management() -> APIRouter:
    r = APIRouter(prefix=INSPECTION + "/management", tags=["inspector management"])
    for path, command, summary in MANAGEMENT:
        created = FIELDWORK_RECORD if path in CREATING else None
        add_command(r, path, command, path_param="inspection_id", created=created, summary=summary)
    return r


def routers() -> list[APIRouter]:
    return [management()]

"""The inspectors' management regime (巡察干部管理): one `group_management` stream per
inspection, its id derived from the inspection's.

Why per inspection: a group is authorized for one inspection (一次一授权), and the regime
governs its members for that service. Events name inspectors by `user_id`, so an inspector's
record across inspections (training, rewards, penalties, accountability) is a read model.
The ten systems: 组务会 (`HoldGroupMeeting`, on the fieldwork stream because decisions cite
it), 集体学习, 考勤 with leave, 保密 (breach reports), 工作日志, 工作签到, 请示报告, 奖惩,
问责, and a configurable tenth (`PolicyParameters.other_management_systems`). Training
(巡前集中学习 / 外出培训 / 跟班学习) is recorded here too.

One module per use case: `state` (the stream and its checks), `daily` (study, attendance,
leave, sign-in, work log, instructions, reports), `conduct` (rewards, penalties,
accountability, training, breaches, the tenth system); `handlers` holds the table.
"""

from xuncha.commands.management.conduct import (
    CommendInspector,
    HoldInspectorAccountable,
    PenalizeInspector,
    RecordOtherManagementActivity,
    RecordTraining,
    ReportConfidentialityBreach,
    commend,
    hold_accountable,
    penalize,
    record_other,
    record_training,
    report_breach,
)
from xuncha.commands.management.daily import (
    ApproveLeave,
    GiveInstruction,
    HoldCollectiveStudy,
    RecordAttendance,
    ReportMatter,
    RequestInstruction,
    RequestLeave,
    SignIn,
    WriteWorkLogEntry,
    approve_leave,
    give_instruction,
    hold_study,
    record_attendance,
    report_matter,
    request_instruction,
    request_leave,
    sign_in,
    write_log,
)
from xuncha.commands.management.state import (
    ACCOUNTABILITY,
    GROUP_MANAGEMENT,
    SUPERIORS,
    ManagementCommand,
    ManagementState,
    Text,
    UserId,
    evolve,
    management_stream_id,
)

__all__ = [
    "ACCOUNTABILITY",
    "GROUP_MANAGEMENT",
    "SUPERIORS",
    "ApproveLeave",
    "CommendInspector",
    "GiveInstruction",
    "HoldCollectiveStudy",
    "HoldInspectorAccountable",
    "ManagementCommand",
    "ManagementState",
    "PenalizeInspector",
    "RecordAttendance",
    "RecordOtherManagementActivity",
    "RecordTraining",
    "ReportConfidentialityBreach",
    "ReportMatter",
    "RequestInstruction",
    "RequestLeave",
    "SignIn",
    "Text",
    "UserId",
    "WriteWorkLogEntry",
    "approve_leave",
    "commend",
    "evolve",
    "give_instruction",
    "hold_accountable",
    "hold_study",
    "management_stream_id",
    "penalize",
    "record_attendance",
    "record_other",
    "record_training",
    "report_breach",
    "report_matter",
    "request_instruction",
    "request_leave",
    "sign_in",
    "write_log",
]

"""Events of the inspectors' management regime (巡察干部管理, DOMAIN.md §4.8).

Stream boundary: one `group_management` stream per inspection (its id derived from the
inspection's), since a group is authorized once per inspection (一次一授权) and its members
are managed for that service: attendance, leave, sign-in, work log, collective study,
request-and-report, rewards and penalties, accountability, training, confidentiality and a
configurable tenth system. Events name the inspector by `user_id`, so an inspector's record
across inspections is a read model, not a stream. The group meeting (组务会), the first of
the ten systems, is `fieldwork.group_meeting_held` because fieldwork decisions reference it.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from xuncha.events.base import DomainEvent
from xuncha.events.registry import event


class TrainingKind(StrEnum):
    PRE_INSPECTION_STUDY = "pre_inspection_study"  # 巡前集中学习
    EXTERNAL_TRAINING = "external_training"  # 外出培训
    SHADOWING = "shadowing"  # 跟班学习 (with a provincial inspection group)


@event("management.collective_study_held")
class CollectiveStudyHeld(DomainEvent):
    inspection_id: UUID
    held_on: date
    topic: str
    attendees: list[str]


@event("management.attendance_recorded")
class AttendanceRecorded(DomainEvent):
    inspection_id: UUID
    day: date
    present: list[str]
    absent: list[str]


@event("management.leave_requested")
class LeaveRequested(DomainEvent):
    inspection_id: UUID
    leave_id: UUID
    user_id: str
    first_day: date
    last_day: date
    reason: str


@event("management.leave_approved")
class LeaveApproved(DomainEvent):
    inspection_id: UUID
    leave_id: UUID
    user_id: str
    approved_by: str


@event("management.member_signed_in")
class MemberSignedIn(DomainEvent):
    inspection_id: UUID
    user_id: str
    signed_in_at: datetime
    place: str


@event("management.work_log_entry_written")
class WorkLogEntryWritten(DomainEvent):
    inspection_id: UUID
    user_id: str
    day: date
    content: str


@event("management.instruction_requested")
class InstructionRequested(DomainEvent):
    """请示: the group asks the leading group or office for an instruction."""

    inspection_id: UUID
    instruction_id: UUID
    subject: str
    question: str
    requested_on: date


@event("management.instruction_given")
class InstructionGiven(DomainEvent):
    inspection_id: UUID
    instruction_id: UUID
    instruction: str
    given_on: date


@event("management.matter_reported")
class MatterReported(DomainEvent):
    """报告: the group reports a matter upward."""

    inspection_id: UUID
    subject: str
    content: str
    reported_on: date


@event("management.inspector_commended")
class InspectorCommended(DomainEvent):
    inspection_id: UUID
    user_id: str
    reason: str
    decided_on: date


@event("management.inspector_penalized")
class InspectorPenalized(DomainEvent):
    inspection_id: UUID
    user_id: str
    penalty: str
    reason: str
    decided_on: date


@event("management.inspector_held_accountable")
class InspectorHeldAccountable(DomainEvent):
    """问责 of an inspector (e.g. for a leak or for misconduct with the inspected unit)."""

    inspection_id: UUID
    user_id: str
    basis: str
    measure: str
    decided_on: date


@event("management.training_recorded")
class TrainingRecorded(DomainEvent):
    inspection_id: UUID
    kind: TrainingKind
    user_ids: list[str]
    title: str
    provider: str
    completed_on: date
    hours: int


@event("management.confidentiality_breach_reported")
class ConfidentialityBreachReported(DomainEvent):
    inspection_id: UUID
    discovered_on: date
    involved_user_ids: list[str]
    description: str


@event("management.other_system_recorded")
class OtherManagementRecorded(DomainEvent):
    """An activity under a jurisdiction's own management system (the configurable tenth)."""

    inspection_id: UUID
    system: str
    held_on: date
    participants: list[str]
    description: str

"""Answers of `api/http/routes/fieldwork.py`: the fieldwork register of one inspection (working
papers, petitions, interviews, immediate rectifications). Never a sealed identity or content."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import Field

from xuncha.api.http.schemas.common import Answer, EventData
from xuncha.events.interview import IntervieweeCategory
from xuncha.events.petition import PetitionChannel
from xuncha.events.vocabulary import ImmediateRectificationStatus, PetitionStatus


class FieldworkRecord(Answer):
    """One event of the inspection's `fieldwork` or `group_management` stream."""

    position: int = Field(description="The event's position in the log")
    inspection_id: UUID
    stream_type: str = Field(description="`fieldwork` or `group_management`")
    type: str = Field(description="Event type, e.g. `fieldwork.group_meeting_held`")
    record_id: UUID | None = Field(
        description="The briefing, survey, document request, visit, check, meeting, leave or "
        "instruction this event created or names, for a later command to cite"
    )
    occurred_at: datetime
    actor_user_id: str
    data: EventData


class Petition(Answer):
    """A petition (信访件): routing and dates only."""

    petition_id: UUID
    inspection_id: UUID
    channel: PetitionChannel
    received_on: date
    anonymous: bool
    status: PetitionStatus = Field(description="Petition status (docs/read-models.md)")
    in_scope: bool | None = Field(description="Triage result; null before triage")
    forwarded_to: str | None = Field(description="Department an out-of-scope petition went to")
    forwarded_on: date | None
    acknowledged_on: date | None
    finding_ids: list[UUID] = Field(description="Findings it was linked to")
    lead_ids: list[UUID] = Field(description="Leads it was linked to")
    stream_version: int


class Interview(Answer):
    """An individual talk (个别谈话): who talked, with which category of interviewee."""

    interview_id: UUID
    inspection_id: UUID
    interviewers: list[str] = Field(description="User ids of the inspectors present (≥2)")
    category: IntervieweeCategory
    conducted_on: date
    signed: bool = Field(description="The interviewee signed the record")
    signed_on: date | None
    stream_version: int


class ImmediateRectification(Answer):
    """An immediate rectification (立行立改) asked of the inspected organization."""

    item_id: UUID
    inspection_id: UUID
    organization_id: str
    problem: str
    measures: str
    finding_id: UUID | None
    requested_on: date
    status: ImmediateRectificationStatus = Field(description="`requested` or `completed`")
    completed_on: date | None
    outcome: str | None
    stream_version: int

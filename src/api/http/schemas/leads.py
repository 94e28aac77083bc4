"""Answers of `api/http/routes/leads.py`: the lead register (问题线索台账) and its summary. Sealed
fields (the subject, the allegation) are never part of them."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import Field

from xuncha.api.http.schemas.common import Answer
from xuncha.events.lead import CadreLevel, FastTrack, LeadChannel, LeadType, Urgency
from xuncha.events.vocabulary import Disposition, LeadStage


class Lead(Answer):
    """One lead (问题线索) as the register shows it."""

    lead_id: UUID
    inspection_id: UUID
    round_id: UUID
    jurisdiction_id: str
    organization_id: str
    management_level: CadreLevel = Field(description="干部管理权限: decides the receiver")
    during_fieldwork: bool
    status: LeadStage = Field(description="Lead status (docs/read-models.md)")
    lead_type: LeadType | None
    urgency: Urgency | None
    fast_track: FastTrack | None = Field(description="Grounds of a 边办案 transfer")
    receiver_channel: LeadChannel | None
    receiver_organization_id: str | None
    receiver_name: str | None
    transferred_on: date | None
    fast_tracked: bool = Field(description="Transferred during fieldwork (边办案)")
    acknowledgement_due: date | None
    outcome_due: date | None
    policy_version: int | None
    acknowledged_on: date | None
    receiver_case_no: str | None
    disposition: Disposition | None = Field(description="Latest 处置方式")
    four_forms_level: int | None = Field(description="Latest 四种形态 level, 1-4")
    dispositions: int = Field(description="Dispositions recorded")
    outcome_reported_on: date | None
    acknowledgement_overdue: bool = Field(description="The clock flagged a late acknowledgement")
    outcome_overdue: bool = Field(description="The clock flagged a late outcome")
    closed_on: date | None
    registered_at: datetime
    stream_version: int = Field(description="Send as `If-Match` (also the `ETag`)")


class LeadSummary(Answer):
    """Counts of the leads the reader may see, in the filter."""

    total: int
    open: int = Field(description="Not closed")
    closed: int
    not_transferred: int = Field(description="Registered, classified or approved for transfer")
    fast_tracked: int = Field(description="Transferred during fieldwork (边办案)")
    shelved: int = Field(description="Disposed as 暂存待查 (not terminal)")
    acknowledgement_overdue: int
    outcome_overdue: int
    cleared: bool = Field(description="见底清零: no open lead")

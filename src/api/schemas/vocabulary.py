"""The stage and status types the answers declare (docs/read-models.md lists the values)."""

from __future__ import annotations

from typing import Literal

RoundStage = str
InspectionStage = str
ItemStatus = str
LeadStatus = str
PetitionStatus = str
ImmediateStatus = str
WarningColour = Literal["green", "yellow", "red"]

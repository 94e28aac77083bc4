"""The day an inspection entered each stage (`projections.stages.inspection_stage_entry`): the
fact's own date where the event states one, else the office day (China Standard Time) the
event was recorded; every date field of a stage event is either that fact date or named here
as something else (a window, a due day), so a new date field needs a decision."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tests.contract.examples import example_of
from xuncha.events import inspection
from xuncha.events.base import DomainEvent, EventMetadata
from xuncha.events.inspection import InspectionPlanned, InspectionResumed
from xuncha.events.vocabulary import InspectionStage
from xuncha.projections.stages import (
    FACT_DATES,
    INSPECTION_STAGES,
    StageEntry,
    inspection_stage_entry,
)

# Recorded at 17:30 UTC on 1 May 2026: 01:30 on 2 May in the offices.
RECORDED_AT = datetime(2026, 5, 1, 17, 30, tzinfo=UTC)
RECORDED_DAY = date(2026, 5, 2)
METADATA = EventMetadata.model_validate(example_of(EventMetadata)).model_copy(
    update={"occurred_at": RECORDED_AT}
)
# Date fields of stage events that are not the day the stage was entered.
NOT_THE_DAY_ENTERED = {
    (inspection.GroupAuthorized, "window_start"),  # the window authorized, not given on
    (inspection.GroupAuthorized, "window_end"),
    (inspection.InspectionNoticeIssued, "planned_stationing_date"),
    (inspection.InspectionAnnouncementPublished, "period_start"),  # the period inspected
    (inspection.InspectionAnnouncementPublished, "period_end"),
    (inspection.InspectionAnnouncementPublished, "intake_deadline"),
    (inspection.InspectionFeedbackDelivered, "plan_due"),
    (inspection.InspectionFeedbackDelivered, "written_report_due"),
    (inspection.RectificationReportSubmitted, "due"),
}
STAGE_EVENTS = [*INSPECTION_STAGES, InspectionResumed, InspectionPlanned]


def date_fields(cls: type[DomainEvent]) -> list[str]:
    return [n for n, f in cls.model_fields.items() if f.annotation in (date, date | None)]


def instance(cls: type[DomainEvent]) -> DomainEvent:
    """An example of `cls` whose date fields each hold a different day (before the recording),
    so the day picked tells which field it came from."""
    data: dict[str, Any] = example_of(cls)
    for n, name in enumerate(date_fields(cls)):
        data[name] = (date(2025, 1, 1) + timedelta(days=n * 31)).isoformat()
    if cls is InspectionResumed:
        data["resumed_to"] = InspectionStage.STATIONED
    return cls.model_validate(data)


@pytest.mark.parametrize("cls", STAGE_EVENTS, ids=lambda c: c.type_name)
def test_each_stage_event_is_dated_by_its_fact_or_its_recording(cls: type[DomainEvent]) -> None:
    event = instance(cls)
    entry = inspection_stage_entry(event, METADATA)
    assert entry is not None
    field = FACT_DATES.get(cls)
    if field is None:
        assert (entry.entered_on, entry.dated_by) == (RECORDED_DAY, "recorded")
    else:
        assert (entry.entered_on, entry.dated_by) == (getattr(event, field), "fact")
        assert entry.entered_on < RECORDED_DAY


@pytest.mark.parametrize("cls", STAGE_EVENTS, ids=lambda c: c.type_name)
def test_every_date_of_a_stage_event_is_the_fact_date_or_named_as_something_else(
    cls: type[DomainEvent],
) -> None:
    fact = FACT_DATES.get(cls)
    undecided = [
        name for name in date_fields(cls) if name != fact and (cls, name) not in NOT_THE_DAY_ENTERED
    ]
    assert undecided == []
    assert fact is None or fact in date_fields(cls)


def test_the_stages_entered_are_the_stages_shown() -> None:
    stationed = inspection_stage_entry(instance(inspection.GroupStationed), METADATA)
    assert stationed == StageEntry(InspectionStage.STATIONED, date(2025, 1, 1), "fact")
    planned = inspection_stage_entry(instance(InspectionPlanned), METADATA)
    assert planned == StageEntry(InspectionStage.PLANNED, RECORDED_DAY, "recorded")
    # A resumption enters again the stage the inspection had left.
    resumed = inspection_stage_entry(instance(InspectionResumed), METADATA)
    assert resumed == StageEntry(InspectionStage.STATIONED, RECORDED_DAY, "recorded")
    returned = inspection_stage_entry(instance(inspection.ReportReturnedForRevision), METADATA)
    assert returned == StageEntry(InspectionStage.REPORT_RETURNED, RECORDED_DAY, "recorded")


def test_an_event_recorded_before_eight_in_the_morning_utc_is_dated_by_the_office_day() -> None:
    event = instance(inspection.InspectionReportDrafted)
    for at, day in (
        (datetime(2026, 5, 1, 15, 59, 59, tzinfo=UTC), date(2026, 5, 1)),
        (datetime(2026, 5, 1, 16, 0, tzinfo=UTC), date(2026, 5, 2)),
    ):
        entry = inspection_stage_entry(event, METADATA.model_copy(update={"occurred_at": at}))
        assert entry == StageEntry(InspectionStage.REPORT_DRAFTED, day, "recorded")


@pytest.mark.parametrize(
    "cls",
    [
        inspection.InspectionFindingRegistered,
        inspection.InspectionGroupMemberRecused,
        inspection.FactualViewsExchanged,
        inspection.ResultsUseDecided,
    ],
    ids=lambda c: c.type_name,
)
def test_an_event_that_does_not_move_the_stage_enters_none(cls: type[DomainEvent]) -> None:
    assert inspection_stage_entry(instance(cls), METADATA) is None

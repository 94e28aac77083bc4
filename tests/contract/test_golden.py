"""Every event type and version has a golden JSON file, and the code reads and writes it
unchanged. A field renamed, removed, retyped or added fails here."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from tests.contract.examples import GOLDEN, example_of, golden_path
from xuncha.events import REGISTRY
from xuncha.events.base import EventMetadata
from xuncha.events.registry import MetadataRequired

# The envelope an old version is read with (some upcasters date a fact by its `occurred_at`).
METADATA = EventMetadata.model_validate(example_of(EventMetadata))

CURRENT = sorted((c.type_name, c.schema_version) for c in REGISTRY)
LEGACY = sorted((n, v) for n, v, model in REGISTRY.legacy_versions())


@pytest.mark.parametrize(("type_name", "version"), CURRENT)
def test_golden_round_trips_through_the_current_model(type_name: str, version: int) -> None:
    path = golden_path(type_name, version)
    assert path.exists(), f"no golden file for {type_name} v{version}: run tests.contract.examples"
    golden = json.loads(path.read_text())
    model = REGISTRY.resolve(type_name)
    assert model.model_validate(golden).model_dump(mode="json") == golden


@pytest.mark.parametrize(("type_name", "version"), LEGACY)
def test_legacy_golden_upcasts_to_a_valid_current_event(type_name: str, version: int) -> None:
    golden = json.loads(golden_path(type_name, version).read_text())
    event = REGISTRY.load(type_name, version, golden, METADATA)
    assert event.type_name == type_name


def test_every_golden_file_belongs_to_a_registered_version() -> None:
    known = {golden_path(n, v).name for n, v in CURRENT + LEGACY}
    stray = sorted(p.name for p in GOLDEN.glob("*.json") if p.name not in known)
    assert stray == [], f"golden files without a registered event version: {stray}"


@pytest.mark.parametrize(
    ("type_name", "field"),
    [
        ("rectification.closure_requested", "requested_on"),
        ("rectification.item_verified", "verified_on"),
        ("rectification.verification_failed", "failed_on"),
        ("rectification.item_opened", "opened_on"),
        ("rectification.item_reopened", "reopened_on"),
        ("inspection.rectification_plan_submitted", "submitted_on"),
        ("inspection.rectification_plan_accepted", "accepted_on"),
    ],
)
def test_an_undated_v1_is_dated_by_the_day_the_service_then_gave_it(
    type_name: str, field: str
) -> None:
    """Version 1 was recorded when the service's day was UTC's: 23:30 UTC (07:30 the next
    morning in an office) stays on the UTC day, so a stored fact's day does not move."""
    golden = json.loads(golden_path(type_name, 1).read_text())
    for moment, day in [
        (datetime(2026, 4, 7, 15, 30, tzinfo=UTC), date(2026, 4, 7)),
        (datetime(2026, 4, 7, 23, 30, tzinfo=UTC), date(2026, 4, 7)),
        (datetime(2026, 4, 8, 0, 30, tzinfo=UTC), date(2026, 4, 8)),
    ]:
        recorded = METADATA.model_copy(update={"occurred_at": moment})
        event = REGISTRY.load(type_name, 1, golden, recorded)
        assert getattr(event, field) == day
    with pytest.raises(MetadataRequired):
        REGISTRY.load(type_name, 1, golden)

"""The committed integration contract (docs/contract) matches the code, stays backward
compatible within a version, and never carries sealed data."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, ClassVar
from uuid import uuid4

from xuncha.events.base import SEALED, Actor, DomainEvent, EventMetadata, RecordedEvent, Role
from xuncha.events.contract import compatibility_problems, contract_files
from xuncha.events.inspection import RectificationPlanAccepted
from xuncha.events.integration import MAPPINGS, to_integration
from xuncha.events.registry import REGISTRY

CONTRACT = Path(__file__).resolve().parents[2] / "docs" / "contract"
REGENERATE = "run `xuncha events integration-schemas` and commit docs/contract"


def test_committed_contract_matches_the_code() -> None:
    for relative, content in contract_files().items():
        path = CONTRACT / relative
        assert path.exists(), f"{relative} is missing: {REGENERATE}"
        assert path.read_text() == content, f"{relative} drifted from the code: {REGENERATE}"


def test_every_published_version_stays_backward_compatible() -> None:
    current = {
        Path(rel).name: json.loads(text)
        for rel, text in contract_files().items()
        if rel.startswith("schemas/")
    }
    frozen = sorted((CONTRACT / "published").glob("*.json"))
    assert frozen
    for path in frozen:
        assert path.name in current, f"{path.name} was published and may not disappear"
        problems = compatibility_problems(json.loads(path.read_text()), current[path.name])
        assert not problems, f"{path.name}: {problems}; publish a new version instead"


def test_compatibility_check_catches_breaking_changes() -> None:
    old = {"required": ["a"], "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}}
    assert compatibility_problems(old, old) == []
    added_optional = {**old, "properties": {**old["properties"], "c": {"type": "string"}}}
    assert compatibility_problems(old, added_optional) == []
    assert compatibility_problems(old, {**old, "required": ["a", "b"]})
    assert compatibility_problems(old, {**old, "properties": {"a": {"type": "string"}}})
    assert compatibility_problems(old, {**old, "properties": {"a": {"type": "integer"}}})


def test_every_mapped_type_is_a_registered_event() -> None:
    registered = {cls.type_name for cls in REGISTRY}
    # mappings may name event types another area is still adding; those that exist must match
    assert {"round.proposed", "inspection.planned", "rectification.item_closed"} <= registered
    assert set(MAPPINGS) & registered


class _SealedTransfer(DomainEvent):
    """Shaped like a lead transfer, with the receiver's package sealed."""

    sealed_fields: ClassVar[frozenset[str]] = frozenset({"package_ref"})
    lead_id: Any
    inspection_id: Any
    receiver: dict[str, str]
    package_ref: str
    transferred_on: date
    acknowledgement_due: date
    outcome_due: date


def test_sealed_fields_never_leave() -> None:
    _SealedTransfer.type_name, _SealedTransfer.schema_version = "lead.transferred", 1
    event = _SealedTransfer(
        lead_id=uuid4(),
        inspection_id=uuid4(),
        receiver={"organization_id": "org-jw", "channel": "discipline", "name": "市纪委监委"},
        package_ref="sealed-package-17",
        transferred_on=date(2026, 7, 1),
        acknowledgement_due=date(2026, 7, 8),
        outcome_due=date(2026, 10, 1),
    )
    meta = EventMetadata(
        event_id=uuid4(),
        stream_id=event.lead_id,
        stream_type="lead",
        stream_version=5,
        occurred_at=datetime.now(UTC),
        actor=Actor(user_id="o", role=Role.INSPECTION_OFFICE, organization_id="org-xcb"),
        command="TransferLead",
        correlation_id=uuid4(),
        causation_id=uuid4(),
    )
    published = to_integration(RecordedEvent(metadata=meta, event=event))
    assert published is not None
    text = published.model_dump_json()
    assert "sealed-package-17" not in text
    assert SEALED in text  # the redaction marker, never the value
    assert "name" not in published.model_dump()  # only the receiving authority's id


def test_a_plan_acceptance_publishes_the_rectifying_stage_with_its_day() -> None:
    inspection_id = uuid4()
    event = RectificationPlanAccepted(
        inspection_id=inspection_id,
        plan_version=1,
        item_ids=[uuid4()],
        accepted_on=date(2025, 3, 14),
    )
    meta = EventMetadata(
        event_id=uuid4(),
        stream_id=inspection_id,
        stream_type="inspection",
        stream_version=20,
        occurred_at=datetime(2026, 12, 6, tzinfo=UTC),  # recorded long after
        actor=Actor(user_id="o", role=Role.INSPECTION_OFFICE, organization_id="org-xcb"),
        command="AcceptRectificationPlan",
        correlation_id=uuid4(),
        causation_id=uuid4(),
    )
    published = to_integration(RecordedEvent(metadata=meta, event=event))
    assert published is not None
    assert published.model_dump(mode="json") == {
        "inspection_id": str(inspection_id),
        "stage": "rectifying",
        "effective_on": "2025-03-14",
    }

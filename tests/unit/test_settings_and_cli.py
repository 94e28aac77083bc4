"""Settings refuse development defaults in production; the CLI lists and exports the contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from xuncha.api.cli.main import main
from xuncha.api.http.auth import Unauthenticated, actor_from_header, mint
from xuncha.api.settings import DEVELOPMENT_SECRET, Settings
from xuncha.events import REGISTRY
from xuncha.events.base import Role


def test_production_refuses_the_development_secret_and_a_missing_database() -> None:
    with pytest.raises(ValidationError, match="XUNCHA_JWT_SECRET"):
        Settings(environment="production", database_url="postgresql://db/x")
    with pytest.raises(ValidationError, match="XUNCHA_JWT_SECRET"):
        Settings(
            environment="production",
            database_url="postgresql://db/x",
            jwt_secret=DEVELOPMENT_SECRET,
        )
    with pytest.raises(ValidationError, match="XUNCHA_DATABASE_URL"):
        Settings(environment="production", jwt_secret="s" * 40)
    assert (
        Settings(
            environment="production",
            jwt_secret="s" * 40,
            database_url="postgresql://db/x",
            key_encryption_key="MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
        ).signing_key
        == "s" * 40
    )


def test_a_token_from_another_secret_or_audience_is_refused() -> None:
    ours = Settings(jwt_secret="a" * 40)
    theirs = Settings(jwt_secret="b" * 40)
    token = mint(theirs, user_id="u", role=Role.AUDITOR, organization_id="o")
    with pytest.raises(Unauthenticated, match="not valid"):
        actor_from_header(ours, f"Bearer {token}")
    other_audience = Settings(jwt_secret="a" * 40, jwt_audience="elsewhere")
    token = mint(other_audience, user_id="u", role=Role.AUDITOR, organization_id="o")
    with pytest.raises(Unauthenticated, match=r"(?i)audience"):
        actor_from_header(ours, f"Bearer {token}")
    token = mint(ours, user_id="u", role=Role.AUDITOR, organization_id="o")
    assert actor_from_header(ours, f"Bearer {token}").role == Role.AUDITOR


def test_events_list_prints_every_type_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    main(["events", "list", "--json"])
    listed = {(e["type"], e["version"]) for e in json.loads(capsys.readouterr().out)}
    assert listed == {(c.type_name, c.schema_version) for c in REGISTRY}


def test_events_schema_writes_one_schema_per_type_and_version(tmp_path: Path) -> None:
    main(["events", "schema", "--out", str(tmp_path)])
    written = {p.name for p in tmp_path.glob("*.json")}
    assert "inspection.announcement_published.v1.json" in written
    assert "inspection.announcement_published.v2.json" in written
    legacy = [name for name, _, model in REGISTRY.legacy_versions() if model is not None]
    assert len(written) == len(list(REGISTRY)) + len(legacy)
    schema = json.loads((tmp_path / "rectification.item_closed.v1.json").read_text())
    assert schema["$id"] == "urn:xuncha:event:rectification.item_closed:v1"
    assert set(schema["required"]) >= {"item_id", "closed_on", "on_time"}

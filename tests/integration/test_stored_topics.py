"""The stored type of an event, read straight from the database, is its stable name."""

from __future__ import annotations

import json

import psycopg

from tests.support.api import Api
from tests.support.lifecycle import Lifecycle
from xuncha.events import REGISTRY


def test_stored_topics_are_stable_names_with_metadata_envelopes(api: Api) -> None:
    Lifecycle(api).to_rectifying()
    conninfo = api.client.app.state.container.conninfo  # type: ignore[attr-defined]
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute(
            "SELECT topic, state, originator_id, originator_version FROM stored_events"
        ).fetchall()
    names = {cls.type_name for cls in REGISTRY}
    assert rows
    for topic, state, stream_id, version in rows:
        assert topic in names, topic
        assert ":" not in topic, topic
        assert "events." not in topic, topic
        envelope = json.loads(bytes(state))
        assert envelope["version"] == REGISTRY.resolve(topic).schema_version
        meta = envelope["metadata"]
        assert (meta["stream_id"], meta["stream_version"]) == (str(stream_id), version)
        assert set(meta) >= {
            "event_id",
            "occurred_at",
            "actor",
            "correlation_id",
            "causation_id",
            "command",
        }
        assert set(meta["actor"]) == {"user_id", "role", "organization_id"}

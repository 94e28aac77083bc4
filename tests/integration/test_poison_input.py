"""A string the read models cannot store must be refused before it reaches the append-only log.

PostgreSQL `text` and `jsonb` cannot hold U+0000; the event store (bytea) can. An event with a
NUL in it would make every read model fail on it at every retry, forever.
"""

from __future__ import annotations

from typing import Any

from tests.support.api import OFFICE, Api
from xuncha.projections.wait import wait_for_position

ROUND = {
    "jurisdiction_id": "yulin",
    "committee": "市委",
    "name": "第二轮",
    "round_type": "special",
    "topic": "营商环境",
    "planned_start": "2026-09-01",
    "planned_end": "2026-12-01",
}


def test_a_nul_character_is_refused_with_422_and_the_read_models_keep_up(api: Api) -> None:
    container: Any = api.client.app.state.container  # type: ignore[attr-defined]
    response = api.post("/rounds", {**ROUND, "name": "第二\u0000轮"}, OFFICE)
    assert response.status_code == 422, response.text
    assert "NUL" in response.json()["detail"]
    assert api.event_count() == 0
    nested = api.post("/rounds", {**ROUND, "topic": "营商\u0000环境"}, OFFICE)
    assert nested.status_code == 422, nested.text
    position = api.command("/rounds", ROUND, OFFICE, status=201)["position"]
    names = [p.name for p in container.projections]
    assert wait_for_position(container.read_pool, names, position, timeout=10)

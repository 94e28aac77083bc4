"""Optimistic concurrency and idempotency, over HTTP and at the store, on real PostgreSQL."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from tests.support.api import LIAISON, OFFICE, Api
from tests.support.lifecycle import Lifecycle
from xuncha.commands.base import Context
from xuncha.commands.errors import ConcurrencyConflict
from xuncha.commands.rectification import RECTIFICATION_ITEM, ReportItemProgress, report_progress
from xuncha.commands.service import Application
from xuncha.commands.unit_of_work import UnitOfWork
from xuncha.events.base import Actor, Role


def _race(api: Api, calls: list[tuple[str, dict[str, Any], dict[str, str]]]) -> list[Any]:
    """Fire the calls at once from separate threads; return the responses in order."""
    barrier = threading.Barrier(len(calls))
    responses: list[Any] = [None] * len(calls)

    def fire(i: int) -> None:
        path, body, headers = calls[i]
        barrier.wait()
        responses[i] = api.post(path, body, LIAISON, **headers)

    threads = [threading.Thread(target=fire, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return responses


def test_two_commands_on_the_same_version_one_wins_the_other_conflicts(api: Api) -> None:
    life = Lifecycle(api)
    life.to_rectifying()
    path = f"/rectification-items/{life.item_ids[0]}/progress"
    for trial in range(8):
        before = api.event_count()
        version = trial + 1  # each trial adds one progress event to the item
        headers = {"If-Match": f'"{version}"'}
        responses = _race(
            api,
            [
                (path, {"percent": 10, "note": f"first {trial}"}, headers),
                (path, {"percent": 20, "note": f"second {trial}"}, headers),
            ],
        )
        codes = sorted(r.status_code for r in responses)
        assert codes[0] == 200, [r.text for r in responses]
        assert codes[1] in (409, 412), [r.text for r in responses]
        assert api.event_count() == before + 1
        winner = next(r for r in responses if r.status_code == 200)
        assert winner.headers["ETag"] == f'"{version + 1}"'


def test_a_stale_if_match_is_refused_with_412_and_appends_nothing(api: Api) -> None:
    life = Lifecycle(api)
    life.to_rectifying()
    path = f"/rectification-items/{life.item_ids[0]}/progress"
    api.command(path, {"percent": 10, "note": "first"}, LIAISON, **{"If-Match": '"1"'})
    before = api.event_count()
    response = api.post(path, {"percent": 20, "note": "late"}, LIAISON, **{"If-Match": '"1"'})
    assert response.status_code == 412
    assert "version 2, not 1" in response.json()["detail"]
    assert api.event_count() == before


def test_store_refuses_the_second_of_two_appends_from_the_same_version(api: Api) -> None:
    life = Lifecycle(api)
    life.to_rectifying()
    container = api.client.app.state.container  # type: ignore[attr-defined]
    store, item_id = container.store, life.item_ids[0]
    actor = Actor(
        user_id="liaison-1", role=Role.INSPECTED_ORG_LIAISON, organization_id="org-water-bureau"
    )
    app = Application(store)
    cmd = ReportItemProgress(item_id=item_id, percent=5, note="race")
    uows = [UnitOfWork(store, Context(app.clock(), actor)) for _ in range(2)]
    states = [u.get(RECTIFICATION_ITEM, cmd.item_id, "item") for u in uows]  # both at v1
    for uow, state in zip(uows, states, strict=True):
        uow.record(RECTIFICATION_ITEM, cmd.item_id, report_progress(state, cmd, uow.ctx))
    store.append(app.envelopes(uows[0], cmd, cmd.item_id))
    with pytest.raises(ConcurrencyConflict):
        store.append(app.envelopes(uows[1], cmd, cmd.item_id))
    assert [e.metadata.stream_version for e in store.load(cmd.item_id)] == [1, 2]


def test_a_retried_command_with_the_same_key_appends_once_and_returns_the_first_result(
    api: Api,
) -> None:
    body = {
        "jurisdiction_id": "yulin",
        "committee": "市委",
        "name": "第二轮",
        "round_type": "special",
        "topic": "营商环境",
        "planned_start": "2026-09-01",
        "planned_end": "2026-12-01",
    }
    first = api.post("/rounds", body, OFFICE, **{"Idempotency-Key": "round-2-proposal"})
    count = api.event_count()
    again = api.post("/rounds", body, OFFICE, **{"Idempotency-Key": "round-2-proposal"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["created_id"] == first.json()["created_id"]
    assert again.json()["position"] == first.json()["position"]
    assert (first.json()["replayed"], again.json()["replayed"]) == (False, True)
    assert api.event_count() == count == 1


def test_concurrent_retries_with_the_same_key_append_one_set_of_events(api: Api) -> None:
    life = Lifecycle(api)
    life.to_rectifying()
    path = f"/rectification-items/{life.item_ids[0]}/progress"
    before = api.event_count()
    headers = {"Idempotency-Key": "progress-42"}
    body = {"percent": 40, "note": "same request"}
    responses = _race(api, [(path, body, headers)] * 4)
    assert {r.status_code for r in responses} == {200}
    assert len({r.json()["position"] for r in responses}) == 1
    assert api.event_count() == before + 1


def test_a_key_reused_for_a_different_request_is_refused(api: Api) -> None:
    body = {
        "jurisdiction_id": "yulin",
        "committee": "市委",
        "name": "第三轮",
        "round_type": "regular",
        "planned_start": "2026-09-01",
        "planned_end": "2026-12-01",
    }
    api.command("/rounds", body, OFFICE, 201, **{"Idempotency-Key": "k-1"})
    response = api.post("/rounds", {**body, "name": "另一轮"}, OFFICE, **{"Idempotency-Key": "k-1"})
    assert response.status_code == 422
    assert "already used for a different request" in response.json()["detail"]
    assert api.event_count() == 1

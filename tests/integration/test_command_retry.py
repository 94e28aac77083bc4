"""A command without If-Match whose append meets another append to the same stream (the
server's own timers, another client) is loaded and decided again inside the server, a bounded
number of times; with If-Match the conflict is the client's to decide (409).

The other append is a real command on the real PostgreSQL, run between this command's load
and its append by a hook around `EventStore.append`: deterministic, no sleeps."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import psycopg

from tests.support.api import OFFICE, Api
from tests.support.lifecycle import Lifecycle, day
from xuncha.commands.round import FileRoundPlanWithUpperOffice, PlanInspection
from xuncha.events.base import Actor, Role

OFFICE_ACTOR = Actor(user_id="office-2", role=Role.INSPECTION_OFFICE, organization_id="org-xcb")


@contextmanager
def before_appends(api: Api, other: Callable[[int], None], times: int) -> Iterator[list[int]]:
    """Run `other(n)` before each of the next `times` appends (not before its own)."""
    store = api.client.app.state.container.store  # type: ignore[attr-defined]
    real = store.append
    ran: list[int] = []
    busy = False

    def interleaved(*args: Any, **kwargs: Any) -> Any:
        nonlocal busy
        if not busy and len(ran) < times:
            ran.append(len(ran))
            busy = True  # the other command's own append goes straight through
            try:
                other(len(ran))
            finally:
                busy = False
        return real(*args, **kwargs)

    store.append = interleaved
    try:
        yield ran
    finally:
        del store.append


def execute(api: Api, command: Any) -> None:
    api.client.app.state.container.app.execute(command, OFFICE_ACTOR)  # type: ignore[attr-defined]


def topics(api: Api, stream_id: str) -> list[str]:
    conninfo = api.client.app.state.container.conninfo  # type: ignore[attr-defined]
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute(
            "SELECT topic FROM stored_events WHERE originator_id = %s ORDER BY originator_version",
            (stream_id,),
        ).fetchall()
    return [r[0] for r in rows]


def approved_round(api: Api) -> str:
    life = Lifecycle(api)
    life.propose_round()
    life.approve_round()
    return life.round_id


def file_plan(api: Api, round_id: str) -> Callable[[int], None]:
    command = FileRoundPlanWithUpperOffice(
        round_id=UUID(round_id), upper_office="省委巡视办", filed_on=day(-1)
    )
    return lambda _: execute(api, command)


def test_a_command_without_if_match_is_decided_again_after_another_append(api: Api) -> None:
    round_id = approved_round(api)
    with before_appends(api, file_plan(api, round_id), times=1) as ran:
        answer = api.command(f"/rounds/{round_id}/mobilize", {"meeting_on": day(0)}, OFFICE)
    assert ran == [0]
    assert answer["stream_version"] == 4
    assert topics(api, round_id) == [
        "round.proposed",
        "round.approved",
        "round.plan_filed_with_upper_office",
        "round.mobilized",
    ]


def test_with_if_match_the_conflict_is_answered(api: Api) -> None:
    round_id = approved_round(api)
    with before_appends(api, file_plan(api, round_id), times=1):
        response = api.post(
            f"/rounds/{round_id}/mobilize", {"meeting_on": day(0)}, OFFICE, **{"If-Match": '"2"'}
        )
    assert response.status_code == 409, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert topics(api, round_id)[-1] == "round.plan_filed_with_upper_office"


def test_the_retries_are_bounded(api: Api) -> None:
    round_id = approved_round(api)

    def plan(n: int) -> None:
        body = {"organization_id": f"org-{n}", "organization_name": f"单位{n}", "group_name": "组"}
        execute(api, PlanInspection(round_id=UUID(round_id), **body))

    with before_appends(api, plan, times=10) as ran:
        response = api.post(f"/rounds/{round_id}/mobilize", {"meeting_on": day(0)}, OFFICE)
    assert response.status_code == 409, response.text
    assert len(ran) == 3  # three attempts, each met by another append
    assert "round.mobilized" not in topics(api, round_id)

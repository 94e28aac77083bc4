"""Recorded time is the real time: an event's `occurred_at` is the moment it was stored, taken
under the append lock, never before the event ahead of it; a timer's moment goes into the
payload; `--now` ahead of the real clock is refused outside development; `xuncha verify-log`
names the first position whose recorded time decreases."""

from __future__ import annotations

import argparse
import base64
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest

from tests.integration.test_leads import classify_and_approve, publish_lead_policy, register
from tests.support import lifecycle
from tests.support.api import DISCIPLINE, LEADER, OFFICE, Api, Who
from tests.support.lifecycle import Lifecycle, day
from xuncha.api.cli.main import clock_tick, main, tick_moment
from xuncha.api.settings import Settings
from xuncha.commands.eventstore.recorded_time import first_decrease
from xuncha.commands.round import ProposeRound
from xuncha.events.base import Actor, Role

AUDITOR = Who("audit-1", Role.AUDITOR, "org-audit-office")


def container(api: Api) -> Any:
    return api.client.app.state.container  # type: ignore[attr-defined]


def stream(api: Api, stream_id: str) -> list[tuple[str, datetime, dict[str, Any]]]:
    """(type, recorded time, payload) of each event of the stream, in version order."""
    return [
        (r.event.type_name, r.metadata.occurred_at, r.event.model_dump(mode="json"))
        for r in container(api).store.load(UUID(stream_id))
    ]


def test_a_tick_in_the_future_records_now_and_history_shows_the_closed_lead(api: Api) -> None:
    life = Lifecycle(api)
    life.to_stationed()
    publish_lead_policy(api)
    lead = register(api, life)
    classify_and_approve(api, lead, fast_track="eight_point_rules")
    at = f"/leads/{lead}"
    api.command(
        f"{at}/transfer-during-fieldwork",
        {"package_ref": "快转函", "transferred_on": day(0)},
        LEADER,
    )
    # What `xuncha clock tick --now <in 11 days>` does in development: the acknowledgement
    # (due in 10 days) is late as of that moment.
    future = datetime.combine(lifecycle.TODAY + timedelta(days=11), datetime.min.time(), UTC)
    assert container(api).timers.tick(future)["lead_overdue"] == 1
    api.command(
        f"{at}/acknowledge", {"receiver_case_no": "JW-1", "acknowledged_on": day(0)}, DISCIPLINE
    )
    api.command(
        f"{at}/disposition",
        {"category": "concluded", "four_forms_level": 1, "decided_on": day(0)},
        DISCIPLINE,
    )
    outcome = {"summary": "批评教育", "four_forms_level": 1, "reported_on": day(0)}
    api.command(f"{at}/outcome", outcome, DISCIPLINE)
    api.command(f"{at}/close", {}, OFFICE)
    after_close = datetime.now(UTC)

    events = stream(api, lead)
    shown = api.get(f"/history/{lead}/state", who=AUDITOR, at=after_close.isoformat())
    assert (shown["state"]["stage"], shown["version"]) == ("closed", len(events))
    overdue = [(t, p) for kind, t, p in events if kind == "lead.acknowledgement_overdue"]
    ((flagged_at, payload),) = overdue
    assert (
        payload["as_of"] == (lifecycle.TODAY + timedelta(days=11)).isoformat()
    )  # the timer's moment
    assert flagged_at < after_close  # recorded when it was stored, not at the tick's moment
    times = [t for _, t, _ in events]
    assert times == sorted(times)


def test_an_append_that_took_the_lock_last_is_recorded_last(api: Api) -> None:
    """A command decided first but appended after another is stamped after it: the time is
    taken under the append lock, not when the command was decided."""
    store = container(api).store
    real = store.append
    office = Actor(user_id="office-9", role=Role.INSPECTION_OFFICE, organization_id="org-xcb")
    body = {
        "jurisdiction_id": "yulin",
        "committee": "中共榆林市委",
        "round_type": "regular",
        "planned_start": day(0),
        "planned_end": day(90),
    }
    ran: list[bool] = []

    def another_writer_first(*args: Any, **kwargs: Any) -> Any:
        if not ran:
            ran.append(True)
            container(api).app.execute(ProposeRound(name="第二轮", **body), office)
        return real(*args, **kwargs)

    store.append = another_writer_first
    try:
        container(api).app.execute(ProposeRound(name="第一轮", **body), office)
    finally:
        del store.append
    with psycopg.connect(container(api).conninfo) as conn:
        assert first_decrease(conn) is None
        topics = conn.execute(
            "SELECT convert_from(state, 'UTF8')::jsonb #>> '{data,name}' FROM stored_events"
            " ORDER BY notification_id"
        ).fetchall()
    assert [t[0] for t in topics] == ["第二轮", "第一轮"]


def production(**change: Any) -> Settings:
    return Settings(
        environment="production",
        database_url="postgresql://nowhere.invalid/xuncha",
        jwt_secret="s" * 40,
        key_encryption_key=base64.b64encode(b"k" * 32).decode(),
        **change,
    )


def test_a_future_now_is_refused_outside_development(capsys: pytest.CaptureFixture[str]) -> None:
    ahead = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert clock_tick(production(), argparse.Namespace(now=ahead)) == 2
    assert "ahead of the real clock" in capsys.readouterr().err
    assert clock_tick(production(), argparse.Namespace(now="tomorrow")) == 2
    assert "ISO date-time" in capsys.readouterr().err
    past = datetime.now(UTC) - timedelta(days=3)
    assert tick_moment(production(), past.isoformat()) == past  # replaying a moment
    development = Settings(database_url="postgresql://nowhere.invalid/xuncha")
    assert tick_moment(development, ahead) == datetime.fromisoformat(ahead)


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> None:
    monkeypatch.setenv("XUNCHA_DATABASE_URL", database_url)
    monkeypatch.setenv("XUNCHA_CHECKPOINT_KEY_FILE", str(tmp_path / "checkpoint-key.pem"))


def test_verify_log_names_the_first_position_recorded_before_its_predecessor(
    api: Api, database_url: str, cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    Lifecycle(api).propose_round()
    Lifecycle(api).propose_round()
    assert main(["verify-log"]) == 0
    capsys.readouterr()
    with psycopg.connect(database_url, autocommit=True) as conn:
        (first,) = conn.execute("SELECT min(notification_id) FROM stored_events").fetchone() or ()
        # A superuser moves the first event into the future (what `--now` used to record).
        conn.execute(
            "UPDATE stored_events SET state = convert_to(jsonb_set(convert_from(state, 'UTF8')"
            "::jsonb, '{metadata,occurred_at}', '\"2999-01-01T00:00:00Z\"')::text, 'UTF8')"
            " WHERE notification_id = %s",
            (first,),
        )
    assert main(["verify-log"]) == 1
    err = capsys.readouterr().err
    assert f"FAILED at position {first + 1}: recorded at" in err
    assert "recorded times must never decrease" in err

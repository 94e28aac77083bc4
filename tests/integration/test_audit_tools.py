"""Auditors' tools on the real PostgreSQL: time travel and history over HTTP and the CLI,
audit-trail timelines (correlation, record, inspection), role and time filters, and the
NDJSON/CSV exports that record `audit.export_performed`."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from eventsourcing.persistence import StoredEvent

from tests.support.api import LIAISON, MEMBER, MEMBER_2, OFFICE, TARGET_ORG, Api, Who
from tests.support.lifecycle import Lifecycle, day
from xuncha.commands.eventstore.history import to_json
from xuncha.commands.inspection import INSPECTION
from xuncha.commands.rectification import RECTIFICATION_ITEM
from xuncha.events.base import RecordedEvent, Role
from xuncha.events.mapper import EnvelopeMapper
from xuncha.projections import audit_trail

AUDITOR = Who("auditor-1", Role.AUDITOR, "org-audit-office")


def read_stream(api: Api, stream_id: str) -> list[RecordedEvent]:
    """The stream straight from the stored events table, decoded by the mapper."""
    conninfo = api.client.app.state.container.conninfo  # type: ignore[attr-defined]
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute(
            "SELECT originator_id, originator_version, topic, state, notification_id"
            " FROM stored_events WHERE originator_id = %s ORDER BY originator_version",
            (UUID(stream_id),),
        ).fetchall()
    mapper = EnvelopeMapper()
    return [
        mapper.to_recorded_event(StoredEvent(r[0], r[1], r[2], bytes(r[3]))).model_copy(
            update={"position": r[4]}
        )
        for r in rows
    ]


def status(api: Api, path: str, who: Who = AUDITOR, **params: Any) -> tuple[int, Any]:
    response = api.client.get(path, params=params, headers=api.headers(who))
    return response.status_code, response.json()


def closed_item(api: Api) -> Lifecycle:
    life = Lifecycle(api)
    life.to_rectifying()
    life.close_item(life.item_ids[0])
    return life


def whole_trail(api: Api, **params: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    after = 0
    while True:
        page = api.get("/audit-trail", who=AUDITOR, after_position=after, limit=500, **params)
        rows += page["items"]
        if page["next_after_position"] is None:
            return rows
        assert page["next_after_position"] == page["items"][-1]["position"]
        after = page["next_after_position"]


# ---- time travel ----


def test_an_item_at_each_version_and_moment_is_the_replay_of_its_first_events(api: Api) -> None:
    life = closed_item(api)
    item = life.item_ids[0]
    stored = read_stream(api, item)
    assert [r.event.type_name for r in stored] == [
        "rectification.item_opened",
        "rectification.progress_reported",
        "rectification.closure_requested",
        "rectification.item_verified",
        "rectification.item_closed",
        "rectification.quick_closure_flagged",  # by the same command as the closure
    ]
    statuses = ["opened", "in_progress", "closure_requested", "verified", "closed", "closed"]
    for n in range(1, len(stored) + 1):
        shown = api.get(f"/history/{item}/state", who=AUDITOR, version=n)
        expected = to_json(RECTIFICATION_ITEM.fold(r.event for r in stored[:n]))
        assert shown["state"] == expected
        assert shown["state"]["status"] == statuses[n - 1]
        assert (shown["version"], shown["current_version"]) == (n, len(stored))
        assert shown["last_event"]["position"] == stored[n - 1].position
        # At the moment its n-th event was recorded: with the events of the same command.
        at = stored[n - 1].metadata.occurred_at
        prefix = sum(1 for r in stored if r.metadata.occurred_at <= at)
        assert prefix >= n
        by_time = api.get(f"/history/{item}/state", who=AUDITOR, at=at.isoformat())
        assert by_time["version"] == prefix
        assert by_time["state"] == to_json(
            RECTIFICATION_ITEM.fold(r.event for r in stored[:prefix])
        )
    just_before = stored[2].metadata.occurred_at - timedelta(microseconds=1)
    shown = api.get(f"/history/{item}/state", who=AUDITOR, at=just_before.isoformat())
    assert (shown["version"], shown["state"]["status"]) == (2, "in_progress")


def test_an_inspection_at_a_version_is_the_replay_of_its_first_events(api: Api) -> None:
    life = closed_item(api)
    stored = read_stream(api, life.inspection_id)
    stages = [INSPECTION.fold(r.event for r in stored[:n]) for n in range(1, len(stored) + 1)]
    stationed = next(n for n, s in enumerate(stages, start=1) if s and s.stage == "stationed")
    shown = api.get(f"/history/{life.inspection_id}/state", who=AUDITOR, version=stationed)
    assert shown["state"]["stage"] == "stationed"
    assert shown["state"] == to_json(stages[stationed - 1])
    assert shown["stream_type"] == "inspection"
    last = api.get(f"/history/{life.inspection_id}/state", who=AUDITOR, version=len(stored))
    assert last["state"]["stage"] == "rectifying"


def test_history_lists_every_event_with_the_fields_it_changed(api: Api) -> None:
    life = closed_item(api)
    item = life.item_ids[0]
    shown = api.get(f"/history/{item}", who=AUDITOR)
    events = shown["items"]
    assert [e["version"] for e in events] == [1, 2, 3, 4, 5, 6]
    assert events[0]["changes"][0]["op"] == "added"
    assert events[1]["changes"] == [
        {"path": "status", "op": "changed", "before": "opened", "after": "in_progress"}
    ]
    assert events[1]["actor"]["user_id"] == LIAISON.user_id
    assert events[1]["data"]["percent"] == 60
    assert [c["path"] for c in events[4]["changes"]] == ["status"]
    assert events[4]["changes"][0]["after"] == "closed"
    assert events[5]["type"] == "rectification.quick_closure_flagged"
    assert events[5]["changes"] == []  # a warning that leaves the item as it was
    stored = read_stream(api, item)
    assert [e["position"] for e in events] == [r.position for r in stored]
    page = api.get(f"/history/{item}", who=AUDITOR, after_version=3, limit=1)
    assert [e["version"] for e in page["items"]] == [4]
    assert page["items"][0]["changes"] == [
        {"path": "status", "op": "changed", "before": "closure_requested", "after": "verified"}
    ]
    assert page["next_after_version"] == 4


def test_time_travel_refuses_unknown_records_and_bad_arguments(api: Api) -> None:
    life = closed_item(api)
    item = life.item_ids[0]
    code, body = status(api, f"/history/{uuid4()}/state", version=1)
    assert code == 404
    assert "no record" in body["detail"]
    assert status(api, f"/history/{uuid4()}")[0] == 404
    for params in ({"version": 0}, {"version": 7}):
        code, body = status(api, f"/history/{item}/state", AUDITOR, **params)
        assert code == 422, body
        assert "versions 1 to 6" in body["detail"]
    code, body = status(api, f"/history/{item}/state")
    assert code == 422
    assert "exactly one" in body["detail"]
    code, body = status(api, f"/history/{item}/state", version=1, at="2026-01-01T00:00:00Z")
    assert code == 422
    assert "exactly one" in body["detail"]
    code, body = status(api, f"/history/{item}/state", at="2000-01-01T00:00:00Z")
    assert code == 422
    assert "did not exist yet" in body["detail"]
    code, body = status(api, f"/history/{item}/state", at="2026-01-01T00:00:00")
    assert code == 422
    assert "time zone" in body["detail"]
    assert status(api, f"/history/{item}/state", at="yesterday")[0] == 422
    assert status(api, f"/history/{item}/state", at="1790000000")[0] == 422  # not a Unix time
    assert status(api, f"/history/{item}/state", who=MEMBER, version=1)[0] == 403


# ---- timelines and filters ----


def command_correlation(api: Api, stream_id: str, type_name: str) -> str:
    (row,) = api.get("/audit-trail", who=AUDITOR, stream_id=stream_id, type=type_name)["items"]
    return str(row["correlation_id"])


def test_the_timeline_of_a_correlation_is_every_event_of_that_command(api: Api) -> None:
    life = Lifecycle(api)
    life.to_report_approved()
    life.feedback()
    accepted = life.plan_accepted()  # one command, events on several streams
    correlation = command_correlation(
        api, life.inspection_id, "inspection.rectification_plan_accepted"
    )
    shown = api.get("/audit-trail/timeline", who=AUDITOR, correlation_id=correlation)
    assert [(str(e["stream_id"]), e["stream_version"]) for e in shown["items"]] == [
        (e["stream_id"], e["stream_version"]) for e in accepted["events"]
    ]
    assert len({e["stream_id"] for e in accepted["events"]}) > 1
    positions = [e["position"] for e in shown["items"]]
    assert positions == sorted(positions)
    assert shown["next_after_position"] is None
    # Keyset pages of one.
    first = api.get("/audit-trail/timeline", who=AUDITOR, correlation_id=correlation, limit=1)
    assert first["next_after_position"] == positions[0]
    second = api.get(
        "/audit-trail/timeline",
        who=AUDITOR,
        correlation_id=correlation,
        limit=1,
        after_position=first["next_after_position"],
    )
    assert second["items"][0]["position"] == positions[1]


def test_the_timeline_of_a_record_includes_the_events_correlated_with_it(api: Api) -> None:
    life = closed_item(api)
    item = life.item_ids[0]
    trail = whole_trail(api)
    correlations = {e["correlation_id"] for e in trail if str(e["stream_id"]) == item}
    expected = [e["position"] for e in trail if e["correlation_id"] in correlations]
    shown = api.get(f"/audit-trail/entities/{item}/timeline", who=AUDITOR, limit=500)
    got = [e["position"] for e in shown["items"]]
    assert got == expected
    streams = {str(e["stream_id"]) for e in shown["items"]}
    assert item in streams
    assert life.inspection_id in streams
    assert len(streams) >= 3  # the closing day's count too


def test_the_timeline_of_an_inspection_covers_its_records_and_no_other(api: Api) -> None:
    life = closed_item(api)
    other = Lifecycle(api)
    other.round_id = life.round_id
    other.plan_inspection("org-roads-bureau")
    trail = whole_trail(api)
    shown = api.get(
        f"/audit-trail/inspections/{life.inspection_id}/timeline", who=AUDITOR, limit=500
    )
    positions = [e["position"] for e in shown["items"]]
    assert positions == sorted(positions)
    streams = {str(e["stream_id"]) for e in shown["items"]}
    mine = {life.inspection_id, *life.item_ids, *life.finding_ids}
    assert mine <= streams
    for stream in mine:  # every event of each of its records
        assert {e["position"] for e in trail if str(e["stream_id"]) == stream} <= set(positions)
    assert other.inspection_id not in streams
    assert life.round_id not in streams or all(
        life.inspection_id in json.dumps(e["data"])
        for e in shown["items"]
        if str(e["stream_id"]) == life.round_id
    )
    # The stream's own filters combine with it.
    liaison = api.get(
        f"/audit-trail/inspections/{life.inspection_id}/timeline",
        who=AUDITOR,
        actor_role="inspected_org_liaison",
    )
    assert [e["type"] for e in liaison["items"]] == ["rectification.progress_reported"]


def test_role_and_time_filters(api: Api) -> None:
    life = closed_item(api)
    trail = whole_trail(api)
    principal = api.get("/audit-trail", who=AUDITOR, actor_role="inspected_org_principal")["items"]
    assert principal == [e for e in trail if e["actor_role"] == "inspected_org_principal"]
    assert {e["type"] for e in principal} == {
        "inspection.rectification_plan_submitted",
        "rectification.closure_requested",
    }
    assert all(e["actor_organization_id"] == TARGET_ORG for e in principal)
    # A time window: the events from the item's third event (inclusive) to its fifth (not).
    stored = read_stream(api, life.item_ids[0])
    since, until = stored[2].metadata.occurred_at, stored[4].metadata.occurred_at
    window = api.get(
        "/audit-trail", who=AUDITOR, since=since.isoformat(), until=until.isoformat(), limit=500
    )["items"]
    assert [e["position"] for e in window] == [
        e["position"] for e in trail if since <= e_time(e) < until
    ]
    assert window
    assert stored[2].position in [e["position"] for e in window]
    assert stored[4].position not in [e["position"] for e in window]
    assert status(api, "/audit-trail", actor_role="nobody")[0] == 422
    assert status(api, "/audit-trail", type="a\x00b")[0] == 422
    assert status(api, "/audit-trail", until="0.5")[0] == 422


def e_time(row: dict[str, Any]) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(row["occurred_at"])


def test_timelines_are_for_auditors_and_overseers(api: Api) -> None:
    life = closed_item(api)
    for who in (MEMBER, LIAISON):
        code, body = status(api, f"/audit-trail/inspections/{life.inspection_id}/timeline", who)
        assert code == 403, body
        assert status(api, "/audit-trail/export", who)[0] == 403
        code, body = status(api, "/audit-trail", who, format="nonsense")
        assert code == 403  # the role is checked before anything else
        assert body["code"] == "role_not_permitted"
        assert status(api, f"/history/{life.inspection_id}", who)[0] == 403
    for who in (OFFICE, AUDITOR):
        path = f"/audit-trail/inspections/{life.inspection_id}/timeline"
        assert status(api, path, who)[0] == 200


# ---- exports ----


def export(api: Api, **params: Any) -> tuple[Any, list[bytes]]:
    headers = api.headers(AUDITOR)
    with api.client.stream("GET", "/audit-trail/export", params=params, headers=headers) as r:
        chunks = [c for c in r.iter_raw() if c]
    return r, chunks


def test_ndjson_export_holds_exactly_the_filtered_rows_and_is_recorded(api: Api) -> None:
    life = closed_item(api)
    expected = whole_trail(api, inspection_id=life.inspection_id)
    before = api.event_count()
    response, chunks = export(
        api,
        format="ndjson",
        inspection_id=life.inspection_id,
        batch_size=4,
        justification="annual review",
        min_position=api.position,
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    lines = b"".join(chunks).decode().splitlines()
    rows = [json.loads(line) for line in lines]
    for row, original in zip(rows, expected, strict=True):
        diffs = {k: (row[k], original[k]) for k in row if row[k] != original[k]}
        assert diffs == {}, diffs
    assert rows == [audit_trail.json_row(e) for e in expected]
    assert len(rows) > 20
    assert len(chunks) >= len(rows) // 4  # streamed batch by batch
    assert response.headers["x-export-rows"] == str(len(rows))
    # The export itself is recorded, without the data.
    assert api.event_count() == before + 1
    export_id = response.headers["x-export-id"]
    with psycopg.connect(api.client.app.state.container.conninfo) as conn:  # type: ignore[attr-defined]
        (head,) = conn.execute("SELECT max(notification_id) FROM stored_events").fetchone() or (0,)
    (recorded,) = api.get("/audit-trail", who=AUDITOR, stream_id=export_id, min_position=head)[
        "items"
    ]
    assert recorded["type"] == "audit.export_performed"
    assert recorded["actor_user_id"] == AUDITOR.user_id
    assert recorded["actor_role"] == "auditor"
    assert recorded["reason"] == "annual review"
    data = recorded["data"]
    assert (data["rows"], data["format"], data["channel"]) == (len(rows), "ndjson", "http")
    assert data["filters"]["inspection_id"] == life.inspection_id
    assert data["filters"]["up_to_position"] == int(response.headers["x-export-up-to-position"])
    assert "Procurement" not in json.dumps(data)
    # It belongs to the inspection's timeline (access to the record is part of its record).
    timeline = api.get(
        f"/audit-trail/inspections/{life.inspection_id}/timeline",
        who=AUDITOR,
        type="audit.export_performed",
        min_position=head,
    )
    assert [str(e["stream_id"]) for e in timeline["items"]] == [export_id]


def test_csv_export_holds_exactly_the_filtered_rows(api: Api) -> None:
    closed_item(api)
    expected = [e for e in whole_trail(api) if e["actor_role"] == "inspection_office"]
    response, chunks = export(
        api, format="csv", actor_role="inspection_office", batch_size=5, min_position=api.position
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    text = b"".join(chunks).decode()
    assert text.startswith("\ufeffposition,")  # a BOM: Excel and WPS read it as UTF-8
    table = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [int(r["position"]) for r in table] == [e["position"] for e in expected]
    assert {r["actor_role"] for r in table} == {"inspection_office"}
    for row, original in zip(table, expected, strict=True):
        assert json.loads(row["data"]) == original["data"]
        assert row["type"] == original["type"]
        assert row["stream_id"] == str(original["stream_id"])
    assert len(chunks) >= len(table) // 5
    assert int(response.headers["x-export-rows"]) == len(table)


def test_export_refuses_bad_input_without_recording(api: Api) -> None:
    closed_item(api)
    before = api.event_count()
    for params in ({"format": "xml"}, {"batch_size": 0}, {"actor_role": "x"}):
        code, body = status(api, "/audit-trail/export", **params)
        assert code == 422, (params, body)
    assert api.event_count() == before


def test_exports_read_through_a_server_side_cursor_in_batches(api: Api) -> None:
    closed_item(api)
    api.get("/audit-trail", who=AUDITOR)["items"]  # caught up
    conninfo = api.client.app.state.container.conninfo  # type: ignore[attr-defined]
    with psycopg.connect(conninfo) as conn:
        total = audit_trail.count(conn, audit_trail.AuditFilter())
        sizes = []
        cursors: list[Any] = []
        for rows in audit_trail.batches(conn, audit_trail.AuditFilter(), batch_size=7):
            sizes.append(len(rows))
            cursors.append(conn.execute("SELECT count(*) FROM pg_cursors").fetchone())
    assert sum(sizes) == total
    assert all(size == 7 for size in sizes[:-1])
    assert 0 < sizes[-1] <= 7
    assert all(c is not None and c[0] >= 1 for c in cursors)  # the named cursor is open


# ---- the command line ----


@pytest.fixture
def cli_env(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XUNCHA_DATABASE_URL", settings.database_url)


def test_cli_export_writes_the_file_and_progress(
    api: Api, cli_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from xuncha.api.cli.main import main

    life = closed_item(api)
    expected = whole_trail(api, inspection_id=life.inspection_id)
    before = api.event_count()
    out = tmp_path / "trail.csv"
    code = main(
        [
            "audit",
            "export",
            "--format",
            "csv",
            "--out",
            str(out),
            "--inspection-id",
            life.inspection_id,
            "--batch-size",
            "3",
            "--by",
            "auditor-7",
            "--justification",
            "spot check",
        ]
    )
    assert code == 0
    table = list(csv.DictReader(out.open(encoding="utf-8-sig", newline="")))
    assert [int(r["position"]) for r in table] == [e["position"] for e in expected]
    err = capsys.readouterr().err
    assert f"exporting {len(table):,} rows" in err
    assert f"{len(table):,} / {len(table):,} rows  100.0%" in err
    assert "rows/s" in err
    assert api.event_count() == before + 1
    conninfo = api.client.app.state.container.conninfo  # type: ignore[attr-defined]
    with psycopg.connect(conninfo) as conn:
        (head,) = conn.execute("SELECT max(notification_id) FROM stored_events").fetchone() or (0,)
    (recorded,) = api.get(
        "/audit-trail", who=AUDITOR, type="audit.export_performed", min_position=head
    )["items"]
    assert recorded["actor_user_id"] == "auditor-7"
    assert (recorded["data"]["channel"], recorded["data"]["rows"]) == ("cli", len(table))


def test_cli_history_prints_a_state_and_diffs(
    api: Api, cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    from xuncha.api.cli.main import main

    life = closed_item(api)
    item = life.item_ids[0]
    capsys.readouterr()
    assert main(["history", item, "--version", "2"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["version"], shown["state"]["status"]) == (2, "in_progress")
    stored = read_stream(api, item)
    at = stored[3].metadata.occurred_at.isoformat()
    assert main(["history", item, "--at", at]) == 0
    assert json.loads(capsys.readouterr().out)["state"]["status"] == "verified"
    assert main(["history", item, "--diffs"]) == 0
    events = json.loads(capsys.readouterr().out)["items"]
    assert events[4]["changes"] == [
        {"path": "status", "op": "changed", "before": "verified", "after": "closed"}
    ]
    assert main(["history", item, "--version", "9"]) == 2
    assert "versions 1 to 6" in capsys.readouterr().err


def test_the_inspection_index_is_rebuilt_from_the_trail_when_it_is_new(api: Api) -> None:
    """An audit trail projected before the index existed gets the same index on upgrade."""
    life = closed_item(api)
    other = Lifecycle(api)
    other.round_id = life.round_id
    other.plan_inspection("org-roads-bureau")
    api.get("/audit-trail", who=AUDITOR)["items"]  # caught up
    conninfo = api.client.app.state.container.conninfo  # type: ignore[attr-defined]
    index = "SELECT inspection_id, position FROM rm_audit_inspection ORDER BY 1, 2"
    links = "SELECT stream_id, inspection_id FROM rm_audit_stream_inspection ORDER BY 1, 2"
    with psycopg.connect(conninfo) as conn:
        projected = (conn.execute(index).fetchall(), conn.execute(links).fetchall())
        assert projected[0]
        assert projected[1]
        conn.execute("LOCK TABLE rm_audit_event")  # the runner waits meanwhile
        conn.execute("DROP TABLE rm_audit_inspection, rm_audit_stream_inspection")
        with conn.cursor() as cur:
            audit_trail.AuditTrail().create(cur)
        rebuilt = (conn.execute(index).fetchall(), conn.execute(links).fetchall())
        conn.rollback()
    assert rebuilt == projected


def test_no_sealed_plaintext_in_history_states_timelines_or_exports(api: Api) -> None:
    life = Lifecycle(api)
    life.to_stationed()
    secrets = ["被谈话人赵隐名", "谈话笔录：副局长承认违规报销", "举报人王秘密", "反映局长收受红包"]
    interview = {
        "interviewers": ["member-1", "member-2"],
        "category": "leadership_team",
        "conducted_on": day(-60),
        "interviewee": {"name": secrets[0], "position": "副局长"},
        "record": secrets[1],
    }
    interview_id = api.command(f"{life.at}/interviews", interview, MEMBER, 201)["created_id"]
    api.command(f"/interviews/{interview_id}/sign", {"signed_on": day(-60)}, MEMBER_2)
    petition = {
        "channel": "letter",
        "received_on": day(-60),
        "petitioner": {"name": secrets[2], "contact": "13800000000"},
        "content": secrets[3],
    }
    petition_id = api.command(f"{life.at}/petitions", petition, MEMBER, 201)["created_id"]
    shown = [
        api.get(f"/history/{interview_id}", who=AUDITOR),
        api.get(f"/history/{interview_id}/state", who=AUDITOR, version=2),
        api.get(f"/history/{petition_id}", who=AUDITOR),
        api.get(f"/history/{petition_id}/state", who=AUDITOR, version=1),
        api.get(f"/audit-trail/entities/{interview_id}/timeline", who=AUDITOR),
        api.get(f"/audit-trail/inspections/{life.inspection_id}/timeline", who=AUDITOR, limit=500),
    ]
    for fmt in ("ndjson", "csv"):
        response, chunks = export(
            api, format=fmt, inspection_id=life.inspection_id, min_position=api.position
        )
        assert response.status_code == 200
        shown.append(b"".join(chunks).decode())
    text = json.dumps(shown, ensure_ascii=False)
    assert [s for s in secrets if s in text] == []
    assert "[sealed]" in text
    state = api.get(f"/history/{interview_id}/state", who=AUDITOR, version=2)["state"]
    assert state["signed"] is True


def test_cli_export_says_when_the_read_model_is_behind(
    api: Api, cli_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from xuncha.api.cli.main import main

    life = closed_item(api)
    projected = whole_trail(api)
    api.client.app.state.container.runner.stop()  # type: ignore[attr-defined]
    life.propose_round()  # in the log, not in the trail
    out = tmp_path / "trail.ndjson"
    assert main(["audit", "export", "--out", str(out), "--max-wait", "0.3"]) == 0
    assert "behind the log" in capsys.readouterr().err
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["position"] for r in rows] == [e["position"] for e in projected]

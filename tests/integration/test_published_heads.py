"""Signed tree heads published on the real Kafka broker: they follow the published contract,
and `xuncha verify-log --heads-from kafka` finds a superuser's truncation or rewrite (with
recomputed chain links) of the tail after the last checkpoint left in the database."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.integration.test_anchored_log import load_private, sign
from tests.support.api import OFFICE, Api
from tests.support.kafka import read_all, validate
from tests.support.lifecycle import Lifecycle
from xuncha.api.cli.main import main
from xuncha.api.workers.checkpoints import CheckpointThread
from xuncha.commands.eventstore import integrity
from xuncha.events.integration import AUDIT_CHECKPOINT
from xuncha.projections.kafka_relay import KafkaRelay, KafkaTarget


@dataclass
class Anchored:
    database_url: str
    kept: int  # the last checkpoint the superuser leaves in the database
    published: int  # the newest head, signed on the time schedule and published
    prefix: str
    bootstrap: str


def _round(name: str) -> dict[str, Any]:
    return {
        "jurisdiction_id": "yulin",
        "committee": "市委",
        "name": name,
        "round_type": "regular",
        "planned_start": "2026-09-01",
        "planned_end": "2026-12-01",
    }


def _published_up_to(database_url: str, position: int, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with psycopg.connect(database_url) as conn:
            row = conn.execute(
                "SELECT position FROM published_heads WHERE channel = 'kafka'"
            ).fetchone()
        if row and row[0] >= position:
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def anchored(
    api: Api,
    container: Any,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    kafka_bootstrap: str,
    topic_prefix: str,
    capsys: pytest.CaptureFixture[str],
) -> Iterator[Anchored]:
    for name, value in {
        "XUNCHA_DATABASE_URL": database_url,
        "XUNCHA_CHECKPOINT_KEY_FILE": str(tmp_path / "checkpoint-key.pem"),
        "XUNCHA_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "XUNCHA_KAFKA_TOPIC_PREFIX": topic_prefix,
    }.items():
        monkeypatch.setenv(name, value)
    relay = KafkaRelay(container.conninfo, KafkaTarget(kafka_bootstrap, topic_prefix=topic_prefix))
    relay.start_thread()
    try:
        Lifecycle(api).to_stationed()
        kept = sign(capsys)["position"]  # `xuncha checkpoint`: the database's checkpoint
        for n in range(3):
            api.command("/rounds", _round(f"第{n}轮"), OFFICE, status=201)
        thread = CheckpointThread(
            database_url, load_private(tmp_path / "checkpoint-key.pem"), every=1000, seconds=60
        )
        head = thread.check(now=datetime.now(UTC) + timedelta(seconds=61))  # the time rule
        assert head is not None
        assert head.position > kept
        assert _published_up_to(database_url, head.position)
    finally:
        relay.stop()
    return Anchored(database_url, kept, head.position, topic_prefix, kafka_bootstrap)


def superuser(database_url: str, *statements: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)  # type: ignore[arg-type]


def relink(database_url: str, after: int) -> None:
    """A careful attacker recomputes every link after `after` over the edited events."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute("SELECT link FROM event_chain WHERE position = %s", (after,)).fetchone()
        assert row is not None
        link = bytes(row[0])
        rows = conn.execute(
            "SELECT notification_id, originator_id, originator_version, topic, state"
            " FROM stored_events WHERE notification_id > %s ORDER BY notification_id",
            (after,),
        ).fetchall()
        conn.execute("DELETE FROM event_chain WHERE position > %s", (after,))
        for position, originator, version, topic, state in rows:
            link = integrity.next_link(link, position, originator, version, topic, bytes(state))
            conn.execute("INSERT INTO event_chain VALUES (%s, %s)", (position, link))


def verify(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["verify-log", *args])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_the_heads_on_kafka_follow_the_published_contract(anchored: Anchored) -> None:
    topic = f"{anchored.prefix}{AUDIT_CHECKPOINT}"
    received = read_all(anchored.bootstrap, [topic], expected=2)
    assert [m.payload["position"] for m in received] == [anchored.kept, anchored.published]
    for message in received:
        validate(message)
        head = integrity.Checkpoint.from_dict(message.payload)
        assert head.tree_size is not None
        assert head.root is not None


def test_a_truncated_tail_is_found_from_the_published_heads(
    anchored: Anchored, capsys: pytest.CaptureFixture[str]
) -> None:
    kept = anchored.kept
    superuser(
        anchored.database_url,
        f"DELETE FROM stored_events WHERE notification_id > {kept}",
        f"DELETE FROM event_chain WHERE position > {kept}",
        f"DELETE FROM chain_checkpoints WHERE position > {kept}",
        f"DELETE FROM merkle_leaves WHERE position > {kept}",
    )
    code, out = verify(capsys)
    assert code == 0, out  # the database alone cannot tell
    code, out = verify(capsys, "--heads-from", "kafka")
    assert code == 1, out
    assert f"FAILED at position {anchored.published}" in out
    assert f"published head at position {anchored.published}" in out
    assert "beyond the end of the log" in out


def test_a_rewritten_tail_with_recomputed_links_is_found_from_the_published_heads(
    anchored: Anchored, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    kept, url = anchored.kept, anchored.database_url
    collected = tmp_path / "collected.jsonl"
    assert main(["checkpoint", "export", str(collected)]) == 0  # an upper office's copy
    superuser(
        url,
        "UPDATE stored_events SET state = convert_to(replace(convert_from(state, 'UTF8'),"
        f" 'yulin', 'xian'), 'UTF8') WHERE notification_id = {kept + 1}",
        f"DELETE FROM chain_checkpoints WHERE position > {kept}",
    )
    relink(url, kept)
    code, out = verify(capsys)
    assert code == 0, out  # the chain was recomputed: the database alone cannot tell
    code, out = verify(capsys, "--heads-from", "kafka")
    assert code == 1, out
    assert f"published head at position {anchored.published} does not match the log" in out
    code, out = verify(capsys, "--heads-from", str(collected))
    assert code == 1, out
    assert "were rewritten" in out


def test_an_untouched_log_verifies_against_its_published_heads(
    anchored: Anchored, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = verify(capsys, "--heads-from", "kafka")
    assert code == 0, out
    assert "unanchored tail: 0 events" in out

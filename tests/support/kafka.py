"""Kafka helpers for tests: a private broker via deploy/kafka/kafka.sh, reading every message
of a topic, and validating each message against the committed contract."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy" / "kafka" / "kafka.sh"
CONTRACT = ROOT / "docs" / "contract"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LocalBroker:
    """A single-node broker in `data_dir` on free ports."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port, self.controller_port = free_port(), free_port()
        self.env = {
            **os.environ,
            "KAFKA_PORT": str(self.port),
            "KAFKA_CONTROLLER_PORT": str(self.controller_port),
            "PYTHON": sys.executable,
        }
        self.bootstrap = f"127.0.0.1:{self.port}"

    def run(self, action: str) -> None:
        subprocess.run(
            [str(SCRIPT), action, str(self.data_dir)], env=self.env, check=True, timeout=900
        )

    def start(self) -> None:
        self.run("start")

    def stop(self) -> None:
        self.run("stop")

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        pid = int((self.data_dir / "kafka.pid").read_text())
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    time.sleep(0.1)
            except OSError:
                return


@dataclass(frozen=True)
class Received:
    topic: str
    partition: int
    offset: int
    key: str
    headers: dict[str, str]
    payload: dict[str, Any]


def read_all(
    bootstrap: str, topics: list[str], expected: int, timeout: float = 60
) -> list[Received]:
    """Every message of `topics` from the beginning, once at least `expected` have arrived
    (and nothing more for a moment)."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        parts = [
            TopicPartition(t, p)
            for t in topics
            for p in sorted(consumer.partitions_for_topic(t) or [])
        ]
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)
        out: list[Received] = []
        deadline, quiet = time.monotonic() + timeout, 0
        while time.monotonic() < deadline:
            batch = consumer.poll(timeout_ms=300)
            for records in batch.values():
                for r in records:
                    out.append(
                        Received(
                            r.topic,
                            r.partition,
                            r.offset,
                            r.key.decode(),
                            {k: v.decode() for k, v in r.headers},
                            _json(r.value),
                        )
                    )
            quiet = 0 if batch else quiet + 1
            if len(out) >= expected and quiet >= 2:
                break
        return out
    finally:
        consumer.close()


def _json(value: bytes) -> dict[str, Any]:
    try:
        return dict(json.loads(value))
    except ValueError:
        return {"_raw": value.decode(errors="replace")}


@cache
def _schema(ce_type: str) -> dict[str, Any]:
    return json.loads((CONTRACT / "schemas" / f"{ce_type}.json").read_text())


@cache
def _headers_schema() -> dict[str, Any]:
    doc = json.loads((CONTRACT / "asyncapi.json").read_text())
    return doc["components"]["schemas"]["CloudEventHeaders"]  # type: ignore[no-any-return]


def validate(message: Received) -> None:
    """The message as the committed contract describes it: headers, key and payload."""
    jsonschema.validate(
        message.headers, _headers_schema(), format_checker=jsonschema.FormatChecker()
    )
    assert message.key == message.headers["ce_subject"]
    schema = _schema(message.headers["ce_type"])
    assert message.headers["ce_dataschema"] == schema["$id"]
    jsonschema.validate(message.payload, schema, format_checker=jsonschema.FormatChecker())

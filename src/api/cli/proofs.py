"""`xuncha proof inclusion|consistency`, `xuncha verify-proof`, `xuncha checkpoint public-key`
and the published heads `xuncha verify-log --heads-from kafka|FILE` checks against
(docs/security.md, "Signed tree heads and proofs")."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import psycopg

from xuncha.api.settings import Settings
from xuncha.commands.eventstore import integrity


def _connect(settings: Settings) -> Any:
    from xuncha.api.database import open_database

    return open_database(settings)


def proof(settings: Settings, args: argparse.Namespace) -> int:
    """Print an inclusion or consistency proof as JSON (the same as the HTTP answer)."""
    from xuncha.api import proofs
    from xuncha.api.http.errors import BadRequest
    from xuncha.commands.errors import NotFound
    from xuncha.commands.eventstore import heads

    database = _connect(settings)
    try:
        with psycopg.connect(database.conninfo, autocommit=True) as conn:
            head = heads.latest_head(conn)
            size: int | None = getattr(args, "tree_size", None) or (
                head.tree_size if head else None
            )
            if args.kind == "inclusion" and size is None:
                print("xuncha: no signed tree head yet: give --tree-size", file=sys.stderr)
                return 2
            try:
                answer: Any = (
                    proofs.inclusion(conn, args.position, size)
                    if args.kind == "inclusion" and size is not None
                    else proofs.consistency(conn, args.first, args.second)
                )
            except (BadRequest, NotFound) as error:
                print(f"xuncha: {error.message}", file=sys.stderr)
                return 1
    finally:
        database.close()
    print(answer.model_dump_json(indent=2))
    return 0


def public_key(settings: Settings, _: argparse.Namespace) -> int:
    """Print the checkpoint key's public half (PEM), for outside verifiers."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from xuncha.api.workers.checkpoints import load_key

    public = load_key(settings).public_key()
    print(public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode(), end="")
    return 0


def verify_proof(_: Settings, args: argparse.Namespace) -> int:
    from xuncha.api.cli import verify_proof as standalone

    return standalone.run(args)


def heads_from_file(path: str) -> list[integrity.Checkpoint]:
    lines = Path(path).read_text().splitlines()
    return [integrity.Checkpoint.from_json(line) for line in lines if line.strip()]


def heads_from_kafka(settings: Settings, timeout: float = 30.0) -> list[integrity.Checkpoint]:
    """Every head on the `xuncha.audit.checkpoint` topic, read from the beginning to the end
    offsets it had when reading started."""
    from kafka import KafkaConsumer, TopicPartition

    from xuncha.events.integration import AUDIT_CHECKPOINT

    topic = settings.kafka_topic_prefix + AUDIT_CHECKPOINT
    consumer = KafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers, enable_auto_commit=False
    )
    try:
        parts = [
            TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])
        ]
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)
        ends = consumer.end_offsets(parts)
        found: list[integrity.Checkpoint] = []
        deadline = time.monotonic() + timeout
        while any(consumer.position(p) < ends[p] for p in parts):
            if time.monotonic() > deadline:
                raise TimeoutError(f"reading {topic} took longer than {timeout} s")
            for records in consumer.poll(timeout_ms=500).values():
                found.extend(integrity.Checkpoint.from_dict(json.loads(r.value)) for r in records)
        if not found:
            raise ValueError(f"no heads on the topic {topic} (check XUNCHA_KAFKA_TOPIC_PREFIX)")
        return found
    finally:
        consumer.close()


def published_heads(settings: Settings, source: str) -> list[integrity.Checkpoint]:
    """The heads of `--heads-from`; ValueError when none can be read."""
    from kafka.errors import KafkaError

    if source != "kafka":
        return heads_from_file(source)
    if not settings.kafka_bootstrap_servers:
        raise ValueError("--heads-from kafka needs XUNCHA_KAFKA_BOOTSTRAP_SERVERS")
    try:
        return heads_from_kafka(settings)
    except KafkaError as error:
        raise ValueError(f"Kafka: {error!r}") from error


def add_parsers(sub: Any) -> None:
    from xuncha.api.cli import verify_proof as standalone

    pr = sub.add_parser("proof", help="print a Merkle inclusion or consistency proof (JSON)")
    kinds = pr.add_subparsers(dest="kind", required=True)
    inc = kinds.add_parser("inclusion", help="an event's inclusion in the tree")
    inc.add_argument("--position", type=int, required=True, help="the event's log position")
    inc.add_argument("--tree-size", type=int, default=None, help="default: the latest head's")
    con = kinds.add_parser("consistency", help="the tree of --to events extends --from")
    con.add_argument("--from", dest="first", type=int, required=True)
    con.add_argument("--to", dest="second", type=int, required=True)
    pr.set_defaults(fn=proof)
    vp = sub.add_parser(
        "verify-proof",
        parents=[standalone.parser()],
        add_help=False,
        help="check a head, proof or dossier offline (no database; api/cli/verify_proof.py)",
    )
    vp.set_defaults(fn=verify_proof)

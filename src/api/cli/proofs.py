"""`xuncha proof inclusion|consistency`, `xuncha verify-proof`, `xuncha checkpoint public-key`
and the published heads `xuncha verify-log --heads-from kafka|FILE` checks against
(docs/security.md, "Signed tree heads and proofs")."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from xuncha.api.cli import verify_proof as standalone
from xuncha.api.cli.runtime import fail, load_settings, runtime
from xuncha.api.cli.typer_app import new_app
from xuncha.api.settings import Settings
from xuncha.commands.eventstore import integrity

proof = new_app("打印默克尔包含或一致性证明（JSON）/ print a Merkle inclusion or consistency proof")
verify = new_app(
    "离线核验树头、证明或档案（无需数据库）/ check a head, proof or dossier offline "
    "(no database; api/cli/verify_proof.py)"
)

File = Annotated[str, typer.Argument(metavar="FILE", help="JSON 文件 / the JSON file")]


def register(app: typer.Typer) -> None:
    app.add_typer(proof, name="proof")
    app.add_typer(verify, name="verify-proof")


@proof.command("inclusion", help="事件包含在树中 / an event's inclusion in the tree")
def inclusion(
    position: Annotated[int, typer.Option(help="事件的日志位置 / the event's log position")],
    tree_size: Annotated[
        int | None, typer.Option(help="默认：最新树头的 / default: the latest head's")
    ] = None,
) -> int:
    """Print an inclusion proof as JSON (the same as the HTTP answer)."""
    from xuncha.api import proofs

    with runtime() as rt:
        conn = rt.connect()
        size = tree_size or _latest_size(conn)
        if size is None:
            raise fail("xuncha: no signed tree head yet: give --tree-size")
        answer: Any = _answer(lambda: proofs.inclusion(conn, position, size))
    print(answer.model_dump_json(indent=2))
    return 0


@proof.command(
    "consistency", help="--to 的树扩展了 --from 的树 / the tree of --to events extends --from"
)
def consistency(
    first: Annotated[int, typer.Option("--from", help="较早的树大小 / the earlier tree size")],
    second: Annotated[int, typer.Option("--to", help="较晚的树大小 / the later tree size")],
) -> int:
    """Print a consistency proof as JSON (the same as the HTTP answer)."""
    from xuncha.api import proofs

    with runtime() as rt:
        conn = rt.connect()
        answer: Any = _answer(lambda: proofs.consistency(conn, first, second))
    print(answer.model_dump_json(indent=2))
    return 0


def _latest_size(conn: Any) -> int | None:
    from xuncha.commands.eventstore import heads

    head = heads.latest_head(conn)
    return head.tree_size if head else None


def _answer(prove: Any) -> Any:
    """The proof, or leave with status 1 saying why there is none."""
    from xuncha.api.http.errors import BadRequest
    from xuncha.commands.errors import NotFound

    try:
        return prove()
    except (BadRequest, NotFound) as error:
        raise fail(f"xuncha: {error.message}", 1) from None


def public_key() -> int:
    """Print the checkpoint key's public half (PEM), for outside verifiers."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from xuncha.api.workers.checkpoints import load_key

    public = load_key(load_settings()).public_key()
    print(public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode(), end="")
    return 0


# ---- verify-proof: the standalone verifier's commands ---------------------------------------


@verify.callback()
def verify_key(
    public_key: Annotated[
        str, typer.Option(help="日志的 Ed25519 公钥（PEM）/ the log's Ed25519 public key (PEM)")
    ],
) -> None:
    """The key every `verify-proof` command checks signatures with."""


def _run(ctx: typer.Context, what: str, **args: Any) -> int:
    load_settings()
    key = ctx.parent.params["public_key"] if ctx.parent else None
    return standalone.run(argparse.Namespace(public_key=key, what=what, **args))


@verify.command("head", help="签名树头 / a signed tree head")
def verify_head(ctx: typer.Context, file: File) -> int:
    return _run(ctx, "head", file=file)


@verify.command("inclusion", help="签名树头下的包含证明 / an inclusion proof under a signed head")
def verify_inclusion(
    ctx: typer.Context, file: File, head: Annotated[str, typer.Option(help="树头 / the head")]
) -> int:
    return _run(ctx, "inclusion", file=file, head=head)


@verify.command(
    "consistency", help="较晚的签名树头扩展了较早的 / a later signed head extends an earlier one"
)
def verify_consistency(
    ctx: typer.Context,
    file: File,
    old_head: Annotated[str, typer.Option(help="较早的树头 / the earlier head")],
    new_head: Annotated[str, typer.Option(help="较晚的树头 / the later head")],
) -> int:
    return _run(ctx, "consistency", file=file, old_head=old_head, new_head=new_head)


@verify.command("dossier", help="记录档案 / a record's dossier")
def verify_dossier(
    ctx: typer.Context,
    file: File,
    heads: Annotated[
        str | None,
        typer.Option(help="在别处收集的树头（JSON 行）/ heads collected elsewhere (JSON lines)"),
    ] = None,
) -> int:
    return _run(ctx, "dossier", file=file, heads=heads)


# ---- published heads ------------------------------------------------------------------------


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

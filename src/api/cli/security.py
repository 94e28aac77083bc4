"""`xuncha checkpoint`, `xuncha verify-log`, `xuncha db migrate|status|grant-app-role`,
`xuncha erase-subject`, `xuncha rotate-kek` (docs/security.md, docs/operations.md)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import psycopg
import typer

from xuncha.api.cli import proofs
from xuncha.api.cli.runtime import fail, load_settings, runtime
from xuncha.api.cli.typer_app import new_app
from xuncha.api.settings import Settings

checkpoint = new_app(
    "签署日志哈希链的链头（或导出）/ sign the log's hash chain head (or export them)",
    no_args_is_help=False,
)
db = new_app("数据库管理 / database administration")


def register(app: typer.Typer) -> None:
    app.command(
        "erase-subject",
        help="加密粉碎数据主体（销毁其密钥）/ crypto-shred a data subject (destroy its key): "
        "e.g. petitioner:<petition id>",
    )(erase_subject)
    app.command(
        "rotate-kek",
        help="用当前密钥加密密钥重新包装每个主体密钥 / rewrap every subject key under the "
        "configured key-encryption key",
    )(rotate_kek)
    app.add_typer(checkpoint, name="checkpoint")
    app.command(
        "verify-log",
        help="核验事件日志的哈希链和检查点 / check the event log's hash chain and checkpoints",
    )(verify_log)
    app.add_typer(db, name="db")


@checkpoint.callback(invoke_without_command=True)
def sign(ctx: typer.Context) -> int | None:
    """Extend the Merkle tree, sign the head now and store the checkpoint (format v2)."""
    from xuncha.api.workers.checkpoints import load_key
    from xuncha.commands.eventstore import heads

    if ctx.invoked_subcommand is not None:
        return None
    settings = load_settings()
    key = load_key(settings)
    with runtime(settings) as rt:
        signed = heads.sign_head(rt.connect(), key)
    if signed is None:
        print("the log is empty: nothing to sign")
        return 0
    print(signed.as_json())
    return 0


@checkpoint.command(
    "export", help="把所有检查点以 JSON 行写入 FILE / write all checkpoints as JSON lines to FILE"
)
def checkpoint_export(
    file: Annotated[str, typer.Argument(metavar="FILE", help="文件 / the file")],
) -> int:
    """Write every stored checkpoint as JSON lines, to keep them outside the database."""
    from xuncha.commands.eventstore import integrity

    with runtime() as rt:
        found = integrity.checkpoints(rt.connect())
    Path(file).write_text("".join(cp.as_json() + "\n" for cp in found))
    print(f"wrote {len(found)} checkpoints to {file}")
    return 0


checkpoint.command(
    "public-key", help="打印检查点密钥的公钥（PEM）/ print the checkpoint key's public key (PEM)"
)(proofs.public_key)


def verify_log(
    checkpoints: Annotated[
        str | None,
        typer.Option(help="导出的检查点（JSON 行）/ exported checkpoints (JSON lines)"),
    ] = None,
    heads_from: Annotated[
        str | None,
        typer.Option(
            metavar="kafka|FILE",
            help="也对照已发布的签名树头核验：Kafka 主题 xuncha.audit.checkpoint 或收集的文件 / "
            "also check the log against published signed tree heads: the Kafka topic "
            "xuncha.audit.checkpoint, or a file of collected heads (JSON lines)",
        ),
    ] = None,
) -> int:
    """Recompute the chain, check links and checkpoints; exit 1 on the first bad position."""
    from xuncha.api.workers.checkpoints import load_key
    from xuncha.commands.eventstore import integrity

    settings = load_settings()
    public = load_key(settings).public_key()
    extra: list[integrity.Checkpoint] = []
    if checkpoints:
        lines = Path(checkpoints).read_text().splitlines()
        extra = [integrity.Checkpoint.from_json(line) for line in lines if line.strip()]
    published = _published(settings, heads_from)
    with runtime(settings) as rt:
        started = datetime.now(UTC)
        with rt.connect(autocommit=False) as conn:
            result = integrity.verify(conn, public, extra_checkpoints=extra)
            times = recorded_times_problem(conn)
            if published is not None:
                _merge(result, _against_heads(conn, public, published))
            _record(conn, started, result, times)
    if not result.ok:
        print(f"verify-log: FAILED at position {result.first_bad_position}", file=sys.stderr)
        for _, text in result.problems:
            print(f"  {text}", file=sys.stderr)
        return 1
    if times is not None:
        return 1
    tail = result.head - result.anchored_at
    print(
        f"verify-log: ok: {result.events} events up to position {result.head}, "
        f"head link {result.head_link.hex()}, {result.checkpoints_verified} checkpoints verified; "
        f"unanchored tail: {tail} events after position {result.anchored_at}"
    )
    return 0


def recorded_times_problem(conn: psycopg.Connection[Any]) -> tuple[int, str] | None:
    """Recorded times never decrease along the log; else say where, on stderr, and return
    the position and the problem."""
    from xuncha.commands.eventstore.recorded_time import first_decrease

    found = first_decrease(conn)
    if found is None:
        return None
    text = (
        f"position {found.position}: recorded at {found.recorded_at.isoformat()}, before "
        f"position {found.previous_position} ({found.previous_recorded_at.isoformat()}): "
        "recorded times must never decrease"
    )
    print(f"verify-log: FAILED at {text}", file=sys.stderr)
    return found.position, text


def _record(
    conn: psycopg.Connection[Any],
    started: datetime,
    result: Any,
    times: tuple[int, str] | None,
) -> None:
    """Store the verdict for `GET /audit/log-integrity`
    (commands/eventstore/log_verifications.py); a database that cannot take it is said on
    stderr, the verdict stands."""
    from xuncha.commands.eventstore import log_verifications

    try:
        with conn.transaction():
            log_verifications.record(
                conn, "full", "xuncha verify-log", started, 0, result, extra_problem=times
            )
    except psycopg.Error as error:
        print(
            f"verify-log: the result was not recorded ({error}); run `xuncha db "
            "migrate` as the event store's owner to create log_verifications",
            file=sys.stderr,
        )


def _published(settings: Settings, source: str | None) -> list[Any] | None:
    """The heads to check against (`--heads-from kafka|FILE`) or None; leaves with status 2
    when they cannot be read."""
    if source is None:
        return None
    try:
        return proofs.published_heads(settings, source)
    except (OSError, ValueError, KeyError, TimeoutError) as error:
        raise fail(f"xuncha: cannot read the published heads: {error}") from None


def _against_heads(conn: Any, public: Any, published: list[Any]) -> Any:
    from xuncha.commands.eventstore import heads

    return heads.verify_against_heads(conn, public, published)


def _merge(result: Any, against: Any) -> None:
    """Add what the published heads found to the chain's verification."""
    result.problems.extend(against.problems)
    result.problems.sort(key=lambda p: p[0])
    result.checkpoints_verified += against.checkpoints_verified
    result.anchored_at = max(result.anchored_at, against.anchored_at)


@db.command(
    "migrate",
    help="以所有者角色执行待执行的编号迁移 / apply the pending numbered schema migrations "
    "(as the database's owner role)",
)
def db_migrate() -> int:
    from xuncha.commands.eventstore import migrate

    def applied(migration: migrate.Migration, seconds: float) -> None:
        print(f"applied {migration.file_name} ({seconds:.2f} s)")

    with runtime(schema=False) as rt:
        try:
            done = migrate.migrate(rt.conninfo, applied)
        except migrate.MigrationError as error:
            raise fail(f"xuncha: {error}") from None
    total = len(migrate.migrations())
    if not done:
        print(f"the schema is current ({total} migrations applied); nothing to do")
    return 0


@db.command(
    "status",
    help="列出已执行和待执行的迁移（有待执行时退出码为 1）/ list applied and pending "
    "migrations (exit status 1 when any is pending)",
)
def db_status() -> None:
    from xuncha.commands.eventstore import migrate

    with runtime(schema=False) as rt:
        found = migrate.status(rt.conninfo)
    for version, name, at in found.applied:
        mark = " CHANGED since applied" if version in found.changed else ""
        mark = " (not in this release)" if version in found.unknown else mark
        print(f"applied  {version:04d}_{name}.sql  {at}{mark}")
    for migration in found.pending:
        print(f"pending  {migration.file_name}")
    if found.changed:
        raise fail("xuncha: an applied migration differs from this release's file", 1)
    if found.pending:
        raise fail(f"{len(found.pending)} pending: run `xuncha db migrate`", 1)
    print("the schema is current")


@db.command(
    "grant-app-role",
    help="创建/授权应用角色（不能修改或删除事件）/ create/grant the application's role "
    "(no UPDATE/DELETE of events)",
)
def grant_app_role(
    role: Annotated[str, typer.Option(help="角色名 / the role's name")],
    password_file: Annotated[
        str | None, typer.Option(help="存放该角色密码的文件 / file holding the role's password")
    ] = None,
) -> int:
    from xuncha.api.cli.db_admin import grant_app_role as grant

    password = Path(password_file).read_text().strip() if password_file else None
    with runtime() as rt:
        for line in grant(rt.conninfo, role, password):
            print(line)
    return 0


def erase_subject(
    subject_id: Annotated[
        str,
        typer.Argument(
            metavar="SUBJECT_ID", help="petitioner:<id>, interviewee:<id>, lead_subject:<id>, …"
        ),
    ],
    reason: Annotated[
        str,
        typer.Option(
            help="原因（保存规则、申请），不写姓名 / why (retention rule, request); no names"
        ),
    ],
    by: Annotated[str, typer.Option(help="下令删除的人 / who orders the erasure (user id)")],
) -> int:
    """Crypto-shred a data subject: destroy its key, record `audit.subject_erased`, and print
    what was erased. Running it again for an erased subject only completes the record."""
    from xuncha.commands.errors import DomainError
    from xuncha.commands.sealed_access import RecordSubjectErasure
    from xuncha.events.base import Actor, Role

    reason = reason.strip()
    if not reason:
        raise fail("xuncha: --reason must say why (without naming the person)")
    with runtime() as rt:
        container = rt.container
        assert container.keys is not None
        try:
            key, destroyed = container.keys.erase(subject_id, by, reason)
        except DomainError as error:
            raise fail(f"xuncha: {error.message}", 1) from None
        actor = Actor(user_id=by, role=Role.SYSTEM, organization_id="xuncha-cli")
        command = RecordSubjectErasure(subject_id=subject_id, why=reason)
        try:
            result = container.app.execute(command, actor)
            recorded = f"recorded at log position {result.position}"
        except DomainError:
            recorded = "its erasure was recorded before"
        _vacuum(container.conninfo)
    state = "destroyed now" if destroyed else "destroyed before"
    print(
        f"erased {key.subject_id}: key {state} (created {key.created_at.isoformat()}, "
        f"erased {key.erased_at.isoformat() if key.erased_at else '?'} by {key.erased_by}); "
        f'{recorded}. Its sealed fields now read as "[erased]" everywhere.'
    )
    return 0


def rotate_kek(
    old_key_file: Annotated[
        str, typer.Option(help="存放旧密钥（base64）的文件 / file holding the old key (base64)")
    ],
) -> int:
    """Rewrap every subject's data key from the old key-encryption key (read from a file) to
    the configured `XUNCHA_KEY_ENCRYPTION_KEY`."""
    import base64
    import binascii

    from xuncha.commands.eventstore.subject_keys import SubjectKeys

    settings = load_settings()
    try:
        old = base64.b64decode(Path(old_key_file).read_text().strip(), validate=True)
    except (OSError, binascii.Error, ValueError) as error:
        raise fail(f"xuncha: cannot read the old key: {error}") from None
    if len(old) != 32:
        raise fail("xuncha: the old key must be base64 of exactly 32 bytes")
    with runtime(settings) as rt:
        recorder = rt.recorder()
        keys = SubjectKeys(recorder.datastore, settings.kek_bytes, settings.wrapping_key_path)
        keys.open_ring()
        count = keys.rewrap(old)
        rt.close_opened()  # the recorder's pool: VACUUM waits for no one of ours
        _vacuum(rt.conninfo)  # the dead rows held the keys wrapped with the old key
    print(f"rewrapped {count} subject keys under key-encryption key {keys.kek_id}")
    return 0


def _vacuum(conninfo: str) -> None:
    """Reclaim the dead row that still held the wrapped key (owner only; best effort)."""
    try:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute("VACUUM subject_keys")
    except psycopg.Error as error:
        print(
            f"xuncha: VACUUM subject_keys not run ({error}); run it as the owner", file=sys.stderr
        )

"""`xuncha checkpoint`, `xuncha verify-log`, `xuncha db grant-app-role`, `xuncha erase-subject`,
`xuncha rotate-kek` (docs/security.md)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

from xuncha.api.settings import Settings


def checkpoint(settings: Settings, _: argparse.Namespace) -> int:
    """Extend the Merkle tree, sign the head now and store the checkpoint (format v2)."""
    from xuncha.api.database import open_database
    from xuncha.api.workers.checkpoints import load_key
    from xuncha.commands.eventstore import heads

    key = load_key(settings)
    database = open_database(settings)
    try:
        with psycopg.connect(database.conninfo, autocommit=True) as conn:
            signed = heads.sign_head(conn, key)
    finally:
        database.close()
    if signed is None:
        print("the log is empty: nothing to sign")
        return 0
    print(signed.as_json())
    return 0


def checkpoint_export(settings: Settings, args: argparse.Namespace) -> int:
    """Write every stored checkpoint as JSON lines, to keep them outside the database."""
    from xuncha.api.database import open_database
    from xuncha.commands.eventstore import integrity

    database = open_database(settings)
    try:
        with psycopg.connect(database.conninfo, autocommit=True) as conn:
            found = integrity.checkpoints(conn)
    finally:
        database.close()
    Path(args.file).write_text("".join(cp.as_json() + "\n" for cp in found))
    print(f"wrote {len(found)} checkpoints to {args.file}")
    return 0


def verify_log(settings: Settings, args: argparse.Namespace) -> int:
    """Recompute the chain, check links and checkpoints; exit 1 on the first bad position."""
    from xuncha.api.database import open_database
    from xuncha.api.workers.checkpoints import load_key
    from xuncha.commands.eventstore import integrity

    public = load_key(settings).public_key()
    extra: list[integrity.Checkpoint] = []
    if args.checkpoints:
        lines = Path(args.checkpoints).read_text().splitlines()
        extra = [integrity.Checkpoint.from_json(line) for line in lines if line.strip()]
    published = _published(settings, args.heads_from)
    if isinstance(published, int):
        return published
    database = open_database(settings)
    started = datetime.now(UTC)
    try:
        with psycopg.connect(database.conninfo) as conn:
            result = integrity.verify(conn, public, extra_checkpoints=extra)
            times = recorded_times_problem(conn)
            times_ok = times is None
            if published is not None:
                _merge(result, _against_heads(conn, public, published))
            _record(conn, started, result, times)
    finally:
        database.close()
    if not result.ok:
        print(f"verify-log: FAILED at position {result.first_bad_position}", file=sys.stderr)
        for _, text in result.problems:
            print(f"  {text}", file=sys.stderr)
        return 1
    if not times_ok:
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
            "grant-app-role` as the event store's owner to create log_verifications",
            file=sys.stderr,
        )


def _published(settings: Settings, source: str | None) -> list[Any] | int | None:
    """The heads to check against (`--heads-from kafka|FILE`), None, or an exit status."""
    from xuncha.api.cli.proofs import published_heads

    if source is None:
        return None
    try:
        return published_heads(settings, source)
    except (OSError, ValueError, KeyError, TimeoutError) as error:
        print(f"xuncha: cannot read the published heads: {error}", file=sys.stderr)
        return 2


def _against_heads(conn: Any, public: Any, published: list[Any]) -> Any:
    from xuncha.commands.eventstore import heads

    return heads.verify_against_heads(conn, public, published)


def _merge(result: Any, against: Any) -> None:
    """Add what the published heads found to the chain's verification."""
    result.problems.extend(against.problems)
    result.problems.sort(key=lambda p: p[0])
    result.checkpoints_verified += against.checkpoints_verified
    result.anchored_at = max(result.anchored_at, against.anchored_at)


def grant_app_role(settings: Settings, args: argparse.Namespace) -> int:
    from xuncha.api.cli.db_admin import grant_app_role as grant
    from xuncha.api.database import open_database

    password = Path(args.password_file).read_text().strip() if args.password_file else None
    database = open_database(settings)
    try:
        for line in grant(database.conninfo, args.role, password):
            print(line)
    finally:
        database.close()
    return 0


def erase_subject(settings: Settings, args: argparse.Namespace) -> int:
    """Crypto-shred a data subject: destroy its key, record `audit.subject_erased`, and print
    what was erased. Running it again for an erased subject only completes the record."""
    from xuncha.api.container import build
    from xuncha.api.database import open_database
    from xuncha.commands.errors import DomainError
    from xuncha.commands.sealed_access import RecordSubjectErasure
    from xuncha.events.base import Actor, Role

    reason = args.reason.strip()
    if not reason:
        print("xuncha: --reason must say why (without naming the person)", file=sys.stderr)
        return 2
    database = open_database(settings)
    container = build(settings, database.conninfo)
    try:
        assert container.keys is not None
        try:
            key, destroyed = container.keys.erase(args.subject_id, args.by, reason)
        except DomainError as error:
            print(f"xuncha: {error.message}", file=sys.stderr)
            return 1
        actor = Actor(user_id=args.by, role=Role.SYSTEM, organization_id="xuncha-cli")
        command = RecordSubjectErasure(subject_id=args.subject_id, why=reason)
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
    finally:
        container.close()
        database.close()


def rotate_kek(settings: Settings, args: argparse.Namespace) -> int:
    """Rewrap every subject's data key from the old key-encryption key (read from a file) to
    the configured `XUNCHA_KEY_ENCRYPTION_KEY`."""
    import base64
    import binascii

    from xuncha.api.database import make_recorder, open_database
    from xuncha.commands.eventstore.subject_keys import SubjectKeys

    try:
        old = base64.b64decode(Path(args.old_key_file).read_text().strip(), validate=True)
    except (OSError, binascii.Error, ValueError) as error:
        print(f"xuncha: cannot read the old key: {error}", file=sys.stderr)
        return 2
    if len(old) != 32:
        print("xuncha: the old key must be base64 of exactly 32 bytes", file=sys.stderr)
        return 2
    database = open_database(settings)
    recorder = make_recorder(database.conninfo, pool_size=1)
    try:
        keys = SubjectKeys(recorder.datastore, settings.kek_bytes, settings.wrapping_key_path)
        keys.create_table()
        count = keys.rewrap(old)
        recorder.datastore.close()
        _vacuum(database.conninfo)  # the dead rows held the keys wrapped with the old key
    finally:
        recorder.datastore.close()
        database.close()
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


def add_parsers(sub: Any) -> None:
    es = sub.add_parser(
        "erase-subject",
        help="crypto-shred a data subject (destroy its key): e.g. petitioner:<petition id>",
    )
    es.add_argument("subject_id", help="petitioner:<id>, interviewee:<id>, lead_subject:<id>, …")
    es.add_argument("--reason", required=True, help="why (retention rule, request); no names")
    es.add_argument("--by", required=True, help="who orders the erasure (user id)")
    es.set_defaults(fn=erase_subject)
    rk = sub.add_parser(
        "rotate-kek", help="rewrap every subject key under the configured key-encryption key"
    )
    rk.add_argument("--old-key-file", required=True, help="file holding the old key (base64)")
    rk.set_defaults(fn=rotate_kek)
    cp = sub.add_parser("checkpoint", help="sign the log's hash chain head (or export them)")
    cp.set_defaults(fn=checkpoint)
    cp_sub = cp.add_subparsers(dest="action", required=False)
    ex = cp_sub.add_parser("export", help="write all checkpoints as JSON lines to FILE")
    ex.add_argument("file")
    ex.set_defaults(fn=checkpoint_export)
    from xuncha.api.cli.proofs import public_key

    pk = cp_sub.add_parser("public-key", help="print the checkpoint key's public key (PEM)")
    pk.set_defaults(fn=public_key)
    vl = sub.add_parser("verify-log", help="check the event log's hash chain and checkpoints")
    vl.add_argument("--checkpoints", default=None, help="exported checkpoints (JSON lines)")
    vl.add_argument(
        "--heads-from",
        default=None,
        metavar="kafka|FILE",
        help="also check the log against published signed tree heads: the Kafka topic "
        "xuncha.audit.checkpoint, or a file of collected heads (JSON lines)",
    )
    vl.set_defaults(fn=verify_log)
    db = sub.add_parser("db", help="database administration").add_subparsers(
        dest="action", required=True
    )
    gr = db.add_parser(
        "grant-app-role", help="create/grant the application's role (no UPDATE/DELETE of events)"
    )
    gr.add_argument("--role", required=True)
    gr.add_argument("--password-file", default=None, help="file holding the role's password")
    gr.set_defaults(fn=grant_app_role)

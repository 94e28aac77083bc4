"""Numbered schema migrations of the owned tables: the event log, idempotency records, the hash
chain and its checkpoints, the Merkle tree, log verifications, subject keys, read-side
tracking and parked events, the Kafka relay's and consumers' tables (docs/operations.md,
"Schema migrations").

The migrations are raw SQL files shipped with the package, `migrations/NNNN_name.sql`,
numbered from 1 without gaps. `schema_migrations` records each applied one (version, name,
SHA-256 of its text, when). `migrate` applies the pending ones in order, each in its own
transaction with its row, under an advisory lock held for the whole run, so two migrators
never interleave (the second waits, then finds nothing to do). An applied migration whose
text has changed since is an error: released migrations are never edited, a change is a new
file. `xuncha db migrate` runs it as the owner role; `serve` and the other commands refuse a
database behind the code (`SchemaBehind`), except the embedded development database, which
they migrate.

0001 is the baseline, written so that a database set up by the release before migrations
(its tables there, no `schema_migrations`) is taken under version control unchanged.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import psycopg
from psycopg import Connection

TABLE = "schema_migrations"
# Held by a migrator for its whole run: "XUNCHA" + 0xB0 ("migrate").
MIGRATION_LOCK = 0x58554E43484100B0
FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
CREATE_TABLE = (
    "CREATE TABLE IF NOT EXISTS public.schema_migrations (version integer PRIMARY KEY,"
    " name text NOT NULL, checksum text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now())"
)


class MigrationError(RuntimeError):
    """The database's migrations disagree with the code's (an applied migration changed)."""


class SchemaBehind(RuntimeError):
    """The database lacks migrations this code needs: run `xuncha db migrate`."""

    def __init__(self, pending: list[Migration]) -> None:
        self.pending = pending
        names = ", ".join(m.file_name for m in pending)
        super().__init__(
            f"the database schema is behind this release ({len(pending)} pending"
            f" migration{'s' if len(pending) != 1 else ''}: {names}); run `xuncha db migrate`"
            " as the database's owner role"
        )


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def file_name(self) -> str:
        return f"{self.version:04d}_{self.name}.sql"

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


@cache
def migrations() -> tuple[Migration, ...]:
    """The migrations shipped with the code, in order; numbered 1, 2, … without gaps."""
    folder = resources.files(__package__ or "xuncha.commands.eventstore") / "migrations"
    found = []
    for entry in folder.iterdir():
        match = FILE_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise MigrationError(f"migrations must be numbered 1, 2, … without gaps: {versions}")
    return tuple(found)


@dataclass
class Status:
    """What the database has applied against what the code ships."""

    applied: list[tuple[int, str, str]] = field(default_factory=list)  # version, name, at
    pending: list[Migration] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)  # applied, but the file differs now
    unknown: list[int] = field(default_factory=list)  # applied, not shipped (newer code ran)

    @property
    def current(self) -> bool:
        return not self.pending and not self.changed


def _applied(conn: Connection[Any]) -> dict[int, tuple[str, str, str]] | None:
    """version → (name, checksum, applied at) or None when nothing was ever migrated."""
    row = conn.execute("SELECT to_regclass('public.schema_migrations') IS NOT NULL").fetchone()
    if not (row and row[0]):
        return None
    try:
        rows = conn.execute(
            "SELECT version, name, checksum, applied_at FROM public.schema_migrations ORDER BY 1"
        ).fetchall()
    except psycopg.errors.InsufficientPrivilege:
        raise MigrationError(
            "this role may not read schema_migrations: run `xuncha db grant-app-role` again"
            " as the database's owner role"
        ) from None
    return {int(v): (str(n), str(c), str(at)) for v, n, c, at in rows}


def status_of(conn: Connection[Any]) -> Status:
    applied = _applied(conn) or {}
    shipped = {m.version: m for m in migrations()}
    result = Status()
    for version, (name, checksum, at) in applied.items():
        result.applied.append((version, name, at))
        if version not in shipped:
            result.unknown.append(version)
        elif shipped[version].checksum != checksum:
            result.changed.append(version)
    result.pending = [m for m in migrations() if m.version not in applied]
    return result


def status(conninfo: str) -> Status:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        return status_of(conn)


def require_current(conninfo: str) -> None:
    """Raise `SchemaBehind` when migrations are pending, `MigrationError` when an applied one
    changed; the database is left as it is."""
    found = status(conninfo)
    _refuse_changed(found)
    if found.pending:
        raise SchemaBehind(found.pending)


def _refuse_changed(found: Status) -> None:
    if found.changed:
        names = ", ".join(f"{v:04d}" for v in found.changed)
        raise MigrationError(
            f"applied migration(s) {names} differ from the files of this release: a released"
            " migration must never be edited (add a new one instead)"
        )


def migrate(
    conninfo: str, on_applied: Callable[[Migration, float], None] | None = None
) -> list[Migration]:
    """Apply the pending migrations in order, each in its own transaction with its
    `schema_migrations` row, under the migration lock; `on_applied(migration, seconds)` after
    each. Returns those applied (none when the database was current)."""
    done: list[Migration] = []
    with psycopg.connect(conninfo, autocommit=True, application_name="xuncha-migrate") as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
        try:
            conn.execute(CREATE_TABLE)
            found = status_of(conn)
            _refuse_changed(found)
            for migration in found.pending:
                started = time.perf_counter()
                with conn.transaction():
                    conn.execute(migration.sql.encode())  # several statements, no parameters
                    conn.execute(
                        "INSERT INTO public.schema_migrations (version, name, checksum)"
                        " VALUES (%s, %s, %s)",
                        (migration.version, migration.name, migration.checksum),
                    )
                done.append(migration)
                if on_applied is not None:
                    on_applied(migration, time.perf_counter() - started)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))
    return done

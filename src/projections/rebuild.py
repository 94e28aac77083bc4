"""Operating the read side: verify a read model against a fresh build, and rebuild it beside
the live one with an atomic switch.

Both build a scratch copy of the read model in a PostgreSQL schema of its own: the
projection's DDL and handlers use unqualified table names, so with `SET LOCAL search_path TO
<scratch>, public` in the runner's transactions its tables land in the scratch schema while
the log, the tracking and the parked tables stay in public. The scratch copy has its own
tracking row (named after the schema), so the live runner and commands keep running.

* `verify`: build the scratch copy up to the live position read at the start, then, holding
  the live tracking row (`FOR UPDATE`, which the runner takes for every batch, so the live
  model cannot move), bring it to the live position and compare every table both ways with
  `EXCEPT ALL`. The scratch schema is dropped afterwards.
* `rebuild`: build the scratch copy to the head (telling `progress` the events read), then in
  one transaction holding the live tracking row: apply the last events, drop the live tables,
  move the new ones into public (`ALTER TABLE ... SET SCHEMA`; DDL is transactional, so readers
  see the old or the new tables, never a half-built one), move the position and the parked
  events over, record the read model's declared version, and drop the scratch schema. The
  runner does this by itself for a read model whose version changed (`upgrade`).
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

import psycopg
from psycopg import Connection, Cursor
from psycopg.errors import LockNotAvailable
from psycopg.sql import SQL, Composable, Identifier

from xuncha.projections import tracking
from xuncha.projections.base import Projection
from xuncha.projections.runner import APP_NAME, ProjectionRunner, Target

# Held by a rebuild for its whole run: two rebuilds of one read model never overlap.
REBUILD_LOCK_BASE = 0x58554E4348420000  # "XUNCHB" + crc of the read model's name


class ScratchError(RuntimeError):
    """The scratch copy could not be built where it must be (e.g. qualified table names)."""


class RebuildBusy(RuntimeError):
    """Another rebuild of the same read model is running."""


def find(projections: list[Projection], name: str) -> Projection:
    for projection in projections:
        if projection.name == name:
            return projection
    known = ", ".join(p.name for p in projections)
    raise KeyError(f"no read model named {name!r} (known: {known})")


@dataclass(frozen=True)
class Scratch:
    """A scratch copy of one read model: its schema, also the name of its tracking row."""

    projection: Projection
    schema: str

    @property
    def target(self) -> Target:
        return Target(tracking_name=self.schema, schema=self.schema)

    def upto(self, position: int) -> Target:
        return Target(tracking_name=self.schema, schema=self.schema, upto=position)

    def create(self, conn: Connection[Any]) -> None:
        """A new, empty scratch schema with the read model's tables and a tracking row at 0
        (dropping what a previous, interrupted run left)."""
        self.drop(conn)
        with conn.transaction(), conn.cursor() as cur:
            cur.execute(SQL("CREATE SCHEMA {}").format(Identifier(self.schema)))
            tracking.ensure(cur, self.schema)  # in public, before the search path changes
            cur.execute(SQL("SET LOCAL search_path TO {}, public").format(Identifier(self.schema)))
            self.projection.create(cur)
            missing = [t for t in self.projection.tables if not _exists(cur, self.schema, t)]
            if missing:
                raise ScratchError(
                    f"read model {self.projection.name} did not create {', '.join(missing)}"
                    f" in the scratch schema: its DDL must use unqualified table names"
                )

    def drop(self, conn: Connection[Any]) -> None:
        with conn.transaction(), conn.cursor() as cur:
            cur.execute(SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(Identifier(self.schema)))
            if _exists(cur, "public", "projection_tracking"):
                cur.execute("DELETE FROM projection_tracking WHERE name = %s", (self.schema,))
            if _exists(cur, "public", "projection_parked"):
                cur.execute("DELETE FROM projection_parked WHERE name = %s", (self.schema,))

    def tables(self, cur: Cursor[Any]) -> list[str]:
        """The read model's tables: those it declares and any other it created."""
        cur.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename",
            (self.schema,),
        )
        created = [str(r[0]) for r in cur.fetchall()]
        return [*self.projection.tables, *(t for t in created if t not in self.projection.tables)]

    def position(self, cur: Cursor[Any]) -> int:
        cur.execute("SELECT position FROM projection_tracking WHERE name = %s", (self.schema,))
        row = cur.fetchone()
        return int(row[0]) if row else 0


def _exists(cur: Cursor[Any], schema: str, table: str) -> bool:
    cur.execute("SELECT to_regclass(%s) IS NOT NULL", (f'"{schema}"."{table}"',))
    row = cur.fetchone()
    return bool(row and row[0])


def _columns(cur: Cursor[Any], schema: str, table: str) -> dict[str, str]:
    cur.execute(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
        (schema, table),
    )
    return {str(name): str(kind) for name, kind in cur.fetchall()}


# ---- progress -------------------------------------------------------------------------------

# Told the events read so far after each batch; whoever asked draws it (the CLI's bar,
# api/cli/progress.py), this module prints nothing.
Progress = Callable[[int], None]


# ---- verify ---------------------------------------------------------------------------------


@dataclass
class TableDifference:
    table: str
    only_live: int = 0
    only_rebuilt: int = 0
    sample_live: list[Any] = field(default_factory=list)
    sample_rebuilt: list[Any] = field(default_factory=list)
    columns_only_live: list[str] = field(default_factory=list)
    columns_only_rebuilt: list[str] = field(default_factory=list)
    missing_live: bool = False

    @property
    def equal(self) -> bool:
        return not (
            self.only_live
            or self.only_rebuilt
            or self.columns_only_live
            or self.columns_only_rebuilt
            or self.missing_live
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "equal": self.equal,
            "rows_only_in_live": self.only_live,
            "rows_only_in_rebuilt": self.only_rebuilt,
            "sample_only_in_live": self.sample_live,
            "sample_only_in_rebuilt": self.sample_rebuilt,
            "columns_only_in_live": self.columns_only_live,
            "columns_only_in_rebuilt": self.columns_only_rebuilt,
            "missing_in_live": self.missing_live,
        }


@dataclass
class VerifyReport:
    name: str
    position: int
    tables: list[TableDifference]

    @property
    def equal(self) -> bool:
        return all(t.equal for t in self.tables)

    def as_json(self) -> dict[str, Any]:
        return {
            "read_model": self.name,
            "position": self.position,
            "equal": self.equal,
            "tables": [t.as_json() for t in self.tables],
        }

    def text(self) -> str:
        head = f"read model {self.name} at position {self.position}: "
        if self.equal:
            return head + f"equal to a fresh rebuild ({len(self.tables)} tables)"
        lines = [head + "DIFFERS from a fresh rebuild"]
        for t in self.tables:
            if t.equal:
                lines.append(f"  {t.table}: equal")
                continue
            if t.missing_live:
                lines.append(f"  {t.table}: missing in the live read model")
                continue
            if t.columns_only_live or t.columns_only_rebuilt:
                lines.append(
                    f"  {t.table}: columns only in live {t.columns_only_live},"
                    f" only in the rebuild {t.columns_only_rebuilt}"
                )
            lines.append(
                f"  {t.table}: {t.only_live} rows only in live,"
                f" {t.only_rebuilt} rows only in the rebuild"
            )
            lines += [f"    only in live:    {row}" for row in t.sample_live]
            lines += [f"    only in rebuild: {row}" for row in t.sample_rebuilt]
        return "\n".join(lines)


def compare_table(
    cur: Cursor[Any], live_schema: str, rebuilt_schema: str, table: str, sample: int = 5
) -> TableDifference:
    """Rows of `table` only in the live schema and only in the rebuilt one (`EXCEPT ALL`, so
    duplicates count), on the columns both have; json columns compare as jsonb."""
    diff = TableDifference(table)
    rebuilt = _columns(cur, rebuilt_schema, table)
    live = _columns(cur, live_schema, table)
    if not live:
        diff.missing_live = True
        return diff
    diff.columns_only_live = [c for c in live if c not in rebuilt]
    diff.columns_only_rebuilt = [c for c in rebuilt if c not in live]
    common = [c for c in rebuilt if c in live]
    select: list[Composable] = [
        SQL("{}::jsonb").format(Identifier(c)) if rebuilt[c] == "json" else Identifier(c)
        for c in common
    ]
    columns = SQL(", ").join(select)
    names = SQL(", ").join(Identifier(c) for c in common)
    for left, right, attr in (
        (live_schema, rebuilt_schema, "live"),
        (rebuilt_schema, live_schema, "rebuilt"),
    ):
        query = SQL("SELECT {cols} FROM {a} EXCEPT ALL SELECT {cols} FROM {b}").format(
            cols=columns, a=Identifier(left, table), b=Identifier(right, table)
        )
        cur.execute(SQL("SELECT count(*) FROM ({}) d").format(query))
        row = cur.fetchone()
        count = int(row[0]) if row else 0
        rows: list[Any] = []
        if count:
            cur.execute(
                SQL("SELECT to_jsonb(d) FROM ({q}) d({names}) LIMIT %s").format(
                    q=query, names=names
                ),
                (sample,),
            )
            rows = [r[0] for r in cur.fetchall()]
        if attr == "live":
            diff.only_live, diff.sample_live = count, rows
        else:
            diff.only_rebuilt, diff.sample_rebuilt = count, rows
    return diff


def verify(
    runner: ProjectionRunner, name: str, progress: Progress | None = None, sample: int = 5
) -> VerifyReport:
    """Rebuild read model `name` into a scratch schema and compare it with the live one at
    the same log position, both ways; the scratch schema is dropped afterwards."""
    projection = find(runner.projections, name)
    runner.setup()
    scratch = Scratch(projection, f"scratch_verify_{name}_{uuid4().hex[:8]}")
    with psycopg.connect(runner.conninfo, application_name=APP_NAME) as conn:
        scratch.create(conn)
        try:
            start = tracking.positions(conn).get(name, 0)
            runner.catch_up_target(conn, projection, scratch.upto(start), progress)
            with conn.transaction(), conn.cursor() as cur:
                position = tracking.lock_position(cur, name)  # the live model stands still
                target = scratch.upto(position)
                while runner.apply_next(cur, projection, None, target) > 0:
                    pass
                tables = [
                    compare_table(cur, "public", scratch.schema, table, sample)
                    for table in scratch.tables(cur)
                ]
            return VerifyReport(name, position, tables)
        finally:
            scratch.drop(conn)


# ---- rebuild --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RebuildResult:
    name: str
    position: int
    events: int
    seconds: float
    switch_attempts: int

    def as_json(self) -> dict[str, Any]:
        return {
            "read_model": self.name,
            "position": self.position,
            "events_read": self.events,
            "seconds": round(self.seconds, 3),
            "events_per_second": round(self.events / self.seconds) if self.seconds else None,
            "switch_attempts": self.switch_attempts,
        }


def rebuild(
    runner: ProjectionRunner,
    name: str,
    progress: Progress | None = None,
    *,
    lock_timeout_seconds: float = 5.0,
    max_switch_attempts: int = 10,
) -> RebuildResult:
    """Build a new version of read model `name` beside the live one and switch to it
    atomically once it has caught up; the live runner, readers and commands keep going.

    The switch waits at most `lock_timeout_seconds` for readers of the live tables (while it
    waits, new readers queue behind it), then gives up, catches up again and retries."""
    projection = find(runner.projections, name)
    runner.setup()
    scratch = Scratch(projection, f"scratch_rebuild_{name}")
    started = time.monotonic()
    lock_key = REBUILD_LOCK_BASE + zlib.crc32(name.encode())
    if lock_key >= 2**63:
        lock_key -= 2**64
    with psycopg.connect(runner.conninfo, application_name=APP_NAME, autocommit=True) as lock:
        row = lock.execute("SELECT pg_try_advisory_lock(%s)", (lock_key,)).fetchone()
        if not (row and row[0]):
            raise RebuildBusy(f"a rebuild of {name} is already running")
        with psycopg.connect(runner.conninfo, application_name=APP_NAME) as conn:
            scratch.create(conn)
            try:
                events = runner.catch_up_target(conn, projection, scratch.target, progress)
                for attempt in range(1, max_switch_attempts + 1):
                    try:
                        position, read = _switch(conn, runner, scratch, lock_timeout_seconds)
                    except LockNotAvailable:
                        # Readers held the live tables too long: catch up and try again.
                        events += runner.catch_up_target(conn, projection, scratch.target, progress)
                        continue
                    events += read
                    if progress is not None:
                        progress(events)
                    return RebuildResult(
                        name, position, events, time.monotonic() - started, attempt
                    )
                raise TimeoutError(
                    f"could not switch {name} to the rebuilt tables: the live tables stayed"
                    f" in use ({max_switch_attempts} attempts of {lock_timeout_seconds}s)"
                )
            finally:
                scratch.drop(conn)


def _switch(
    conn: Connection[Any],
    runner: ProjectionRunner,
    scratch: Scratch,
    lock_timeout_seconds: float,
) -> tuple[int, int]:
    """One transaction: hold the live tracking row, apply the last events to the scratch
    copy, replace the live tables by it, move the position and parked events over."""
    name = scratch.projection.name
    read = 0
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(
            SQL("SET LOCAL lock_timeout = {}").format(f"{int(lock_timeout_seconds * 1000)}")
        )
        live_position = tracking.lock_position(cur, name)
        head = tracking.head(conn)
        target = scratch.upto(max(head, live_position))
        while (n := runner.apply_next(cur, scratch.projection, None, target)) > 0:
            read += n
        position = scratch.position(cur)
        if position < live_position:  # pragma: no cover - the log has every event up to head
            raise ScratchError(f"the rebuild of {name} is behind the live read model")
        tables = scratch.tables(cur)
        for table in tables:
            cur.execute(SQL("DROP TABLE IF EXISTS {}").format(Identifier("public", table)))
        for table in tables:
            cur.execute(
                SQL("ALTER TABLE {} SET SCHEMA public").format(Identifier(scratch.schema, table))
            )
        cur.execute(SQL("DROP SCHEMA {} CASCADE").format(Identifier(scratch.schema)))
        cur.execute("DELETE FROM projection_parked WHERE name = %s", (name,))
        cur.execute(
            "UPDATE projection_parked SET name = %s WHERE name = %s", (name, scratch.schema)
        )
        cur.execute("DELETE FROM projection_tracking WHERE name = %s", (scratch.schema,))
        tracking.advance(cur, name, position)
        tracking.set_version(cur, name, scratch.projection.version)
    return position, read


def upgrade(runner: ProjectionRunner, projection: Projection) -> RebuildResult:
    """Build the declared version of an outdated read model beside the live one and switch to
    it once caught up (the runner's `upgrade`): a rebuild, which records the new version."""
    return rebuild(runner, projection.name)

"""The record of the log's verifications, so that its state is cheap to read.

Verifying the hash chain means reading every event (`integrity.verify`): far too slow for a
request on a large log. So each verification's result is stored, one row per run, in the
append-only table `log_verifications`, and `GET /audit/log-integrity` reads the newest rows:

* `xuncha verify-log` records a **full** verification (every event from the first, every
  checkpoint, and what else it checked: published heads, recorded times);
* `xuncha serve`'s checkpoint worker records an **incremental** one after it signs a
  checkpoint: links are sequential, so it continues from the position and the recomputed
  link of the newest verification and checks only the events after it (at most
  `INCREMENT_LIMIT` per run), with the checkpoints among them.

An incremental run never follows a failed verification: once the chain was found broken, the
state stays broken until a full `xuncha verify-log` finds it whole again (e.g. after the
log was restored). It also cannot see an edit of events verified before; a full run (and
the published heads) can, which is why the answer shows the newest full run too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from psycopg import Connection, sql
from psycopg.sql import SQL, Identifier

from xuncha.commands.eventstore import integrity

TABLE = "log_verifications"
INCREMENT_LIMIT = 100_000  # events one incremental run checks at most
Kind = Literal["full", "incremental"]
COLUMNS = (
    "id, kind, run_by, started_at, finished_at, from_position, through_position, through_link,"
    " events, ok, first_bad_position, reason, problems, checkpoints_verified"
)


@dataclass(frozen=True)
class Run:
    """One recorded verification."""

    id: int
    kind: Kind
    run_by: str
    started_at: datetime
    finished_at: datetime
    from_position: int  # the events after this position were checked
    through_position: int  # ... up to this one
    through_link: bytes  # the link recomputed at through_position
    events: int
    ok: bool
    first_bad_position: int | None
    reason: str | None  # the first problem, as `xuncha verify-log` prints it
    problems: int
    checkpoints_verified: int


def record(
    conn: Connection[Any],
    kind: Kind,
    run_by: str,
    started_at: datetime,
    from_position: int,
    result: integrity.Verification,
    *,
    extra_problem: tuple[int, str] | None = None,
    schema: str = "public",
) -> Run:
    """Store the result of one verification (and a problem found beside the chain, e.g. a
    recorded time that went backwards); `conn` commits it."""
    problems = sorted([*result.problems, *([extra_problem] if extra_problem else [])])
    first = problems[0] if problems else None
    row = conn.execute(
        SQL(
            "INSERT INTO {} (kind, run_by, started_at, finished_at, from_position,"
            " through_position, through_link, events, ok, first_bad_position, reason, problems,"
            " checkpoints_verified) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
            " RETURNING " + COLUMNS
        ).format(Identifier(schema, TABLE)),
        (
            kind,
            run_by,
            started_at,
            datetime.now(UTC),
            from_position,
            result.head,
            result.head_link,
            result.events,
            not problems,
            first[0] if first else None,
            first[1] if first else None,
            len(problems),
            result.checkpoints_verified,
        ),
    ).fetchone()
    assert row is not None
    return _run(row)


def _run(row: Any) -> Run:
    (
        id_,
        kind,
        run_by,
        started,
        finished,
        start,
        through,
        link,
        events,
        ok,
        bad,
        reason,
        problems,
        cps,
    ) = row
    return Run(
        int(id_),
        kind,
        run_by,
        started,
        finished,
        int(start),
        int(through),
        bytes(link),
        int(events),
        bool(ok),
        None if bad is None else int(bad),
        reason,
        int(problems),
        int(cps),
    )


def latest(conn: Connection[Any], kind: Kind | None = None, schema: str = "public") -> Run | None:
    """The newest recorded verification (of `kind`, if given)."""
    # A literal kind, so that the newest full run is found through its partial index.
    where = SQL("WHERE kind = {} ").format(sql.Literal(kind)) if kind else SQL("")
    query = SQL("SELECT " + COLUMNS + " FROM {} {}ORDER BY id DESC LIMIT 1")
    row = conn.execute(query.format(Identifier(schema, TABLE), where)).fetchone()
    return None if row is None else _run(row)


def verify_increment(
    conn: Connection[Any],
    public: Ed25519PublicKey,
    run_by: str,
    *,
    limit: int = INCREMENT_LIMIT,
    schema: str = "public",
) -> Run | None:
    """Check the events after the newest verification (at most `limit`) and record the
    result; None when there is nothing to check or the newest verification failed (its
    state stands until a full verification). The first run of a log starts at its first
    event. `conn` is in autocommit mode."""
    started = datetime.now(UTC)
    last = latest(conn, schema=schema)
    if last is not None and not last.ok:
        return None
    after, link = (
        (0, integrity.GENESIS) if last is None else (last.through_position, last.through_link)
    )
    head, _ = integrity.chain_head(conn, schema)
    if head == after:  # nothing new (a head before `after`: events were deleted, checked below)
        return None
    result = integrity.verify(
        conn, public, schema=schema, after_position=after, after_link=link, up_to=after + limit
    )
    return record(conn, "incremental", run_by, started, after, result, schema=schema)

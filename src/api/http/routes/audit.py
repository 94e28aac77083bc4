"""Auditors' endpoints: the audit trail (a read model) with its timelines and exports, and
time travel (`/history`, which reads the event store itself, not a read model)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import psycopg
from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse
from pydantic import BeforeValidator

from xuncha.api.auditing import MEDIA_TYPES, load_stream, open_export
from xuncha.api.exports.xlsx import stream_file
from xuncha.api.http.access import OVERSIGHT, readable_by
from xuncha.api.http.deps import ContainerDep, CurrentActor, ReadConnection, consistent_read
from xuncha.api.http.errors import problem
from xuncha.api.http.schemas.audit import (
    AuditPage,
    History,
    LastCheckpoint,
    LogIntegrity,
    LogVerification,
    StateAt,
)
from xuncha.api.http.schemas.common import answer
from xuncha.api.workers.checkpoints import public_key
from xuncha.commands.eventstore import history, integrity, log_verifications
from xuncha.events.base import Role
from xuncha.events.export import ExportChannel, ExportFormat
from xuncha.projections import audit_trail

AUDIT = Depends(consistent_read("audit_trail"))
Limit = Annotated[int, Query(ge=1, le=500, description="Page size")]
AfterPosition = Annotated[
    int, Query(ge=0, description="Keyset cursor: only events after this log position")
]
NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold U+0000
ActorUser = Annotated[
    str | None, Query(max_length=200, pattern=NO_NUL, description="Only this user's events")
]
ActorRole = Annotated[Role | None, Query(description="Only events of actors in this role")]
EventType = Annotated[
    str | None,
    Query(max_length=200, pattern=NO_NUL, description="Only this event type, e.g. lead.closed"),
]


def _iso_only(value: Any) -> Any:
    """A date-time parameter is ISO 8601 text, never a number (pydantic would take one as a
    Unix time, which the OpenAPI `date-time` format does not allow)."""
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return value
        raise ValueError("expected an ISO 8601 date-time, e.g. 2026-05-01T12:00:00Z")
    return value


IsoDateTime = Annotated[datetime, BeforeValidator(_iso_only)]
Since = Annotated[IsoDateTime | None, Query(description="occurred_at at or after (ISO date-time)")]
Until = Annotated[IsoDateTime | None, Query(description="occurred_at before (ISO date-time)")]

# The audit trail, timelines, exports and history show every record's whole life: for the
# bodies that oversee the work and the auditors (sealed fields stay redacted for them too).
READERS = readable_by(*OVERSIGHT)


def _filter(
    *,
    after_position: int,
    limit: int = 100,
    actor_user_id: str | None,
    actor_role: Role | None,
    type: str | None,
    since: datetime | None,
    until: datetime | None,
    **scope: Any,
) -> audit_trail.AuditFilter:
    return audit_trail.AuditFilter(
        after_position=after_position,
        limit=limit,
        actor_user_id=actor_user_id,
        actor_role=actor_role.value if actor_role else None,
        type=type,
        since=since,
        until=until,
        **scope,
    )


@dataclass
class EventFilters:
    """The query parameters every view of the trail filters by (all must match), after the
    view's own; `filter(...)` adds the view's scope."""

    actor_user_id: ActorUser = None
    actor_role: ActorRole = None
    type: EventType = None
    since: Since = None
    until: Until = None
    after_position: AfterPosition = 0

    def filter(self, **scope: Any) -> audit_trail.AuditFilter:
        return _filter(
            after_position=self.after_position,
            actor_user_id=self.actor_user_id,
            actor_role=self.actor_role,
            type=self.type,
            since=self.since,
            until=self.until,
            **scope,
        )


@dataclass
class PagedEventFilters(EventFilters):
    """`EventFilters` and a page size: the timelines' parameters."""

    limit: Limit = 100

    def filter(self, **scope: Any) -> audit_trail.AuditFilter:
        return super().filter(limit=self.limit, **scope)


@dataclass
class ExportOptions:
    """The export's parameters after the filters."""

    up_to_position: Annotated[
        int | None, Query(ge=0, description="Nothing after this log position")
    ] = None
    justification: Annotated[
        str, Query(max_length=2000, pattern=NO_NUL, description="Why (recorded with it)")
    ] = ""
    batch_size: Annotated[
        int, Query(ge=1, le=10_000, description="Rows fetched per round trip")
    ] = 1000
    bom: Annotated[
        bool,
        Query(description="CSV: start with a UTF-8 byte-order mark (Excel and WPS need it)"),
    ] = True
    lang: Annotated[
        Literal["zh", "en"], Query(description="xlsx: headers in Chinese (zh) or English (en)")
    ] = "zh"


TimelineFilters = Annotated[PagedEventFilters, Depends()]


def _page(conn: Any, f: audit_trail.AuditFilter) -> AuditPage:
    """A keyset page of the trail (`next_after_position` is the next page's cursor)."""
    return answer(AuditPage, audit_trail.page(conn, f))


# As a parameter after the filters (rather than in the route's `dependencies`), so that
# `min_position` keeps its place after them in the OpenAPI document; still before `conn`, so
# no connection is held while waiting.
AuditCaughtUp = Annotated[None, AUDIT]


_EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "application/x-ndjson": {
                "schema": {
                    "type": "string",
                    "description": "One JSON object per line: an `AuditEvent`, as "
                    "the items of `/audit-trail`",
                }
            },
            "text/csv": {
                "schema": {
                    "type": "string",
                    "description": "The `AuditEvent` columns, `data` as JSON",
                }
            },
            MEDIA_TYPES[ExportFormat.XLSX]: {
                "schema": {
                    "type": "string",
                    "format": "binary",
                    "description": "The `AuditEvent` columns as a spreadsheet",
                }
            },
        },
        "description": "The rows",
    }
}


def trail() -> APIRouter:
    r = APIRouter(tags=["audit"])

    @r.get(
        "/audit-trail",
        dependencies=[READERS, AUDIT],
        summary="Every event with its metadata, in log order",
        description="Filters combine (all must match). A keyset page: pass "
        "`next_after_position` as `after_position` for the next one (null: last page). Sealed "
        "fields show as `[sealed]`.",
    )
    def audit(
        conn: ReadConnection,
        _: CurrentActor,
        stream_id: UUID | None = None,
        actor_user_id: ActorUser = None,
        type: EventType = None,
        since: Since = None,
        until: Until = None,
        after_position: AfterPosition = 0,
        limit: Limit = 100,
        actor_role: ActorRole = None,
        correlation_id: UUID | None = None,
        inspection_id: UUID | None = None,
    ) -> AuditPage:
        f = _filter(
            after_position=after_position,
            limit=limit,
            actor_user_id=actor_user_id,
            actor_role=actor_role,
            type=type,
            since=since,
            until=until,
            stream_id=stream_id,
            correlation_id=correlation_id,
            inspection_id=inspection_id,
        )
        return answer(AuditPage, audit_trail.page(conn, f))

    @r.get(
        "/audit-trail/timeline",
        dependencies=[READERS],
        summary="Timeline of one correlation: every event of one command, across streams",
        description="`next_after_position` is the cursor of the next page (null: last page).",
    )
    def correlation_timeline(
        correlation_id: UUID,
        filters: TimelineFilters,
        _caught_up: AuditCaughtUp,
        conn: ReadConnection,
        _: CurrentActor,
    ) -> AuditPage:
        return _page(conn, filters.filter(correlation_id=correlation_id))

    @r.get(
        "/audit-trail/entities/{stream_id}/timeline",
        dependencies=[READERS],
        summary="Timeline of one record: its events, every event sharing a correlation id "
        "with them, and corrections of it, in log order",
    )
    def entity_timeline(
        stream_id: UUID,
        filters: TimelineFilters,
        _caught_up: AuditCaughtUp,
        conn: ReadConnection,
        _: CurrentActor,
    ) -> AuditPage:
        return _page(conn, filters.filter(entity_id=stream_id))

    @r.get(
        "/audit-trail/inspections/{inspection_id}/timeline",
        dependencies=[READERS],
        summary="Timeline of one inspection: the events of every record that belongs to it",
        description="An event belongs to an inspection when it is on the inspection's stream, "
        "names it in its data, or is on a stream some event of which names it (items, leads, "
        "findings, interviews, petitions, feedback, access and export records).",
    )
    def inspection_timeline(
        inspection_id: UUID,
        filters: TimelineFilters,
        _caught_up: AuditCaughtUp,
        conn: ReadConnection,
        _: CurrentActor,
    ) -> AuditPage:
        return _page(conn, filters.filter(inspection_id=inspection_id))

    return r


def trail_export() -> APIRouter:
    r = APIRouter(tags=["audit"])

    @r.get(
        "/audit-trail/export",
        dependencies=[READERS],
        summary="Export the filtered audit trail as NDJSON, CSV or xlsx (streamed)",
        description="Streams every matching row in log order from a server-side cursor, in "
        "batches, from one snapshot. Before the first row, `audit.export_performed` records "
        "who exported, the filters, the end position and the row count (never the data); "
        "the response headers `X-Export-Id`, `X-Export-Rows` and `X-Export-Up-To-Position` "
        "say the same. CSV and xlsx cells that a spreadsheet would read as a formula start "
        "with `'`. CSV starts with a UTF-8 byte-order mark unless `bom=false`; xlsx is written "
        "in constant memory to a temporary file first (see docs/documents.md).",
        response_class=StreamingResponse,
        responses=_EXPORT_RESPONSES,
    )
    def export(
        container: ContainerDep,
        actor: CurrentActor,
        format: ExportFormat = ExportFormat.NDJSON,
        stream_id: UUID | None = None,
        entity_id: Annotated[
            UUID | None, Query(description="A record with its correlated events")
        ] = None,
        correlation_id: UUID | None = None,
        inspection_id: UUID | None = None,
        *,
        filters: Annotated[EventFilters, Depends()],
        options: Annotated[ExportOptions, Depends()],
        _caught_up: AuditCaughtUp,
    ) -> StreamingResponse:
        f = filters.filter(
            stream_id=stream_id,
            entity_id=entity_id,
            correlation_id=correlation_id,
            inspection_id=inspection_id,
            up_to_position=options.up_to_position,
        )
        done = open_export(
            container.conninfo,
            container.app,
            actor,
            format=format,
            channel=ExportChannel.HTTP,
            filter=f,
            justification=options.justification,
            bom=options.bom,
        )

        def body() -> Iterator[str]:
            for text, _ in done.batches(options.batch_size):
                yield text

        content: Iterator[str] | Iterator[bytes] = body()
        if format is ExportFormat.XLSX:
            content = stream_file(done.workbook(options.batch_size, options.lang))
        return StreamingResponse(
            content,
            media_type=MEDIA_TYPES[format],
            headers={
                "Content-Disposition": f'attachment; filename="{done.filename}"',
                "X-Export-Id": str(done.export_id),
                "X-Export-Rows": str(done.rows),
                "X-Export-Up-To-Position": str(done.up_to_position),
            },
        )

    return r


def time_travel() -> APIRouter:
    r = APIRouter(tags=["audit"])

    @r.get(
        "/history/{stream_id}",
        dependencies=[READERS],
        summary="A record's history: its events with metadata and what each changed",
        description="Reads the event store (not a read model). Each event has its public "
        "data and `changes`: the state paths it changed, with `op` (added, removed, changed), "
        "`before` and `after`. A keyset page: pass `next_after_version` as `after_version` "
        "for the next one (null: last page); sealed data shows as `[sealed]`.",
    )
    def get_history(
        stream_id: UUID,
        container: ContainerDep,
        _: CurrentActor,
        after_version: Annotated[int, Query(ge=0)] = 0,
        limit: Limit = 100,
        diffs: bool = True,
    ) -> History:
        with container.read_pool.connection() as conn:
            recorded = load_stream(container.store, conn, stream_id)
        found = history.history(
            stream_id, recorded, after_version=after_version, limit=limit, diffs=diffs
        )
        return answer(History, found)

    @r.get(
        "/history/{stream_id}/state",
        dependencies=[READERS],
        summary="A record as it stood at a version or at a moment",
        description="Give exactly one of `version` (1 to the current version) or `at` (an "
        "ISO date-time with time zone): the state after the first `version` events, or after "
        "the events recorded (envelope `occurred_at`) at or before `at`, stopping at the "
        "first later one. 404 unknown record; 422 version out of range, both or neither "
        "given, or a moment before the record existed.",
    )
    def get_state(
        stream_id: UUID,
        container: ContainerDep,
        _: CurrentActor,
        version: Annotated[int | None, Query(description="A version of the record")] = None,
        at: Annotated[IsoDateTime | None, Query(description="A moment (ISO date-time)")] = None,
    ) -> StateAt:
        with container.read_pool.connection() as conn:
            recorded = load_stream(container.store, conn, stream_id)
        return answer(StateAt, history.state_at(stream_id, recorded, version=version, at=at))

    return r


def _verification(run: log_verifications.Run | None) -> LogVerification | None:
    if run is None:
        return None
    return LogVerification(
        kind=run.kind,
        run_by=run.run_by,
        started_at=run.started_at,
        finished_at=run.finished_at,
        from_position=run.from_position,
        through_position=run.through_position,
        events=run.events,
        ok=run.ok,
        first_bad_position=run.first_bad_position,
        reason=run.reason,
        problems=run.problems,
        checkpoints_verified=run.checkpoints_verified,
    )


def _checkpoint(conn: Any, public: Any) -> LastCheckpoint | None:
    position = integrity.last_checkpoint_position(conn)
    if position == 0:
        return None
    cp = integrity.checkpoints(conn, since=position - 1)[0]
    valid = None
    if public is not None:
        valid = cp.key_id == integrity.key_id(public) and cp.signature_valid(public)
    return LastCheckpoint(
        position=cp.position,
        format=cp.format,
        tree_size=cp.tree_size,
        link=cp.link.hex(),
        root=None if cp.root is None else cp.root.hex(),
        signed_at=cp.signed_at,
        key_id=cp.key_id,
        signature_valid=valid,
    )


def log_integrity_state(conn: Any, public: Any) -> LogIntegrity:
    """The chain's state from the recorded verifications and the newest checkpoint: a few
    index lookups, whatever the log's length."""
    head, _ = integrity.chain_head(conn)
    latest = log_verifications.latest(conn)
    full = latest if latest is not None and latest.kind == "full" else None
    if latest is not None and full is None:
        full = log_verifications.latest(conn, "full")
    state = "unverified" if latest is None else "ok" if latest.ok else "broken"
    through = 0 if latest is None else latest.through_position
    return LogIntegrity(
        state=state,
        head_position=head,
        unverified_events=max(head - through, 0),
        latest_verification=_verification(latest),
        latest_full_verification=_verification(full),
        last_checkpoint=_checkpoint(conn, public),
        checkpoint_key_id=None if public is None else integrity.key_id(public),
    )


def integrity_routes() -> APIRouter:
    r = APIRouter(tags=["audit"])

    @r.get(
        "/audit/log-integrity",
        dependencies=[READERS],
        response_model=LogIntegrity,
        summary="The state of the log's hash chain: the newest verification and the newest "
        "signed checkpoint",
        description="Reads the recorded verifications (`xuncha verify-log` records a full "
        "one; `xuncha serve` checks the events appended since the last one after each "
        "checkpoint it signs) and the newest checkpoint, whose signature is checked with the "
        "deployment's checkpoint key now. Nothing is verified by this request, so it answers "
        "at once on any log; `unverified_events` says how far the log has grown past the "
        "newest verification. Same readers as `/audit-trail`.",
    )
    def log_integrity(container: ContainerDep, conn: ReadConnection, _: CurrentActor) -> Any:
        try:
            return log_integrity_state(conn, public_key(container.settings))
        except psycopg.errors.UndefinedTable:  # an upgrade not finished by the owner role
            return problem(
                503,
                "not_set_up",
                "verifications are not recorded yet: the database owner must run "
                "`xuncha db migrate` and `xuncha db grant-app-role` after upgrading"
                " (docs/security.md)",
            )

    return r


def routers() -> list[APIRouter]:
    return [trail(), trail_export(), time_travel(), integrity_routes()]

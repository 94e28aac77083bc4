"""Auditors' tools shared by the HTTP routes and `xuncha`: exports of the audit trail
(`GET /audit-trail/export`, `xuncha audit export`) and loading a stream for time travel.

One export is one REPEATABLE READ, read-only transaction on its own connection: the rows are
counted, `audit.export_performed` (who, filters, row count; no data) is recorded through
`Application.execute` (command `ExportAuditTrail`), then the
rows stream from a server-side cursor in batches of the same snapshot, so memory stays
constant and the file holds exactly the counted rows. The export's end (`up_to_position`,
the trail's head in the snapshot) is recorded, so the same export can be reproduced; the
export's own event comes after it and is never part of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID, uuid4

import psycopg
from psycopg import IsolationLevel
from psycopg.sql import SQL, Identifier

from xuncha.api.exports.cells import BOM, Lang, reader_of
from xuncha.api.exports.xlsx import MEDIA_TYPE as XLSX_MEDIA_TYPE
from xuncha.api.exports.xlsx import Column, Sheet, write_workbook
from xuncha.commands.audit_export import ExportAuditTrail
from xuncha.commands.eventstore.store import EVENTS_TABLE, EventStore
from xuncha.commands.service import Application
from xuncha.events.base import Actor, RecordedEvent
from xuncha.events.export import AuditFilters, ExportChannel, ExportFormat
from xuncha.projections import audit_trail

MEDIA_TYPES = {
    ExportFormat.NDJSON: "application/x-ndjson",
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: XLSX_MEDIA_TYPE,
}
# The trail's columns in a workbook: headers and kinds (the CSV keeps the raw column names).
XLSX_COLUMNS = tuple(
    Column(key, zh, en, kind)  # type: ignore[arg-type]
    for key, zh, en, kind in (
        ("position", "日志位置", "Position", "int"),
        ("event_id", "事件编号", "Event id", "text"),
        ("stream_id", "记录编号", "Record id", "text"),
        ("stream_type", "记录类型", "Record type", "text"),
        ("stream_version", "记录版本", "Record version", "int"),
        ("type", "事件类型", "Event type", "text"),
        ("version", "事件版本", "Event version", "int"),
        ("occurred_at", "发生时间（UTC）", "Occurred at (UTC)", "datetime"),
        ("actor_user_id", "操作人", "Actor", "text"),
        ("actor_role", "角色", "Role", "text"),
        ("actor_organization_id", "所属单位", "Organization", "text"),
        ("command", "命令", "Command", "text"),
        ("reason", "理由", "Reason", "text"),
        ("correlation_id", "关联编号", "Correlation id", "text"),
        ("causation_id", "因果编号", "Causation id", "text"),
        ("recorded_in_error_reason", "误录说明", "Recorded in error", "text"),
        ("data", "数据", "Data", "text"),
    )
)


def filters_of(f: audit_trail.AuditFilter) -> AuditFilters:
    return AuditFilters(
        stream_id=f.stream_id,
        entity_id=f.entity_id,
        correlation_id=f.correlation_id,
        inspection_id=f.inspection_id,
        actor_user_id=f.actor_user_id,
        actor_role=f.actor_role,
        type=f.type,
        since=f.since,
        until=f.until,
        after_position=f.after_position,
        up_to_position=f.up_to_position,
    )


@dataclass
class Export:
    export_id: UUID
    format: ExportFormat
    rows: int
    up_to_position: int
    filter: audit_trail.AuditFilter
    conn: psycopg.Connection[Any]
    reader: Actor  # whom the file is made for (named in the xlsx title row)
    bom: bool = True  # CSV: a UTF-8 byte-order mark first, so Excel and WPS read UTF-8

    @property
    def filename(self) -> str:
        return f"audit-trail-{self.export_id}.{self.format.value}"

    def batches(self, batch_size: int = 1000) -> Iterator[tuple[str, int]]:
        """The file's text in pieces, one per batch, with the rows each holds; the
        connection is closed at the end (or when the consumer stops early)."""
        try:
            if self.format is ExportFormat.CSV:
                yield (BOM if self.bom else "") + audit_trail.csv_header(), 0
            for rows in audit_trail.batches(self.conn, self.filter, batch_size):
                if self.format is ExportFormat.CSV:
                    yield audit_trail.csv_lines(rows), len(rows)
                else:
                    yield audit_trail.ndjson_lines(rows), len(rows)
            self.conn.rollback()
        finally:
            self.conn.close()

    def workbook(self, batch_size: int = 1000, lang: Lang = "zh") -> str:
        """Write the rows to a temporary .xlsx (constant memory) and return its path; the
        connection is closed at the end. The caller streams and removes the file."""

        def rows() -> Iterator[dict[str, Any]]:
            for batch in audit_trail.batches(self.conn, self.filter, batch_size):
                yield from (audit_trail.json_row(r) for r in batch)

        what = "审计日志" if lang == "zh" else "Audit trail"
        at = "截至日志位置" if lang == "zh" else "as of log position"
        made_for = "导出给" if lang == "zh" else "for"
        reader = reader_of(self.reader, lang)
        title = f"{what} · {self.export_id} · {made_for} {reader} · {at} {self.up_to_position}"
        try:
            path, _ = write_workbook([Sheet(what, title, XLSX_COLUMNS, rows())], lang)
            self.conn.rollback()
        finally:
            self.conn.close()
        return path

    def close(self) -> None:
        self.conn.close()


def open_export(
    conninfo: str,
    app: Application,
    actor: Actor,
    *,
    format: ExportFormat,
    channel: ExportChannel,
    filter: audit_trail.AuditFilter,
    justification: str = "",
    bom: bool = True,
) -> Export:
    """Count the rows in a fresh snapshot, record the export through `app` (as `actor`), and
    return it ready to stream."""
    conn = psycopg.connect(conninfo, application_name="xuncha-audit-export")
    try:
        conn.isolation_level = IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        head = audit_trail.head(conn)  # the snapshot starts here
        end = head if filter.up_to_position is None else min(head, filter.up_to_position)
        filter = replace(filter, up_to_position=end)
        rows = audit_trail.count(conn, filter)
        export_id = uuid4()
        command = ExportAuditTrail(
            export_id=export_id,
            format=format,
            channel=channel,
            filters=filters_of(filter),
            rows=rows,
            justification=justification,
        )
        app.execute(command, actor)
    except BaseException:
        conn.close()
        raise
    return Export(export_id, format, rows, end, filter, conn, actor, bom)


def load_stream(
    store: EventStore, conn: psycopg.Connection[Any], stream_id: UUID
) -> list[RecordedEvent]:
    """A stream's recorded events from the event store, with their log positions."""
    recorded = store.load(stream_id)
    if not recorded:
        return []
    rows = conn.execute(
        SQL("SELECT originator_version, notification_id FROM {} WHERE originator_id = %s").format(
            Identifier(EVENTS_TABLE)
        ),
        (stream_id,),
    ).fetchall()
    positions = {int(v): int(n) for v, n in rows}
    return [
        r.model_copy(update={"position": positions.get(r.metadata.stream_version)})
        for r in recorded
    ]

"""Rectification dashboard: completion and on-time rates, overdue aging, three-colour warnings,
reopened and long-term items, per organization, per responsible leader (责任领导) or per
supervising department (业务主管单位).

Definitions (also in docs/read-models.md; consistent with the rectification ledger):
- completion rate (整改完成率) = closed ÷ total; long-term (持续整改) items stay in the
  denominator and are not closed; null when there are no items;
- on-time rate (按期完成率) = items closed on or before their deadline in force ÷ items that were
  due: closed items plus open items whose deadline is before `as_of`; open items not yet due
  are in neither; null when nothing was due;
- aging: an open item's days overdue = `as_of` − deadline; buckets `not_overdue` (open,
  deadline on or after `as_of`), `overdue_1_30`, `overdue_31_90`, `overdue_91_180`,
  `overdue_over_180`. Computed at query time from the stored deadline, never in a handler;
- colour: the clock's last warning against the current deadline (see the ledger);
- supervising department: the organization's 业务主管单位 in the jurisdiction registry
  (`jurisdiction.organization_registered`); null when the organization is not registered or
  has none.
- a record whose creating event was recorded in error (`correction.event_recorded_in_error`)
  no longer counts; a transition recorded in error is not undone here.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from psycopg import Connection, Cursor
from psycopg.rows import dict_row

from xuncha.events import rectification as rect
from xuncha.events import reference
from xuncha.events.base import RecordedEvent
from xuncha.events.correction import EventRecordedInError
from xuncha.events.vocabulary import AgingBucket, RectificationItemStatus, WarningLevel
from xuncha.projections.dashboard_support import class_entry, mark_in_error, order_by
from xuncha.projections.vocabulary_params import value_params

DDL = """
CREATE TABLE IF NOT EXISTS rm_rx_item (
    item_id uuid PRIMARY KEY, inspection_id uuid NOT NULL, round_id uuid NOT NULL,
    organization_id text NOT NULL, organization_name text NOT NULL,
    responsible_leader text NOT NULL, deadline date NOT NULL, status text NOT NULL,
    long_term boolean NOT NULL DEFAULT false, closed_on date, closed_on_time boolean,
    reopens int NOT NULL DEFAULT 0, extensions int NOT NULL DEFAULT 0, colour text,
    stream_version bigint NOT NULL
);
ALTER TABLE rm_rx_item ADD COLUMN IF NOT EXISTS in_error boolean NOT NULL DEFAULT false;
CREATE INDEX IF NOT EXISTS rm_rx_item_org ON rm_rx_item (organization_id, deadline);
CREATE INDEX IF NOT EXISTS rm_rx_item_leader ON rm_rx_item (responsible_leader, deadline);
CREATE INDEX IF NOT EXISTS rm_rx_item_round ON rm_rx_item (round_id, organization_id);
CREATE INDEX IF NOT EXISTS rm_rx_item_inspection ON rm_rx_item (inspection_id);
CREATE TABLE IF NOT EXISTS rm_rx_organization (
    organization_id text PRIMARY KEY, name text NOT NULL, supervising_department text
);
CREATE INDEX IF NOT EXISTS rm_rx_organization_supervisor
    ON rm_rx_organization (supervising_department);
"""

# The vocabulary values the SQL below names: %(status_closed)s, %(colour_red)s…
VOCABULARY = {
    **value_params("status", RectificationItemStatus),
    **value_params("colour", WarningLevel),
}
OPEN_AGAIN = (
    "status = CASE WHEN long_term THEN %(status_long_term)s ELSE %(status_in_progress)s END"
)
UPDATES: dict[type[Any], str] = {
    rect.RectificationProgressReported: OPEN_AGAIN,
    rect.ItemClosureRequested: "status = %(status_closure_requested)s",
    rect.ItemVerified: "status = %(status_verified)s",
    rect.ItemVerificationFailed: OPEN_AGAIN,
    rect.RectificationItemClosed: "status = %(status_closed)s, closed_on = %(closed_on)s,"
    " closed_on_time = %(on_time)s, colour = NULL",
    rect.ItemReclassifiedLongTerm: "status = %(status_long_term)s, long_term = true,"
    " deadline = %(deadline)s, colour = NULL",
    rect.ItemDeadlineExtended: "deadline = %(deadline)s, extensions = %(extension_no)s,"
    " colour = NULL",
    rect.RectificationItemReopened: OPEN_AGAIN + ", reopens = %(reopen_no)s, closed_on = NULL,"
    " closed_on_time = NULL",
    rect.ItemDeadlineApproaching: "colour = %(level)s",
    rect.ItemOverdue: "colour = %(colour_red)s",
}
# group_by -> (the group's key, what else identifies the group, its label columns).
# A 责任领导 is a post in one organization ("局长"): leaders are grouped per organization.
GROUPINGS: dict[str, tuple[str, str, str]] = {
    "organization": (
        "i.organization_id",
        "",
        "i.organization_id AS organization_id, max(i.organization_name) AS organization_name",
    ),
    "leader": (
        "i.responsible_leader",
        ", i.organization_id",
        "i.organization_id AS organization_id, max(i.organization_name) AS organization_name",
    ),
    "supervising_department": (
        "o.supervising_department",
        "",
        "count(DISTINCT i.organization_id)::int AS organizations",
    ),
}
BUCKETS = tuple(AgingBucket)
SORTS = (
    "key",
    "total",
    "closed",
    "completion_rate",
    "on_time_rate",
    "overdue",
    *BUCKETS[1:],
    "red",
    "reopened",
    "long_term",
)


# An item opened in error no longer counts.
CREATIONS = {"rectification.item_opened": ("rm_rx_item", "item_id")}


class RectificationDashboard:
    """The projection behind `GET /dashboards/rectification`."""

    name = "rectification_dashboard"
    version = 1
    tables: tuple[str, ...] = ("rm_rx_item", "rm_rx_organization")

    def create(self, cur: Cursor[Any]) -> None:
        cur.execute(DDL)

    def handles(self, type_name: str) -> bool:
        return type_name.startswith("rectification.") or type_name in (
            "jurisdiction.organization_registered",
            "jurisdiction.organization_renamed",
            "correction.event_recorded_in_error",
        )

    def apply(self, cur: Cursor[Any], recorded: RecordedEvent) -> None:
        e, m = recorded.event, recorded.metadata
        if isinstance(e, reference.OrganizationRegistered):
            cur.execute(
                "INSERT INTO rm_rx_organization VALUES (%s, %s, %s) ON CONFLICT"
                " (organization_id) DO UPDATE SET name = EXCLUDED.name,"
                " supervising_department = EXCLUDED.supervising_department",
                (e.organization_id, e.name, e.supervising_department),
            )
            return
        if isinstance(e, reference.OrganizationRenamed):
            cur.execute(
                "UPDATE rm_rx_organization SET name = %s WHERE organization_id = %s",
                (e.name, e.organization_id),
            )
            return
        if isinstance(e, EventRecordedInError):
            mark_in_error(cur, CREATIONS, e)
            return
        if isinstance(e, rect.RectificationItemOpened):
            cur.execute(
                "INSERT INTO rm_rx_item (item_id, inspection_id, round_id, organization_id,"
                " organization_name, responsible_leader, deadline, status, stream_version)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (
                    e.item_id,
                    e.inspection_id,
                    e.round_id,
                    e.organization_id,
                    e.organization_name,
                    e.responsible_leader,
                    e.deadline,
                    RectificationItemStatus.OPENED,
                    m.stream_version,
                ),
            )
            return
        assignment = class_entry(UPDATES, e)
        if assignment is None and m.stream_type != "rectification_item":
            return
        # Every event of the item's stream moves its version, even one that changes no column.
        sets = f"{assignment}, " if assignment else ""
        level = getattr(e, "level", None)
        params = {
            **VOCABULARY,
            "version": m.stream_version,
            "id": m.stream_id,
            "closed_on": getattr(e, "closed_on", None),
            "on_time": getattr(e, "on_time", None),
            "deadline": getattr(e, "deadline", None),
            "extension_no": getattr(e, "extension_no", None),
            "reopen_no": getattr(e, "reopen_no", None),
            "level": level.value if level is not None else None,
        }
        cur.execute(
            f"UPDATE rm_rx_item SET {sets}stream_version = %(version)s"  # fixed SQL
            " WHERE item_id = %(id)s AND stream_version < %(version)s",
            params,
        )


FIGURES = """
count(*)::int AS total,
count(*) FILTER (WHERE i.status = %(status_closed)s)::int AS closed,
count(*) FILTER (WHERE i.status = %(status_closed)s AND i.closed_on_time)::int AS closed_on_time,
count(*) FILTER (WHERE i.status <> %(status_closed)s AND i.deadline < %(as_of)s)::int AS overdue,
count(*) FILTER (WHERE i.status <> %(status_closed)s AND i.deadline >= %(as_of)s)::int
    AS not_overdue,
count(*) FILTER (WHERE i.status <> %(status_closed)s
    AND %(as_of)s - i.deadline BETWEEN 1 AND 30)::int AS overdue_1_30,
count(*) FILTER (WHERE i.status <> %(status_closed)s
    AND %(as_of)s - i.deadline BETWEEN 31 AND 90)::int AS overdue_31_90,
count(*) FILTER (WHERE i.status <> %(status_closed)s
    AND %(as_of)s - i.deadline BETWEEN 91 AND 180)::int AS overdue_91_180,
count(*) FILTER (WHERE i.status <> %(status_closed)s AND %(as_of)s - i.deadline > 180)::int
    AS overdue_over_180,
count(*) FILTER (WHERE i.colour = %(colour_green)s)::int AS green,
count(*) FILTER (WHERE i.colour = %(colour_yellow)s)::int AS yellow,
count(*) FILTER (WHERE i.colour = %(colour_red)s)::int AS red,
count(*) FILTER (WHERE i.reopens > 0)::int AS reopened,
coalesce(sum(i.reopens), 0)::int AS reopens,
count(*) FILTER (WHERE i.long_term AND i.status <> %(status_closed)s)::int AS long_term,
count(*) FILTER (WHERE i.extensions > 0)::int AS extended
"""
RATES = """
round(closed::numeric / nullif(total, 0), 4)::float8 AS completion_rate,
round(closed::numeric / nullif(total - long_term, 0), 4)::float8
    AS completion_rate_excluding_long_term,
round(closed_on_time::numeric / nullif(closed + overdue, 0), 4)::float8 AS on_time_rate,
round(reopened::numeric / nullif(total, 0), 4)::float8 AS reopen_rate
"""
FILTER = """
FROM rm_rx_item i LEFT JOIN rm_rx_organization o ON o.organization_id = i.organization_id
WHERE NOT i.in_error
  AND (%(round)s::uuid IS NULL OR i.round_id = %(round)s)
  AND (%(inspection)s::uuid IS NULL OR i.inspection_id = %(inspection)s)
  AND (%(org)s::text IS NULL OR i.organization_id = %(org)s)
  AND (%(leader)s::text IS NULL OR i.responsible_leader = %(leader)s)
  AND (%(supervisor)s::text IS NULL OR o.supervising_department = %(supervisor)s)
  AND (%(scope)s::text[] IS NULL OR i.organization_id = ANY(%(scope)s))
"""


def dashboard(
    conn: Connection[Any],
    *,
    group_by: str,
    as_of: date,
    round_id: UUID | None,
    inspection_id: UUID | None,
    organization_id: str | None,
    responsible_leader: str | None,
    supervising_department: str | None,
    sort: str,
    organization_scope: frozenset[str] | None = None,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    """Figures per group (`group_by` and `sort` are checked by the caller against GROUPINGS
    and SORTS) and for everything in the filter; `organization_scope` (None: every
    organization) limits the items to the reader's organizations."""
    key, more, labels = GROUPINGS[group_by]
    order = order_by(sort, SORTS, 'key COLLATE "C" ASC NULLS LAST', text="key")
    if more:
        order += ', organization_id COLLATE "C"'
    params = {
        **VOCABULARY,
        "as_of": as_of,
        "round": round_id,
        "inspection": inspection_id,
        "org": organization_id,
        "leader": responsible_leader,
        "supervisor": supervising_department,
        "scope": None if organization_scope is None else sorted(organization_scope),
        "limit": limit,
        "offset": offset,
    }
    with conn.cursor(row_factory=dict_row) as cur:
        # One scan: the groups and the grand total (GROUPING SETS), the number of groups and
        # the page. Column names come from GROUPINGS and SORTS, never from the request as such.
        cur.execute(
            f"WITH g AS (SELECT {key} AS key, {labels}, {FIGURES},"
            f" GROUPING({key}) = 1 AS is_total {FILTER}"
            f" GROUP BY GROUPING SETS (({key}{more}), ())),"
            f" r AS (SELECT *, {RATES} FROM g),"
            " p AS (SELECT *, count(*) FILTER (WHERE NOT is_total) OVER () AS groups,"
            f" row_number() OVER (PARTITION BY is_total ORDER BY {order}) AS rn FROM r)"
            " SELECT * FROM p WHERE is_total"
            " OR (rn > %(offset)s AND rn <= %(offset)s + %(limit)s) ORDER BY is_total DESC, rn",
            params,
        )
        found = cur.fetchall()
    totals, rows = found[0], found[1:]
    groups = int(totals["groups"])
    for row in found:
        for column in ("is_total", "groups", "rn"):
            del row[column]
    for column in ("key", "organization_id", "organization_name", "organizations"):
        totals.pop(column, None)
    return {
        "as_of": as_of,
        "group_by": group_by,
        "totals": totals,
        "groups": {"total": groups, "limit": limit, "offset": offset, "items": rows},
    }

"""Round dashboard: per round and per inspection group, where each inspection stands, petitions
received / in scope / forwarded, interviews held, findings by taxonomy category (old taxonomy
versions mapped to the current one) and leads by state.

Only routing, dates, statuses and categories reach these tables: never a petitioner, an
interviewee, an interview record, a lead's subject or allegation, nor a finding's text.

Definitions (also in docs/read-models.md):
- petitions received = every registered petition; in scope = assessed in scope (whatever came
  after: linked or closed without action); forwarded = forwarded to another department
  (acknowledged or not);
- interviews held = interviews conducted; signed = the interviewee signed the record;
- findings by category: a finding counts once under each of its tags (no tag: `untagged`),
  mapped from the taxonomy version it was written under to the current taxonomy (四个落实) by
  `projections.taxonomy`, the one mapping every figure by category uses; a tag without a
  mapping counts under its own name. The mapping is applied at query time (no rebuild);
- leads by state: the lead register's states (registered … closed); open = not closed.
- stages: every stage an inspection entered, in the order of its stream (a suspension, a
  resumption, a return for revision each as it happened), with the day it was entered: the
  fact's own date where the event carries one (`projections.stages.FACT_DATES`: notice,
  announcement, stationing, withdrawal, approval, feedback, the plan's submission and
  acceptance, rectification report, closure),
  else the office day the event was recorded;
- a record whose creating event was recorded in error (`correction.event_recorded_in_error`)
  no longer counts; a transition recorded in error is not undone here.

Over 500 lines on purpose: one read model, its tables, the events it folds and its queries,
so each definition above and the SQL that computes it are read in one place.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg import Connection, Cursor
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from xuncha.events import finding, group, inspection, interview, lead, petition, round
from xuncha.events.base import RecordedEvent
from xuncha.events.correction import EventRecordedInError
from xuncha.events.vocabulary import FindingCategory, InspectionStage, LeadStage, RoundStage
from xuncha.projections.dashboard_support import class_entry, mark_in_error, order_by
from xuncha.projections.stages import inspection_stage, inspection_stage_entry, round_stage
from xuncha.projections.taxonomy import CURRENT_TAXONOMY, mapped_category

DDL = """
CREATE TABLE IF NOT EXISTS rm_rd_round (
    round_id uuid PRIMARY KEY, jurisdiction_id text NOT NULL, name text NOT NULL,
    round_type text NOT NULL, stage text NOT NULL, planned_start date NOT NULL
);
CREATE TABLE IF NOT EXISTS rm_rd_inspection (
    inspection_id uuid PRIMARY KEY, round_id uuid NOT NULL, organization_id text NOT NULL,
    organization_name text NOT NULL, group_id uuid, group_name text NOT NULL,
    stage text NOT NULL, stream_version bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_rd_inspection_round ON rm_rd_inspection (round_id, group_name);
CREATE TABLE IF NOT EXISTS rm_rd_petition (
    petition_id uuid PRIMARY KEY, inspection_id uuid NOT NULL,
    in_scope boolean NOT NULL DEFAULT false, forwarded boolean NOT NULL DEFAULT false
);
CREATE INDEX IF NOT EXISTS rm_rd_petition_inspection ON rm_rd_petition (inspection_id);
CREATE TABLE IF NOT EXISTS rm_rd_interview (
    interview_id uuid PRIMARY KEY, inspection_id uuid NOT NULL,
    signed boolean NOT NULL DEFAULT false
);
CREATE INDEX IF NOT EXISTS rm_rd_interview_inspection ON rm_rd_interview (inspection_id);
CREATE TABLE IF NOT EXISTS rm_rd_finding (
    finding_id uuid PRIMARY KEY, inspection_id uuid NOT NULL, taxonomy_version text NOT NULL,
    tags jsonb NOT NULL, approved boolean NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_rd_finding_inspection ON rm_rd_finding (inspection_id);
CREATE TABLE IF NOT EXISTS rm_rd_lead (
    lead_id uuid PRIMARY KEY, inspection_id uuid NOT NULL, round_id uuid NOT NULL,
    status text NOT NULL, stream_version bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_rd_lead_inspection ON rm_rd_lead (inspection_id, status);
ALTER TABLE rm_rd_round ADD COLUMN IF NOT EXISTS in_error boolean NOT NULL DEFAULT false;
ALTER TABLE rm_rd_inspection ADD COLUMN IF NOT EXISTS in_error boolean NOT NULL DEFAULT false;
ALTER TABLE rm_rd_inspection ADD COLUMN IF NOT EXISTS stationed_on date;
ALTER TABLE rm_rd_inspection ADD COLUMN IF NOT EXISTS withdrawn_on date;
ALTER TABLE rm_rd_petition ADD COLUMN IF NOT EXISTS in_error boolean NOT NULL DEFAULT false;
ALTER TABLE rm_rd_interview ADD COLUMN IF NOT EXISTS in_error boolean NOT NULL DEFAULT false;
ALTER TABLE rm_rd_finding ADD COLUMN IF NOT EXISTS in_error boolean NOT NULL DEFAULT false;
ALTER TABLE rm_rd_lead ADD COLUMN IF NOT EXISTS in_error boolean NOT NULL DEFAULT false;
-- The mapping moved to code (projections/taxonomy.py), shared with the shared results.
DROP TABLE IF EXISTS rm_rd_taxonomy_map;
-- Every stage an inspection entered, in the order of its stream (`at_version`): the day and
-- whether that day is the fact's own or the day it was recorded (projections.stages).
CREATE TABLE IF NOT EXISTS rm_rd_stage (
    inspection_id uuid NOT NULL, at_version bigint NOT NULL, stage text NOT NULL,
    entered_on date NOT NULL, dated_by text NOT NULL, PRIMARY KEY (inspection_id, at_version)
);
"""

PETITION_FLAGS: dict[type[Any], str] = {
    petition.PetitionAssessedInScope: "in_scope = true",
    petition.PetitionAssessedOutOfScope: "in_scope = false",
    petition.PetitionForwarded: "forwarded = true",
}
LEAD_STATUS: dict[type[Any], str] = {
    lead.LeadClassified: LeadStage.CLASSIFIED,
    lead.LeadTransferApproved: LeadStage.TRANSFER_APPROVED,
    lead.LeadTransferred: LeadStage.TRANSFERRED,
    lead.LeadTransferredDuringFieldwork: LeadStage.TRANSFERRED,
    lead.LeadAcknowledged: LeadStage.ACKNOWLEDGED,
    lead.LeadDispositionRecorded: LeadStage.DISPOSED,
    lead.LeadOutcomeReported: LeadStage.OUTCOME_REPORTED,
    lead.LeadClosed: LeadStage.CLOSED,
}
LEAD_STATES = (
    LeadStage.REGISTERED,
    LeadStage.CLASSIFIED,
    LeadStage.TRANSFER_APPROVED,
    LeadStage.TRANSFERRED,
    LeadStage.ACKNOWLEDGED,
    LeadStage.DISPOSED,
    LeadStage.OUTCOME_REPORTED,
    LeadStage.CLOSED,
)
FINDING_APPROVED: dict[type[Any], bool] = {
    finding.FindingApproved: True,
    finding.FindingReturned: False,
    finding.FindingReviewRequired: False,
}
PREFIXES = (
    "round",
    "inspection",
    "group",
    "petition",
    "interview",
    "finding",
    "lead",
    "correction",
)
# A record whose creating event was recorded in error (`correction.event_recorded_in_error`)
# no longer counts: (table, key column) by the type of the event marked.
CREATIONS = {
    "round.proposed": ("rm_rd_round", "round_id"),
    "inspection.planned": ("rm_rd_inspection", "inspection_id"),
    "petition.registered": ("rm_rd_petition", "petition_id"),
    "interview.conducted": ("rm_rd_interview", "interview_id"),
    "finding.drafted": ("rm_rd_finding", "finding_id"),
    "lead.registered": ("rm_rd_lead", "lead_id"),
}


class RoundDashboard:
    """The projection behind `GET /dashboards/rounds` and `/dashboards/rounds/{round_id}`."""

    name = "round_dashboard"
    version = 1
    tables: tuple[str, ...] = (
        "rm_rd_round",
        "rm_rd_inspection",
        "rm_rd_petition",
        "rm_rd_interview",
        "rm_rd_finding",
        "rm_rd_lead",
        "rm_rd_stage",
    )

    def create(self, cur: Cursor[Any]) -> None:
        cur.execute(DDL)

    def handles(self, type_name: str) -> bool:
        return type_name.split(".", 1)[0] in PREFIXES

    def apply(self, cur: Cursor[Any], recorded: RecordedEvent) -> None:
        e, m = recorded.event, recorded.metadata
        if isinstance(e, round.RoundProposed):
            cur.execute(
                "INSERT INTO rm_rd_round VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (
                    e.round_id,
                    e.jurisdiction_id,
                    e.name,
                    e.round_type.value,
                    RoundStage.PROPOSED,
                    e.planned_start,
                ),
            )
        elif (stage := round_stage(e)) is not None:
            cur.execute(
                "UPDATE rm_rd_round SET stage = %s WHERE round_id = %s", (stage, m.stream_id)
            )
        elif isinstance(e, inspection.InspectionPlanned):
            cur.execute(
                "INSERT INTO rm_rd_inspection VALUES (%s, %s, %s, %s, NULL, %s, %s, %s)"
                " ON CONFLICT DO NOTHING",
                (
                    e.inspection_id,
                    e.round_id,
                    e.organization_id,
                    e.organization_name,
                    e.group_name,
                    InspectionStage.PLANNED,
                    m.stream_version,
                ),
            )
            self._stage_entry(cur, recorded)
        elif m.stream_type == "inspection":
            self._inspection(cur, e, m.stream_id, m.stream_version)
            self._stage_entry(cur, recorded)
        elif isinstance(e, EventRecordedInError):
            mark_in_error(cur, CREATIONS, e)
        elif isinstance(e, group.GroupLeadershipProposed):
            for target in e.targets:
                cur.execute(
                    "UPDATE rm_rd_inspection SET group_id = %s, group_name = %s"
                    " WHERE inspection_id = %s",
                    (e.group_id, e.name, target.inspection_id),
                )
        else:
            self._fieldwork(cur, e, m.stream_version)

    @staticmethod
    def _inspection(cur: Cursor[Any], e: Any, inspection_id: UUID, version: int) -> None:
        """Every event of the inspection's stream moves its version; some move the stage
        (None keeps it) or set the group and the fieldwork dates."""
        group_id = e.group_id if isinstance(e, inspection.GroupAuthorized) else None
        stationed = e.stationed_on if isinstance(e, inspection.GroupStationed) else None
        withdrawn = e.withdrawn_on if isinstance(e, inspection.GroupWithdrawn) else None
        cur.execute(
            "UPDATE rm_rd_inspection SET stage = coalesce(%s, stage),"
            " group_id = coalesce(%s, group_id), stationed_on = coalesce(%s, stationed_on),"
            " withdrawn_on = coalesce(%s, withdrawn_on), stream_version = %s"
            " WHERE inspection_id = %s AND stream_version < %s",
            (inspection_stage(e), group_id, stationed, withdrawn, version, inspection_id, version),
        )

    @staticmethod
    def _stage_entry(cur: Cursor[Any], recorded: RecordedEvent) -> None:
        """The stage the inspection entered with this event, if it moved it, and the day."""
        entry = inspection_stage_entry(recorded.event, recorded.metadata)
        if entry is not None:
            cur.execute(
                "INSERT INTO rm_rd_stage VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (
                    recorded.metadata.stream_id,
                    recorded.metadata.stream_version,
                    entry.stage,
                    entry.entered_on,
                    entry.dated_by,
                ),
            )

    def _fieldwork(self, cur: Cursor[Any], e: Any, version: int) -> None:
        flags = class_entry(PETITION_FLAGS, e)
        approved = class_entry(FINDING_APPROVED, e)
        status = class_entry(LEAD_STATUS, e)
        if isinstance(e, petition.PetitionRegistered):
            cur.execute(
                "INSERT INTO rm_rd_petition (petition_id, inspection_id) VALUES (%s, %s)"
                " ON CONFLICT DO NOTHING",
                (e.petition_id, e.inspection_id),
            )
        elif flags is not None:
            cur.execute(
                f"UPDATE rm_rd_petition SET {flags} WHERE petition_id = %s",
                (e.petition_id,),
            )
        elif isinstance(e, interview.InterviewConducted):
            cur.execute(
                "INSERT INTO rm_rd_interview (interview_id, inspection_id) VALUES (%s, %s)"
                " ON CONFLICT DO NOTHING",
                (e.interview_id, e.inspection_id),
            )
        elif isinstance(e, interview.InterviewRecordSigned):
            cur.execute(
                "UPDATE rm_rd_interview SET signed = true WHERE interview_id = %s",
                (e.interview_id,),
            )
        elif isinstance(e, finding.FindingDrafted | finding.FindingAmended):
            # Only the taxonomy version and tags: never the finding's text.
            cur.execute(
                "INSERT INTO rm_rd_finding VALUES (%s, %s, %s, %s, false)"
                " ON CONFLICT (finding_id) DO UPDATE SET taxonomy_version ="
                " EXCLUDED.taxonomy_version, tags = EXCLUDED.tags, approved = false",
                (
                    e.finding_id,
                    e.inspection_id,
                    e.content.taxonomy_version,
                    Jsonb(sorted(set(e.content.tags))),
                ),
            )
        elif approved is not None:
            cur.execute(
                "UPDATE rm_rd_finding SET approved = %s WHERE finding_id = %s",
                (approved, e.finding_id),
            )
        elif isinstance(e, lead.LeadRegistered):
            cur.execute(
                "INSERT INTO rm_rd_lead VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (e.lead_id, e.inspection_id, e.round_id, LeadStage.REGISTERED, version),
            )
        elif status is not None:
            cur.execute(
                "UPDATE rm_rd_lead SET status = %s, stream_version = %s"
                " WHERE lead_id = %s AND stream_version < %s",
                (status, version, e.lead_id, version),
            )
        elif isinstance(e, lead.LeadAcknowledgementOverdue | lead.LeadOutcomeOverdue):
            # No status of its own, but the version the row shows moves with the stream.
            cur.execute(
                "UPDATE rm_rd_lead SET stream_version = %s"
                " WHERE lead_id = %s AND stream_version < %s",
                (version, e.lead_id, version),
            )


# ---- queries ----


# One row per inspection with its counts; groups and rounds sum these.
def _per_inspection(only: str = "") -> str:
    """One row per inspection with its counts, each table aggregated once (grouped joins);
    `only` narrows the aggregated rows (`AND inspection_id IN (...)`)."""
    return f"""
SELECT i.inspection_id, i.round_id, i.organization_id, i.organization_name,
       coalesce(i.group_id::text, 'name:' || i.group_name) AS group_key, i.group_id,
       i.group_name, i.stage, i.stationed_on, i.withdrawn_on,
       coalesce(p.received, 0) AS petitions_received,
       coalesce(p.in_scope, 0) AS petitions_in_scope,
       coalesce(p.forwarded, 0) AS petitions_forwarded,
       coalesce(v.held, 0) AS interviews_held,
       coalesce(v.signed, 0) AS interview_records_signed,
       coalesce(f.total, 0) AS findings,
       coalesce(f.approved, 0) AS findings_approved,
       coalesce(l.total, 0) AS leads,
       coalesce(l.open, 0) AS leads_open
FROM rm_rd_inspection i
LEFT JOIN (SELECT inspection_id, count(*)::int AS received,
           count(*) FILTER (WHERE in_scope)::int AS in_scope,
           count(*) FILTER (WHERE forwarded)::int AS forwarded
           FROM rm_rd_petition WHERE NOT in_error {only} GROUP BY inspection_id) p
    ON p.inspection_id = i.inspection_id
LEFT JOIN (SELECT inspection_id, count(*)::int AS held,
           count(*) FILTER (WHERE signed)::int AS signed
           FROM rm_rd_interview WHERE NOT in_error {only} GROUP BY inspection_id) v
    ON v.inspection_id = i.inspection_id
LEFT JOIN (SELECT inspection_id, count(*)::int AS total,
           count(*) FILTER (WHERE approved)::int AS approved
           FROM rm_rd_finding WHERE NOT in_error {only} GROUP BY inspection_id) f
    ON f.inspection_id = i.inspection_id
LEFT JOIN (SELECT inspection_id, count(*)::int AS total,
           count(*) FILTER (WHERE status <> %(lead_closed)s)::int AS open
           FROM rm_rd_lead WHERE NOT in_error {only} GROUP BY inspection_id) l
    ON l.inspection_id = i.inspection_id
WHERE NOT i.in_error
"""


# The round's inspections as one array computed first, so each table is read through its
# inspection_id index for those inspections only (an IN subquery let the planner scan each
# whole table and hash-join it: ~80 ms instead of ~30 ms at 1,000,000 rectification items).
ROUND_ONLY = (
    "AND inspection_id = ANY(ARRAY(SELECT inspection_id FROM rm_rd_inspection"
    " WHERE round_id = %(round)s))"
)
COUNTS = (
    "petitions_received",
    "petitions_in_scope",
    "petitions_forwarded",
    "interviews_held",
    "interview_records_signed",
    "findings",
    "findings_approved",
    "leads",
    "leads_open",
)
DETAIL = (
    "inspection_id",
    "organization_id",
    "organization_name",
    "stage",
    "stationed_on",
    "withdrawn_on",
)
ROUND_SORTS = {
    "planned_start": "planned_start",
    "name": "name",
    "inspections": "inspections",
    "findings": "findings",
    "petitions_received": "petitions_received",
    "leads_open": "leads_open",
}
GROUP_SORTS = {
    "group_name": "group_name",
    "inspections": "inspections",
    **{name: name for name in COUNTS},
}


def list_rounds(
    conn: Connection[Any], *, stage: str | None, sort: str, limit: int, offset: int
) -> dict[str, Any]:
    sums = ", ".join(f"coalesce(sum(x.{c}), 0)::int AS {c}" for c in COUNTS)
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(
            f"WITH x AS ({_per_inspection()}), r AS (SELECT r.round_id, r.name, r.jurisdiction_id,"
            f" r.round_type, r.stage, r.planned_start, count(x.inspection_id)::int AS inspections,"
            f" {sums} FROM rm_rd_round r LEFT JOIN x ON x.round_id = r.round_id"
            " WHERE NOT r.in_error AND (%(stage)s::text IS NULL OR r.stage = %(stage)s)"
            " GROUP BY r.round_id)"
            " SELECT *, count(*) OVER () AS total_rows FROM r"
            f" ORDER BY {order_by(sort, ROUND_SORTS, 'round_id')}"
            " LIMIT %(limit)s OFFSET %(offset)s",
            {"stage": stage, "limit": limit, "offset": offset, "lead_closed": LeadStage.CLOSED},
        )
        rows = cur.fetchall()
    total = rows[0]["total_rows"] if rows else _count_rounds(conn, stage)
    for row in rows:
        del row["total_rows"]
    return {"total": total, "limit": limit, "offset": offset, "items": rows}


def _count_rounds(conn: Connection[Any], stage: str | None) -> int:
    row = conn.execute(
        "SELECT count(*) FROM rm_rd_round"
        " WHERE NOT in_error AND (%(s)s::text IS NULL OR stage = %(s)s)",
        {"s": stage},
    ).fetchone()
    return int(row[0]) if row else 0


def round_dashboard(
    conn: Connection[Any],
    round_id: UUID,
    *,
    group_name: str | None,
    stage: str | None,
    sort: str,
    limit: int,
    offset: int,
) -> dict[str, Any] | None:
    """The round's totals, and per group (page of groups): inspections with their stage,
    petition, interview, finding and lead counts, findings by category and leads by state."""
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(
            "SELECT round_id, jurisdiction_id, name, round_type, stage, planned_start"
            " FROM rm_rd_round WHERE round_id = %s AND NOT in_error",
            (round_id,),
        )
        head = cur.fetchone()
        if head is None:
            return None
        cur.execute(
            _per_inspection(ROUND_ONLY) + " AND i.round_id = %(round)s"
            " AND (%(group)s::text IS NULL OR i.group_name = %(group)s)"
            " AND (%(stage)s::text IS NULL OR i.stage = %(stage)s)"
            " ORDER BY i.organization_name, i.inspection_id",
            {
                "round": round_id,
                "group": group_name,
                "stage": stage,
                "lead_closed": LeadStage.CLOSED,
            },
        )
        inspections = cur.fetchall()
    ids = [row["inspection_id"] for row in inspections]
    timelines = _stage_entries(conn, ids)
    categories = _categories(conn, ids)
    states = _lead_states(conn, ids)
    groups: dict[str, dict[str, Any]] = {}
    for row in inspections:
        key = row.pop("group_key")
        g = groups.setdefault(
            key,
            {
                "group_id": row["group_id"],
                "group_name": row["group_name"],
                "inspections": 0,
                "stages": {},
                **dict.fromkeys(COUNTS, 0),
                "findings_by_category": [],
                "leads_by_state": dict.fromkeys(LEAD_STATES, 0),
                "inspection_list": [],
            },
        )
        g["inspections"] += 1
        g["stages"][row["stage"]] = g["stages"].get(row["stage"], 0) + 1
        for c in COUNTS:
            g[c] += row[c]
        g["inspection_list"].append(
            {k: row[k] for k in DETAIL}
            | {c: row[c] for c in COUNTS}
            | {"stages": timelines.get(row["inspection_id"], [])}
        )
        for state, n in states.get(row["inspection_id"], {}).items():
            g["leads_by_state"][state] += n
        for line in categories.get(row["inspection_id"], []):
            g["findings_by_category"].append(line)
    for g in groups.values():
        g["findings_by_category"] = _merge_categories(g["findings_by_category"])
    for g in groups.values():
        g["inspection_list"].sort(key=lambda r: (r["organization_name"], str(r["inspection_id"])))
    rows = list(groups.values())
    descending = sort.startswith("-")
    key = GROUP_SORTS[sort.lstrip("-")]
    rows.sort(key=lambda g: (g["group_name"], str(g["group_id"])))
    rows.sort(key=lambda g: g[key], reverse=descending)
    totals: dict[str, Any] = {
        "inspections": len(inspections),
        "groups": len(rows),
        "stages": {},
        **{c: sum(r[c] for r in inspections) for c in COUNTS},
        "findings_by_category": _merge_categories(
            [line for lines in categories.values() for line in lines]
        ),
        "leads_by_state": dict.fromkeys(LEAD_STATES, 0),
    }
    for row in inspections:
        totals["stages"][row["stage"]] = totals["stages"].get(row["stage"], 0) + 1
    for per in states.values():
        for state, n in per.items():
            totals["leads_by_state"][state] += n
    for g in rows:
        g["inspections_detail"] = g.pop("inspection_list")
    return {
        "round": head,
        "current_taxonomy": CURRENT_TAXONOMY,
        "totals": totals,
        "groups": {
            "total": len(rows),
            "limit": limit,
            "offset": offset,
            "items": rows[offset : offset + limit],
        },
    }


def _categories(conn: Connection[Any], ids: list[UUID]) -> dict[UUID, list[dict[str, Any]]]:
    """Per inspection: (mapped category, recorded version and tag) with finding counts; the
    mapping (`projections.taxonomy`) is applied here, as the figures are read."""
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(
            "SELECT f.inspection_id, f.taxonomy_version, coalesce(tag, %s) AS tag,"
            "   count(*)::int AS findings, count(*) FILTER (WHERE f.approved)::int AS approved"
            " FROM rm_rd_finding f LEFT JOIN LATERAL jsonb_array_elements_text(f.tags) tag"
            " ON true WHERE f.inspection_id = ANY(%s) AND NOT f.in_error GROUP BY 1, 2, 3",
            (FindingCategory.UNTAGGED, ids),
        )
        out: dict[UUID, list[dict[str, Any]]] = {}
        for row in cur.fetchall():
            mapped = mapped_category(row["taxonomy_version"], row["tag"])
            row |= {"category": mapped or row["tag"], "mapped": mapped is not None}
            out.setdefault(row.pop("inspection_id"), []).append(row)
    return out


def _merge_categories(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sum lines by mapped category, listing the recorded (version, tag) pairs it came from."""
    merged: dict[str, dict[str, Any]] = {}
    for line in lines:
        entry = merged.setdefault(
            line["category"],
            {"category": line["category"], "findings": 0, "approved": 0, "recorded_as": {}},
        )
        entry["findings"] += line["findings"]
        entry["approved"] += line["approved"]
        source = (line["taxonomy_version"], line["tag"])
        entry["recorded_as"][source] = entry["recorded_as"].get(source, 0) + line["findings"]
    result = []
    for entry in merged.values():
        entry["recorded_as"] = [
            {"taxonomy_version": version, "category": tag, "findings": n}
            for (version, tag), n in sorted(entry["recorded_as"].items())
        ]
        result.append(entry)
    result.sort(key=lambda e: (-e["findings"], e["category"]))
    return result


def _stage_entries(conn: Connection[Any], ids: list[UUID]) -> dict[UUID, list[dict[str, Any]]]:
    """Per inspection, every stage it entered, in the order of its stream."""
    out: dict[UUID, list[dict[str, Any]]] = {}
    for inspection_id, stage, entered_on, dated_by in conn.execute(
        "SELECT inspection_id, stage, entered_on, dated_by FROM rm_rd_stage"
        " WHERE inspection_id = ANY(%s) ORDER BY inspection_id, at_version",
        (ids,),
    ).fetchall():
        entry = {"stage": stage, "entered_on": entered_on, "dated_by": dated_by}
        out.setdefault(inspection_id, []).append(entry)
    return out


def _lead_states(conn: Connection[Any], ids: list[UUID]) -> dict[UUID, dict[str, int]]:
    out: dict[UUID, dict[str, int]] = {}
    for inspection_id, status, n in conn.execute(
        "SELECT inspection_id, status, count(*)::int FROM rm_rd_lead"
        " WHERE inspection_id = ANY(%s) AND NOT in_error GROUP BY 1, 2",
        (ids,),
    ).fetchall():
        out.setdefault(inspection_id, {})[status] = n
    return out

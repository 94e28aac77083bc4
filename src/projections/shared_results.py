"""Shared results for annual evaluation (结果共享): one record per inspected organization, per
year and per round, for the organization department, the discipline commission and the
assessment office.

The record is what the inspection office shared (`results.inspection_result_shared`): the
write side computed it from the approved report, the rectification items and the follow-up
evaluations, and decided under the jurisdiction's policy whether responsible leaders may be
named. This read model files it by year and adds the follow-up evaluation's score.

Definitions (also in docs/read-models.md):
- **year** = the year of the share's `published_on`; the record of an inspection for a year is
  its last share published that year (highest `sequence`), so a result shared at report
  approval in one year and again after the evaluation in the next gives one record per year;
- **findings_by_category**: the approved report's findings counted by category (a finding
  with several tags counts under each), each tag mapped from its taxonomy version onto the
  current taxonomy by `projections.taxonomy` when read (the round dashboard's mapping; a tag
  without a mapping counts under its own name); **findings_total** counts findings once;
- **rectification**: items opened from the accepted plan at the time of sharing; completion
  rate = closed / total (long-term items stay in the denominator), null before any item;
- **leads**: counts only (transferred, disposed, open), as shared; null if not given;
- **evaluation_grade**: the grade of the latest rectification evaluation when shared;
  **evaluation**: the latest evaluation (`follow_up.rectification_evaluated`) done on or before
  the end of the record's year, with its score;
- **responsible_leaders**: the items' 责任领导 names, only if the policy in force allowed
  sharing them (`share_responsible_leaders`); otherwise null;
- a share the office recorded in error (`correction.event_recorded_in_error`) stays, with the
  reason in `recorded_in_error`; an evaluation recorded in error is no longer shown.
"""

from __future__ import annotations

from collections import Counter
from typing import Any
from uuid import UUID

from psycopg import Connection, Cursor
from psycopg.types.json import Jsonb

from xuncha.events.base import RecordedEvent
from xuncha.events.correction import EventRecordedInError
from xuncha.events.follow_up import RectificationEvaluated
from xuncha.events.results import InspectionResultShared
from xuncha.projections.paging import fetch_page
from xuncha.projections.taxonomy import category_of

DDL = """
CREATE TABLE IF NOT EXISTS rm_shared_result (
    inspection_id uuid NOT NULL, year int NOT NULL, round_id uuid NOT NULL,
    organization_id text NOT NULL, organization_name text NOT NULL,
    result_id uuid NOT NULL, sequence int NOT NULL, basis text NOT NULL,
    published_on date NOT NULL, findings_total int NOT NULL,
    items_total int, items_closed int, items_long_term int, items_reopened int,
    items_extended int, completion_rate numeric,
    leads_transferred int, leads_disposed int, leads_open int,
    evaluation_grade text, responsible_leaders jsonb,
    PRIMARY KEY (inspection_id, year)
);
CREATE INDEX IF NOT EXISTS rm_shared_result_org ON rm_shared_result (organization_id, year);
CREATE INDEX IF NOT EXISTS rm_shared_result_year ON rm_shared_result (year, organization_id);
CREATE INDEX IF NOT EXISTS rm_shared_result_round ON rm_shared_result (round_id);
ALTER TABLE rm_shared_result ADD COLUMN IF NOT EXISTS event_id uuid,
    ADD COLUMN IF NOT EXISTS recorded_in_error text;
-- Tags as recorded (version, tag, count), mapped when read: no mapped figure is stored.
ALTER TABLE rm_shared_result ADD COLUMN IF NOT EXISTS findings_by_tag jsonb,
    DROP COLUMN IF EXISTS findings_by_category;
CREATE TABLE IF NOT EXISTS rm_shared_evaluation (
    inspection_id uuid NOT NULL, evaluation_no int NOT NULL, evaluated_on date NOT NULL,
    score numeric NOT NULL, grade text NOT NULL,
    PRIMARY KEY (inspection_id, evaluation_no)
);
ALTER TABLE rm_shared_evaluation ADD COLUMN IF NOT EXISTS event_id uuid;
"""

COLUMNS = (
    "inspection_id, year, round_id, organization_id, organization_name, result_id, sequence,"
    " basis, published_on, findings_total, findings_by_tag, items_total, items_closed,"
    " items_long_term, items_reopened, items_extended, completion_rate, leads_transferred,"
    " leads_disposed, leads_open, evaluation_grade, responsible_leaders, event_id"
)


class SharedResults:
    """The projection behind `/shared-results`."""

    name = "shared_results"
    version = 1
    tables: tuple[str, ...] = ("rm_shared_result", "rm_shared_evaluation")

    def create(self, cur: Cursor[Any]) -> None:
        cur.execute(DDL)

    def handles(self, type_name: str) -> bool:
        return type_name in (
            InspectionResultShared.type_name,
            RectificationEvaluated.type_name,
            EventRecordedInError.type_name,
        )

    def apply(self, cur: Cursor[Any], recorded: RecordedEvent) -> None:
        e, event_id = recorded.event, recorded.metadata.event_id
        if isinstance(e, EventRecordedInError):
            # A share recorded in error stays, marked; an evaluation in error no longer counts.
            cur.execute(
                "UPDATE rm_shared_result SET recorded_in_error = %s"
                " WHERE event_id = %s AND recorded_in_error IS NULL",
                (e.reason, e.event_id),
            )
            cur.execute("DELETE FROM rm_shared_evaluation WHERE event_id = %s", (e.event_id,))
            return
        if isinstance(e, RectificationEvaluated):
            cur.execute(
                "INSERT INTO rm_shared_evaluation (inspection_id, evaluation_no, evaluated_on,"
                " score, grade, event_id) VALUES (%s,%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING",
                (
                    e.inspection_id,
                    e.evaluation_no,
                    e.evaluated_on,
                    e.score,
                    e.grade.value,
                    event_id,
                ),
            )
            return
        if not isinstance(e, InspectionResultShared):
            return
        data = e.public_data()  # nothing in it is sealed; never copy a sealed field anyway
        rect = data["rectification"] or {}
        leads = data["leads"] or {}
        values = (
            e.inspection_id,
            e.published_on.year,
            e.round_id,
            e.organization_id,
            e.organization_name,
            e.result_id,
            e.sequence,
            e.basis.value,
            e.published_on,
            e.findings_total,
            Jsonb(data["findings_by_tag"]),
            rect.get("items_total"),
            rect.get("items_closed"),
            rect.get("items_long_term"),
            rect.get("items_reopened"),
            rect.get("items_extended"),
            rect.get("completion_rate"),
            leads.get("transferred"),
            leads.get("disposed"),
            leads.get("open"),
            data["evaluation_grade"],
            None if data["responsible_leaders"] is None else Jsonb(data["responsible_leaders"]),
            event_id,
        )
        updates = ", ".join(f"{c.strip()} = excluded.{c.strip()}" for c in COLUMNS.split(",")[2:])
        cur.execute(
            f"INSERT INTO rm_shared_result ({COLUMNS}) VALUES ({', '.join(['%s'] * len(values))})"
            f" ON CONFLICT (inspection_id, year) DO UPDATE SET {updates}"
            " WHERE rm_shared_result.sequence < excluded.sequence",
            values,
        )


SELECT = """
SELECT r.organization_id, r.organization_name, r.year, r.round_id, r.inspection_id,
       r.result_id, r.sequence, r.basis, r.published_on, r.findings_total,
       r.findings_by_tag,
       CASE WHEN r.items_total IS NULL THEN NULL ELSE jsonb_build_object(
           'items_total', r.items_total, 'items_closed', r.items_closed,
           'items_long_term', r.items_long_term, 'items_reopened', r.items_reopened,
           'items_extended', r.items_extended, 'completion_rate', r.completion_rate::float8)
       END AS rectification,
       CASE WHEN r.leads_transferred IS NULL THEN NULL ELSE jsonb_build_object(
           'transferred', r.leads_transferred, 'disposed', r.leads_disposed,
           'open', r.leads_open)
       END AS leads,
       r.evaluation_grade,
       (SELECT jsonb_build_object('evaluation_no', ev.evaluation_no,
               'evaluated_on', ev.evaluated_on, 'score', ev.score::float8, 'grade', ev.grade)
          FROM rm_shared_evaluation ev
         WHERE ev.inspection_id = r.inspection_id
           AND ev.evaluated_on <= make_date(r.year, 12, 31)
         ORDER BY ev.evaluation_no DESC LIMIT 1) AS evaluation,
       r.responsible_leaders, r.recorded_in_error
FROM rm_shared_result r
WHERE (%(org)s::text IS NULL OR r.organization_id = %(org)s)
  AND (%(year)s::int IS NULL OR r.year = %(year)s)
  AND (%(round)s::uuid IS NULL OR r.round_id = %(round)s)
  AND (%(grade)s::text IS NULL OR r.evaluation_grade = %(grade)s)
"""

SORTS = {
    "organization": "r.organization_id, r.year, r.published_on, r.inspection_id",
    "year": "r.year, r.organization_id, r.published_on, r.inspection_id",
    "-year": "r.year DESC, r.organization_id, r.published_on, r.inspection_id",
    "published_on": "r.published_on, r.organization_id, r.inspection_id, r.year",
    "-published_on": "r.published_on DESC, r.organization_id, r.inspection_id, r.year",
    "completion_rate": "r.completion_rate NULLS LAST, r.organization_id, r.inspection_id, r.year",
    "-completion_rate": "r.completion_rate DESC NULLS LAST, r.organization_id,"
    " r.inspection_id, r.year",
    "findings_total": "r.findings_total, r.organization_id, r.inspection_id, r.year",
    "-findings_total": "r.findings_total DESC, r.organization_id, r.inspection_id, r.year",
}


def list_results(
    conn: Connection[Any],
    *,
    organization_id: str | None,
    year: int | None,
    round_id: UUID | None,
    evaluation_grade: str | None,
    sort: str,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    found = fetch_page(
        conn,
        SELECT,
        {"org": organization_id, "year": year, "round": round_id, "grade": evaluation_grade},
        order_by=SORTS[sort],
        limit=limit,
        offset=offset,
    )
    for row in found["items"]:
        row["findings_by_category"] = by_category(row.pop("findings_by_tag") or [])
    return found


def by_category(tags: list[dict[str, Any]]) -> dict[str, int]:
    """Findings per current-taxonomy category (`projections.taxonomy`), largest first."""
    counts: Counter[str] = Counter()
    for t in tags:
        counts[category_of(t.get("taxonomy_version"), t["tag"])] += t["count"]
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

"""Inspector record (巡察干部档案): per person of the talent pool or of a group, the rounds
served, roles in groups, service evaluations (鉴定), training, recusals, commendations and
penalties.

A person is named by `user_id` (the pool profile's, which groups and the management regime use).
Sealed fields of a recusal declaration (relatives, past work) are never read: only the kinds of
conflict found and the outcome reach these tables.

Definitions (also in docs/read-models.md):
- a **service** is one group the person was named to (leader or deputy at the proposal, member
  at formation, or seconded), with its role and status: `recused` (回避 from the group, before
  or after its authorization), `appointed` (group not yet authorized), `serving` (authorized for
  at least one target, not dissolved), `served` (listed as having served when the group was
  dissolved), `not_served` (dissolved without them);
- **rounds served** = distinct rounds of the person's services that are `serving` or `served`;
  **as_leader / as_deputy / as_member** count those services by role;
- **evaluations**: service evaluations issued to the person (one per dissolved group);
- **training**: pre-stationing training of a group and training recorded by the management
  regime (巡前集中学习, 外出培训, 跟班学习), with hours where recorded;
- **recusals**: declarations (with the kinds of conflict found, never the ties themselves),
  clearances, recusals from a group and from an authorized inspection;
- **commendations / penalties / accountability**: as decided under the management regime;
- an entry (evaluation, training, recusal history, reward or penalty) whose event the office
  recorded in error (`correction.event_recorded_in_error`) stays listed with the reason in
  `recorded_in_error` and no longer counts.

Over 500 lines on purpose: one read model, its tables, the events it folds and its queries,
so each definition above and the SQL that computes it are read in one place.
"""

from __future__ import annotations

from typing import Any

from psycopg import Connection, Cursor
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from xuncha.events import group as grp
from xuncha.events import inspection as ins
from xuncha.events import management as mg
from xuncha.events import pool
from xuncha.events.base import RecordedEvent
from xuncha.events.correction import EventRecordedInError
from xuncha.events.vocabulary import (
    GroupRole,
    PoolMemberStatus,
    RecusalKind,
    SanctionKind,
    ServiceStatus,
)
from xuncha.projections.paging import fetch_page
from xuncha.projections.vocabulary_params import value_params

DDL = """
CREATE TABLE IF NOT EXISTS rm_ir_person (
    user_id text PRIMARY KEY, name text, member_id uuid, jurisdiction_id text,
    employer_organization text, external boolean NOT NULL DEFAULT false,
    expert_category text, pool_status text
);
CREATE INDEX IF NOT EXISTS rm_ir_person_member ON rm_ir_person (member_id);
CREATE INDEX IF NOT EXISTS rm_ir_person_jurisdiction ON rm_ir_person (jurisdiction_id, name);
CREATE TABLE IF NOT EXISTS rm_ir_group (
    group_id uuid PRIMARY KEY, round_id uuid NOT NULL, jurisdiction_id text NOT NULL,
    name text NOT NULL, authorized boolean NOT NULL DEFAULT false, dissolved_on date
);
CREATE TABLE IF NOT EXISTS rm_ir_group_inspection (
    group_id uuid NOT NULL, inspection_id uuid NOT NULL, organization_id text NOT NULL,
    window_start date NOT NULL, window_end date NOT NULL,
    PRIMARY KEY (group_id, inspection_id)
);
CREATE TABLE IF NOT EXISTS rm_ir_service (
    user_id text NOT NULL, group_id uuid NOT NULL, role text NOT NULL,
    external boolean NOT NULL DEFAULT false, seconded text,
    recused boolean NOT NULL DEFAULT false, served boolean NOT NULL DEFAULT false,
    PRIMARY KEY (user_id, group_id)
);
CREATE INDEX IF NOT EXISTS rm_ir_service_group ON rm_ir_service (group_id);
CREATE TABLE IF NOT EXISTS rm_ir_evaluation (
    user_id text NOT NULL, group_id uuid NOT NULL, member_id uuid NOT NULL, grade text NOT NULL,
    text text NOT NULL, sent_to text NOT NULL, issued_on date NOT NULL,
    PRIMARY KEY (user_id, group_id)
);
CREATE TABLE IF NOT EXISTS rm_ir_training (
    event_id uuid NOT NULL, user_id text NOT NULL, kind text NOT NULL, title text NOT NULL,
    provider text, completed_on date NOT NULL, hours int, group_id uuid, inspection_id uuid,
    PRIMARY KEY (event_id, user_id)
);
CREATE INDEX IF NOT EXISTS rm_ir_training_user ON rm_ir_training (user_id, completed_on);
CREATE TABLE IF NOT EXISTS rm_ir_recusal (
    event_id uuid NOT NULL, user_id text NOT NULL, kind text NOT NULL, group_id uuid,
    inspection_id uuid, on_day date, conflict_kinds jsonb, reason text, position bigint NOT NULL,
    PRIMARY KEY (event_id, user_id)
);
CREATE INDEX IF NOT EXISTS rm_ir_recusal_user ON rm_ir_recusal (user_id, position);
CREATE TABLE IF NOT EXISTS rm_ir_sanction (
    event_id uuid PRIMARY KEY, user_id text NOT NULL, kind text NOT NULL,
    inspection_id uuid NOT NULL, measure text, reason text NOT NULL, decided_on date NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_ir_sanction_user ON rm_ir_sanction (user_id, decided_on);
ALTER TABLE rm_ir_evaluation ADD COLUMN IF NOT EXISTS event_id uuid,
    ADD COLUMN IF NOT EXISTS recorded_in_error text;
ALTER TABLE rm_ir_training ADD COLUMN IF NOT EXISTS recorded_in_error text;
ALTER TABLE rm_ir_recusal ADD COLUMN IF NOT EXISTS recorded_in_error text;
ALTER TABLE rm_ir_sanction ADD COLUMN IF NOT EXISTS recorded_in_error text;
CREATE INDEX IF NOT EXISTS rm_ir_training_event ON rm_ir_training (event_id);
CREATE INDEX IF NOT EXISTS rm_ir_recusal_event ON rm_ir_recusal (event_id);
CREATE INDEX IF NOT EXISTS rm_ir_evaluation_event ON rm_ir_evaluation (event_id);
"""
# Entries a correction (`correction.event_recorded_in_error`) can mark, by their event id.
ENTRY_TABLES = ("rm_ir_evaluation", "rm_ir_training", "rm_ir_recusal", "rm_ir_sanction")

HANDLED = frozenset(
    t.type_name
    for t in (
        pool.PoolMemberNominated,
        pool.ExternalExpertEngaged,
        pool.PoolMemberAdmitted,
        pool.PoolMemberSuspended,
        pool.PoolMemberRemoved,
        pool.ServiceEvaluationIssued,
        grp.GroupLeadershipProposed,
        grp.InspectionGroupFormed,
        grp.InspectorSeconded,
        grp.MemberRecused,
        grp.RecusalDeclared,
        grp.RecusalCleared,
        grp.PreStationingTrainingCompleted,
        grp.GroupAuthorizedForTarget,
        grp.GroupDissolved,
        ins.InspectionGroupMemberRecused,
        mg.TrainingRecorded,
        mg.InspectorCommended,
        mg.InspectorPenalized,
        mg.InspectorHeldAccountable,
        EventRecordedInError,
    )
)
POOL_STATUS: dict[type[Any], str] = {
    pool.PoolMemberAdmitted: PoolMemberStatus.ADMITTED,
    pool.PoolMemberSuspended: PoolMemberStatus.SUSPENDED,
    pool.PoolMemberRemoved: PoolMemberStatus.REMOVED,
}


def _person(cur: Cursor[Any], user_id: str, name: str | None = None) -> None:
    """Make sure the person has a row; the first name seen stays until the pool names them."""
    cur.execute(
        "INSERT INTO rm_ir_person (user_id, name) VALUES (%s,%s) ON CONFLICT (user_id) DO"
        " UPDATE SET name = coalesce(rm_ir_person.name, excluded.name)",
        (user_id, name),
    )


def _service(
    cur: Cursor[Any],
    group_id: Any,
    person: grp.GroupPerson,
    seconded: str | None = None,
) -> None:
    _person(cur, person.user_id, person.name)
    cur.execute(
        "INSERT INTO rm_ir_service (user_id, group_id, role, external, seconded)"
        " VALUES (%s,%s,%s,%s,%s) ON CONFLICT (user_id, group_id) DO UPDATE SET"
        " role = excluded.role, external = excluded.external,"
        " seconded = coalesce(excluded.seconded, rm_ir_service.seconded)",
        (person.user_id, group_id, person.role.value, person.external, seconded),
    )


def _recusal(
    cur: Cursor[Any], recorded: RecordedEvent, user_id: str, kind: str, **values: Any
) -> None:
    _person(cur, user_id)
    cur.execute(
        "INSERT INTO rm_ir_recusal (event_id, user_id, kind, group_id, inspection_id, on_day,"
        " conflict_kinds, reason, position) VALUES (%(event)s, %(user)s, %(kind)s,"
        " %(group_id)s, %(inspection_id)s, %(on_day)s, %(conflict_kinds)s, %(reason)s,"
        " %(position)s) ON CONFLICT DO NOTHING",
        {
            "event": recorded.metadata.event_id,
            "user": user_id,
            "kind": kind,
            "group_id": values.get("group_id"),
            "inspection_id": values.get("inspection_id"),
            "on_day": values.get("on_day"),
            "conflict_kinds": values.get("conflict_kinds"),
            "reason": values.get("reason"),
            "position": recorded.position or 0,
        },
    )


def _training(cur: Cursor[Any], recorded: RecordedEvent, users: list[str], **row: Any) -> None:
    for user_id in users:
        _person(cur, user_id)
        cur.execute(
            "INSERT INTO rm_ir_training (event_id, user_id, kind, title, provider, completed_on,"
            " hours, group_id, inspection_id) VALUES (%(event)s, %(user)s, %(kind)s, %(title)s,"
            " %(provider)s, %(completed_on)s, %(hours)s, %(group_id)s, %(inspection_id)s)"
            " ON CONFLICT DO NOTHING",
            {
                "event": recorded.metadata.event_id,
                "user": user_id,
                "provider": None,
                "hours": None,
                "group_id": None,
                "inspection_id": None,
                **row,
            },
        )


def _sanction(
    cur: Cursor[Any], recorded: RecordedEvent, e: Any, kind: str, measure: str | None, reason: str
) -> None:
    _person(cur, e.user_id)
    cur.execute(
        "INSERT INTO rm_ir_sanction (event_id, user_id, kind, inspection_id, measure, reason,"
        " decided_on) VALUES (%s,%s,%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING",
        (
            recorded.metadata.event_id,
            e.user_id,
            kind,
            e.inspection_id,
            measure,
            reason,
            e.decided_on,
        ),
    )


class InspectorRecord:
    """The projection behind `/inspectors` and `/inspectors/{person_id}/record`."""

    name = "inspector_record"
    version = 1
    tables: tuple[str, ...] = (
        "rm_ir_person",
        "rm_ir_group",
        "rm_ir_group_inspection",
        "rm_ir_service",
        "rm_ir_evaluation",
        "rm_ir_training",
        "rm_ir_recusal",
        "rm_ir_sanction",
    )

    def create(self, cur: Cursor[Any]) -> None:
        cur.execute(DDL)

    def handles(self, type_name: str) -> bool:
        return type_name in HANDLED

    def apply(self, cur: Cursor[Any], recorded: RecordedEvent) -> None:
        e = recorded.event
        match e:
            case pool.PoolMemberNominated() | pool.ExternalExpertEngaged():
                p = e.profile
                external = isinstance(e, pool.ExternalExpertEngaged) and e.external
                category = e.category.value if isinstance(e, pool.ExternalExpertEngaged) else None
                status = (
                    PoolMemberStatus.ADMITTED
                    if isinstance(e, pool.ExternalExpertEngaged)
                    else PoolMemberStatus.NOMINATED
                )
                cur.execute(
                    "INSERT INTO rm_ir_person (user_id, name, member_id, jurisdiction_id,"
                    " employer_organization, external, expert_category, pool_status)"
                    " VALUES (%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT (user_id) DO UPDATE SET"
                    " name = excluded.name, member_id = excluded.member_id,"
                    " jurisdiction_id = excluded.jurisdiction_id,"
                    " employer_organization = excluded.employer_organization,"
                    " external = excluded.external, expert_category = excluded.expert_category,"
                    " pool_status = excluded.pool_status",
                    (
                        p.user_id,
                        p.name,
                        e.member_id,
                        e.jurisdiction_id,
                        p.employer_organization,
                        external,
                        category,
                        status,
                    ),
                )
            case pool.PoolMemberAdmitted() | pool.PoolMemberSuspended() | pool.PoolMemberRemoved():
                cur.execute(
                    "UPDATE rm_ir_person SET pool_status = %s WHERE member_id = %s",
                    (POOL_STATUS[type(e)], e.member_id),
                )
            case pool.ServiceEvaluationIssued():
                _person(cur, e.user_id)
                cur.execute(
                    "INSERT INTO rm_ir_evaluation (user_id, group_id, member_id, grade, text,"
                    " sent_to, issued_on, event_id) VALUES (%s,%s,%s,%s,%s,%s,%s,%s)"
                    " ON CONFLICT DO NOTHING",
                    (
                        e.user_id,
                        e.group_id,
                        e.member_id,
                        e.grade.value,
                        e.text,
                        e.sent_to,
                        e.issued_on,
                        recorded.metadata.event_id,
                    ),
                )
            case grp.GroupLeadershipProposed():
                cur.execute(
                    "INSERT INTO rm_ir_group (group_id, round_id, jurisdiction_id, name)"
                    " VALUES (%s,%s,%s,%s) ON CONFLICT DO NOTHING",
                    (e.group_id, e.round_id, e.jurisdiction_id, e.name),
                )
                people = [(e.leader, grp.GroupRole.LEADER)]
                people += [(d, grp.GroupRole.DEPUTY) for d in e.deputies]
                for m, role in people:
                    _service(
                        cur, e.group_id, grp.GroupPerson(user_id=m.user_id, name=m.name, role=role)
                    )
            case grp.InspectionGroupFormed():
                for person in [e.leader, *e.deputies, *e.members]:
                    _service(cur, e.group_id, person)
            case grp.InspectorSeconded():
                person = grp.GroupPerson(user_id=e.user_id, name=e.name, role=e.role)
                _service(cur, e.group_id, person, seconded=e.direction.value)
            case grp.MemberRecused():
                cur.execute(
                    "UPDATE rm_ir_service SET recused = true WHERE user_id = %s AND group_id = %s",
                    (e.user_id, e.group_id),
                )
                _recusal(
                    cur,
                    recorded,
                    e.user_id,
                    RecusalKind.RECUSED,
                    group_id=e.group_id,
                    reason=e.reason,
                )
            case grp.RecusalDeclared():
                # Only the kinds of conflict found: the declared ties are sealed.
                kinds = sorted({c.kind.value for c in e.conflicts})
                _recusal(
                    cur,
                    recorded,
                    e.user_id,
                    RecusalKind.DECLARED,
                    group_id=e.group_id,
                    on_day=e.declared_on,
                    conflict_kinds=Jsonb(kinds),
                )
            case grp.RecusalCleared():
                _recusal(cur, recorded, e.user_id, RecusalKind.CLEARED, group_id=e.group_id)
            case ins.InspectionGroupMemberRecused():
                _recusal(
                    cur,
                    recorded,
                    e.user_id,
                    RecusalKind.RECUSED_FROM_INSPECTION,
                    group_id=e.group_id,
                    inspection_id=e.inspection_id,
                )
            case grp.PreStationingTrainingCompleted():
                _training(
                    cur,
                    recorded,
                    e.user_ids,
                    kind="pre_stationing",
                    title=e.training,
                    completed_on=e.completed_on,
                    group_id=e.group_id,
                )
            case mg.TrainingRecorded():
                _training(
                    cur,
                    recorded,
                    e.user_ids,
                    kind=e.kind.value,
                    title=e.title,
                    provider=e.provider,
                    completed_on=e.completed_on,
                    hours=e.hours,
                    inspection_id=e.inspection_id,
                )
            case grp.GroupAuthorizedForTarget():
                cur.execute(
                    "UPDATE rm_ir_group SET authorized = true WHERE group_id = %s", (e.group_id,)
                )
                cur.execute(
                    "INSERT INTO rm_ir_group_inspection (group_id, inspection_id,"
                    " organization_id, window_start, window_end) VALUES (%s,%s,%s,%s,%s)"
                    " ON CONFLICT DO NOTHING",
                    (e.group_id, e.inspection_id, e.organization_id, e.window_start, e.window_end),
                )
            case grp.GroupDissolved():
                cur.execute(
                    "UPDATE rm_ir_group SET dissolved_on = %s WHERE group_id = %s",
                    (e.dissolved_on, e.group_id),
                )
                cur.execute(
                    "UPDATE rm_ir_service SET served = (user_id = ANY(%s)) WHERE group_id = %s",
                    (list(e.served_user_ids), e.group_id),
                )
            case EventRecordedInError():
                # The entry stays in the record, marked, and no longer counts.
                for table in ENTRY_TABLES:
                    cur.execute(
                        f"UPDATE {table} SET recorded_in_error = %s"
                        " WHERE event_id = %s AND recorded_in_error IS NULL",
                        (e.reason, e.event_id),
                    )
            case mg.InspectorCommended():
                _sanction(cur, recorded, e, SanctionKind.COMMENDATION, None, e.reason)
            case mg.InspectorPenalized():
                _sanction(cur, recorded, e, SanctionKind.PENALTY, e.penalty, e.reason)
            case mg.InspectorHeldAccountable():
                _sanction(cur, recorded, e, SanctionKind.ACCOUNTABILITY, e.measure, e.basis)


# The vocabulary values the SQL below names: %(service_served)s, %(role_leader)s…
VOCABULARY = {
    **value_params("service", ServiceStatus),
    **value_params("role", GroupRole),
    **value_params("recusal", RecusalKind),
    **value_params("sanction", SanctionKind),
}
STATUS = (
    "CASE WHEN s.recused THEN %(service_recused)s"
    " WHEN g.dissolved_on IS NOT NULL THEN"
    "   CASE WHEN s.served THEN %(service_served)s ELSE %(service_not_served)s END"
    " WHEN g.authorized THEN %(service_serving)s ELSE %(service_appointed)s END"
)
SERVICES = f"""
SELECT s.user_id, s.group_id, g.name AS group_name, g.round_id, g.jurisdiction_id, s.role,
       s.external, s.seconded, {STATUS} AS status, g.dissolved_on,
       coalesce((SELECT jsonb_agg(jsonb_build_object('inspection_id', gi.inspection_id,
                    'organization_id', gi.organization_id, 'window_start', gi.window_start,
                    'window_end', gi.window_end) ORDER BY gi.window_start, gi.inspection_id)
                 FROM rm_ir_group_inspection gi WHERE gi.group_id = s.group_id),
                '[]'::jsonb) AS inspections
FROM rm_ir_service s JOIN rm_ir_group g ON g.group_id = s.group_id
"""
# One grouped pass per table (joined on user_id), rather than a subquery per person and
# figure: a filter on one person is pushed into each group.
COUNTS = f"""
SELECT p.user_id, p.name, p.member_id, p.jurisdiction_id, p.employer_organization, p.external,
       p.expert_category, p.pool_status,
       coalesce(sv.rounds_served, 0) AS rounds_served, coalesce(sv.as_leader, 0) AS as_leader,
       coalesce(sv.as_deputy, 0) AS as_deputy, coalesce(sv.as_member, 0) AS as_member,
       coalesce(ev.evaluations, 0) AS evaluations, coalesce(tr.trainings, 0) AS trainings,
       coalesce(tr.training_hours, 0) AS training_hours, coalesce(rc.recusals, 0) AS recusals,
       coalesce(sa.commendations, 0) AS commendations, coalesce(sa.penalties, 0) AS penalties,
       coalesce(sa.accountability, 0) AS accountability
FROM rm_ir_person p
LEFT JOIN (
    SELECT s.user_id, count(DISTINCT g.round_id) AS rounds_served,
           count(*) FILTER (WHERE s.role = %(role_leader)s) AS as_leader,
           count(*) FILTER (WHERE s.role = %(role_deputy)s) AS as_deputy,
           count(*) FILTER (WHERE s.role = %(role_member)s) AS as_member
    FROM rm_ir_service s JOIN rm_ir_group g ON g.group_id = s.group_id
    WHERE {STATUS} IN (%(service_serving)s, %(service_served)s) GROUP BY s.user_id
) sv ON sv.user_id = p.user_id
LEFT JOIN (
    SELECT user_id, count(*) AS evaluations FROM rm_ir_evaluation
    WHERE recorded_in_error IS NULL GROUP BY user_id
) ev ON ev.user_id = p.user_id
LEFT JOIN (
    SELECT user_id, count(*) AS trainings, sum(hours)::int AS training_hours
    FROM rm_ir_training WHERE recorded_in_error IS NULL GROUP BY user_id
) tr ON tr.user_id = p.user_id
LEFT JOIN (
    SELECT user_id, count(*) AS recusals FROM rm_ir_recusal
    WHERE kind = %(recusal_recused)s AND recorded_in_error IS NULL GROUP BY user_id
) rc ON rc.user_id = p.user_id
LEFT JOIN (
    SELECT user_id, count(*) FILTER (WHERE kind = %(sanction_commendation)s) AS commendations,
           count(*) FILTER (WHERE kind = %(sanction_penalty)s) AS penalties,
           count(*) FILTER (WHERE kind = %(sanction_accountability)s) AS accountability
    FROM rm_ir_sanction WHERE recorded_in_error IS NULL GROUP BY user_id
) sa ON sa.user_id = p.user_id
"""

SORTS = {
    "name": "name NULLS LAST, user_id",
    "user_id": "user_id",
    "rounds_served": "rounds_served, user_id",
    "-rounds_served": "rounds_served DESC, user_id",
    "commendations": "commendations, user_id",
    "-commendations": "commendations DESC, user_id",
    "penalties": "penalties, user_id",
    "-penalties": "penalties DESC, user_id",
}


def list_inspectors(
    conn: Connection[Any],
    *,
    jurisdiction_id: str | None,
    pool_status: str | None,
    external: bool | None,
    min_rounds_served: int | None,
    sort: str,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    return fetch_page(
        conn,
        f"SELECT * FROM ({COUNTS}) c"
        " WHERE (%(j)s::text IS NULL OR jurisdiction_id = %(j)s)"
        " AND (%(status)s::text IS NULL OR pool_status = %(status)s)"
        " AND (%(external)s::boolean IS NULL OR external = %(external)s)"
        " AND (%(rounds)s::int IS NULL OR rounds_served >= %(rounds)s)",
        {
            "j": jurisdiction_id,
            "status": pool_status,
            "external": external,
            "rounds": min_rounds_served,
            **VOCABULARY,
        },
        order_by=SORTS[sort],
        limit=limit,
        offset=offset,
    )


def get_record(conn: Connection[Any], user_id: str) -> dict[str, Any] | None:
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(COUNTS + " WHERE p.user_id = %(user)s", {"user": user_id, **VOCABULARY})
        person = cur.fetchone()
        if person is None:
            return None
        cur.execute(
            SERVICES + " WHERE s.user_id = %(user)s ORDER BY g.round_id, g.name, s.group_id",
            {"user": user_id, **VOCABULARY},
        )
        person["services"] = cur.fetchall()
        cur.execute(
            "SELECT group_id, member_id, grade, text, sent_to, issued_on, recorded_in_error"
            " FROM rm_ir_evaluation"
            " WHERE user_id = %s ORDER BY issued_on, group_id",
            (user_id,),
        )
        person["service_evaluations"] = cur.fetchall()
        cur.execute(
            "SELECT kind, title, provider, completed_on, hours, group_id, inspection_id,"
            " recorded_in_error FROM rm_ir_training WHERE user_id = %s"
            " ORDER BY completed_on, event_id",
            (user_id,),
        )
        person["training"] = cur.fetchall()
        cur.execute(
            "SELECT kind, group_id, inspection_id, on_day, conflict_kinds, reason,"
            " recorded_in_error FROM rm_ir_recusal WHERE user_id = %s ORDER BY position, event_id",
            (user_id,),
        )
        person["recusal_history"] = cur.fetchall()
        cur.execute(
            "SELECT kind, inspection_id, measure, reason, decided_on, recorded_in_error"
            " FROM rm_ir_sanction"
            " WHERE user_id = %s ORDER BY decided_on, event_id",
            (user_id,),
        )
        person["rewards_and_penalties"] = cur.fetchall()
    return person

"""Read scope: the facts that decide which records a reader may see (object-level access).

* `rs_inspection`: each inspection's target organization (from `inspection.planned`).
* `rs_inspection_member`: who is in the group authorized for each inspection, the same fact
  the write side checks (`require_group_member`): everyone named by
  `inspection.group_authorized`, minus those recused afterwards
  (`inspection.group_member_recused`).
* `rs_supervision`: the supervising department (业务主管单位) the registry names for each
  organization (`jurisdiction.organization_registered`), matched against the reader's
  organization id.
* `rs_record`, `rs_record_receiver`, `rs_group_person`: which inspection each record belongs
  to, who received it, whom a group names (`read_scope_records`): the facts the object scope
  of commands checks (`api/http/command_scope.py`).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg import Connection, Cursor

from xuncha.events.base import RecordedEvent
from xuncha.events.inspection import (
    GroupAuthorized,
    InspectionGroupMemberRecused,
    InspectionPlanned,
)
from xuncha.events.reference import OrganizationRegistered
from xuncha.projections import read_scope_records

DDL = """
CREATE TABLE IF NOT EXISTS rs_inspection (
    inspection_id uuid PRIMARY KEY, organization_id text NOT NULL
);
CREATE INDEX IF NOT EXISTS rs_inspection_org ON rs_inspection (organization_id);
CREATE TABLE IF NOT EXISTS rs_inspection_member (
    inspection_id uuid NOT NULL, user_id text NOT NULL, PRIMARY KEY (user_id, inspection_id)
);
CREATE TABLE IF NOT EXISTS rs_supervision (
    organization_id text PRIMARY KEY, supervising_department text NOT NULL
);
CREATE INDEX IF NOT EXISTS rs_supervision_dept ON rs_supervision (supervising_department);
"""

HANDLED = (
    frozenset(
        {
            "inspection.planned",
            "inspection.group_authorized",
            "inspection.group_member_recused",
            "jurisdiction.organization_registered",
        }
    )
    | read_scope_records.HANDLED
)


class ReadScope:
    """The projection behind object-level read access (`api/http/access.py`)."""

    name = "read_scope"
    version = 1
    tables: tuple[str, ...] = (
        "rs_inspection",
        "rs_inspection_member",
        "rs_supervision",
        *read_scope_records.TABLES,
    )

    def create(self, cur: Cursor[Any]) -> None:
        cur.execute(DDL)
        cur.execute(read_scope_records.DDL)

    def handles(self, type_name: str) -> bool:
        return type_name in HANDLED

    def apply(self, cur: Cursor[Any], recorded: RecordedEvent) -> None:
        read_scope_records.apply(cur, recorded)
        e = recorded.event
        if isinstance(e, InspectionPlanned):
            cur.execute(
                "INSERT INTO rs_inspection (inspection_id, organization_id) VALUES (%s, %s)"
                " ON CONFLICT DO NOTHING",
                (e.inspection_id, e.organization_id),
            )
        elif isinstance(e, GroupAuthorized):
            # One authorization per inspection; a repeated one replaces the group.
            cur.execute(
                "DELETE FROM rs_inspection_member WHERE inspection_id = %s", (e.inspection_id,)
            )
            people = {p.user_id for p in (e.leader, *e.deputies, *e.members)}
            cur.executemany(
                "INSERT INTO rs_inspection_member (inspection_id, user_id) VALUES (%s, %s)"
                " ON CONFLICT DO NOTHING",
                [(e.inspection_id, user_id) for user_id in sorted(people)],
            )
        elif isinstance(e, InspectionGroupMemberRecused):
            cur.execute(
                "DELETE FROM rs_inspection_member WHERE inspection_id = %s AND user_id = %s",
                (e.inspection_id, e.user_id),
            )
        elif isinstance(e, OrganizationRegistered) and e.supervising_department:
            cur.execute(
                "INSERT INTO rs_supervision (organization_id, supervising_department)"
                " VALUES (%s, %s) ON CONFLICT (organization_id)"
                " DO UPDATE SET supervising_department = EXCLUDED.supervising_department",
                (e.organization_id, e.supervising_department),
            )


def member_inspections(conn: Connection[Any], user_id: str) -> frozenset[UUID]:
    """The inspections whose authorized group includes this person."""
    rows = conn.execute(
        "SELECT inspection_id FROM rs_inspection_member WHERE user_id = %s", (user_id,)
    ).fetchall()
    return frozenset(row[0] for row in rows)


def supervised_organizations(conn: Connection[Any], department: str) -> frozenset[str]:
    """The organizations whose registry entry names this supervising department."""
    rows = conn.execute(
        "SELECT organization_id FROM rs_supervision WHERE supervising_department = %s",
        (department,),
    ).fetchall()
    return frozenset(row[0] for row in rows)


def inspection_organization(conn: Connection[Any], inspection_id: UUID) -> str | None:
    """The target organization of an inspection, or None if it is not known (yet)."""
    row = conn.execute(
        "SELECT organization_id FROM rs_inspection WHERE inspection_id = %s", (inspection_id,)
    ).fetchone()
    return None if row is None else str(row[0])

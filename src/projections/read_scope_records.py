"""The record half of the `read_scope` read model: which inspection each record belongs to.

Commands name records by id (`/rectification-items/{item_id}/verify`); deciding whether an
actor may act on one needs the record's inspection (hence its organization and group), and
for some records who received them. Three tables, fed by the `read_scope` projection:

* `rs_record`: every stream that carries an event with an `inspection_id` maps to that
  inspection (an inspection maps to itself; a finding, lead, petition, interview, item,
  supplementary report, follow-up or feedback to its inspection; a group to the
  inspections it targets). Generic on purpose: a new kind of record is covered as soon as
  its events name their inspection, which every inspection-bound event does.
* `rs_record_receiver`: the organization a lead was transferred to (纪委监委, 组织部) or a
  petition forwarded to; a receiving authority acts on what it received.
* `rs_group_person`: the people a group names (leader and deputies proposed, members formed,
  inspectors seconded, minus those recused): before the group is authorized for an
  inspection, they act on the group itself (回避申请书, 保密承诺).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg import Connection, Cursor

from xuncha.events.base import DomainEvent, RecordedEvent
from xuncha.events.group import (
    GroupLeadershipProposed,
    InspectionGroupFormed,
    InspectorSeconded,
    MemberRecused,
)
from xuncha.events.lead import LeadTransferred, LeadTransferredDuringFieldwork
from xuncha.events.petition import PetitionForwarded
from xuncha.events.registry import REGISTRY

DDL = """
CREATE TABLE IF NOT EXISTS rs_record (
    record_id uuid NOT NULL, inspection_id uuid NOT NULL, PRIMARY KEY (record_id, inspection_id)
);
CREATE TABLE IF NOT EXISTS rs_record_receiver (
    record_id uuid NOT NULL, organization_id text NOT NULL,
    PRIMARY KEY (record_id, organization_id)
);
CREATE TABLE IF NOT EXISTS rs_group_person (
    group_id uuid NOT NULL, user_id text NOT NULL, PRIMARY KEY (group_id, user_id)
);
"""
TABLES = ("rs_record", "rs_record_receiver", "rs_group_person")


def _names_an_inspection(cls: type[DomainEvent]) -> bool:
    return "inspection_id" in cls.model_fields


# Every event type naming its inspection, and those naming a group's targets or people.
HANDLED = frozenset(cls.type_name for cls in REGISTRY if _names_an_inspection(cls)) | {
    GroupLeadershipProposed.type_name,
    InspectionGroupFormed.type_name,
    InspectorSeconded.type_name,
    MemberRecused.type_name,
}


def apply(cur: Cursor[Any], recorded: RecordedEvent) -> None:
    """Record what this event says about its stream's inspection, receiver or people."""
    e, stream_id = recorded.event, recorded.metadata.stream_id
    inspection_id = getattr(e, "inspection_id", None)
    if isinstance(inspection_id, UUID):
        _belongs(cur, stream_id, [inspection_id])
    if isinstance(e, LeadTransferred | LeadTransferredDuringFieldwork):
        _received(cur, stream_id, e.receiver.organization_id)
    elif isinstance(e, PetitionForwarded):
        _received(cur, stream_id, e.department_id)
    elif isinstance(e, GroupLeadershipProposed):
        _belongs(cur, e.group_id, [target.inspection_id for target in e.targets])
        _named(cur, e.group_id, [e.leader.user_id, *(d.user_id for d in e.deputies)])
    elif isinstance(e, InspectionGroupFormed):
        people = [e.leader, *e.deputies, *e.members]
        _named(cur, e.group_id, [p.user_id for p in people])
    elif isinstance(e, InspectorSeconded):
        _named(cur, e.group_id, [e.user_id])
    elif isinstance(e, MemberRecused):
        cur.execute(
            "DELETE FROM rs_group_person WHERE group_id = %s AND user_id = %s",
            (e.group_id, e.user_id),
        )


def _belongs(cur: Cursor[Any], record_id: UUID, inspection_ids: list[UUID]) -> None:
    cur.executemany(
        "INSERT INTO rs_record (record_id, inspection_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",
        [(record_id, inspection_id) for inspection_id in inspection_ids],
    )


def _received(cur: Cursor[Any], record_id: UUID, organization_id: str) -> None:
    cur.execute(
        "INSERT INTO rs_record_receiver (record_id, organization_id) VALUES (%s, %s)"
        " ON CONFLICT DO NOTHING",
        (record_id, organization_id),
    )


def _named(cur: Cursor[Any], group_id: UUID, user_ids: list[str]) -> None:
    cur.executemany(
        "INSERT INTO rs_group_person (group_id, user_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",
        [(group_id, user_id) for user_id in sorted(set(user_ids))],
    )


# The facts a command's scope check combines (api/http/command_scope.py); each is one EXISTS.
FACTS: dict[str, str] = {
    # one of the record's inspections is authorized to a group naming the person
    "membership": "EXISTS (SELECT 1 FROM rs_record r JOIN rs_inspection_member m"
    " USING (inspection_id) WHERE r.record_id = %(record)s AND m.user_id = %(user)s)",
    # the group itself names the person
    "group_person": "EXISTS (SELECT 1 FROM rs_group_person"
    " WHERE group_id = %(record)s AND user_id = %(user)s)",
    # one of the record's inspections targets the actor's organization
    "organization": "EXISTS (SELECT 1 FROM rs_record r JOIN rs_inspection i"
    " USING (inspection_id) WHERE r.record_id = %(record)s AND i.organization_id = %(org)s)",
    # ... or an organization the actor's department supervises
    "supervision": "EXISTS (SELECT 1 FROM rs_record r JOIN rs_inspection i"
    " USING (inspection_id) JOIN rs_supervision s ON s.organization_id = i.organization_id"
    " WHERE r.record_id = %(record)s AND s.supervising_department = %(org)s)",
    # the record was transferred or forwarded to the actor's organization
    "receiver": "EXISTS (SELECT 1 FROM rs_record_receiver"
    " WHERE record_id = %(record)s AND organization_id = %(org)s)",
}


def holds_any(
    conn: Connection[Any], facts: tuple[str, ...], record_id: UUID, user_id: str, org: str
) -> bool:
    """True when at least one of the named facts holds for this record and actor."""
    if not facts:
        return False
    sql = "SELECT " + " OR ".join(FACTS[fact] for fact in facts)
    row = conn.execute(sql, {"record": record_id, "user": user_id, "org": org}).fetchone()
    return bool(row and row[0])

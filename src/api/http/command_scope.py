"""Object scope of commands: a command naming a record is scoped like a read of that record.

A command route whose path names a record (`/rectification-items/{item_id}/verify`) answers
404, with the same body as for an id that does not exist, when the record is outside the
actor's scope, and it does so before the body is read and before any state is loaded, so a
refusal discloses nothing (not even the record's stage) and appends nothing. The rules
mirror those of reads (`api/http/access.py`, `routes/leads.py`):

* group leader, deputy, member, outside expert: records of the inspections their group is
  authorized for; on `/groups/{id}/...`, the groups that name them;
* inspected organization (principal, liaison): its own organization's records, and
  petitions forwarded to it;
* supervising department: the records of the organizations it supervises, and petitions
  forwarded to it;
* 纪委监委, 组织部: leads only once transferred to their organization; anything else
  unrestricted, as for reads;
* integration client (acting for a receiving authority): what was transferred or forwarded
  to its organization;
* everyone else (office, committee, leading group, ...): unrestricted; an unknown id is
  then answered by the command's own handler.

Read-model lag: the facts come from the `read_scope` read model, which follows the log. When
a record is not (yet) in the actor's scope, the check waits, bounded by
`read_wait_max_seconds`, for `read_scope` to reach the log's head as it was at that moment,
and decides again: a record created just before, by the same client or another, is never
refused for lag. A read model that does not catch up in time answers 503 (Retry-After), never
a wrong 404. In-scope commands and unrestricted roles do not wait. A scope withdrawn a moment
ago (a recusal not applied yet) lets the command reach the domain, whose own rules (e.g.
`require_group_member`) refuse it from the record's events: 403, nothing appended.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Any
from uuid import UUID

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from xuncha.api.http.errors import NotCaughtUp
from xuncha.commands.errors import NotFound
from xuncha.events.base import Actor, Role
from xuncha.projections import read_scope_records, tracking
from xuncha.projections.wait import wait_for_position

GROUP_PEOPLE = frozenset(
    {Role.GROUP_LEADER, Role.DEPUTY_GROUP_LEADER, Role.GROUP_MEMBER, Role.EXTERNAL_EXPERT}
)
INSPECTED = frozenset({Role.INSPECTED_ORG_PRINCIPAL, Role.INSPECTED_ORG_LIAISON})
AUTHORITIES = frozenset({Role.DISCIPLINE_COMMISSION, Role.ORGANIZATION_DEPARTMENT})


@dataclass(frozen=True)
class RecordKind:
    """A kind of record a command path names: `what` is its name in a 404's detail."""

    what: str
    is_lead: bool = False
    is_group: bool = False


# The path segment before the id -> the kind of record the id names. Kinds bound to no
# inspection (rounds, pool members, education records, streams) have no facts in
# `read_scope`: a scoped actor is refused them (no route admits one today).
RECORD_KINDS: dict[str, RecordKind] = {
    "inspections": RecordKind("inspection"),
    "findings": RecordKind("finding"),
    "rectification-items": RecordKind("rectification item"),
    "immediate-rectifications": RecordKind("immediate rectification"),
    "petitions": RecordKind("petition"),
    "interviews": RecordKind("interview record"),
    "leads": RecordKind("lead", is_lead=True),
    "supplementary-reports": RecordKind("supplementary report"),
    "groups": RecordKind("inspection group", is_group=True),
    "rounds": RecordKind("round"),
    "members": RecordKind("pool member"),
    "confession-books": RecordKind("confession book"),
    "streams": RecordKind("stream"),
}


def facts_for(role: Role, kind: RecordKind) -> tuple[str, ...] | None:
    """The facts of which one must hold for `role` to act on a record of `kind` (see
    `read_scope_records.FACTS`); None when the role is not restricted."""
    if role in GROUP_PEOPLE:
        return ("group_person",) if kind.is_group else ("membership",)
    if role in INSPECTED:
        return ("organization", "receiver")
    if role == Role.SUPERVISING_DEPARTMENT:
        return ("supervision", "receiver")
    if role in AUTHORITIES:
        return ("receiver",) if kind.is_lead else None
    if role == Role.INTEGRATION_CLIENT:
        return ("receiver",)
    return None


def kind_of(path: str, record: str) -> RecordKind | None:
    """The kind of record named by `record` in the request path (the segment before it)."""
    segments = path.strip("/").split("/")
    for before, segment in pairwise(segments):
        if segment == record:
            return RECORD_KINDS.get(before)
    return None


async def require_in_scope(request: Request, actor: Actor) -> None:
    """404 unless the record the path names is in the actor's scope (see the module)."""
    if len(request.path_params) != 1:
        return
    (raw,) = request.path_params.values()
    kind = kind_of(request.url.path, str(raw))
    facts = facts_for(actor.role, kind or RecordKind("record"))
    if facts is None:
        return
    try:
        record_id = UUID(str(raw))
    except ValueError:
        return  # names no record; validation answers 422
    container = request.app.state.container
    if not await run_in_threadpool(_allowed, container, facts, record_id, actor):
        what = kind.what if kind else "record"
        raise NotFound(f"{what} {record_id} does not exist")


def _allowed(container: Any, facts: tuple[str, ...], record_id: UUID, actor: Actor) -> bool:
    """Decide on the read model as it is; if refused, once more when it has caught up."""
    pool = container.read_pool

    def holds() -> bool:
        with pool.connection() as conn:
            return read_scope_records.holds_any(
                conn, facts, record_id, actor.user_id, actor.organization_id
            )

    if holds():
        return True
    with pool.connection() as conn:
        head = tracking.head(conn)
    timeout = container.settings.read_wait_max_seconds
    if head and not wait_for_position(pool, ("read_scope",), head, timeout):
        raise NotCaughtUp(f"the read scope has not reached position {head}; retry")
    return holds()

"""Who may read what: function-level roles per query, and the reader's object-level scope.

Every `GET` endpoint names the roles that may read it, and checks it **before** anything
else (a forbidden role gets 403 whatever its parameters)::

    from xuncha.api.http.access import READ_ALL, Scope, readable_by

    @router.get("/things", dependencies=[readable_by(*READ_ALL, Role.DASHBOARD_READER)])
    def things(conn: ReadConnection, scope: Scope) -> list[dict[str, Any]]:
        return my_read_model.things(
            conn,
            inspection_ids=scope.inspection_ids,      # None = every inspection
            organization_ids=scope.organization_ids,  # None = every organization
        )

    @router.get("/things/{thing_id}", dependencies=[readable_by(*READ_ALL)])
    def thing(thing_id: UUID, conn: ReadConnection, scope: Scope) -> dict[str, Any]:
        row = my_read_model.thing(conn, thing_id)
        # 404 when the row is missing OR outside the reader's scope: existence never leaks.
        return scope.visible(row, f"thing {thing_id}")

For a path naming an inspection, `scope.require_inspection(conn, inspection_id)` answers 404
unless that inspection is in scope. Put `readable_by` first in `dependencies` (before
`consistent_read`) so the role is checked before any wait. The OpenAPI document lists each
query's readers (`document_readers`), and `docs/authorization-matrix.md` must list the new
endpoint (`scripts/authorization_matrix.py`; a test fails otherwise).

`Scope` (object level) comes from the `read_scope` read model:

* group leader, deputy, member and outside expert: the inspections whose authorized group
  names them (`inspection_ids`), the same fact the write side checks;
* inspected organization (principal, liaison): its own organization (`organization_ids`);
* supervising department: the organizations whose registry entry names it as their
  supervising department;
* everyone else who may read the endpoint at all: everything (both None). Leads are further
  narrowed to a receiving authority's own in `routes/leads.py`.

Lists are filtered, never refused; one record outside the scope answers 404, like one that
does not exist. Command routes check the command's `allowed_roles` the same way, then the
object scope of the record their path names (`api/http/command_scope.py`), both before the body
is read (`CommandRoute`, used by `routes/factory.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Query, Request, Response
from fastapi.routing import APIRoute

from xuncha.api.http.auth import actor_from_header
from xuncha.api.http.command_scope import require_in_scope
from xuncha.api.http.deps import ContainerDep, CurrentActor, ReadConnection
from xuncha.api.http.errors import NotCaughtUp
from xuncha.api.logs import bind_command
from xuncha.commands.errors import NotFound, NotPermitted
from xuncha.events.base import Actor, Role
from xuncha.projections import read_scope
from xuncha.projections.wait import wait_for_position

# Roles that read everything their endpoints show: the bodies that run and oversee the work.
OVERSIGHT = (Role.COMMITTEE, Role.LEADING_GROUP, Role.INSPECTION_OFFICE, Role.AUDITOR)
# The receiving and results-sharing authorities (纪委监委, 组织部).
AUTHORITIES = (Role.DISCIPLINE_COMMISSION, Role.ORGANIZATION_DEPARTMENT)
# People of an inspection group: they read only the inspections their group is authorized for.
GROUP = (Role.GROUP_LEADER, Role.DEPUTY_GROUP_LEADER, Role.GROUP_MEMBER, Role.EXTERNAL_EXPERT)
GROUP_INSPECTORS = (Role.GROUP_LEADER, Role.DEPUTY_GROUP_LEADER, Role.GROUP_MEMBER)
# The inspected organization: only its own records.
INSPECTED = (Role.INSPECTED_ORG_PRINCIPAL, Role.INSPECTED_ORG_LIAISON)
# Everyone with a record-level interest in inspections (no dashboard readers, no clients).
READ_ALL = (*OVERSIGHT, *AUTHORITIES)

SCOPED_BY_MEMBERSHIP = frozenset(GROUP)
SCOPED_BY_ORGANIZATION = frozenset(INSPECTED)


class RoleNotPermitted(NotPermitted):
    """The actor's role may not use this endpoint at all (function level, 403)."""

    code = "role_not_permitted"


def readable_by(*roles: Role) -> Any:
    """A route dependency: 403 unless the token's role is one of `roles`.

    Put it in the route's `dependencies=[...]`; the roles are kept on the dependency
    (`.dependency.roles`) so tests and tools can list them.
    """
    allowed = frozenset(roles)
    names = ", ".join(sorted(allowed)) or "no role"

    def check_role(actor: CurrentActor) -> Actor:
        if actor.role not in allowed:
            raise RoleNotPermitted(
                f"the role '{actor.role}' may not read this; it is open to: {names}"
            )
        return actor

    check_role.roles = allowed  # type: ignore[attr-defined]
    return Depends(check_role)


def readable_roles(route: APIRoute) -> frozenset[Role] | None:
    """The roles a `readable_by` dependency of the route admits (None: it has none)."""
    for dependant in route.dependant.dependencies:
        roles = getattr(dependant.call, "roles", None)
        if roles is not None:
            return frozenset(roles)
    return None


@dataclass(frozen=True)
class ReadScope:
    """The records a reader may see: None means no restriction on that dimension."""

    actor: Actor
    inspection_ids: frozenset[UUID] | None = None
    organization_ids: frozenset[str] | None = None

    @property
    def unrestricted(self) -> bool:
        return self.inspection_ids is None and self.organization_ids is None

    def allows(self, *, inspection_id: Any = None, organization_id: Any = None) -> bool:
        if self.inspection_ids is not None and inspection_id not in self.inspection_ids:
            return False
        return self.organization_ids is None or organization_id in self.organization_ids

    def visible(self, row: dict[str, Any] | None, what: str) -> dict[str, Any]:
        """The row if it exists and is in scope (by its `inspection_id` / `organization_id`);
        otherwise 404, the same answer whether it is missing or someone else's."""
        if row is None or not self.allows(
            inspection_id=row.get("inspection_id"), organization_id=row.get("organization_id")
        ):
            raise NotFound(f"{what} does not exist (or the read model has not seen it yet)")
        return row

    def require_inspection(self, conn: Any, inspection_id: UUID) -> None:
        """404 unless the inspection is in scope (readers with full scope pass unchecked)."""
        if self.unrestricted:
            return
        organization_id = read_scope.inspection_organization(conn, inspection_id)
        if organization_id is None or not self.allows(
            inspection_id=inspection_id, organization_id=organization_id
        ):
            raise NotFound(
                f"inspection {inspection_id} does not exist (or the read model has not seen it)"
            )


def scope_of(actor: Actor, conn: Any) -> ReadScope:
    if actor.role in SCOPED_BY_MEMBERSHIP:
        return ReadScope(actor, inspection_ids=read_scope.member_inspections(conn, actor.user_id))
    if actor.role in SCOPED_BY_ORGANIZATION:
        return ReadScope(actor, organization_ids=frozenset({actor.organization_id}))
    if actor.role == Role.SUPERVISING_DEPARTMENT:
        supervised = read_scope.supervised_organizations(conn, actor.organization_id)
        return ReadScope(actor, organization_ids=supervised)
    return ReadScope(actor)


def current_scope(
    actor: CurrentActor,
    conn: ReadConnection,
    container: ContainerDep,
    min_position: Annotated[int | None, Query(ge=0, include_in_schema=False)] = None,
) -> ReadScope:
    if min_position and not wait_for_position(
        container.read_pool, ("read_scope",), min_position, container.settings.read_wait_max_seconds
    ):
        raise NotCaughtUp(f"the read scope has not reached position {min_position}")
    return scope_of(actor, conn)


Scope = Annotated[ReadScope, Depends(current_scope)]


def command_route(
    allowed_roles: Iterable[Role], action: str, command: str | None = None
) -> type[APIRoute]:
    """A route class that authenticates and checks the command's roles, then the object scope
    of the record its path names (`api/http/command_scope.py`), before the body is read or
    validated: a forbidden role gets 403 whatever it sends, a record outside the actor's
    scope 404 as an unknown id. The command (`command`, else `action`) and the actor are
    bound to the request's log lines (`api/logs.py`)."""
    allowed = frozenset(allowed_roles)

    class CommandRoute(APIRoute):
        roles = allowed

        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handle = super().get_route_handler()

            async def checked(request: Request) -> Response:
                settings = request.app.state.container.settings
                actor = actor_from_header(settings, request.headers.get("authorization"))
                bind_command(command or action, actor.user_id, str(actor.role))
                if actor.role not in allowed:
                    raise RoleNotPermitted(f"the role '{actor.role}' may not {action}")
                await require_in_scope(request, actor)
                return await handle(request)

            return checked

    return CommandRoute


def document_readers(app: Any) -> None:
    """Name each query's readers in the OpenAPI document (`x-readable-by` and a line of its
    description), as `x-allowed-roles` does for commands."""
    from fastapi.routing import iter_route_contexts

    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            schema: dict[str, Any] = app.openapi_schema
            return schema
        document: dict[str, Any] = generate()
        for context in iter_route_contexts(app.routes):
            route = context.original_route
            roles = readable_roles(route) if isinstance(route, APIRoute) else None
            operation = document.get("paths", {}).get(str(context.path), {}).get("get")
            if roles is None or operation is None:
                continue
            names = sorted(role.value for role in roles)
            operation["x-readable-by"] = names
            readers = "Readable by: " + ", ".join(f"`{name}`" for name in names) + "."
            operation["description"] = (operation.get("description", "") + "\n\n" + readers).strip()
        app.openapi_schema = document
        return document

    app.openapi = openapi

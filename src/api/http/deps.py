"""Annotated dependencies shared by routes; tests may override them on the app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Query, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from psycopg import Connection

from xuncha.api.container import Container
from xuncha.api.http.auth import actor_from_header
from xuncha.api.http.errors import BadRequest, NotCaughtUp
from xuncha.events.base import Actor
from xuncha.projections.wait import wait_for_position


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


# Declares the bearer scheme in the OpenAPI document; the header itself is read below, so
# that a malformed one gets its own 401 detail.
BEARER = HTTPBearer(
    auto_error=False,
    bearerFormat="JWT",
    description="HS256 JWT naming the user (`sub`), `role` and organization (`org`)",
)


def current_actor(
    container: ContainerDep,
    request: Request,
    _: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)] = None,
) -> Actor:
    return actor_from_header(container.settings, request.headers.get("authorization"))


CurrentActor = Annotated[Actor, Depends(current_actor)]


def consistent_read(*names: str) -> Callable[..., Any]:
    """A dependency that waits (bounded) until the named read models reach `min_position`."""

    def wait(
        container: ContainerDep,
        min_position: Annotated[
            int | None,
            Query(
                ge=0,
                description="Wait until the read model has applied this log position "
                "(a command's `position`), for read-your-writes.",
            ),
        ] = None,
    ) -> None:
        if min_position is None or min_position == 0:
            return
        with container.read_pool.connection() as conn:
            row = conn.execute("SELECT coalesce(max(notification_id), 0) FROM stored_events")
            head = int(row.fetchone()[0])
        if min_position > head:  # no read model will ever reach it: do not hold a thread
            raise BadRequest(
                f"min_position {min_position} is beyond the end of the log (position {head}); "
                "pass the position a command answered"
            )
        timeout = container.settings.read_wait_max_seconds
        if not wait_for_position(container.read_pool, names, min_position, timeout):
            raise NotCaughtUp(
                f"the read model has not reached position {min_position} within {timeout}s"
            )

    return wait


def read_connection(container: ContainerDep) -> Any:
    with container.read_pool.connection() as conn:
        yield conn


ReadConnection = Annotated[Connection[Any], Depends(read_connection)]

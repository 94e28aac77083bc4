"""Annotated dependencies shared by routes; tests may override them on the app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Request
from psycopg import Connection

from api.auth import actor_from_header
from api.container import Container
from api.errors import NotCaughtUp
from events.base import Actor
from projections.wait import wait_for_position


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


def current_actor(
    container: ContainerDep,
    authorization: Annotated[str | None, Header(description="Bearer JWT")] = None,
) -> Actor:
    return actor_from_header(container.settings, authorization)


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

"""`GET /read-models/positions/stream`: server-sent events of the read models' positions.

A page opens one stream (with `fetch()` and its `Authorization` header, never a token in the
URL) and refetches its figures when a position moves: one cheap query per second per open
page instead of every widget polling its endpoint. The stream ends after
`position_stream_seconds`; the page reconnects.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import anyio
import anyio.to_thread
from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from xuncha.api.container import Container
from xuncha.api.http.access import readable_by
from xuncha.api.http.deps import ContainerDep
from xuncha.events.base import Role
from xuncha.projections.tracking import positions

# Every role a token can carry reads positions: numbers only, no record.
STREAM_READERS = tuple(r for r in Role if r != Role.SYSTEM)
POLL_SECONDS = 1.0
HEARTBEAT_SECONDS = 15.0

DESCRIPTION = """
A `text/event-stream`. On connecting, and whenever a read model moves, one event
`positions` whose `data` is JSON `{"log_head": int, "read_models": {name: position}}`;
a comment line (`: keep-alive`) every 15 s otherwise. The answer ends after the configured
`position_stream_seconds` (default 55 s): reconnect. Send the bearer token in the
`Authorization` header (read the stream with `fetch()`), never in the URL.
"""


class Positions(BaseModel):
    """The `data` of one `positions` event."""

    log_head: int
    read_models: dict[str, int]


def read_positions(container: Container) -> Positions:
    with container.read_pool.connection() as conn:
        tracked = positions(conn)
    return Positions(log_head=container.store.head(), read_models=tracked)


def event(positions_now: Positions) -> str:
    return f"event: positions\ndata: {json.dumps(positions_now.model_dump())}\n\n"


async def stream(container: Container) -> AsyncIterator[str]:
    """Positions now, then each change, until the stream's life is over."""
    last: Positions | None = None
    quiet = 0.0
    with anyio.move_on_after(container.settings.position_stream_seconds):
        while True:
            now = await anyio.to_thread.run_sync(read_positions, container)
            if now != last:
                last, quiet = now, 0.0
                yield event(now)
            elif quiet >= HEARTBEAT_SECONDS:
                quiet = 0.0
                yield ": keep-alive\n\n"
            await anyio.sleep(POLL_SECONDS)
            quiet += POLL_SECONDS


# One server-sent event: `event: positions`, `data:` the JSON of `Positions`.
EVENT_SCHEMA = {
    "type": "object",
    "properties": {
        "event": {"const": "positions"},
        "data": {
            "type": "string",
            "contentMediaType": "application/json",
            "contentSchema": Positions.model_json_schema(),
        },
    },
    "required": ["event", "data"],
}

router = APIRouter(tags=["queries"])


@router.get(
    "/read-models/positions/stream",
    summary="Server-sent events: read-model positions, on connect and on every change",
    description=DESCRIPTION,
    dependencies=[readable_by(*STREAM_READERS)],
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "`text/event-stream` of `positions` events (data: Positions)",
            "content": {"text/event-stream": {"schema": EVENT_SCHEMA}},
        }
    },
)
def positions_stream(container: ContainerDep) -> Any:
    return StreamingResponse(
        stream(container),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def routers() -> list[APIRouter]:
    return [router]

"""Auditors' endpoints: the audit trail (a read model) and, later in this module, the
timelines and exports built on it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from api.deps import CurrentActor, ReadConnection, consistent_read
from projections import audit_trail

AUDIT = Depends(consistent_read("audit_trail"))
Limit = Annotated[int, Query(ge=1, le=500, description="Page size")]


def trail() -> APIRouter:
    r = APIRouter(tags=["audit"])

    @r.get(
        "/audit-trail", dependencies=[AUDIT], summary="Every event with its metadata, in log order"
    )
    def audit(
        conn: ReadConnection,
        _: CurrentActor,
        stream_id: UUID | None = None,
        actor_user_id: str | None = None,
        type: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        after_position: Annotated[int, Query(ge=0)] = 0,
        limit: Limit = 100,
    ) -> list[dict[str, Any]]:
        f = audit_trail.AuditFilter(
            stream_id, actor_user_id, type, since, until, after_position, limit
        )
        return audit_trail.search(conn, f)

    return r


def routers() -> list[APIRouter]:
    return [trail()]

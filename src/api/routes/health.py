"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import ContainerDep
from projections.tracking import positions

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is alive")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="The database answers; read-model positions and the log head")
def readyz(container: ContainerDep) -> Any:
    try:
        head = container.store.head()
        with container.read_pool.connection(timeout=2) as conn:
            tracked = positions(conn)
    except Exception as error:  # any failure to reach the database means not ready
        return JSONResponse({"status": "unavailable", "detail": type(error).__name__}, 503)
    lag = {name: head - position for name, position in tracked.items()}
    return {"status": "ready", "log_head": head, "read_models": tracked, "lag": lag}

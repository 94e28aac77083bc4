"""Offset pages of a read model's rows: `{items, total, limit, offset}` (docs/read-models.md,
"Pages")."""

from __future__ import annotations

from typing import Any

from psycopg import Connection
from psycopg.rows import dict_row


def count_rows(
    conn: Connection[Any],
    select: str,
    params: dict[str, Any],
    *,
    shown: int,
    limit: int,
    offset: int,
) -> int:
    """How many rows `select` matches. A page that is neither full nor empty past the start
    already says it (the rows before it, plus its own), so the count runs only otherwise."""
    if 0 < shown < limit or (shown == 0 and offset == 0):
        return offset + shown
    row = conn.execute(f"SELECT count(*) FROM ({select}) counted", params).fetchone()
    return int(row[0]) if row else 0


def fetch_page(
    conn: Connection[Any],
    select: str,
    params: dict[str, Any],
    *,
    order_by: str,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    """The page of `select` (no ORDER BY, LIMIT or OFFSET of its own) in `order_by` order."""
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(
            f"{select} ORDER BY {order_by} LIMIT %(page_limit)s OFFSET %(page_offset)s",
            {**params, "page_limit": limit, "page_offset": offset},
        )
        rows = cur.fetchall()
    total = count_rows(conn, select, params, shown=len(rows), limit=limit, offset=offset)
    return page_of(rows, total, limit, offset)


def page_of(items: list[Any], total: int, limit: int, offset: int) -> dict[str, Any]:
    """A page of rows already fetched."""
    return {"items": items, "total": total, "limit": limit, "offset": offset}


def items_of(page: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of a page (for a caller that pages itself)."""
    items: list[dict[str, Any]] = page["items"]
    return items

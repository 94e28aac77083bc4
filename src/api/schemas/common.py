"""What every answer shares: a closed object (no undeclared field) and the offset page."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict


class Answer(BaseModel):
    """The base of every response model: a field that is not declared is an error, so the
    OpenAPI document says `additionalProperties: false` and a read model that grows a column
    must grow its model too (the conformance tests fail otherwise)."""

    model_config = ConfigDict(extra="forbid")


Row = TypeVar("Row")


class Page(Answer, Generic[Row]):
    """An offset page: `items` from `offset` on, at most `limit` of them, out of `total`."""

    items: list[Row]
    total: int = Field(description="Rows matching the filter, on every page")
    limit: int = Field(description="Page size asked for")
    offset: int = Field(description="Rows skipped before the first item")


def page(items: list[Any], total: int, limit: int, offset: int) -> dict[str, Any]:
    """The `Page` of a list the read model returned."""
    return {"items": items, "total": total, "limit": limit, "offset": offset}


# Deliberately free-form values, marked so that the OpenAPI walk can tell them from an
# untyped answer (tests/contract/test_openapi_answers.py).
FREE_FORM: JsonDict = {"x-free-form": True}

EventData = Annotated[
    dict[str, Any],
    Field(
        description="The event's public data (sealed fields read `[sealed]`). Free-form: its "
        "fields are those of the event type and schema version named beside it "
        "(docs/contract), which differ from one type to another.",
        json_schema_extra=FREE_FORM,
    ),
]

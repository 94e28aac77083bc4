"""What every answer shares: a closed object (no undeclared field) and the offset page."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.config import JsonDict


class Answer(BaseModel):
    """The base of every response model: a field that is not declared is an error, so the
    OpenAPI document says `additionalProperties: false` and a read model that grows a column
    must grow its model too (the conformance tests fail otherwise)."""

    model_config = ConfigDict(extra="forbid")


class View(BaseModel):
    """A closed answer read out of a larger stored document (a record's read model keeps
    more than it shows): fields the model does not declare are left out of the answer, so
    what is served is exactly what the OpenAPI document declares (`additionalProperties:
    false`)."""

    model_config = ConfigDict(extra="ignore", json_schema_extra={"additionalProperties": False})


Row = TypeVar("Row")


class Page(Answer, Generic[Row]):
    """An offset page: `items` from `offset` on, at most `limit` of them, out of `total`."""

    items: list[Row]
    total: int = Field(description="Rows matching the filter, on every page")
    limit: int = Field(description="Page size asked for")
    offset: int = Field(description="Rows skipped before the first item")


Model = TypeVar("Model", bound=BaseModel)


class AnswerMismatch(RuntimeError):
    """A read model answered something its response model does not describe: a server fault
    (500), never the client's (a pydantic `ValidationError` would be answered 422)."""


def answer(model: type[Model], data: Any) -> Model:
    """`data` as `model`, or `AnswerMismatch`."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise AnswerMismatch(f"{model.__name__} does not describe the answer: {error}") from error


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

"""The read contract in the OpenAPI document: every GET declares what its 200 answers, every
object in those answers is closed (`additionalProperties: false`) unless a field is marked
free-form and says why, and every page has one shape."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any, cast

import pytest
from pydantic import ValidationError

from xuncha.api.container import Container
from xuncha.api.http.app import create_app
from xuncha.api.http.schemas.common import AnswerMismatch, answer
from xuncha.api.http.schemas.health import Alive
from xuncha.api.settings import Settings

OFFSET_PAGE = {"items", "total", "limit", "offset"}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return create_app(cast(Container, SimpleNamespace(settings=Settings()))).openapi()


def _gets(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, operations in document["paths"].items():
        if "get" in operations:
            yield path, operations["get"]


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema


def _walk(document: dict[str, Any], schema: Any, where: str, seen: set[str]) -> Iterator[str]:
    """Every object schema reachable from `schema` that is open without saying why."""
    if not isinstance(schema, dict):
        return
    ref = schema.get("$ref")
    if ref is not None:
        if ref in seen:
            return
        seen.add(ref)
        yield from _walk(document, _resolve(document, schema), ref, seen)
        return
    if schema.get("x-free-form"):
        if not schema.get("description"):
            yield f"{where}: free-form without a description saying why"
        return
    if schema == {} or (schema.get("type") == "object" and "properties" not in schema):
        # a bare object, or a map: only a map whose values are typed is closed
        values = schema.get("additionalProperties", True)
        if values is True or values == {}:
            yield f"{where}: an untyped object"
    if "properties" in schema and schema.get("additionalProperties") is not False:
        yield f"{where}: allows undeclared properties"
    for key in ("items", "additionalProperties"):
        yield from _walk(document, schema.get(key), f"{where}.{key}", seen)
    for name, sub in schema.get("properties", {}).items():
        yield from _walk(document, sub, f"{where}.{name}", seen)
    for key in ("anyOf", "oneOf", "allOf"):
        for i, sub in enumerate(schema.get(key, [])):
            yield from _walk(document, sub, f"{where}.{key}[{i}]", seen)


def _json_answer(operation: dict[str, Any]) -> dict[str, Any] | None:
    return operation["responses"].get("200", {}).get("content", {}).get("application/json")


def test_every_get_declares_its_answer(document: dict[str, Any]) -> None:
    missing = []
    for path, operation in _gets(document):
        content = operation["responses"].get("200", {}).get("content", {})
        schemas = [c.get("schema") for c in content.values()]
        if not schemas or any(not s or s == {} for s in schemas):
            missing.append(path)
    assert missing == []
    assert len(list(_gets(document))) >= 34


def test_no_answer_allows_undeclared_fields(document: dict[str, Any]) -> None:
    open_objects = []
    for path, operation in _gets(document):
        answer = _json_answer(operation)
        if answer is not None:
            open_objects += list(_walk(document, answer["schema"], f"GET {path}", set()))
    assert open_objects == []


def test_the_walk_finds_an_open_object() -> None:
    """The checks above can fail: an untyped answer and an open model are both reported."""
    document = {
        "components": {
            "schemas": {
                "Open": {"type": "object", "properties": {"a": {"type": "integer"}}},
                "Loose": {"type": "object", "additionalProperties": True},
            }
        }
    }
    assert list(_walk(document, {"$ref": "#/components/schemas/Open"}, "x", set())) == [
        "#/components/schemas/Open: allows undeclared properties"
    ]
    assert list(_walk(document, {"$ref": "#/components/schemas/Loose"}, "x", set())) == [
        "#/components/schemas/Loose: an untyped object"
    ]
    assert list(_walk(document, {"type": "object"}, "x", set())) == ["x: an untyped object"]


def test_every_list_is_a_page_of_one_shape(document: dict[str, Any]) -> None:
    """An answer that lists rows is an offset page `{items, total, limit, offset}`, or a
    keyset page `{items, limit, after_<cursor>, next_after_<cursor>}`; never a bare list."""
    bare, odd = [], []
    for path, operation in _gets(document):
        answer = _json_answer(operation)
        if answer is None:
            continue
        schema = _resolve(document, answer["schema"])
        if schema.get("type") == "array":
            bare.append(path)
            continue
        fields = set(schema.get("properties", {}))
        if "items" in fields:
            keyset = {f for f in fields if f.startswith("after_") or f.startswith("next_after_")}
            if not (fields >= OFFSET_PAGE or ({"items", "limit"} <= fields and len(keyset) == 2)):
                odd.append(path)
    assert bare == []
    assert odd == []


def test_dashboards_put_their_figures_under_totals(document: dict[str, Any]) -> None:
    for path, operation in _gets(document):
        if not path.startswith("/dashboards/") or path == "/dashboards/rounds":
            continue  # `/dashboards/rounds` is a page of rounds, each with its figures
        schema = _resolve(document, _json_answer(operation)["schema"])  # type: ignore[index]
        assert "totals" in schema["properties"], path


def test_an_answer_its_model_does_not_describe_is_a_server_fault() -> None:
    """A read model that grew a column its answer does not declare is refused as the server's
    fault (500), not answered 422 as if the client had sent something invalid."""
    assert answer(Alive, {"status": "ok"}) == Alive(status="ok")
    with pytest.raises(AnswerMismatch, match="Alive"):
        answer(Alive, {"status": "ok", "uptime": 3})
    assert not issubclass(AnswerMismatch, ValidationError)

"""Deterministic example payloads for every event model, used to write the golden files.

Golden files are written once (`python -m tests.contract.examples`) and then reviewed and
committed; from then on the contract test compares the code against them, so a change to an
event's JSON shape fails until the version is bumped or the change is deliberate.
"""

from __future__ import annotations

import json
import types
import typing
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import BaseModel

from xuncha.events import REGISTRY

GOLDEN = Path(__file__).parent / "golden"


def example(annotation: Any, name: str) -> Any:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        return example(inner[0], name)
    if origin is list:
        return [example(typing.get_args(annotation)[0], name)]
    if origin is dict:
        return {"example_key": example(typing.get_args(annotation)[1], name)}
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return example_of(annotation)
        if issubclass(annotation, Enum):
            return next(iter(annotation)).value
        if annotation is bool:
            return True
        if annotation is int:
            return 1
        if annotation is float:
            return 0.5
        if annotation is UUID:
            return str(uuid5(NAMESPACE_URL, f"xuncha:example:{name}"))
        if annotation is datetime:
            return "2026-03-01T08:00:00Z"
        if annotation is date:
            return "2026-03-01"
        if annotation is str:
            return f"example {name}"
    raise TypeError(f"no example for {annotation!r} ({name})")


def example_of(model: type[BaseModel]) -> dict[str, Any]:
    return {name: example(f.annotation, name) for name, f in model.model_fields.items()}


def golden_path(type_name: str, version: int) -> Path:
    return GOLDEN / f"{type_name}.v{version}.json"


def write_missing() -> list[Path]:
    """Write golden files for versions that have none; never overwrite an existing one."""
    written = []
    models: list[tuple[str, int, type[BaseModel]]] = [
        (c.type_name, c.schema_version, c) for c in REGISTRY
    ]
    models += [(n, v, m) for n, v, m in REGISTRY.legacy_versions() if m is not None]
    for type_name, version, model in models:
        path = golden_path(type_name, version)
        if not path.exists():
            data = model.model_validate(example_of(model)).model_dump(mode="json")
            path.write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
            written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write_missing():
        print(written_path)

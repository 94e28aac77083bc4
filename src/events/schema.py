"""JSON Schemas of every registered event type and version."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from xuncha.events.registry import REGISTRY, EventRegistry


def schema_of(cls: type[Any], type_name: str, version: int) -> dict[str, Any]:
    schema: dict[str, Any] = cls.model_json_schema()
    schema["$id"] = f"urn:xuncha:event:{type_name}:v{version}"
    schema["title"] = f"{type_name} v{version}"
    return schema


def all_schemas(registry: EventRegistry = REGISTRY) -> dict[str, dict[str, Any]]:
    """File name -> schema, for current and still-readable legacy versions."""
    out = {
        f"{cls.type_name}.v{cls.schema_version}.json": schema_of(
            cls, cls.type_name, cls.schema_version
        )
        for cls in registry
    }
    for name, version, model in registry.legacy_versions():
        if model is not None:
            out[f"{name}.v{version}.json"] = schema_of(model, name, version)
    return out


def write_schemas(directory: Path, registry: EventRegistry = REGISTRY) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for file_name, schema in all_schemas(registry).items():
        path = directory / file_name
        path.write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n")
        written.append(path)
    return written

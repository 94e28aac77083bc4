"""A minimal valid JSON instance of an OpenAPI / JSON Schema: required properties only, each at
its lower bound (the shortest string, the smallest number, the fewest items, the first enum
value, the first non-null alternative). Tests use it to send a body that passes validation
without writing one per route by hand."""

from __future__ import annotations

from typing import Any

from xuncha.events.office_day import office_today

SOME_UUID = "00000000-0000-4000-8000-000000000001"
# A special round's proposal (ProposeRound), as the runner's tests drive the log with it.
SPECIAL_ROUND = {
    "jurisdiction_id": "yulin",
    "committee": "市委",
    "round_type": "special",
    "topic": "营商环境",
    "planned_start": "2026-09-01",
    "planned_end": "2026-12-01",
}


def formats() -> dict[str, str]:
    """Instances of the string formats; dates are the offices' today when the body is built."""
    today = office_today().isoformat()
    return {
        "date": today,
        "date-time": f"{today}T08:00:00+08:00",
        "uuid": SOME_UUID,
        "email": "office@example.org",
        "uri": "https://example.org/x",
    }


class Minimal:
    """Instances of the schemas of one OpenAPI document (its `components` resolve `$ref`)."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})

    def of(self, schema: dict[str, Any]) -> Any:
        if "$ref" in schema:
            return self.of(self.schemas[schema["$ref"].rsplit("/", 1)[-1]])
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return schema["enum"][0]
        for combined in ("anyOf", "oneOf"):
            if combined in schema:
                options = [s for s in schema[combined] if s.get("type") != "null"]
                return self.of(options[0]) if options else None
        if "allOf" in schema:
            return self.of({k: v for part in schema["allOf"] for k, v in part.items()})
        return self._typed(schema)

    def _typed(self, schema: dict[str, Any]) -> Any:
        kind = schema.get("type", "object")
        if kind == "object":
            properties = schema.get("properties", {})
            return {name: self.of(properties[name]) for name in schema.get("required", [])}
        if kind == "array":
            return [self.of(schema.get("items", {})) for _ in range(schema.get("minItems", 0))]
        if kind == "string":
            known = formats()
            if schema.get("format") in known:
                return known[schema["format"]]
            return "x" * max(1, schema.get("minLength", 1))
        if kind in ("integer", "number"):
            low = schema.get("minimum", schema.get("exclusiveMinimum", -1) + 1)
            value = max(low, 1) if schema.get("maximum", 1) >= 1 else low
            return int(value) if kind == "integer" else value
        if kind == "boolean":
            return False
        return None

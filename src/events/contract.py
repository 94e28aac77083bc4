"""The published contract of the integration events: a JSON Schema per type and version, and
an AsyncAPI 3.0 document of the topics, keys, headers and payloads.

`write_contract` writes them into a folder that is committed (``docs/contract``); a test fails
when the committed files drift from the code. Under ``published/`` each type and version is
frozen the first time it is written and never rewritten: later schemas of the same version must
stay backward compatible with it (`compatibility_problems`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from xuncha.events.integration import (
    CONTENT_TYPE,
    DEAD_LETTER_SUFFIX,
    DISPOSITIONS_TOPIC,
    INBOUND,
    SPEC_VERSION,
    TOPICS,
    IntegrationEvent,
    integration_types,
)

HEADERS: dict[str, Any] = {
    "type": "object",
    "description": "CloudEvents 1.0 Kafka protocol binding, binary mode: attributes as headers",
    "required": [
        "ce_specversion",
        "ce_id",
        "ce_source",
        "ce_type",
        "ce_subject",
        "ce_time",
        "ce_dataschema",
        "content-type",
    ],
    "properties": {
        "ce_specversion": {"type": "string", "const": SPEC_VERSION},
        "ce_id": {
            "type": "string",
            "format": "uuid",
            "description": "the domain event id (a second message of the same event: a UUIDv5 of"
            " it and ce_type): stable across re-sends; deduplicate on it",
        },
        "ce_source": {"type": "string", "description": "the publishing Xuncha instance"},
        "ce_type": {"type": "string", "description": "type name with its version"},
        "ce_subject": {"type": "string", "description": "the aggregate id (= the key)"},
        "ce_time": {"type": "string", "format": "date-time"},
        "ce_dataschema": {"type": "string", "description": "the $id of the payload schema"},
        "ce_xunchastreamversion": {
            "type": "string",
            "description": "the aggregate's version after this event (orders one aggregate)",
        },
        "ce_traceparent": {
            "type": "string",
            "pattern": "^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$",
            "description": "CloudEvents distributed-tracing extension: the W3C trace context"
            " of the command that recorded the event; only when that command was traced",
        },
        "content-type": {"type": "string", "const": CONTENT_TYPE},
    },
}


def schema_of(cls: type[IntegrationEvent]) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": cls.schema_id(),
    }
    schema.update(cls.model_json_schema())
    schema["title"] = cls.ce_type()
    return schema


def schema_file(cls: type[IntegrationEvent]) -> str:
    return f"{cls.ce_type()}.json"


def all_types() -> list[type[IntegrationEvent]]:
    return [*integration_types(), *sorted(INBOUND.values(), key=lambda c: c.ce_type())]


def asyncapi() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    by_topic: dict[str, list[type[IntegrationEvent]]] = {}
    for cls in all_types():
        by_topic.setdefault(cls.topic, []).append(cls)
        name = cls.ce_type().replace(".", "_")
        messages[name] = {
            "name": cls.ce_type(),
            "title": cls.__name__,
            "summary": (cls.__doc__ or cls.ce_type()).strip().splitlines()[0],
            "contentType": CONTENT_TYPE,
            "headers": {"$ref": "#/components/schemas/CloudEventHeaders"},
            "payload": {"$ref": f"schemas/{schema_file(cls)}"},
            "bindings": {
                "kafka": {
                    "key": {"type": "string", "format": "uuid", "description": "aggregate id"},
                    "bindingVersion": "0.5.0",
                }
            },
        }
    descriptions = {
        **TOPICS,
        DISPOSITIONS_TOPIC: "inbound: the discipline commission's lead acknowledgements, "
        "dispositions and outcomes (key: lead id)",
    }
    for topic, classes in sorted(by_topic.items()):
        channel = topic.replace(".", "_")
        channels[channel] = {
            "address": topic,
            "description": descriptions.get(topic, topic)
            + ". Deployments may prefix the address (XUNCHA_KAFKA_TOPIC_PREFIX).",
            "messages": {
                c.ce_type().replace(".", "_"): {
                    "$ref": f"#/components/messages/{c.ce_type().replace('.', '_')}"
                }
                for c in classes
            },
        }
        inbound = topic == DISPOSITIONS_TOPIC
        operations[("receive_" if inbound else "publish_") + channel] = {
            "action": "receive" if inbound else "send",
            "channel": {"$ref": f"#/channels/{channel}"},
        }
    dead = DISPOSITIONS_TOPIC + DEAD_LETTER_SUFFIX
    channels[dead.replace(".", "_")] = {
        "address": dead,
        "description": "inbound messages refused by the adapter, unchanged, with headers "
        "x_dlq_reason and x_dlq_source (topic/partition/offset)",
    }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Xuncha integration events",
            "version": "1",
            "description": "Minimized integration events of Xuncha (巡察). One topic per "
            "aggregate type; key = aggregate id; order is kept per key; delivery is "
            "at-least-once: deduplicate on ce_id. Within one version a payload only gains "
            "optional fields; consumers ignore fields they do not know.",
        },
        "defaultContentType": CONTENT_TYPE,
        "channels": channels,
        "operations": operations,
        "components": {
            "schemas": {"CloudEventHeaders": HEADERS},
            "messages": messages,
        },
    }


def render(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def contract_files() -> dict[str, str]:
    """Relative path -> content, for everything generated from the code."""
    files = {f"schemas/{schema_file(cls)}": render(schema_of(cls)) for cls in all_types()}
    files["asyncapi.json"] = render(asyncapi())
    return files


def write_contract(directory: Path) -> list[Path]:
    written = []
    for relative, content in contract_files().items():
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
        written.append(path)
        if relative.startswith("schemas/"):
            frozen = directory / "published" / Path(relative).name
            if not frozen.exists():
                frozen.parent.mkdir(parents=True, exist_ok=True)
                frozen.write_text(content)
                written.append(frozen)
    return written


def compatibility_problems(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Why a consumer built on `old` could not read messages valid under `new` (same version):
    required fields must stay the same, no property may disappear or change its schema, and
    added properties must be optional."""
    problems = []
    old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
    if added := new_required - old_required:
        problems.append(f"required fields added: {sorted(added)}")
    if removed := old_required - new_required:
        problems.append(f"required fields removed: {sorted(removed)}")
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    for name, schema in old_props.items():
        if name not in new_props:
            problems.append(f"property removed: {name}")
        elif new_props[name] != schema:
            problems.append(f"property changed: {name}")
    if old.get("$defs", {}) != {
        k: v for k, v in new.get("$defs", {}).items() if k in old.get("$defs", {})
    }:
        problems.append("a referenced definition changed")
    return problems

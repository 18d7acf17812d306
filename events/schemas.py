"""Generate the published contract documents from the models, and check compatibility.

`glens events schema` writes `openapi.yaml` (OpenAPI 3.1), `asyncapi.yaml` (AsyncAPI 3.0) and
`catalog.json`, and freezes the first publication of each major version under `published/`.
Tests fail when the committed files drift from the models, and on a breaking change against the
frozen version unless CONTRACT_VERSION's major is bumped.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import RootModel
from pydantic.json_schema import models_json_schema

from events.catalog import CATALOG, render_catalog_json
from events.models import CONTRACT_VERSION, EVENT_MODELS, AnyEvent, RunResults

EVENTS_DIR = Path(__file__).parent
OPENAPI_PATH = EVENTS_DIR / "openapi.yaml"
ASYNCAPI_PATH = EVENTS_DIR / "asyncapi.yaml"
PUBLISHED_DIR = EVENTS_DIR / "published"
REF_TEMPLATE = "#/components/schemas/{model}"


class Event(RootModel[AnyEvent]):
    """Any glens event; `event_type` selects the schema."""


def component_schemas() -> dict[str, Any]:
    """JSON Schema 2020-12 of every event, payload and the run-results document."""
    models = [Event, *EVENT_MODELS, RunResults]
    _, top = models_json_schema(
        [(model, "validation") for model in models], ref_template=REF_TEMPLATE
    )
    return dict(sorted(top["$defs"].items()))


def _info(title: str) -> dict[str, Any]:
    return {
        "title": title,
        "version": CONTRACT_VERSION,
        "description": (
            "Domain events of glens, published to Google Cloud Pub/Sub. Generated from the "
            "Pydantic models in events/models.py by `glens events schema`; do not edit by hand."
        ),
    }


def openapi_document() -> dict[str, Any]:
    """OpenAPI 3.1: every schema under components/schemas; no paths (events are not HTTP)."""
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": _info("glens events"),
        "paths": {},
        "components": {"schemas": component_schemas()},
    }


def _message_id(event_type: str) -> str:
    return "".join(part.capitalize() for part in event_type.split("."))


def asyncapi_document() -> dict[str, Any]:
    """AsyncAPI 3.0: channels are the catalog's topics, messages its events, Pub/Sub bindings."""
    attribute_headers = {
        "type": "object",
        "description": "Pub/Sub message attributes",
        "required": [
            "event_type",
            "workspace_id",
            "ce-id",
            "ce-type",
            "ce-source",
            "ce-specversion",
            "ce-time",
        ],
        "properties": {
            "event_type": {"type": "string"},
            "workspace_id": {"type": "string"},
            "ce-id": {"type": "string", "description": "= event_id"},
            "ce-type": {"type": "string", "description": "glens.<event_type>"},
            "ce-source": {"type": "string"},
            "ce-specversion": {"const": "1.0"},
            "ce-time": {"type": "string", "format": "date-time"},
            "content-type": {"const": "application/json"},
        },
    }
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for route in CATALOG:
        msg_id = _message_id(route.event_type)
        messages[msg_id] = {
            "name": route.event_type,
            "title": route.event_type,
            "summary": route.description,
            "contentType": "application/json",
            "headers": attribute_headers,
            "payload": {"$ref": f"#/components/schemas/{route.event_model.__name__}"},
            "bindings": {"googlepubsub": {"bindingVersion": "0.2.0"}},
        }
        channels[route.topic] = {
            "address": route.topic,
            "messages": {msg_id: {"$ref": f"#/components/messages/{msg_id}"}},
            "bindings": {
                "googlepubsub": {
                    "bindingVersion": "0.2.0",
                    "messageRetentionDuration": "604800s",
                    "messageStoragePolicy": {"allowedPersistenceRegions": ["europe-west1"]},
                }
            },
        }
        operations[f"publish{msg_id}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{route.topic}"},
            "messages": [{"$ref": f"#/channels/{route.topic}/messages/{msg_id}"}],
        }
        operations[f"receive{msg_id}"] = {
            "action": "receive",
            "summary": f"{route.function} starts Prefect deployment {route.deployment}",
            "channel": {"$ref": f"#/channels/{route.topic}"},
            "messages": [{"$ref": f"#/channels/{route.topic}/messages/{msg_id}"}],
        }
    return {
        "asyncapi": "3.0.0",
        "info": _info("glens events"),
        "defaultContentType": "application/json",
        "servers": {
            "production": {"host": "pubsub.googleapis.com", "protocol": "googlepubsub"},
            "emulator": {"host": "127.0.0.1:8085", "protocol": "googlepubsub"},
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": component_schemas()},
    }


def dump_yaml(document: dict[str, Any]) -> str:
    """Stable YAML text (key order kept, so diffs stay small)."""
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def rendered_documents() -> dict[Path, str]:
    """Every generated file and its exact text."""
    return {
        OPENAPI_PATH: dump_yaml(openapi_document()),
        ASYNCAPI_PATH: dump_yaml(asyncapi_document()),
        EVENTS_DIR / "catalog.json": render_catalog_json(),
    }


def published_snapshot_path(version: str = CONTRACT_VERSION) -> Path:
    """Where the first publication of a major version is frozen."""
    return PUBLISHED_DIR / f"v{version.split('.')[0]}.json"


def write_documents() -> list[Path]:
    """Regenerate the documents; freeze the current major's schemas if not frozen yet."""
    written = []
    for path, text in rendered_documents().items():
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            written.append(path)
    snapshot = published_snapshot_path()
    if not snapshot.exists():
        snapshot.parent.mkdir(exist_ok=True)
        snapshot.write_text(
            json.dumps({"version": CONTRACT_VERSION, "schemas": component_schemas()}, indent=2)
            + "\n"
        )
        written.append(snapshot)
    return written


# --- compatibility ----------------------------------------------------------------------------


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref:
        return defs.get(ref.rsplit("/", 1)[-1], {})
    return schema


def _types(schema: dict[str, Any], defs: dict[str, Any]) -> set[str]:
    schema = _resolve(schema, defs)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            out: set[str] = set()
            for option in schema[key]:
                out |= _types(option, defs)
            return out
    if "const" in schema:
        return {f"const:{json.dumps(schema['const'])}"}
    if "enum" in schema:
        return {f"const:{json.dumps(v)}" for v in schema["enum"]}
    kind = schema.get("type")
    if kind is None:
        return {"object"} if "properties" in schema else {"any"}
    kinds = set(kind) if isinstance(kind, list) else {kind}
    return kinds


def _narrowed(old: set[str], new: set[str]) -> set[str]:
    if "any" in new:
        return set()
    lost = set()
    for kind in old:
        if kind in new:
            continue
        if kind.startswith("const:"):
            value = json.loads(kind[6:])
            base = {str: "string", bool: "boolean", int: "integer", float: "number"}.get(
                type(value)
            )
            if base in new or (base == "integer" and "number" in new):
                continue
        if kind == "integer" and "number" in new:
            continue
        lost.add(kind)
    return lost


_TIGHTER_IF_HIGHER = ("minimum", "exclusiveMinimum", "minLength", "minItems")
_TIGHTER_IF_LOWER = ("maximum", "exclusiveMaximum", "maxLength", "maxItems")


def _compare(
    path: str,
    old: dict[str, Any],
    new: dict[str, Any],
    old_defs: dict[str, Any],
    new_defs: dict[str, Any],
    seen: set[tuple[str, str]],
) -> list[str]:
    old_r, new_r = _resolve(old, old_defs), _resolve(new, new_defs)
    key = (json.dumps(old_r, sort_keys=True), json.dumps(new_r, sort_keys=True))
    if key in seen:
        return []
    seen.add(key)
    problems = []
    lost = _narrowed(_types(old_r, old_defs), _types(new_r, new_defs))
    if lost:
        problems.append(f"{path}: type narrowed, no longer accepts {sorted(lost)}")
    for name in _TIGHTER_IF_HIGHER:
        if name in new_r and new_r[name] > old_r.get(name, float("-inf")):
            problems.append(f"{path}: {name} raised to {new_r[name]}")
    for name in _TIGHTER_IF_LOWER:
        if name in new_r and new_r[name] < old_r.get(name, float("inf")):
            problems.append(f"{path}: {name} lowered to {new_r[name]}")
    if new_r.get("pattern") and new_r.get("pattern") != old_r.get("pattern"):
        problems.append(f"{path}: pattern changed to {new_r['pattern']!r}")
    if new_r.get("format") and new_r.get("format") != old_r.get("format"):
        problems.append(f"{path}: format changed to {new_r['format']!r}")
    old_props, new_props = old_r.get("properties", {}), new_r.get("properties", {})
    for prop in old_props:
        if prop not in new_props:
            problems.append(f"{path}.{prop}: field removed")
        else:
            problems += _compare(
                f"{path}.{prop}", old_props[prop], new_props[prop], old_defs, new_defs, seen
            )
    added_required = set(new_r.get("required", [])) - set(old_r.get("required", []))
    for prop in sorted(added_required):
        problems.append(f"{path}.{prop}: new required field")
    if (
        old_r.get("additionalProperties", True) is not False
        and new_r.get("additionalProperties") is False
    ):
        problems.append(f"{path}: closed to additional properties")
    for combinator in ("anyOf", "oneOf"):
        for index, (o, n) in enumerate(
            zip(old_r.get(combinator, []), new_r.get(combinator, []), strict=False)
        ):
            problems += _compare(f"{path}[{index}]", o, n, old_defs, new_defs, seen)
    if "items" in old_r and "items" in new_r:
        problems += _compare(f"{path}[]", old_r["items"], new_r["items"], old_defs, new_defs, seen)
    return problems


def breaking_changes(old_schemas: dict[str, Any], new_schemas: dict[str, Any]) -> list[str]:
    """Changes that would break a reader or producer of the old contract."""
    problems = []
    for name, old in old_schemas.items():
        if name not in new_schemas:
            problems.append(f"{name}: schema removed")
            continue
        problems += _compare(name, old, new_schemas[name], old_schemas, new_schemas, set())
    return problems

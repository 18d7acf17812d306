"""Parse and validate events, with errors that name the field."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter, ValidationError

from events.catalog import EVENT_TYPES
from events.models import MAX_EVENT_BYTES, WIRE_REQUIRED, AnyEvent

_EVENT_ADAPTER: TypeAdapter[AnyEvent] = TypeAdapter(AnyEvent)


@dataclass(frozen=True)
class Problem:
    """One reason an event is invalid; `field` is a dotted path such as `payload.failed`."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class EventValidationError(ValueError):
    """The input is not a valid event. `kind` says which check failed."""

    def __init__(self, problems: list[Problem], kind: str = "schema"):
        self.problems = problems
        self.kind = kind  # "json", "size", "unknown_type", "schema"
        super().__init__("; ".join(str(p) for p in problems))


def _field_path(loc: tuple[Any, ...], tag: str | None) -> str:
    parts = list(loc)
    if parts and tag is not None and parts[0] == tag:
        parts = parts[1:]  # pydantic puts the union's tag first; operators think in fields
    return ".".join(str(p) for p in parts) or "event"


def _problems(error: ValidationError, tag: str | None) -> tuple[list[Problem], str]:
    problems: list[Problem] = []
    kind = "schema"
    for item in error.errors(include_url=False):
        if item["type"] == "union_tag_invalid":
            kind = "unknown_type"
            got = (
                item.get("input", {}).get("event_type")
                if isinstance(item.get("input"), dict)
                else None
            )
            problems.append(
                Problem(
                    "event_type",
                    f"unknown event type {got!r}; expected one of {', '.join(EVENT_TYPES)}",
                )
            )
        elif item["type"] == "union_tag_not_found":
            problems.append(Problem("event_type", "Field required"))
        else:
            problems.append(Problem(_field_path(item["loc"], tag), item["msg"]))
    return problems, kind


def parse_event(raw: bytes | str | Mapping[str, Any]) -> AnyEvent:
    """Parse one event from JSON text or a decoded mapping; raise EventValidationError."""
    if isinstance(raw, Mapping):
        raw = json.dumps(raw)
    data = raw.encode() if isinstance(raw, str) else raw
    if len(data) > MAX_EVENT_BYTES:
        raise EventValidationError(
            [Problem("event", f"{len(data)} bytes is over the {MAX_EVENT_BYTES}-byte limit")],
            kind="size",
        )
    try:
        decoded = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EventValidationError(
            [Problem("event", f"not valid JSON: {exc}")], kind="json"
        ) from None
    if not isinstance(decoded, dict):
        raise EventValidationError(
            [Problem("event", f"must be a JSON object, got {type(decoded).__name__}")], kind="json"
        )
    tag = decoded.get("event_type") if isinstance(decoded.get("event_type"), str) else None
    # On the wire the generated envelope fields are required too, as openapi.yaml says.
    missing = [Problem(name, "Field required") for name in WIRE_REQUIRED if name not in decoded]
    try:
        event = _EVENT_ADAPTER.validate_json(data)
    except ValidationError as exc:
        problems, kind = _problems(exc, tag)
        known = {p.field for p in problems}
        extra = [p for p in missing if p.field not in known]
        raise EventValidationError(extra + problems, kind=kind) from None
    if missing:
        raise EventValidationError(missing)
    return event


def event_to_json(event: AnyEvent) -> bytes:
    """The canonical JSON bytes of an event (the Pub/Sub message data)."""
    return event.model_dump_json(exclude_none=True).encode()


def build_event(
    event_type: str,
    workspace_id: str,
    payload: Mapping[str, Any],
    *,
    event_id: str | None = None,
    timestamp: str | None = None,
) -> AnyEvent:
    """A new validated event: envelope generated (UUID v4, UTC now) unless given."""
    from events.models import _utc_now  # the one place timestamps are generated

    return parse_event(
        {
            "event_type": event_type,
            "event_id": event_id or str(uuid.uuid4()),
            "timestamp": timestamp or _utc_now().isoformat().replace("+00:00", "Z"),
            "workspace_id": workspace_id,
            "payload": dict(payload),
        }
    )

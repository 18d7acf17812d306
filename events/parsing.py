"""Parse and validate events, with errors that name the field."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from events.catalog import BY_EVENT_TYPE, EVENT_TYPES
from events.models import MAX_EVENT_BYTES, WIRE_REQUIRED, AnyEvent


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


def _problems(error: ValidationError) -> list[Problem]:
    return [
        Problem(".".join(str(p) for p in item["loc"]) or "event", item["msg"])
        for item in error.errors(include_url=False)
    ]


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
    event_type = decoded.get("event_type")
    if event_type is None:
        raise EventValidationError([Problem("event_type", "Field required")])
    if not isinstance(event_type, str) or event_type not in BY_EVENT_TYPE:
        raise EventValidationError(
            [
                Problem(
                    "event_type",
                    f"unknown event type {event_type!r}; expected one of {', '.join(EVENT_TYPES)}",
                )
            ],
            kind="unknown_type",
        )
    # On the wire the generated envelope fields are required too, as openapi.yaml says.
    missing = [Problem(name, "Field required") for name in WIRE_REQUIRED if name not in decoded]
    try:
        # Only this type's model: with deferred building, a function that serves one event
        # type never pays for compiling the validators of the other four (cold start).
        event = BY_EVENT_TYPE[event_type].event_model.model_validate_json(data)
    except ValidationError as exc:
        problems = _problems(exc)
        known = {p.field for p in problems}
        raise EventValidationError(
            [p for p in missing if p.field not in known] + problems
        ) from None
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

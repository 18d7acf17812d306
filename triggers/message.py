"""Read the Pub/Sub message out of whatever functions-framework hands the function.

Three shapes arrive as a CloudEvent: Eventarc binary mode (ce-* headers), structured mode
(application/cloudevents+json), and a raw Pub/Sub push body, which functions-framework converts
(and in doing so drops the body's `subscription`, so it is read back from the request).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any

from triggers.errors import MalformedMessage


@dataclass(frozen=True)
class PubSubMessage:
    """The parts of a delivery the dispatcher needs."""

    data: bytes
    attributes: dict[str, str] = field(default_factory=dict)
    message_id: str = ""
    subscription: str = ""
    topic: str = ""


def _push_subscription() -> str:
    # Only inside a functions-framework request; flask is already imported by then.
    try:
        import flask

        if flask.has_request_context():
            body = flask.request.get_json(silent=True, cache=True)
            if isinstance(body, dict) and isinstance(body.get("subscription"), str):
                return body["subscription"]
    except Exception:  # a missing subscription name must never fail a delivery
        pass
    return ""


def _attr(cloud_event: Any, name: str) -> str:
    try:
        return str(cloud_event[name] or "")
    except (KeyError, TypeError):
        return ""


def _topic_of(cloud_event: Any) -> str:
    source, marker = _attr(cloud_event, "source"), "/topics/"
    return source.split(marker, 1)[1] if marker in source else ""


def read_message(cloud_event: Any) -> PubSubMessage:
    """The Pub/Sub message of a CloudEvent; MalformedMessage if it is not one we can read.

    A CloudEvent whose data is not a Pub/Sub message (a direct CloudEvents producer) is taken as
    the event itself.
    """
    data = cloud_event.data
    topic = _topic_of(cloud_event)
    if isinstance(data, bytes | str) and not isinstance(data, dict):
        raw = data.encode() if isinstance(data, str) else data
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError):
            return PubSubMessage(raw, message_id=_attr(cloud_event, "id"), topic=topic)
    if not isinstance(data, dict):
        raise MalformedMessage(f"CloudEvent data is {type(data).__name__}, not a Pub/Sub message")
    message = data.get("message")
    if message is None:
        return PubSubMessage(
            json.dumps(data).encode(), message_id=_attr(cloud_event, "id"), topic=topic
        )
    if not isinstance(message, dict):
        raise MalformedMessage("`message` is not an object")
    encoded = message.get("data", "")
    try:
        payload = base64.b64decode(encoded or "", validate=True)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise MalformedMessage(f"message.data is not base64: {exc}") from None
    attributes = message.get("attributes") or {}
    return PubSubMessage(
        data=payload,
        attributes={str(k): str(v) for k, v in attributes.items()},
        message_id=str(
            message.get("messageId") or message.get("message_id") or _attr(cloud_event, "id")
        ),
        subscription=str(data.get("subscription") or _push_subscription()),
        topic=topic,
    )


def undecoded_message(cloud_event: Any) -> PubSubMessage:
    """The delivery as it came, for one `read_message` could not read: dead-lettered as is."""
    data = getattr(cloud_event, "data", None)
    if isinstance(data, str):
        data = data.encode()
    elif not isinstance(data, bytes):
        data = json.dumps(data, default=str).encode()
    return PubSubMessage(data, message_id=_attr(cloud_event, "id"))

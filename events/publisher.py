"""Publish events to Pub/Sub: validate first, wait for the server's ack, say what failed."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from google.cloud import pubsub_v1

from events.catalog import route_for
from events.models import AnyEvent
from events.parsing import event_to_json, parse_event
from events.settings import EventSettings

CLOUDEVENTS_SPEC_VERSION = "1.0"


class PublishError(RuntimeError):
    """Pub/Sub did not accept the event (error or no ack in time)."""


@dataclass(frozen=True)
class PublishResult:
    """What happened to one event: its Pub/Sub message id, or why it was not published."""

    event_id: str
    event_type: str
    topic: str
    message_id: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def message_attributes(event: AnyEvent, source: str) -> dict[str, str]:
    """The seed's routing attributes plus the CloudEvents Pub/Sub protocol binding."""
    return {
        "event_type": event.event_type,
        "workspace_id": event.workspace_id,
        "ce-id": str(event.event_id),
        "ce-type": f"glens.{event.event_type}",
        "ce-source": source,
        "ce-specversion": CLOUDEVENTS_SPEC_VERSION,
        "ce-time": event.timestamp.isoformat().replace("+00:00", "Z"),
        "content-type": "application/json",
    }


def _validated(event: AnyEvent | Mapping[str, Any] | str | bytes) -> AnyEvent:
    # A model instance is checked again too: model_construct() or mutation can bypass
    # validation, and an invalid event must never leave.
    if isinstance(event, Mapping | str | bytes):
        return parse_event(event)
    return parse_event(event_to_json(event))


class EventPublisher:
    """Publishes glens events to the catalog's topics with one reused Pub/Sub client."""

    def __init__(
        self,
        settings: EventSettings | None = None,
        *,
        client: pubsub_v1.PublisherClient | None = None,
        timeout: float = 30.0,
    ):
        self.settings = settings or EventSettings()
        self.client = client or pubsub_v1.PublisherClient()
        self.timeout = timeout

    def topic_path(self, event_type: str) -> str:
        """The topic path of an event type in this project and environment."""
        return self.settings.topic_path(route_for(event_type).topic)

    def build_message(self, event: AnyEvent) -> tuple[bytes, dict[str, str]]:
        """(data, attributes) of the Pub/Sub message for a validated event."""
        return event_to_json(event), message_attributes(event, self.settings.event_source)

    def _submit(self, event: AnyEvent) -> tuple[str, concurrent.futures.Future]:
        data, attributes = self.build_message(event)
        topic = self.topic_path(event.event_type)
        return topic, self.client.publish(topic, data, **attributes)

    def _wait(self, event: AnyEvent, topic: str, future: concurrent.futures.Future) -> str:
        try:
            return future.result(timeout=self.timeout)
        except concurrent.futures.TimeoutError:
            raise PublishError(
                f"no ack from Pub/Sub within {self.timeout:g}s for event {event.event_id} on {topic}"
            ) from None
        except Exception as exc:
            raise PublishError(f"Pub/Sub refused event {event.event_id} on {topic}: {exc}") from exc

    def publish(self, event: AnyEvent | Mapping[str, Any] | str | bytes) -> PublishResult:
        """Validate, publish and wait for the ack; raise EventValidationError or PublishError."""
        valid = _validated(event)
        topic, future = self._submit(valid)
        message_id = self._wait(valid, topic, future)
        return PublishResult(str(valid.event_id), valid.event_type, topic, message_id)

    def publish_many(
        self, events: Iterable[AnyEvent | Mapping[str, Any] | str | bytes]
    ) -> list[PublishResult]:
        """Publish many events concurrently; one result per input, in order, never raises."""
        pending: list[tuple[AnyEvent, str, concurrent.futures.Future] | PublishResult] = []
        for raw in events:
            try:
                valid = _validated(raw)
                topic, future = self._submit(valid)
                pending.append((valid, topic, future))
            except Exception as exc:  # invalid input or unknown topic: reported, not sent
                event_id = str(raw.get("event_id", "")) if isinstance(raw, Mapping) else ""
                event_type = str(raw.get("event_type", "")) if isinstance(raw, Mapping) else ""
                pending.append(PublishResult(event_id, event_type, "", error=str(exc)))
        results: list[PublishResult] = []
        for item in pending:
            if isinstance(item, PublishResult):
                results.append(item)
                continue
            valid, topic, future = item
            try:
                message_id = self._wait(valid, topic, future)
                results.append(
                    PublishResult(str(valid.event_id), valid.event_type, topic, message_id)
                )
            except PublishError as exc:
                results.append(
                    PublishResult(str(valid.event_id), valid.event_type, topic, error=str(exc))
                )
        return results

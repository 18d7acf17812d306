"""Keep what cannot be processed where an operator can see and replay it: the dead-letter topic.

`google.cloud.pubsub` is imported here, lazily, on first use: it adds about 0.3 s to an import,
and the happy path never needs it.
"""

from __future__ import annotations

import threading
import time
from typing import Any

# Attribute names on a dead-lettered message. `glens dlq replay` strips every attribute with
# this prefix (and Pub/Sub's own CloudPubSubDeadLetterSource*) before re-publishing.
DLQ_PREFIX = "dlq_"
REASON = "dlq_reason"
ERROR_CLASS = "dlq_error_class"
ERROR = "dlq_error"
SOURCE_SUBSCRIPTION = "dlq_source_subscription"
SOURCE_TOPIC = "dlq_source_topic"
FUNCTION = "dlq_function"
ORIGINAL_MESSAGE_ID = "dlq_original_message_id"
DEAD_LETTERED_AT = "dlq_dead_lettered_at"
MAX_ATTRIBUTE_VALUE = 1024  # Pub/Sub allows 1024 bytes per attribute value


def _clip(value: str) -> str:
    encoded = value.encode()
    return (
        value
        if len(encoded) <= MAX_ATTRIBUTE_VALUE
        else encoded[:1000].decode(errors="ignore") + "..."
    )


def dead_letter_attributes(
    original: dict[str, str],
    *,
    reason: str,
    error_class: str,
    error: str,
    source_subscription: str,
    source_topic: str,
    function: str,
    message_id: str,
) -> dict[str, str]:
    """The original attributes plus the why and where of this dead letter."""
    return {
        **original,
        REASON: reason,
        ERROR_CLASS: error_class,
        ERROR: _clip(error),
        SOURCE_SUBSCRIPTION: source_subscription,
        SOURCE_TOPIC: source_topic,
        FUNCTION: function,
        ORIGINAL_MESSAGE_ID: message_id,
        DEAD_LETTERED_AT: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


class DeadLetterSink:
    """Publishes to a dead-letter topic and waits for Pub/Sub's ack (a failure is transient)."""

    def __init__(self, timeout: float = 30.0):
        self.timeout = timeout
        self._client: Any = None
        self._settings: Any = None
        self._lock = threading.Lock()

    def _ready(self) -> tuple[Any, Any]:
        with self._lock:
            if self._client is None:
                from google.cloud import pubsub_v1

                from events.settings import EventSettings

                self._settings = EventSettings()
                self._client = pubsub_v1.PublisherClient()
        return self._client, self._settings

    def publish(self, topic: str, data: bytes, attributes: dict[str, str]) -> str:
        """Publish; return the new message id. Raises on failure (the caller nacks)."""
        client, settings = self._ready()
        future = client.publish(settings.topic_path(topic), data, **attributes)
        return future.result(timeout=self.timeout)

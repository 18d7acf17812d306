"""Create the catalog's Pub/Sub resources (topics and dead-letter topics); idempotent."""

from __future__ import annotations

import contextlib

from google.api_core.exceptions import AlreadyExists
from google.cloud import pubsub_v1

from events.catalog import CATALOG
from events.settings import EventSettings


def ensure_topics(
    publisher: pubsub_v1.PublisherClient, settings: EventSettings | None = None
) -> list[str]:
    """Create every catalog topic and its dead-letter topic if missing; return their paths."""
    settings = settings or EventSettings()
    paths = []
    for route in CATALOG:
        for topic in (route.topic, route.dead_letter_topic):
            path = settings.topic_path(topic)
            with contextlib.suppress(AlreadyExists):
                publisher.create_topic(name=path)
            paths.append(path)
    return paths

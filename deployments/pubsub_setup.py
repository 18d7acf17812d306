"""Create the catalog's Pub/Sub resources (topics and dead-letter topics); idempotent.

google-cloud-pubsub is imported where it is used: importing this module (the CLI, the demo, the
dead-letter tools) costs nothing until a resource is created.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from events.catalog import CATALOG
from events.settings import EventSettings

if TYPE_CHECKING:
    from google.cloud import pubsub_v1


def ensure_topics(
    publisher: pubsub_v1.PublisherClient, settings: EventSettings | None = None
) -> list[str]:
    """Create every catalog topic and its dead-letter topic if missing; return their paths."""
    from google.api_core.exceptions import AlreadyExists

    settings = settings or EventSettings()
    paths = []
    for route in CATALOG:
        for topic in (route.topic, route.dead_letter_topic):
            path = settings.topic_path(topic)
            with contextlib.suppress(AlreadyExists):
                publisher.create_topic(name=path)
            paths.append(path)
    return paths


MAX_DELIVERY_ATTEMPTS = 5


def push_endpoint(base_url: str, settings: EventSettings, topic: str) -> str:
    """The function URL a push subscription posts to. The `/projects/P/topics/T` path makes
    functions-framework give the converted CloudEvent a full `source`."""
    return f"{base_url.rstrip('/')}/{settings.topic_path(topic)}"


def ensure_push_subscriptions(
    subscriber: pubsub_v1.SubscriberClient,
    endpoints: dict[str, str],
    settings: EventSettings | None = None,
    *,
    max_delivery_attempts: int = MAX_DELIVERY_ATTEMPTS,
    min_backoff_seconds: int = 5,
    max_backoff_seconds: int = 300,
    ack_deadline_seconds: int = 60,
    retry_policy: bool = True,
) -> dict[str, str]:
    """A push subscription per route to its function's base URL (`endpoints[entry_point]`),
    with a dead-letter policy and retry backoff, plus a pull subscription on every dead-letter
    topic. Idempotent: an existing push subscription gets the new endpoint.

    Returns entry_point -> push subscription path. The topics must exist (ensure_topics).
    `retry_policy=False` leaves the backoff out: the official emulator (528.0.0) loses pushed
    messages that failed twice under a retry policy (never redelivered, never dead-lettered;
    measured in docs/triggers.md), so the local stack goes without it. Production keeps it.
    """
    from google.api_core.exceptions import AlreadyExists
    from google.cloud import pubsub_v1
    from google.protobuf import duration_pb2

    settings = settings or EventSettings()
    paths = {}
    for route in CATALOG:
        if route.entry_point not in endpoints:
            continue
        path = settings.subscription_path(route.subscription)
        push_config = pubsub_v1.types.PushConfig(
            push_endpoint=push_endpoint(endpoints[route.entry_point], settings, route.topic)
        )
        request = {
            "name": path,
            "topic": settings.topic_path(route.topic),
            "push_config": push_config,
            "ack_deadline_seconds": ack_deadline_seconds,
            "dead_letter_policy": pubsub_v1.types.DeadLetterPolicy(
                dead_letter_topic=settings.topic_path(route.dead_letter_topic),
                max_delivery_attempts=max_delivery_attempts,
            ),
        }
        if retry_policy:
            request["retry_policy"] = pubsub_v1.types.RetryPolicy(
                minimum_backoff=duration_pb2.Duration(seconds=min_backoff_seconds),
                maximum_backoff=duration_pb2.Duration(seconds=max_backoff_seconds),
            )
        try:
            subscriber.create_subscription(request=request)
        except AlreadyExists:
            subscriber.modify_push_config(subscription=path, push_config=push_config)
        paths[route.entry_point] = path
    ensure_dead_letter_subscriptions(subscriber, settings)
    return paths


def ensure_dead_letter_subscriptions(
    subscriber: pubsub_v1.SubscriberClient, settings: EventSettings | None = None
) -> dict[str, str]:
    """A pull subscription on every dead-letter topic; event_type -> its path."""
    from google.api_core.exceptions import AlreadyExists

    settings = settings or EventSettings()
    paths = {}
    for route in CATALOG:
        path = settings.subscription_path(route.dead_letter_subscription)
        with contextlib.suppress(AlreadyExists):
            subscriber.create_subscription(
                name=path,
                topic=settings.topic_path(route.dead_letter_topic),
                ack_deadline_seconds=60,
            )
        paths[route.event_type] = path
    return paths

"""Operate the dead-letter topics: list what is there and why, replay it after a fix.

Two kinds of dead letters arrive: those the functions published (reason in `dlq_reason`, a
permanent error) and those Pub/Sub moved after max delivery attempts (`CloudPubSubDeadLetter
Source*` attributes; reason shown as `max_delivery_attempts`). Replay strips both sets of
attributes and re-publishes the original data and attributes to the original topic; the dead
letter is acked only once Pub/Sub has acked the re-publish.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from events.catalog import CATALOG, Route
from events.settings import EventSettings
from triggers.dead_letter import DLQ_PREFIX, REASON, SOURCE_TOPIC

PUBSUB_DLQ_PREFIX = "CloudPubSubDeadLetterSource"


@dataclass
class DeadLetter:
    """One message on a dead-letter subscription (still leased until acked or released)."""

    route: Route
    subscription: str
    ack_id: str
    message_id: str
    data: bytes
    attributes: dict[str, str]
    publish_time: datetime

    @property
    def reason(self) -> str:
        if REASON in self.attributes:
            return self.attributes[REASON]
        if any(k.startswith(PUBSUB_DLQ_PREFIX) for k in self.attributes):
            return "max_delivery_attempts"
        return "unknown"

    @property
    def event(self) -> dict[str, Any]:
        try:
            decoded = json.loads(self.data)
        except ValueError:
            return {}
        return decoded if isinstance(decoded, dict) else {}

    @property
    def event_id(self) -> str:
        return str(self.event.get("event_id") or self.attributes.get("ce-id") or "")

    @property
    def event_type(self) -> str:
        return str(self.event.get("event_type") or self.attributes.get("event_type") or "")

    @property
    def age_seconds(self) -> float:
        return (datetime.now(UTC) - self.publish_time).total_seconds()

    @property
    def original_topic(self) -> str:
        """Where it came from: the function's record, else the route's topic."""
        return self.attributes.get(SOURCE_TOPIC) or self.route.topic

    def original_attributes(self) -> dict[str, str]:
        """The attributes as first published: ours and Pub/Sub's dead-letter additions removed."""
        return {
            k: v
            for k, v in self.attributes.items()
            if not k.startswith(DLQ_PREFIX) and not k.startswith(PUBSUB_DLQ_PREFIX)
        }

    def summary(self) -> dict[str, Any]:
        return {
            "dead_letter_topic": self.route.dead_letter_topic,
            "reason": self.reason,
            "event_id": self.event_id,
            "event_type": self.event_type,
            "age_seconds": round(self.age_seconds, 1),
            "message_id": self.message_id,
            "original_topic": self.original_topic,
            "error": self.attributes.get("dlq_error", ""),
        }


def routes_for(topic: str | None) -> list[Route]:
    """Routes whose topic or dead-letter topic is `topic` (all when None)."""
    if topic is None:
        return list(CATALOG)
    chosen = [r for r in CATALOG if topic in (r.topic, r.dead_letter_topic, r.event_type)]
    if not chosen:
        raise KeyError(f"no route with topic {topic!r}")
    return chosen


def pull_dead_letters(
    subscriber: Any,
    settings: EventSettings,
    routes: list[Route],
    limit: int = 1000,
    timeout: float = 2.0,
) -> Iterator[DeadLetter]:
    """Lease up to `limit` dead letters from the routes' dead-letter subscriptions.

    Pulls until a pull comes back empty (which takes `timeout`: an empty pull waits for it).
    """
    count = 0
    for route in routes:
        path = settings.subscription_path(route.dead_letter_subscription)
        while count < limit:
            response = subscriber.pull(
                subscription=path, max_messages=min(100, limit - count), timeout=timeout
            )
            if not response.received_messages:
                break
            for received in response.received_messages:
                message = received.message
                count += 1
                yield DeadLetter(
                    route=route,
                    subscription=path,
                    ack_id=received.ack_id,
                    message_id=message.message_id,
                    data=bytes(message.data),
                    attributes=dict(message.attributes),
                    publish_time=message.publish_time.replace(tzinfo=UTC)
                    if message.publish_time.tzinfo is None
                    else message.publish_time,
                )


def release(subscriber: Any, letters: list[DeadLetter]) -> None:
    """Give leased messages back at once (ack deadline 0): listing must not hide them."""
    by_sub: dict[str, list[str]] = {}
    for letter in letters:
        by_sub.setdefault(letter.subscription, []).append(letter.ack_id)
    for sub, ack_ids in by_sub.items():
        subscriber.modify_ack_deadline(subscription=sub, ack_ids=ack_ids, ack_deadline_seconds=0)


def list_dead_letters(
    topic: str | None = None, limit: int = 1000, settings: EventSettings | None = None
) -> list[DeadLetter]:
    """What sits on the dead-letter subscriptions now (left there)."""
    from google.cloud import pubsub_v1

    settings = settings or EventSettings()
    subscriber = pubsub_v1.SubscriberClient()
    try:
        letters = list(pull_dead_letters(subscriber, settings, routes_for(topic), limit))
        release(subscriber, letters)
        return letters
    finally:
        subscriber.close()


@dataclass
class ReplayResult:
    letter: DeadLetter
    new_message_id: str | None = None
    error: str | None = None


def replay_dead_letters(
    topic: str | None = None,
    *,
    reason: str | None = None,
    event_id: str | None = None,
    limit: int = 1000,
    dry_run: bool = False,
    settings: EventSettings | None = None,
    timeout: float = 30.0,
) -> list[ReplayResult]:
    """Re-publish matching dead letters to their original topic, then ack them.

    A dead letter that fails to re-publish stays on its subscription (released, not acked).
    With `dry_run`, nothing is published and everything is released.
    """
    from google.cloud import pubsub_v1

    settings = settings or EventSettings()
    results: list[ReplayResult] = []
    with pubsub_v1.SubscriberClient() as subscriber, pubsub_v1.PublisherClient() as publisher:
        chosen: list[DeadLetter] = []
        to_release: list[DeadLetter] = []  # not chosen, or not re-published: stays there
        for x in pull_dead_letters(subscriber, settings, routes_for(topic), limit):
            wanted = (reason is None or x.reason == reason) and (
                event_id is None or x.event_id == event_id
            )
            (chosen if wanted else to_release).append(x)
        for letter in chosen:
            if dry_run:
                results.append(ReplayResult(letter))
                to_release.append(letter)
                continue
            try:
                future = publisher.publish(
                    settings.topic_path(letter.original_topic),
                    letter.data,
                    **letter.original_attributes(),
                )
                new_id = future.result(timeout=timeout)
            except Exception as exc:  # reported per message; the dead letter stays
                results.append(ReplayResult(letter, error=str(exc)))
                to_release.append(letter)
                continue
            subscriber.acknowledge(subscription=letter.subscription, ack_ids=[letter.ack_id])
            results.append(ReplayResult(letter, new_message_id=new_id))
        release(subscriber, to_release)
        return results

"""`make demo` (interim): the event contract on the real Pub/Sub emulator.

Starts the official emulator, creates the catalog's topics, publishes one valid event of every
type through the real publisher, reads each back and shows one invalid event being refused.
The functions, the Prefect server and the workers join this demo when the local stack lands;
until then it says so instead of pretending.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from deployments.processes import ServiceStartError


def main() -> int:
    """Run the interim demo; non-zero when the emulator cannot start."""
    from deployments.pubsub_emulator import PubSubEmulator

    with tempfile.TemporaryDirectory(prefix="glens-demo-") as tmp:
        try:
            emulator = PubSubEmulator(Path(tmp)).start()
        except ServiceStartError as exc:
            print(f"demo failed: {exc}")
            return 1
        try:
            os.environ.update(emulator.env)
            return _publish_and_read_back()
        finally:
            emulator.stop()


def _publish_and_read_back() -> int:
    from google.cloud import pubsub_v1

    from deployments.pubsub_setup import ensure_topics
    from events import EVENT_TYPES, EventValidationError, parse_event, route_for
    from events.examples import example_event
    from events.publisher import EventPublisher
    from events.settings import EventSettings

    settings = EventSettings()
    publisher_client = pubsub_v1.PublisherClient()
    ensure_topics(publisher_client, settings)
    subscriber = pubsub_v1.SubscriberClient()
    subscriptions = {}
    for event_type in EVENT_TYPES:
        topic = route_for(event_type).topic
        path = subscriber.subscription_path(settings.gcp_project, f"demo-{topic}")
        subscriber.create_subscription(name=path, topic=settings.topic_path(topic))
        subscriptions[event_type] = path
    publisher = EventPublisher(settings, client=publisher_client)
    print("publishing one event of each type to the Pub/Sub emulator:")
    for result in publisher.publish_many(example_event(t) for t in EVENT_TYPES):
        print(f"  {result.event_type:<18} -> {result.topic}  message {result.message_id}")
    failures = 0
    for event_type, path in subscriptions.items():
        response = subscriber.pull(subscription=path, max_messages=1, timeout=10)
        if not response.received_messages:
            print(f"  {event_type}: NOT received")
            failures += 1
            continue
        received = response.received_messages[0]
        event = parse_event(received.message.data)
        subscriber.acknowledge(subscription=path, ack_ids=[received.ack_id])
        print(
            f"  received {event.event_type:<18} id {event.event_id} attrs "
            f"{dict(received.message.attributes)['ce-type']}"
        )
    try:
        publisher.publish(example_event("analyze.completed", workspace_id="not-a-workspace"))
    except EventValidationError as exc:
        print(f"an invalid event is refused before it leaves: {exc}")
    print(
        "\nnot part of this demo yet: functions -> Prefect runs (the local stack is still to "
        "be built)"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())

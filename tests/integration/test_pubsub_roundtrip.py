"""Every event type through the real publisher and the official Pub/Sub emulator, and back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import pytest
from google.cloud import pubsub_v1

from deployments.pubsub_setup import ensure_topics
from events import EVENT_TYPES, event_to_json, parse_event, route_for
from events.examples import example_event
from events.publisher import EventPublisher
from events.settings import EventSettings
from tests.pubsub_helpers import pull_messages

pytestmark = [pytest.mark.integration, pytest.mark.contract]


@pytest.fixture(scope="module")
def pull_subscriptions(pubsub_emulator):
    """A pull subscription per catalog topic (a test-only reader; the functions use push)."""
    settings = EventSettings()
    with pubsub_v1.PublisherClient() as publisher:
        ensure_topics(publisher, settings)
    subscriber = pubsub_v1.SubscriberClient()
    subs = {}
    for event_type in EVENT_TYPES:
        route = route_for(event_type)
        path = subscriber.subscription_path(settings.gcp_project, f"roundtrip-{route.topic}")
        subscriber.create_subscription(name=path, topic=settings.topic_path(route.topic))
        subs[event_type] = path
    yield subscriber, subs
    subscriber.close()


def test_every_event_type_round_trips(pull_subscriptions):
    subscriber, subs = pull_subscriptions
    publisher = EventPublisher()
    events = {t: parse_event(example_event(t)) for t in EVENT_TYPES}
    results = publisher.publish_many(events.values())
    assert all(r.ok for r in results), [r.error for r in results]
    for event_type, event in events.items():
        (message,) = pull_messages(subscriber, subs[event_type], 1)
        assert parse_event(message.data) == event
        assert message.data == event_to_json(event)
        attributes = dict(message.attributes)
        assert attributes["event_type"] == event_type
        assert attributes["workspace_id"] == event.workspace_id
        assert attributes["ce-id"] == str(event.event_id)
        assert attributes["ce-type"] == f"glens.{event_type}"
        assert attributes["ce-specversion"] == "1.0"
        assert attributes["ce-time"] == "2026-02-26T12:00:00Z"


def test_cli_publishes_through_the_emulator(pull_subscriptions):
    subscriber, subs = pull_subscriptions
    event_id = str(uuid.uuid4())
    payload = json.dumps(example_event("secret.stored")["payload"])
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "deployments.cli",
            "events",
            "publish",
            "secret.stored",
            "--workspace",
            "ws_cli",
            "--payload",
            payload,
            "--event-id",
            event_id,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ.copy(),
    )
    assert out.returncode == 0, out.stderr
    assert f"event_id={event_id}" in out.stdout and "message_id=" in out.stdout
    (message,) = pull_messages(subscriber, subs["secret.stored"], 1)
    event = parse_event(message.data)
    assert str(event.event_id) == event_id and event.workspace_id == "ws_cli"


def test_cli_refuses_an_invalid_event_and_sends_nothing(pull_subscriptions):
    subscriber, subs = pull_subscriptions
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "deployments.cli",
            "events",
            "publish",
            "analyze.completed",
            "--workspace",
            "ws_cli",
            "--payload",
            '{"run_id": "run_1", "passed": -3, "failed": 0}',
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ.copy(),
    )
    assert out.returncode == 1
    assert "payload.passed" in out.stderr
    response = subscriber.pull(subscription=subs["analyze.completed"], max_messages=10, timeout=3)
    assert list(response.received_messages) == []

"""`glens dlq list` and `glens dlq replay` against the real emulator and the real push path."""

from __future__ import annotations

import json
import time
import uuid

import pytest

from deployments.cli import app
from deployments.prefect_queries import runs_of_workspace, wait_for_runs
from events import event_to_json, parse_event, route_for
from events.examples import example_event
from events.publisher import EventPublisher
from events.settings import EventSettings

pytestmark = [pytest.mark.integration, pytest.mark.triggers]


def glens(capsys, *argv: str) -> tuple[int, str]:
    capsys.readouterr()
    code = app(list(argv), result_action="return_value")
    return code, capsys.readouterr().out


def _listed(capsys, topic: str) -> list[dict]:
    code, out = glens(capsys, "dlq", "list", "--topic", topic, "--json-output")
    assert code == 0
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def test_list_then_replay_a_dead_letter_after_the_cause_is_fixed(
    trigger_stack, prefect_server, capsys
):
    settings = EventSettings()
    route = route_for("test.failed")
    workspace = f"ws_dlq_{uuid.uuid4().hex[:8]}"
    # What Pub/Sub's dead-letter policy leaves after max delivery attempts (e.g. an outage
    # longer than the retries): the original message plus CloudPubSubDeadLetterSource*.
    event = parse_event(example_event("test.failed", workspace_id=workspace))
    events_publisher = EventPublisher()
    data, attributes = events_publisher.build_message(event)
    publisher = events_publisher.client
    publisher.publish(
        settings.topic_path(route.dead_letter_topic),
        data,
        **attributes,
        CloudPubSubDeadLetterSourceSubscription=route.subscription,
        CloudPubSubDeadLetterSourceDeliveryCount="5",
    ).result(timeout=30)
    # And a poison message the function dead-lettered itself.
    publisher.publish(settings.topic_path(route.topic), b"not json", marker=workspace).result(30)

    deadline = time.monotonic() + 30
    listed: list[dict] = []
    while time.monotonic() < deadline:
        listed = [x for x in _listed(capsys, route.topic) if x["reason"] == "invalid_json"]
        if listed:
            break
        time.sleep(0.5)
    everything = _listed(capsys, route.topic)  # listing leaves messages in place
    ours = [x for x in everything if x["event_id"] == str(event.event_id)]
    assert len(ours) == 1
    assert ours[0]["reason"] == "max_delivery_attempts"
    assert ours[0]["event_type"] == "test.failed"
    assert ours[0]["original_topic"] == route.topic
    assert ours[0]["age_seconds"] >= 0
    assert any(x["reason"] == "invalid_json" for x in everything)

    code, out = glens(capsys, "dlq", "replay", "--event-id", str(event.event_id), "--dry-run")
    assert code == 0 and "would replay" in out
    assert runs_of_workspace(prefect_server.api_url, workspace) == []

    code, out = glens(
        capsys, "dlq", "replay", "--topic", route.topic, "--event-id", str(event.event_id)
    )
    assert code == 0 and "1 replayed, 0 failed" in out, out
    (run,) = wait_for_runs(prefect_server.api_url, workspace, 1, timeout=60)
    assert run["idempotency_key"] == str(event.event_id)
    assert run["parameters"] == {"event": json.loads(event_to_json(event))}
    remaining = [x for x in _listed(capsys, route.topic) if x["event_id"] == str(event.event_id)]
    assert remaining == []  # acked after the re-publish
    # The poison message is still there for an operator (a replay would only dead-letter it again).
    assert any(x["reason"] == "invalid_json" for x in _listed(capsys, route.topic))

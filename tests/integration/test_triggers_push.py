"""The push path, all real: publisher -> official Pub/Sub emulator -> PUSH -> functions-framework
serving triggers/main.py -> Prefect server (SQLite) with the catalog's five deployments.

Each scenario uses its own workspace id, so its runs are found by the `workspace:` tag.
"""

from __future__ import annotations

import json
import time
import uuid

import pytest
from google.cloud import pubsub_v1

from deployments.dlq import pull_dead_letters
from deployments.prefect_queries import runs_of_workspace, wait_for_runs
from events import EVENT_TYPES, event_to_json, parse_event, route_for
from events.catalog import CATALOG
from events.examples import example_event
from events.publisher import EventPublisher
from events.settings import EventSettings
from tests.prefect_helpers import prefect_api
from triggers.config import TriggerConfig

pytestmark = [pytest.mark.integration, pytest.mark.triggers]


def _workspace(name: str) -> str:
    return f"ws_{name}_{uuid.uuid4().hex[:8]}"


def test_each_event_type_starts_exactly_one_run_of_its_deployment(trigger_stack, prefect_server):
    workspace = _workspace("s1")
    events = {t: parse_event(example_event(t, workspace_id=workspace)) for t in EVENT_TYPES}
    results = EventPublisher().publish_many(events.values())
    assert all(r.ok for r in results), [r.error for r in results]

    runs = wait_for_runs(prefect_server.api_url, workspace, len(events), timeout=60)
    time.sleep(2)  # a late duplicate would show up now
    runs = runs_of_workspace(prefect_server.api_url, workspace)
    assert len(runs) == len(events), [r["name"] for r in runs]
    by_key = {run["idempotency_key"]: run for run in runs}
    for event_type, event in events.items():
        run = by_key[str(event.event_id)]
        route = route_for(event_type)
        assert run["deployment_id"] == trigger_stack.deployment_ids[route.deployment]
        deployment = prefect_api(
            prefect_server.api_url, "GET", f"/deployments/{run['deployment_id']}"
        )
        assert deployment["name"] == route.deployment_name
        assert deployment["entrypoint"] == route.flow_entrypoint
        assert run["parameters"] == {"event": json.loads(event_to_json(event))}
        assert {f"event_type:{event_type}", f"workspace:{workspace}"} <= set(run["tags"])
        assert run["name"].startswith(f"{event_type} {workspace} ")
        assert run["state"]["type"] == "SCHEDULED"


def test_redelivered_message_with_a_forced_5xx_still_makes_one_run(
    trigger_stack, prefect_server, prefect_fault_proxy
):
    workspace = _workspace("s2")
    event = parse_event(example_event("analyze.completed", workspace_id=workspace))
    key = str(event.event_id)
    # The first delivery's every in-function attempt reaches Prefect and then gets a 503, so
    # the function fails it and Pub/Sub redelivers: the run exists, the function never heard.
    attempts = TriggerConfig.from_env(trigger_stack.function_env()).retry_attempts
    prefect_fault_proxy.fail_after_forward(key, times=attempts)
    publisher = EventPublisher()
    message = json.loads(event_to_json(event))
    assert publisher.publish(message).ok
    lines = _wait_for_lines(trigger_stack, key, lambda ls: any(x["outcome"] == "retry" for x in ls))
    assert [x["outcome"] for x in lines][:1] == ["retry"]  # the first delivery failed back
    for _ in range(2):  # the same event published twice more (same event_id)
        assert publisher.publish(message).ok
    lines = _wait_for_lines(
        trigger_stack, key, lambda ls: sum(x["outcome"] != "retry" for x in ls) >= 3
    )
    acked = [line for line in lines if line["outcome"] in ("created", "duplicate")]
    runs = runs_of_workspace(prefect_server.api_url, workspace)
    assert len(runs) == 1, [r["id"] for r in runs]
    assert prefect_fault_proxy.injected[key] == attempts
    assert len(acked) == 3  # the redelivery and the two re-publishes: all answered, one run
    assert {line["flow_run_id"] for line in acked} == {runs[0]["id"]}


def _wait_for_lines(trigger_stack, event_id: str, done, timeout: float = 60) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        lines = [
            line
            for line in trigger_stack.functions.log_entries("report_generator")
            if line.get("event_id") == event_id
        ]
        if done(lines) or time.monotonic() > deadline:
            return lines
        time.sleep(0.3)


def _poison_messages(workspace: str) -> dict[str, bytes]:
    schema = example_event("analyze.completed", workspace_id=workspace)
    schema["payload"]["failed"] = "two"
    oversized = example_event("analyze.completed", workspace_id=workspace)
    oversized["payload"]["padding"] = "x" * 300_000
    unknown = {**example_event("analyze.completed", workspace_id=workspace), "event_type": "a.b"}
    wrong = example_event("test.failed", workspace_id=workspace)
    return {
        "invalid_json": b"this is { not json",
        "schema_violation": json.dumps(schema).encode(),
        "wrong_type": json.dumps(wrong).encode(),
        "unknown_type": json.dumps(unknown).encode(),
        "oversized": json.dumps(oversized).encode(),
    }


def test_poison_messages_land_on_the_dead_letter_topic_with_their_reason(
    trigger_stack, prefect_server
):
    settings = EventSettings()
    route = route_for("analyze.completed")
    workspace = _workspace("s3")
    batch = uuid.uuid4().hex
    poison = _poison_messages(workspace)
    topic = settings.topic_path(route.topic)
    with pubsub_v1.PublisherClient() as publisher:
        for case, data in poison.items():
            publisher.publish(topic, data, poison_case=case, poison_batch=batch).result(timeout=30)

    dlq = settings.subscription_path(route.dead_letter_subscription)
    received: dict[str, list] = {}
    with pubsub_v1.SubscriberClient() as subscriber:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(received) < len(poison):
            response = subscriber.pull(subscription=dlq, max_messages=50, timeout=5)
            ours = [
                m
                for m in response.received_messages
                if m.message.attributes.get("poison_batch") == batch
            ]
            if ours:
                subscriber.acknowledge(subscription=dlq, ack_ids=[m.ack_id for m in ours])
            for m in ours:
                received.setdefault(m.message.attributes["poison_case"], []).append(m.message)
        time.sleep(3)  # anything retried would be dead-lettered (or pushed) again by now
        response = subscriber.pull(subscription=dlq, max_messages=50, timeout=5)
        again = [m for m in response.received_messages if m.message.attributes.get("poison_batch")]

    assert sorted(received) == sorted(poison)
    for case, messages in received.items():
        (message,) = messages  # exactly once: acked, not retried
        attrs = message.attributes
        assert message.data == poison[case]
        assert attrs["dlq_reason"] == case
        assert attrs["dlq_function"] == route.function
        assert attrs["dlq_source_subscription"] == settings.subscription_path(route.subscription)
        assert attrs["dlq_error"]
    assert again == []
    assert runs_of_workspace(prefect_server.api_url, workspace) == []
    # The function never crashed: still serving, its log has one dead_lettered line per case.
    process = trigger_stack.functions.processes["report_generator"]
    assert process.proc.poll() is None
    lines = [
        line
        for line in trigger_stack.functions.log_entries("report_generator")
        if line.get("outcome") == "dead_lettered" and line.get("workspace_id") in (None, workspace)
    ]
    assert len(lines) >= len(poison)


@pytest.mark.reliability
def test_prefect_outage_during_a_burst_loses_and_duplicates_nothing(trigger_stack, prefect_server):
    workspace = _workspace("s4")
    events = [
        parse_event(example_event(EVENT_TYPES[i % len(EVENT_TYPES)], workspace_id=workspace))
        for i in range(50)
    ]
    prefect_server.stop()
    try:
        results = EventPublisher().publish_many(events)
        assert all(r.ok for r in results), [r.error for r in results]
        time.sleep(3)  # deliveries fail (connection refused) and are redelivered meanwhile
    finally:
        prefect_server.start()
    runs = wait_for_runs(prefect_server.api_url, workspace, len(events), timeout=120)
    time.sleep(3)
    runs = runs_of_workspace(prefect_server.api_url, workspace)
    keys = [run["idempotency_key"] for run in runs]
    expected = {str(e.event_id) for e in events}
    if set(keys) != expected:
        dead = _dead_lettered_event_ids(expected)
        pytest.fail(
            f"{len(expected - set(keys))} of 50 events have no run; {len(dead)} of them went to "
            "a dead-letter topic (Pub/Sub's max delivery attempts ran out during the outage)"
        )
    assert len(keys) == len(set(keys)) == 50, "duplicated runs"
    retried = [
        line
        for entry in trigger_stack.functions.ports
        for line in trigger_stack.functions.log_entries(entry)
        if line.get("workspace_id") == workspace and line["outcome"] == "retry"
    ]
    assert retried, "the outage was not observed by the functions"


def _dead_lettered_event_ids(event_ids: set[str]) -> set[str]:
    """Which of `event_ids` sit on any dead-letter subscription (pulled; those found acked)."""
    found = set()
    with pubsub_v1.SubscriberClient() as subscriber:
        for letter in pull_dead_letters(subscriber, EventSettings(), list(CATALOG)):
            if letter.event_id in event_ids:
                found.add(letter.event_id)
                subscriber.acknowledge(subscription=letter.subscription, ack_ids=[letter.ack_id])
    return found

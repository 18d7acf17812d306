"""The publisher's message shape and error handling, with a mocked Pub/Sub client (seed's unit layer)."""

from __future__ import annotations

import concurrent.futures
import json
from unittest import mock

import pytest

from events import EventValidationError, parse_event
from events.examples import SEED_EXAMPLE, example_event
from events.publisher import EventPublisher, PublishError
from events.settings import EventSettings

pytestmark = [pytest.mark.unit, pytest.mark.contract]


def _future(result=None, exc=None, hang=False):
    future = concurrent.futures.Future()
    if exc:
        future.set_exception(exc)
    elif not hang:
        future.set_result(result)
    return future


@pytest.fixture
def client():
    fake = mock.Mock()
    fake.publish.side_effect = lambda topic, data, **attrs: _future(
        f"msg-{fake.publish.call_count}"
    )
    return fake


@pytest.fixture
def publisher(client):
    settings = EventSettings(GLENS_GCP_PROJECT="proj", GLENS_TOPIC_PREFIX="staging-")
    return EventPublisher(settings, client=client, timeout=0.2)


def test_message_shape(publisher, client):
    result = publisher.publish(SEED_EXAMPLE)
    assert result.ok and result.message_id == "msg-1"
    (topic, data), attributes = client.publish.call_args
    assert topic == "projects/proj/topics/staging-glens-analyze"
    assert parse_event(data) == parse_event(SEED_EXAMPLE)
    assert json.loads(data)["event_id"] == SEED_EXAMPLE["event_id"]
    assert attributes == {
        "event_type": "analyze.completed",
        "workspace_id": "ws_abc",
        "ce-id": SEED_EXAMPLE["event_id"],
        "ce-type": "glens.analyze.completed",
        "ce-source": "//glens/api",
        "ce-specversion": "1.0",
        "ce-time": "2026-02-26T12:00:00Z",
        "content-type": "application/json",
    }


def test_invalid_event_never_leaves(publisher, client):
    bad = dict(SEED_EXAMPLE, workspace_id="nope")
    with pytest.raises(EventValidationError, match="workspace_id"):
        publisher.publish(bad)
    client.publish.assert_not_called()


def test_model_bypassing_validation_is_checked_again(publisher, client):
    event = parse_event(SEED_EXAMPLE)
    broken = event.model_copy(update={"workspace_id": "no spaces allowed"})
    with pytest.raises(EventValidationError):
        publisher.publish(broken)
    client.publish.assert_not_called()


def test_no_ack_in_time_is_a_clear_error(publisher, client):
    client.publish.side_effect = lambda *a, **k: _future(hang=True)
    with pytest.raises(PublishError, match=r"no ack from Pub/Sub within 0.2s"):
        publisher.publish(SEED_EXAMPLE)


def test_server_error_is_wrapped(publisher, client):
    client.publish.side_effect = lambda *a, **k: _future(exc=RuntimeError("NOT_FOUND: topic"))
    with pytest.raises(PublishError, match="NOT_FOUND"):
        publisher.publish(SEED_EXAMPLE)


def test_publish_many_reports_each_outcome(publisher, client):
    outcomes = iter([_future("m1"), _future(exc=RuntimeError("boom")), _future("m3")])
    client.publish.side_effect = lambda *a, **k: next(outcomes)
    events = [
        example_event("test.failed"),
        example_event("secret.stored"),
        dict(SEED_EXAMPLE, event_id="bad"),
        example_event("export.scheduled"),
    ]
    results = publisher.publish_many(events)
    assert [r.ok for r in results] == [True, False, False, True]
    assert results[0].message_id == "m1" and results[3].message_id == "m3"
    assert "boom" in results[1].error
    assert "event_id" in results[2].error
    assert [r.event_type for r in results] == [
        "test.failed",
        "secret.stored",
        "analyze.completed",
        "export.scheduled",
    ]
    assert client.publish.call_count == 3

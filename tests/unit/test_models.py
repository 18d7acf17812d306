"""The event models: valid examples, round trips, and errors that name the field."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime

import pytest

from events import (
    EVENT_TYPES,
    MAX_EVENT_BYTES,
    EventValidationError,
    RunResults,
    derived_event_id,
    event_to_json,
    parse_event,
)
from events.examples import SEED_EXAMPLE, example_event, example_run_results
from events.models import AnalyzeCompletedEvent, ExportScheduledPayload

pytestmark = [pytest.mark.unit, pytest.mark.contract]


def _fields(raw) -> list[str]:
    with pytest.raises(EventValidationError) as info:
        parse_event(raw)
    return [p.field for p in info.value.problems]


def test_seed_example_parses_as_is():
    event = parse_event(SEED_EXAMPLE)
    assert event.event_type == "analyze.completed"
    assert event.payload.run_id == "run_123"
    assert (event.payload.passed, event.payload.failed, event.payload.skipped) == (8, 2, 0)
    assert event.timestamp == datetime(2026, 2, 26, 12, tzinfo=UTC)


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_every_type_round_trips_through_json(event_type):
    raw = example_event(event_type)
    event = parse_event(raw)
    again = parse_event(event_to_json(event))
    assert again == event
    assert type(again).__name__.lower().startswith(event_type.split(".")[0].replace("_", ""))
    assert str(again.event_id) == raw["event_id"]


def test_generated_envelope_fields_are_uuid4_and_utc():
    event = AnalyzeCompletedEvent(
        workspace_id="ws_abc", payload={"run_id": "run_1", "passed": 1, "failed": 0}
    )
    assert event.event_id.version == 4
    assert event.timestamp.utcoffset().total_seconds() == 0
    assert json.loads(event_to_json(event))["timestamp"].endswith("Z")


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda e: e.update(event_id="uuid-v4"), "event_id"),
        (lambda e: e.update(event_id="6f1c3a9e-1b2c-1d3e-8f9a-0b1c2d3e4f5a"), "event_id"),  # v1
        (lambda e: e.update(timestamp="2026-02-26T12:00:00"), "timestamp"),  # no timezone
        (lambda e: e.update(timestamp="26/02/2026"), "timestamp"),
        (lambda e: e.update(timestamp=1772107200), "timestamp"),
        (lambda e: e["payload"].update(passed="8"), "payload.passed"),
        (lambda e: e["payload"].update(failed=2.5), "payload.failed"),
        (lambda e: e["payload"].update(failed=-1), "payload.failed"),
        (lambda e: e["payload"].pop("run_id"), "payload.run_id"),
        (lambda e: e["payload"].update(run_id="123"), "payload.run_id"),
        (lambda e: e.pop("workspace_id"), "workspace_id"),
        (lambda e: e.update(workspace_id="abc"), "workspace_id"),
        (lambda e: e.pop("event_id"), "event_id"),
        (lambda e: e.pop("timestamp"), "timestamp"),
        (lambda e: e.update(workspaceId="ws_abc"), "workspaceId"),
        (lambda e: e["payload"].update(results_uri="not a url"), "payload.results_uri"),
    ],
)
def test_malformed_event_names_the_field(mutate, field):
    event = json.loads(json.dumps(SEED_EXAMPLE))
    mutate(event)
    assert field in _fields(event)


def test_unknown_and_missing_event_type():
    with pytest.raises(EventValidationError) as info:
        parse_event({**SEED_EXAMPLE, "event_type": "analyze.started"})
    assert info.value.kind == "unknown_type"
    assert "analyze.started" in str(info.value)
    assert "event_type" in _fields({k: v for k, v in SEED_EXAMPLE.items() if k != "event_type"})


@pytest.mark.parametrize("raw", [b"not json", b"\xff\xfe", b"[1, 2]", b'"text"'])
def test_not_a_json_object(raw):
    with pytest.raises(EventValidationError) as info:
        parse_event(raw)
    assert info.value.kind == "json"


def test_oversized_event_is_rejected_before_parsing():
    event = example_event("test.failed")
    event["payload"]["error_message"] = "x" * (MAX_EVENT_BYTES + 1)
    with pytest.raises(EventValidationError) as info:
        parse_event(json.dumps(event))
    assert info.value.kind == "size"


def test_secret_value_can_never_travel():
    event = example_event("secret.stored")
    event["payload"]["value"] = "hunter2"
    assert _fields(event) == ["payload.value"]


def test_open_payload_keeps_unknown_fields_through_round_trip():
    event = example_event("analyze.completed")
    event["payload"]["coverage"] = 0.93
    parsed = parse_event(event)
    assert json.loads(event_to_json(parsed))["payload"]["coverage"] == 0.93


def test_test_failed_request_and_outcome_shape():
    event = example_event("test.failed")
    event["request"] = None
    assert "request" in _fields(event)
    bad = example_event("test.failed")
    bad["payload"]["request"]["method"] = "FETCH"
    assert _fields(bad) == ["payload.request.method"]
    bad = example_event("test.failed")
    bad["payload"]["actual"]["status_code"] = 700
    assert _fields(bad) == ["payload.actual.status_code"]


def test_export_window_defaults_to_the_day_before_the_event():
    payload = ExportScheduledPayload()
    assert payload.resolved_window(datetime(2026, 3, 1, 0, 30, tzinfo=UTC)) == (
        date(2026, 2, 28),
        date(2026, 2, 28),
    )
    ranged = ExportScheduledPayload(
        window_start=date(2026, 1, 1), window_end=date(2026, 1, 31), mode="backfill"
    )
    assert ranged.resolved_window(datetime(2026, 3, 1, tzinfo=UTC)) == (
        date(2026, 1, 1),
        date(2026, 1, 31),
    )


@pytest.mark.parametrize(
    "window",
    [
        {"window_start": "2026-02-10", "window_end": "2026-02-01"},
        {"window_end": "2026-02-01"},
        {"tables": []},
        {"tables": ["secrets"]},
        {"mode": "sometimes"},
    ],
)
def test_export_bad_windows(window):
    event = example_event("export.scheduled")
    event["payload"] = window
    assert any(f.startswith("payload") for f in _fields(event))


def test_derived_event_id_is_deterministic_and_valid():
    cause = uuid.uuid4()
    first = derived_event_id(cause, "report.generated")
    assert first == derived_event_id(cause, "report.generated")
    assert first != derived_event_id(cause, "other")
    assert first.version == 5
    event = example_event("report.generated", event_id=str(first))
    event["payload"]["cause_event_id"] = str(cause)
    assert parse_event(event).event_id == first


def test_run_results_document():
    doc = RunResults.model_validate(example_run_results(tests=10, failed=3, skipped=2))
    assert doc.counts() == {"passed": 5, "failed": 3, "skipped": 2}
    bad = example_run_results()
    bad["finished_at"] = "2026-02-26T11:00:00Z"
    with pytest.raises(ValueError, match="finished_at is before started_at"):
        RunResults.model_validate(bad)
    bad = example_run_results()
    bad["tests"][0]["status"] = "flaky"
    with pytest.raises(ValueError, match=r"tests\.0\.status"):
        RunResults.model_validate(bad)

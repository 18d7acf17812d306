"""Valid example events and run-results documents, for the CLI, docs, tests and benchmarks."""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

SEED_EXAMPLE: dict[str, Any] = {
    # The design card's example, with its "uuid-v4" placeholder filled in by a real one.
    "event_type": "analyze.completed",
    "event_id": "6f1c3a9e-1b2c-4d3e-8f9a-0b1c2d3e4f5a",
    "timestamp": "2026-02-26T12:00:00Z",
    "workspace_id": "ws_abc",
    "payload": {"run_id": "run_123", "passed": 8, "failed": 2},
}

_SPEC = {"title": "Petstore API", "version": "1.4.0"}

_PAYLOADS: dict[str, dict[str, Any]] = {
    "analyze.completed": {
        "run_id": "run_123",
        "passed": 8,
        "failed": 2,
        "skipped": 1,
        "duration_ms": 5312.5,
        "spec": _SPEC,
        "results_uri": "file:///var/glens/results/ws_abc/run_123.json",
    },
    "test.failed": {
        "run_id": "run_123",
        "test": {"id": "getPetById.404", "name": "GET /pets/{id} returns 404 for unknown pet"},
        "request": {"method": "GET", "path": "/pets/999"},
        "expected": {"status_code": 404},
        "actual": {"status_code": 500, "detail": "Internal Server Error"},
        "error_message": "expected status 404, got 500",
        "spec": _SPEC,
    },
    "report.generated": {
        "run_id": "run_123",
        "html_uri": "file:///var/glens/reports/ws_abc/run_123/report.html",
        "markdown_uri": "file:///var/glens/reports/ws_abc/run_123/report.md",
        "summary": {"passed": 8, "failed": 2, "skipped": 1, "duration_ms": 5312.5},
        "cause_event_id": "6f1c3a9e-1b2c-4d3e-8f9a-0b1c2d3e4f5a",
    },
    "secret.stored": {"secret_name": "github-token", "version": 3, "stored_by": "ops@glens.dev"},
    "export.scheduled": {
        "window_start": "2026-02-25",
        "window_end": "2026-02-25",
        "tables": ["runs", "test_results"],
        "mode": "scheduled",
    },
}


def example_event(event_type: str, **envelope: Any) -> dict[str, Any]:
    """A valid event of `event_type` as a JSON-ready dict; envelope fields can be overridden."""
    event = {
        "event_type": event_type,
        "event_id": str(uuid.uuid4()),
        "timestamp": "2026-02-26T12:00:00Z",
        "workspace_id": "ws_abc",
        "payload": copy.deepcopy(_PAYLOADS[event_type]),
    }
    event.update(envelope)
    return event


def example_run_results(
    tests: int = 11,
    failed: int = 2,
    skipped: int = 1,
    run_id: str = "run_123",
    workspace_id: str = "ws_abc",
) -> dict[str, Any]:
    """A valid run-results document with `tests` entries (failures first, then skips)."""
    started = datetime(2026, 2, 26, 11, 59, 0, tzinfo=UTC)
    entries = []
    for i in range(tests):
        status = "failed" if i < failed else "skipped" if i < failed + skipped else "passed"
        entry: dict[str, Any] = {
            "id": f"op{i}.case",
            "name": f"Operation {i} behaves",
            "method": ("GET", "POST", "PUT", "DELETE")[i % 4],
            "path": f"/items/{i}",
            "status": status,
            "duration_ms": float(10 + (i * 37) % 900),
        }
        if status == "failed":
            entry["expected"] = {"status_code": 200}
            entry["actual"] = {"status_code": 500, "detail": "Internal Server Error"}
            entry["error"] = f"expected status 200, got 500 <on item {i}>"
        entries.append(entry)
    return {
        "run_id": run_id,
        "workspace_id": workspace_id,
        "spec": dict(_SPEC),
        "started_at": started.isoformat().replace("+00:00", "Z"),
        "finished_at": (started + timedelta(seconds=5)).isoformat().replace("+00:00", "Z"),
        "tests": entries,
    }

"""The report flow against a real Prefect server and the real Pub/Sub emulator."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from events.examples import example_event, example_run_results
from events.models import RunResults, derived_event_id
from events.parsing import parse_event
from tests.prefect_helpers import prefect_api, task_run_named
from tests.pubsub_helpers import pull_messages

pytestmark = [
    pytest.mark.integration,
    pytest.mark.report,
    pytest.mark.usefixtures("flow_run_logs_sent"),
]


@pytest.fixture
def reports_dir(tmp_path, monkeypatch) -> Path:
    """GLENS_REPORTS_URL pointed at a fresh folder (the flow reads settings when it runs)."""
    folder = tmp_path / "reports"
    monkeypatch.setenv("GLENS_REPORTS_URL", folder.as_uri())
    monkeypatch.delenv("GLENS_REPORTS_PUBLIC_URL", raising=False)
    return folder


def _event_with_results(tmp_path: Path, workspace: str, run_id: str, **counts) -> dict:
    document = example_run_results(run_id=run_id, workspace_id=workspace, **counts)
    results_file = tmp_path / f"{run_id}.json"
    results_file.write_text(json.dumps(document))
    stats = RunResults.model_validate(document).counts()
    event = example_event("analyze.completed", workspace_id=workspace)
    event["payload"].update(run_id=run_id, results_uri=results_file.as_uri(), **stats)
    return event


def test_report_run_stores_files_artifacts_and_publishes_derived_event(
    prefect_server, pubsub_emulator, reports_subscription, reports_dir, tmp_path
):
    from flows.report import generate_report

    subscriber, sub_path = reports_subscription
    event = _event_with_results(tmp_path, "ws_it_report", "run_it1", tests=30, failed=4, skipped=2)
    expected_id = str(derived_event_id(uuid.UUID(event["event_id"]), "report.generated"))

    state = generate_report(event=event, return_state=True)
    assert state.is_completed(), state.message
    published = state.result()
    assert published["event_id"] == expected_id

    html = reports_dir / "ws_it_report" / "run_it1" / "report.html"
    markdown = reports_dir / "ws_it_report" / "run_it1" / "report.md"
    assert "4 failed" in html.read_text() or ">4<" in html.read_text()
    assert "## Failures (4)" in markdown.read_text()

    # Artifacts, read back through the Prefect REST API.
    flow_run_id = str(state.state_details.flow_run_id)
    artifacts = prefect_api(
        prefect_server.api_url,
        "POST",
        "/artifacts/filter",
        {"artifacts": {"flow_run_id": {"any_": [flow_run_id]}}},
    )
    by_key = {a["key"]: a for a in artifacts}
    suffix = "ws-it-report-run-it1"
    assert set(by_key) == {f"report-{kind}-{suffix}" for kind in ("summary", "failures", "link")}
    summary = by_key[f"report-summary-{suffix}"]
    assert summary["type"] == "markdown" and "FAILED" in summary["data"]
    table = by_key[f"report-failures-{suffix}"]
    assert table["type"] == "table"
    rows = json.loads(table["data"]) if isinstance(table["data"], str) else table["data"]
    assert len(rows) == 4 and rows[0]["request"] == "GET /items/0"
    # Prefect stores a link artifact as markdown: [text](link)
    assert f"]({html.as_uri()})" in by_key[f"report-link-{suffix}"]["data"]

    # report.generated on the real emulator, with the derived id and the stored locations.
    (message,) = pull_messages(subscriber, sub_path, 1)
    received = parse_event(message.data)
    assert str(received.event_id) == expected_id
    assert received.payload.html_uri == html.as_uri()
    assert received.payload.summary.failed == 4
    assert str(received.payload.cause_event_id) == event["event_id"]
    assert message.attributes["event_type"] == "report.generated"

    # A re-run of the same event overwrites the same objects and publishes the same event id.
    html.write_text("stale")
    again = generate_report(event=event, return_state=True)
    assert again.is_completed(), again.message
    assert "<!doctype html>" in html.read_text()
    assert sorted(p.name for p in html.parent.iterdir()) == ["report.html", "report.md"]
    (repeat,) = pull_messages(subscriber, sub_path, 1)
    assert str(parse_event(repeat.data).event_id) == expected_id

    # The run's name says what it is about.
    run = prefect_api(prefect_server.api_url, "GET", f"/flow_runs/{flow_run_id}")
    assert run["name"] == "analyze.completed ws_it_report run_it1"


def test_event_without_results_uri_gets_a_summary_only_report(
    prefect_server, pubsub_emulator, reports_subscription, reports_dir
):
    from flows.report import generate_report

    subscriber, sub_path = reports_subscription
    event = example_event("analyze.completed", workspace_id="ws_it_summary")
    event["payload"].pop("results_uri")
    state = generate_report(event=event, return_state=True)
    assert state.is_completed(), state.message
    html = (reports_dir / "ws_it_summary" / "run_123" / "report.html").read_text()
    assert "Summary only" in html
    (message,) = pull_messages(subscriber, sub_path, 1)
    assert parse_event(message.data).payload.summary.passed == 8


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "not found"),
        ("{not json", "not valid JSON"),
        ('{"run_id": 1}', "not a valid RunResults"),
    ],
)
def test_missing_or_malformed_document_fails_without_retries(
    prefect_server, reports_dir, tmp_path, content, reason
):
    from flows.report import generate_report

    results = tmp_path / "results.json"
    if content is not None:
        results.write_text(content)
    event = example_event("analyze.completed", workspace_id="ws_it_bad")
    event["payload"]["results_uri"] = results.as_uri()
    state = generate_report(event=event, return_state=True)
    assert state.is_failed()
    assert reason in state.message or reason in str(state.result(raise_on_failure=False))
    load = task_run_named(prefect_server.api_url, state, "load-run-results")
    assert load["run_count"] == 1, "a permanent error must not be retried"
    assert not (reports_dir / "ws_it_bad").exists()

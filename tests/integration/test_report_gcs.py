"""The report flow on `gs://` URLs, as in production: the run-results document read from Cloud
Storage and the reports written there, through fsspec/gcsfs against a local Cloud Storage
(deployments/gcs_emulator.py), a real Prefect server and the real Pub/Sub emulator."""

from __future__ import annotations

import json
import uuid

import fsspec
import pytest

from events.examples import example_event, example_run_results
from events.models import RunResults
from events.parsing import parse_event
from tests.prefect_helpers import task_run_named
from tests.pubsub_helpers import pull_messages

pytestmark = [
    pytest.mark.integration,
    pytest.mark.report,
    pytest.mark.usefixtures("flow_run_logs_sent"),
]


@pytest.fixture
def gcs(gcs_emulator, monkeypatch):
    """A fresh bucket; the flow's reports go to gs://<bucket>/reports."""
    fs = fsspec.filesystem("gs", token="anon")
    bucket = f"glens-it-{uuid.uuid4().hex[:10]}"
    fs.mkdir(bucket)
    monkeypatch.setenv("GLENS_REPORTS_URL", f"gs://{bucket}/reports")
    monkeypatch.delenv("GLENS_REPORTS_PUBLIC_URL", raising=False)
    return fs, bucket


def _event_with_results_on_gcs(fs, bucket: str, workspace: str, run_id: str) -> dict:
    document = example_run_results(run_id=run_id, workspace_id=workspace, tests=12, failed=3)
    results_uri = f"gs://{bucket}/results/{workspace}/{run_id}.json"
    fs.pipe_file(results_uri, json.dumps(document).encode(), content_type="application/json")
    event = example_event("analyze.completed", workspace_id=workspace)
    counts = RunResults.model_validate(document).counts()
    event["payload"].update(run_id=run_id, results_uri=results_uri, **counts)
    return event


def test_report_reads_and_writes_cloud_storage(
    prefect_server, pubsub_emulator, reports_subscription, gcs
):
    from flows.report import generate_report

    fs, bucket = gcs
    subscriber, sub_path = reports_subscription
    event = _event_with_results_on_gcs(fs, bucket, "ws_it_gcs", "run_gcs1")

    state = generate_report(event=event, return_state=True)
    assert state.is_completed(), state.message

    folder = f"{bucket}/reports/ws_it_gcs/run_gcs1"
    fs.invalidate_cache()
    assert sorted(fs.ls(folder)) == [f"{folder}/report.html", f"{folder}/report.md"]
    # Served as a page, not a download: the content type travels with the object.
    assert fs.info(f"{folder}/report.html")["contentType"].startswith("text/html")
    assert fs.info(f"{folder}/report.md")["contentType"].startswith("text/markdown")
    html = fs.cat_file(f"{folder}/report.html").decode()
    assert "Operation 0 behaves" in html and "<!doctype html>" in html
    assert "## Failures (3)" in fs.cat_file(f"{folder}/report.md").decode()

    (message,) = pull_messages(subscriber, sub_path, 1)
    payload = parse_event(message.data).payload
    assert payload.html_uri == f"gs://{folder}/report.html"
    assert payload.markdown_uri == f"gs://{folder}/report.md"

    # A re-run overwrites the same objects: nothing new appears next to them.
    fs.pipe_file(f"{folder}/report.html", b"stale")
    again = generate_report(event=event, return_state=True)
    assert again.is_completed(), again.message
    fs.invalidate_cache()
    assert len(fs.ls(folder)) == 2
    assert fs.cat_file(f"{folder}/report.html").startswith(b"<!doctype html>")
    pull_messages(subscriber, sub_path, 1)


def test_missing_document_on_cloud_storage_fails_at_once(prefect_server, gcs):
    from flows.report import generate_report

    _, bucket = gcs
    event = example_event("analyze.completed", workspace_id="ws_it_gcs")
    event["payload"]["results_uri"] = f"gs://{bucket}/results/nowhere.json"

    state = generate_report(event=event, return_state=True)
    assert state.is_failed()
    assert f"run-results document not found: gs://{bucket}/results/nowhere.json" in state.message
    load = task_run_named(prefect_server.api_url, state, "load-run-results")
    assert load["run_count"] == 1, "a missing document must not be retried"


def test_missing_reports_bucket_fails_at_once_naming_the_setting(
    prefect_server, pubsub_emulator, gcs, monkeypatch
):
    from flows.report import generate_report

    fs, bucket = gcs
    event = _event_with_results_on_gcs(fs, bucket, "ws_it_gcs", "run_gcs2")
    monkeypatch.setenv("GLENS_REPORTS_URL", f"gs://{bucket}-gone/reports")

    state = generate_report(event=event, return_state=True)
    assert state.is_failed()
    assert f"cannot store the report at gs://{bucket}-gone/reports/" in state.message
    assert "check GLENS_REPORTS_URL" in state.message
    store = task_run_named(prefect_server.api_url, state, "store-report")
    assert store["run_count"] == 1, "a missing bucket must not be retried"

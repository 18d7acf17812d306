"""analyze.completed published to the emulator -> fn-report-generator -> Prefect run executed by
a worker -> report stored -> report.generated -> fn-notification -> send-notifications -> a
local webhook receiver. All real; asserted through the Prefect API, the store and the receiver."""

from __future__ import annotations

import json
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from deployments.prefect_queries import (
    TERMINAL,
    runs_for_analyzer_run,
    set_variable,
    wait_until_finished,
)
from events import RunResults, build_event, derived_event_id
from events.examples import example_run_results
from events.publisher import EventPublisher
from flows.targets import variable_name

pytestmark = [pytest.mark.e2e, pytest.mark.report, pytest.mark.triggers]

WORKSPACE = "ws_e2e"


def _wait_for(api: str, flow_name: str, run_id: str, timeout: float = 150) -> list[dict]:
    runs = wait_until_finished(api, WORKSPACE, flow_name, run_id, timeout)
    if not runs or any(run["state"]["type"] not in TERMINAL for run in runs):
        pytest.fail(f"{flow_name} for {run_id} not finished after {timeout}s: {runs}")
    return runs


def _runs(api_url: str, flow_name: str, run_id: str) -> list[dict]:
    return runs_for_analyzer_run(api_url, WORKSPACE, flow_name, run_id)


@pytest.fixture
def webhook(httpserver, prefect_server):
    """A local webhook receiver configured as the workspace's only notification target."""
    httpserver.expect_request("/hooks/glens", method="POST").respond_with_data("ok")
    target = f"json://{httpserver.host}:{httpserver.port}/hooks/glens"
    set_variable(prefect_server.api_url, variable_name(WORKSPACE), [target])
    return httpserver


def test_analyze_completed_produces_a_report_and_one_notification(
    prefect_worker, prefect_server, webhook, flow_storage, tmp_path
):
    run_id = "run_e2e_1"
    document = example_run_results(
        tests=25, failed=4, skipped=2, run_id=run_id, workspace_id=WORKSPACE
    )
    results = tmp_path / f"{run_id}.json"
    results.write_text(json.dumps(document))
    counts = RunResults.model_validate(document).counts()
    event = build_event(
        "analyze.completed",
        WORKSPACE,
        {"run_id": run_id, **counts, "spec": document["spec"], "results_uri": results.as_uri()},
    )
    publisher = EventPublisher()
    publisher.publish(event)

    api = prefect_server.api_url
    (report_run,) = _wait_for(api, "generate-report", run_id)
    assert report_run["state"]["type"] == "COMPLETED", report_run["state"]
    assert report_run["parameters"]["event"]["event_id"] == str(event.event_id)
    assert "event_type:analyze.completed" in report_run["tags"]

    reports = Path(urlsplit(flow_storage["GLENS_REPORTS_URL"]).path) / WORKSPACE / run_id
    html = (reports / "report.html").read_text()
    assert "op0.case" in html and "Petstore API" in html
    assert "expected status 200, got 500 &lt;on item 0&gt;" in html  # escaped
    assert (reports / "report.md").exists()

    (notify_run,) = _wait_for(api, "send-notifications", run_id)
    assert notify_run["state"]["type"] == "COMPLETED", notify_run["state"]
    follow_up = notify_run["parameters"]["event"]
    assert follow_up["event_id"] == str(derived_event_id(event.event_id, "report.generated"))
    assert follow_up["payload"]["cause_event_id"] == str(event.event_id)

    posts = [json.loads(request.get_data()) for request, _ in webhook.log]
    assert len(posts) == 1
    assert run_id in posts[0]["title"] + posts[0]["message"]

    # The same message delivered again (a publisher retry): no second run anywhere, and
    # no second notification.
    publisher.publish(event)
    time.sleep(8)
    assert len(_runs(api, "generate-report", run_id)) == 1
    assert len(_runs(api, "send-notifications", run_id)) == 1
    assert len(webhook.log) == 1

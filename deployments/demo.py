"""`make demo`: the main job on the embedded defaults, end to end, all real.

Starts the local stack (official Pub/Sub emulator, Prefect server on SQLite with its UI, the
five functions under functions-framework with push subscriptions, a process worker), then:

1. writes an analyzer run-results document and publishes `analyze.completed` pointing to it;
2. the push subscription calls fn-report-generator, which starts `generate-report` (one run);
3. the worker runs it: report stored, artifacts, `report.generated` published;
4. fn-notification starts `send-notifications`, which posts to a local webhook receiver that
   this demo runs, configured as the workspace's target (a Prefect Variable);
5. a poison message lands on the dead-letter topic with its reason instead of being retried.

With a terminal attached, the stack stays up (browse the UI) until Ctrl-C.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

from deployments.local_stack import LocalStack
from deployments.prefect_queries import set_variable, wait_until_finished
from deployments.processes import ServiceStartError
from events import route_for

WORKSPACE = "ws_demo"
TIMEOUT_SECONDS = 240


class _WebhookReceiver(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        try:
            self.received.append(json.loads(body))
        except json.JSONDecodeError:
            self.received.append({"raw": body.decode(errors="replace")})
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:  # quiet
        pass


def _start_receiver() -> tuple[HTTPServer, str]:
    server = HTTPServer(("127.0.0.1", 0), _WebhookReceiver)  # port 0: no race for a free one
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"json://127.0.0.1:{server.server_address[1]}/glens-hook"


def _publish_scenario(results_dir: Path, run_id: str) -> None:
    from events import RunResults, build_event
    from events.examples import example_run_results
    from events.publisher import EventPublisher

    document = example_run_results(
        tests=40, failed=5, skipped=3, run_id=run_id, workspace_id=WORKSPACE
    )
    path = results_dir / f"{run_id}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2))
    counts = RunResults.model_validate(document).counts()
    event = build_event(
        "analyze.completed",
        WORKSPACE,
        {
            "run_id": run_id,
            **counts,
            "duration_ms": 5000.0,
            "spec": document["spec"],
            "results_uri": path.as_uri(),
        },
    )
    publisher = EventPublisher()
    result = publisher.publish(event)
    print(f"published analyze.completed {result.event_id} (message {result.message_id})")
    # A poison message: not JSON. It must end on the dead-letter topic, not loop forever.
    poison = publisher.client.publish(
        publisher.topic_path("analyze.completed"), b"{not json", event_type="analyze.completed"
    ).result(timeout=30)
    print(f"published a poison message (not JSON) to glens-analyze (message {poison})")


def _dead_letters(timeout: float = 30.0) -> list[dict]:
    from deployments.dlq import list_dead_letters

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        letters = list_dead_letters(route_for("analyze.completed").topic)  # left in place
        if letters:
            return [letter.attributes for letter in letters]
        time.sleep(1)
    return []


def main() -> int:
    """Run the demo; 0 when the report and the notification arrived and the poison was kept."""
    receiver, target = _start_receiver()
    stack = LocalStack()
    print("starting the local stack (Pub/Sub emulator, Prefect server, functions, worker)...")
    started = time.monotonic()
    try:
        stack.start()
    except ServiceStartError as exc:
        print(f"demo failed: {exc}")
        return 1
    try:
        print(f"stack up in {time.monotonic() - started:.0f}s; Prefect UI: {stack.server.url}")
        from flows.targets import variable_name

        api_url = stack.server.api_url
        set_variable(api_url, variable_name(WORKSPACE), [target])
        run_id = "run_demo_" + datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        _publish_scenario(stack.home.parent / "results" / WORKSPACE, run_id)
        deadline = time.monotonic() + TIMEOUT_SECONDS
        reports = wait_until_finished(
            api_url, WORKSPACE, "generate-report", run_id, TIMEOUT_SECONDS
        )
        notifications = wait_until_finished(
            api_url, WORKSPACE, "send-notifications", run_id, max(deadline - time.monotonic(), 1)
        )
        ok = _report(run_id, reports, notifications, _dead_letters())
        if ok and sys.stdin.isatty() and not os.environ.get("CI"):
            print(f"\nThe stack stays up: {stack.server.url} (Ctrl-C to stop)")
            stack.wait_for_interrupt()
        return 0 if ok else 1
    finally:
        stack.stop()
        receiver.shutdown()


def _report(
    run_id: str, reports: list[dict], notifications: list[dict], dead_letters: list[dict]
) -> bool:
    ok = True
    for label, runs in (("generate-report", reports), ("send-notifications", notifications)):
        states = [f"{run['name']}: {run['state']['type']}" for run in runs]
        print(f"{label}: {len(runs)} run(s) {states}")
        ok &= len(runs) == 1 and runs[0]["state"]["type"] == "COMPLETED"
    if reports and reports[0]["state"]["type"] == "COMPLETED":
        import fsspec

        from flows.settings import FlowSettings
        from flows.storage import report_location

        location = report_location(FlowSettings().reports_url, WORKSPACE, run_id)
        stored = fsspec.core.url_to_fs(location.html_uri)
        exists = stored[0].exists(stored[1])
        print(f"report: {location.html_uri} ({'stored' if exists else 'MISSING'})")
        ok &= exists
    print(f"webhook received {len(_WebhookReceiver.received)} notification(s)")
    for message in _WebhookReceiver.received:
        print(f"  {message.get('title', '')}: {str(message.get('message', message))[:200]}")
    ok &= len(_WebhookReceiver.received) == 1
    reasons = [attrs.get("dlq_reason", "?") for attrs in dead_letters]
    print(f"dead-letter topic glens-analyze-dead-letter holds {len(dead_letters)}: {reasons}")
    ok &= len(dead_letters) >= 1
    print("demo " + ("passed" if ok else "FAILED"))
    return ok


if __name__ == "__main__":
    raise SystemExit(main())

"""Cold start of a trigger function against a hello-world functions-framework function.

Each sample is a fresh interpreter that imports the functions module (through
functions_framework.create_app, as the server does) and serves its first CloudEvent through
the framework's test client. The trigger's first event makes its two Prefect calls to a
stub HTTP server in this process (the function's cost is measured, not Prefect's).
Median of N samples each; the ratio is trigger / hello.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from deployments import ROOT

SAMPLES = 9

HELLO = """
import functions_framework

@functions_framework.cloud_event
def hello(cloud_event):
    print("hello", cloud_event["id"])
"""

CLIENT = """
import base64, json, sys, time
started = time.perf_counter()
import functions_framework
from cloudevents.conversion import to_binary
from cloudevents.http import CloudEvent
app = functions_framework.create_app(sys.argv[1], sys.argv[2], "cloudevent")
event = json.loads(sys.argv[3])
data = {"message": {"data": base64.b64encode(json.dumps(event).encode()).decode(),
                    "messageId": "1", "attributes": {}}}
headers, body = to_binary(CloudEvent({"type": "google.cloud.pubsub.topic.v1.messagePublished",
    "source": "//pubsub.googleapis.com/projects/p/topics/glens-analyze", "id": "1"}, data))
response = app.test_client().post("/", headers=headers, data=body)
assert response.status_code == 200, response.data
print(json.dumps({"in_process_s": time.perf_counter() - started}), file=sys.stderr)
"""


class _StubPrefect(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def _reply(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._reply(200, {"id": str(uuid.uuid4())})

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._reply(201, {"id": str(uuid.uuid4()), "name": "bench"})


def _sample(target: str, source: str, env: dict[str, str]) -> tuple[float, float]:
    from events.examples import example_event

    started = time.perf_counter()
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            CLIENT,
            target,
            source,
            json.dumps(example_event("analyze.completed")),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - started
    return wall, json.loads(out.stderr.strip().splitlines()[-1])["in_process_s"]


def measure(samples: int = SAMPLES) -> dict[str, float]:
    import os

    stub = ThreadingHTTPServer(("127.0.0.1", 0), _StubPrefect)
    threading.Thread(target=stub.serve_forever, daemon=True).start()
    env = {**os.environ, "PREFECT_API_URL": f"http://127.0.0.1:{stub.server_address[1]}/api"}
    with tempfile.TemporaryDirectory() as tmp:
        hello = Path(tmp) / "hello.py"
        hello.write_text(HELLO)
        runs: dict[str, list[tuple[float, float]]] = {"hello": [], "trigger": []}
        for _ in range(samples):  # interleaved, so machine noise hits both alike
            runs["hello"].append(_sample("hello", str(hello), env))
            runs["trigger"].append(
                _sample("report_generator", str(ROOT / "triggers" / "main.py"), env)
            )
    stub.shutdown()
    hello_wall = statistics.median(w for w, _ in runs["hello"])
    trigger_wall = statistics.median(w for w, _ in runs["trigger"])
    hello_in = statistics.median(i for _, i in runs["hello"])
    trigger_in = statistics.median(i for _, i in runs["trigger"])
    import_only = statistics.median(
        float(
            subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "import time; t=time.perf_counter(); import triggers.main; "
                    "print(time.perf_counter()-t)",
                ],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        for _ in range(samples)
    )
    return {
        "trigger_cold_start_hello_s": round(hello_wall, 3),
        "trigger_cold_start_trigger_s": round(trigger_wall, 3),
        "trigger_cold_start_ratio": round(trigger_wall / hello_wall, 2),
        "trigger_cold_start_in_process_hello_s": round(hello_in, 3),
        "trigger_cold_start_in_process_trigger_s": round(trigger_in, 3),
        "trigger_cold_start_in_process_ratio": round(trigger_in / hello_in, 2),
        "trigger_import_triggers_main_s": round(import_only, 3),
        "trigger_cold_start_samples": samples,
    }


if __name__ == "__main__":
    from bench.record import record

    figures = measure()
    record(figures)
    print(json.dumps(figures, indent=2))

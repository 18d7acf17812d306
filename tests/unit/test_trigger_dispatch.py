"""The functions in-process (functions-framework test client) against a mocked Prefect API.

pytest-httpserver plays Prefect; a recording fake plays the dead-letter topic. Everything else is
the real code: the entry points, the dispatcher, the event contract.
"""

from __future__ import annotations

import base64
import json
import sys
import uuid
from pathlib import Path

import functions_framework
import pytest
from cloudevents.conversion import to_binary, to_structured
from cloudevents.http import CloudEvent
from werkzeug import Response

from events import EVENT_TYPES, route_for
from events.catalog import CATALOG
from events.examples import example_event

pytestmark = [pytest.mark.unit, pytest.mark.triggers]

MAIN = str(Path(__file__).resolve().parents[2] / "triggers" / "main.py")
API_KEY = "pnu_SECRET_KEY_0123456789abcdef"
DEPLOYMENT_IDS = {route.deployment: str(uuid.uuid4()) for route in CATALOG}


class FakeDeadLetters:
    """Records what would be published to the dead-letter topics."""

    def __init__(self, fail: bool = False):
        self.published: list[tuple[str, bytes, dict[str, str]]] = []
        self.fail = fail

    def publish(self, topic: str, data: bytes, attributes: dict[str, str]) -> str:
        if self.fail:
            raise RuntimeError("Pub/Sub unavailable")
        self.published.append((topic, data, attributes))
        return str(len(self.published))


class FakePrefect:
    """Deployment lookups and create_flow_run with idempotency, on pytest-httpserver."""

    def __init__(self, httpserver):
        self.server = httpserver
        self.runs: dict[str, dict] = {}  # idempotency_key -> run
        self.requests: list[dict] = []  # create_flow_run bodies and headers
        self.failures: list[int] = []  # statuses to answer before succeeding
        for deployment, dep_id in DEPLOYMENT_IDS.items():
            httpserver.expect_request(f"/api/deployments/name/{deployment}").respond_with_json(
                {"id": dep_id, "name": deployment.split("/")[1]}
            )
            httpserver.expect_request(
                f"/api/deployments/{dep_id}/create_flow_run", method="POST"
            ).respond_with_handler(self._create)

    def _create(self, request) -> Response:
        body = request.get_json()
        self.requests.append({"body": body, "headers": dict(request.headers)})
        if self.failures:
            status = self.failures.pop(0)
            return Response(
                json.dumps({"detail": f"failing with {API_KEY}"}), status, {"Retry-After": "0"}
            )
        key = body["idempotency_key"]
        created = key not in self.runs
        if created:
            self.runs[key] = {"id": str(uuid.uuid4()), "name": body["name"], **body}
        return Response(json.dumps(self.runs[key]), 201 if created else 200)


@pytest.fixture
def prefect(httpserver):
    return FakePrefect(httpserver)


@pytest.fixture
def make_client(httpserver, monkeypatch, capsys):
    """A functions-framework test client for one entry point, configured by environment."""

    def make(entry_point: str, dead_letters: FakeDeadLetters | None = None, **env: str):
        monkeypatch.setenv("PREFECT_API_URL", httpserver.url_for("/api"))
        monkeypatch.setenv("GLENS_TRIGGER_RETRY_BASE_DELAY", "0.001")
        monkeypatch.setenv("GLENS_TRIGGER_RETRY_MAX_DELAY", "0.002")
        monkeypatch.setenv("GLENS_TRIGGER_RETRY_BUSY_MAX_DELAY", "0.002")
        monkeypatch.delenv("PREFECT_API_KEY", raising=False)
        monkeypatch.delenv("PREFECT_API_AUTH_STRING", raising=False)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        app = functions_framework.create_app(entry_point, MAIN, "cloudevent")
        module = sys.modules["main"]
        module.dispatcher.dead_letters = dead_letters or FakeDeadLetters()
        return app.test_client(), module.dispatcher

    return make


def _pubsub_data(data: bytes, attributes: dict | None = None, message_id: str = "m-1") -> dict:
    return {
        "message": {
            "data": base64.b64encode(data).decode(),
            "attributes": attributes or {},
            "messageId": message_id,
            "publishTime": "2026-02-26T12:00:01Z",
        },
        "subscription": "projects/glens-local/subscriptions/fn-report-generator-sub",
    }


def _ce_attributes(topic: str = "glens-analyze") -> dict:
    return {
        "type": "google.cloud.pubsub.topic.v1.messagePublished",
        "source": f"//pubsub.googleapis.com/projects/glens-local/topics/{topic}",
        "id": "m-1",
    }


def post_binary(client, data: bytes, attributes: dict | None = None, topic="glens-analyze"):
    headers, body = to_binary(CloudEvent(_ce_attributes(topic), _pubsub_data(data, attributes)))
    return client.post("/", headers=headers, data=body)


def post_structured(client, data: bytes, attributes: dict | None = None):
    headers, body = to_structured(CloudEvent(_ce_attributes(), _pubsub_data(data, attributes)))
    return client.post("/", headers=headers, data=body)


def post_push(client, data: bytes, attributes: dict | None = None, message_id: str = "m-1"):
    """A raw Pub/Sub push body, as the emulator (or a push subscription) sends it."""
    return client.post(
        "/projects/glens-local/topics/glens-analyze",
        json=_pubsub_data(data, attributes, message_id),
    )


def log_lines(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]


def _event_bytes(event_type: str = "analyze.completed", **envelope) -> tuple[dict, bytes]:
    event = example_event(event_type, **envelope)
    return event, json.dumps(event).encode()


# --- the happy path ---------------------------------------------------------------------------


@pytest.mark.parametrize("post", [post_binary, post_structured, post_push])
def test_every_delivery_shape_creates_one_run_with_the_event_as_parameters(
    post, make_client, prefect, capsys
):
    client, _ = make_client("report_generator")
    event, data = _event_bytes()
    response = post(client, data, {"event_type": "analyze.completed"})
    assert response.status_code == 200, response.data
    (call,) = prefect.requests
    body = call["body"]
    assert body["idempotency_key"] == event["event_id"]
    assert body["parameters"] == {"event": event}
    assert body["tags"] == ["event_type:analyze.completed", "workspace:ws_abc"]
    assert body["name"] == "analyze.completed ws_abc run_123"
    (line,) = log_lines(capsys)
    assert line["outcome"] == "created"
    assert line["severity"] == "INFO"
    assert line["event_id"] == event["event_id"]
    assert line["flow_run_id"] == prefect.runs[event["event_id"]]["id"]


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_each_function_starts_its_own_deployment(event_type, make_client, prefect):
    route = route_for(event_type)
    client, _ = make_client(route.entry_point)
    _, data = _event_bytes(event_type)
    assert post_binary(client, data, topic=route.topic).status_code == 200
    (call,) = prefect.requests
    assert call["body"]["parameters"]["event"]["event_type"] == event_type
    lookups = [r for r in prefect.server.log if "/deployments/name/" in r[0].path]
    assert [r[0].path for r in lookups] == [f"/api/deployments/name/{route.deployment}"]


def test_redelivery_returns_the_same_run_and_logs_duplicate(make_client, prefect, capsys):
    client, _ = make_client("report_generator")
    _, data = _event_bytes()
    for _ in range(3):
        assert post_push(client, data).status_code == 200
    assert len(prefect.runs) == 1
    lines = log_lines(capsys)
    assert [line["outcome"] for line in lines] == ["created", "duplicate", "duplicate"]
    assert len({line["flow_run_id"] for line in lines}) == 1


def test_deployment_id_is_looked_up_once_per_instance(make_client, prefect):
    client, _ = make_client("report_generator")
    for _ in range(3):
        _, data = _event_bytes()
        assert post_binary(client, data).status_code == 200
    lookups = [r for r in prefect.server.log if "/deployments/name/" in r[0].path]
    assert len(lookups) == 1
    assert len(prefect.runs) == 3


# --- auth -------------------------------------------------------------------------------------


def test_prefect_cloud_api_key_is_sent_as_bearer(make_client, prefect):
    client, _ = make_client("report_generator", PREFECT_API_KEY=API_KEY)
    _, data = _event_bytes()
    assert post_binary(client, data).status_code == 200
    assert prefect.requests[0]["headers"]["Authorization"] == f"Bearer {API_KEY}"


def test_self_hosted_auth_string_is_sent_as_basic(make_client, prefect):
    client, _ = make_client("report_generator", PREFECT_API_AUTH_STRING="admin:s3cret-pass")
    _, data = _event_bytes()
    assert post_binary(client, data).status_code == 200
    token = base64.b64encode(b"admin:s3cret-pass").decode()
    assert prefect.requests[0]["headers"]["Authorization"] == f"Basic {token}"


# --- permanent errors: dead-lettered with the original message, acked --------------------------

ORIGINAL_ATTRIBUTES = {"event_type": "analyze.completed", "workspace_id": "ws_abc", "ce-id": "x"}


def _oversized() -> bytes:
    event = example_event("analyze.completed")
    event["payload"]["padding"] = "x" * 300_000
    return json.dumps(event).encode()


def _schema_violation() -> bytes:
    event = example_event("analyze.completed")
    event["payload"]["passed"] = -1
    return json.dumps(event).encode()


POISON = {
    "invalid_json": b"{not json",
    "schema_violation": _schema_violation(),
    "wrong_type": json.dumps(example_event("test.failed")).encode(),
    "unknown_type": json.dumps(
        {**example_event("analyze.completed"), "event_type": "x.y"}
    ).encode(),
    "oversized": _oversized(),
}


@pytest.mark.parametrize("reason", sorted(POISON))
@pytest.mark.parametrize("post", [post_binary, post_push])
def test_poison_goes_to_the_dead_letter_topic_and_is_acked(
    reason, post, make_client, prefect, capsys
):
    sink = FakeDeadLetters()
    client, _ = make_client("report_generator", sink)
    response = post(client, POISON[reason], ORIGINAL_ATTRIBUTES)
    assert response.status_code == 200, response.data
    assert prefect.requests == []
    ((topic, data, attrs),) = sink.published
    assert topic == "glens-analyze-dead-letter"
    assert data == POISON[reason]  # the original bytes, untouched
    assert {k: attrs[k] for k in ORIGINAL_ATTRIBUTES} == ORIGINAL_ATTRIBUTES
    assert attrs["dlq_reason"] == reason
    assert attrs["dlq_function"] == "fn-report-generator"
    assert attrs["dlq_original_message_id"] == "m-1"
    assert attrs["dlq_source_subscription"].endswith("fn-report-generator-sub")
    assert attrs["dlq_source_topic"] == "glens-analyze"
    assert attrs["dlq_error_class"] in {"EventValidationError", "WrongEventType"}
    assert attrs["dlq_error"]
    (line,) = log_lines(capsys)
    assert line["outcome"] == "dead_lettered"
    assert line["reason"] == reason
    assert line["severity"] == "ERROR"


def test_undecodable_message_data_is_dead_lettered(make_client, prefect):
    sink = FakeDeadLetters()
    client, _ = make_client("report_generator", sink)
    body = _pubsub_data(b"")
    body["message"]["data"] = "%%% not base64 %%%"
    headers, payload = to_binary(CloudEvent(_ce_attributes(), body))
    assert client.post("/", headers=headers, data=payload).status_code == 200
    ((_, _, attrs),) = sink.published
    assert attrs["dlq_reason"] == "malformed_message"


@pytest.mark.parametrize("status", [401, 403, 404, 422])
def test_prefect_rejection_is_dead_lettered_not_retried_forever(
    status, make_client, prefect, capsys
):
    sink = FakeDeadLetters()
    client, _ = make_client("report_generator", sink, PREFECT_API_KEY=API_KEY)
    prefect.failures = [status] * 3  # a 404 is retried once with a fresh deployment lookup
    _, data = _event_bytes()
    assert post_binary(client, data).status_code == 200
    ((_, published, attrs),) = sink.published
    assert published == data
    assert attrs["dlq_reason"] == "prefect_rejected"
    assert API_KEY not in json.dumps(attrs)
    assert len(prefect.requests) == (2 if status == 404 else 1)


def test_stale_deployment_id_is_looked_up_again(make_client, prefect):
    client, _ = make_client("report_generator")
    prefect.failures = [404]
    _, data = _event_bytes()
    assert post_binary(client, data).status_code == 200
    assert len(prefect.runs) == 1
    lookups = [r for r in prefect.server.log if "/deployments/name/" in r[0].path]
    assert len(lookups) == 2


# --- transient errors: brief retry, then 500 so Pub/Sub redelivers ------------------------------


@pytest.mark.parametrize("status", [500, 503, 429])
def test_transient_status_is_retried_in_function(status, make_client, prefect, capsys):
    client, _ = make_client("report_generator")
    prefect.failures = [status, status]
    _, data = _event_bytes()
    assert post_binary(client, data).status_code == 200
    assert len(prefect.requests) == 3
    assert len(prefect.runs) == 1
    (line,) = log_lines(capsys)
    assert (line["outcome"], line["attempts"]) == ("created", 3)


def test_persistent_503_fails_the_delivery_for_redelivery(make_client, prefect, capsys):
    sink = FakeDeadLetters()
    client, _ = make_client("report_generator", sink, GLENS_TRIGGER_RETRY_ATTEMPTS="3")
    prefect.failures = [503] * 10
    _, data = _event_bytes()
    assert post_binary(client, data).status_code == 500
    assert len(prefect.requests) == 3
    assert sink.published == []  # transient: Pub/Sub keeps it, not the dead-letter topic
    (line,) = log_lines(capsys)
    assert (line["outcome"], line["severity"], line["attempts"]) == ("retry", "WARNING", 3)


def test_unreachable_prefect_fails_the_delivery(make_client, monkeypatch, capsys):
    from deployments.processes import free_port

    client, _ = make_client(
        "report_generator",
        PREFECT_API_URL=f"http://127.0.0.1:{free_port()}/api",
        GLENS_TRIGGER_RETRY_ATTEMPTS="2",
    )
    _, data = _event_bytes()
    assert post_push(client, data).status_code == 500
    (line,) = log_lines(capsys)
    assert line["outcome"] == "retry"
    assert "unreachable" in line["message"]


def test_dead_letter_publish_failure_fails_the_delivery(make_client, prefect, capsys):
    client, _ = make_client("report_generator", FakeDeadLetters(fail=True))
    assert post_binary(client, b"{not json").status_code == 500
    (line,) = log_lines(capsys)
    assert line["outcome"] == "retry"


# --- logs -------------------------------------------------------------------------------------


def test_no_credential_in_any_log_line_or_dead_letter(make_client, prefect, capsys, caplog):
    sink = FakeDeadLetters()
    client, _ = make_client("report_generator", sink, PREFECT_API_KEY=API_KEY)
    _, data = _event_bytes()
    prefect.failures = [503] * 20  # every error body echoes the key back
    assert post_binary(client, data).status_code == 500
    prefect.failures = [401]
    assert post_binary(client, data).status_code == 200
    out = capsys.readouterr()
    lines = out.out.splitlines()
    assert len(lines) == 2
    assert all(API_KEY not in line for line in lines)
    assert "***" in lines[0]  # the echoed key was there and was masked
    assert API_KEY not in out.err
    assert "Traceback" in caplog.text  # functions-framework logged the 500's traceback...
    assert API_KEY not in caplog.text  # ...without the key
    assert API_KEY not in json.dumps([a for _, _, a in sink.published])


def test_basic_auth_password_never_logged(make_client, prefect, capsys, caplog):
    client, _ = make_client("report_generator", PREFECT_API_AUTH_STRING="admin:pw-7f3k9q")
    prefect.failures = [503] * 20
    _, data = _event_bytes()
    assert post_binary(client, data).status_code == 500
    out = capsys.readouterr()
    assert "pw-7f3k9q" not in out.out + out.err + caplog.text
    assert out.out  # there was a line to check


@pytest.mark.parametrize(("limit", "expected_peak"), [("1", 1), ("0", 6)])
def test_simultaneous_prefect_calls_can_be_bounded(limit, expected_peak):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from triggers.config import TriggerConfig
    from triggers.prefect_api import PrefectApi

    active, peak, lock = [0], [0], threading.Lock()
    barrier = threading.Event()

    class Slow(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            with lock:
                active[0] += 1
                peak[0] = max(peak[0], active[0])
                if active[0] == 6:
                    barrier.set()
            barrier.wait(0.3)  # unbounded: all six meet here; bounded: each waits it out
            with lock:
                active[0] -= 1
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {
        "PREFECT_API_URL": f"http://127.0.0.1:{server.server_address[1]}/api",
        "GLENS_TRIGGER_MAX_CONCURRENT_CALLS": limit,
    }
    api = PrefectApi(TriggerConfig.from_env(env))
    threads = [threading.Thread(target=api.request, args=("GET", "/slow")) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    server.shutdown()
    server.server_close()
    assert peak[0] == expected_peak


@pytest.mark.parametrize(("busy", "cap"), [(True, 0.5), (False, 3.0)])
def test_busy_and_unreachable_servers_have_their_own_backoff_caps(busy, cap):
    from triggers.config import TriggerConfig
    from triggers.errors import TransientError
    from triggers.prefect_api import PrefectApi

    delays: list[float] = []
    env = {
        "GLENS_TRIGGER_RETRY_ATTEMPTS": "8",
        "GLENS_TRIGGER_RETRY_BUDGET": "1000",
        "GLENS_TRIGGER_RETRY_BUSY_MAX_DELAY": "0.5",
    }
    api = PrefectApi(TriggerConfig.from_env(env), sleep=delays.append)

    def failing():
        raise TransientError("no", busy=busy)

    with pytest.raises(TransientError) as caught:
        api.with_retry(failing)
    assert caught.value.attempts == 8
    assert len(delays) == 7
    assert max(delays) <= cap
    assert sum(delays) > 0


def test_retry_after_is_honoured():
    from triggers.config import TriggerConfig
    from triggers.errors import TransientError
    from triggers.prefect_api import PrefectApi

    delays: list[float] = []
    api = PrefectApi(
        TriggerConfig.from_env({"GLENS_TRIGGER_RETRY_ATTEMPTS": "2"}), sleep=delays.append
    )
    calls = iter([TransientError("429", retry_after=1.25, busy=True), None])

    def flaky():
        error = next(calls)
        if error:
            raise error
        return "ok"

    assert api.with_retry(flaky) == ("ok", 2)
    assert delays == [1.25]

"""The notification flow against a real Prefect server, a local webhook receiver
(pytest-httpserver) and a local SMTP server (aiosmtpd)."""

from __future__ import annotations

import email
import json
import uuid
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from werkzeug import Request, Response

from deployments.processes import free_port
from events.examples import example_event
from tests.prefect_helpers import flow_run_logs

pytestmark = [
    pytest.mark.integration,
    pytest.mark.report,
    pytest.mark.usefixtures("flow_run_logs_sent"),
]


class Inbox:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on a free port (port=0 fails aiosmtpd's self-check)."""
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def notify_env(tmp_path, monkeypatch) -> None:
    """A fresh once-per-event ledger and short backoff (settings are read when the flow runs)."""
    monkeypatch.setenv("GLENS_NOTIFY_LEDGER_URL", (tmp_path / "ledger").as_uri())
    monkeypatch.setenv("GLENS_NOTIFY_BACKOFF_SECONDS", "0.2")
    monkeypatch.setenv("GLENS_NOTIFY_RETRIES", "3")


def _set_targets(workspace_id: str, targets: list[str] | None) -> None:
    from prefect.variables import Variable

    from flows.targets import variable_name

    if targets is None:
        Variable.unset(variable_name(workspace_id))
    else:
        Variable.set(variable_name(workspace_id), targets, overwrite=True)


def _event(workspace_id: str) -> dict:
    return example_event("report.generated", workspace_id=workspace_id, event_id=str(uuid.uuid4()))


def test_webhook_and_email_receive_one_message_per_event_across_reruns(
    prefect_server, httpserver, smtp, notify_env
):
    from prefect.blocks.system import Secret

    from flows.notification import send_notifications

    inbox, smtp_port = smtp
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    # A webhook URL holding a token goes into a Secret block; the Variable only references it.
    Secret(value=httpserver.url_for("/hook").replace("http://", "json://") + "?token=s3cr3t").save(
        "glens-it-hook", overwrite=True
    )
    _set_targets(
        "ws_it_notify",
        [
            "secret:glens-it-hook",
            f"mailto://127.0.0.1:{smtp_port}?from=glens@example.com&to=ops@example.com",
        ],
    )
    event = _event("ws_it_notify")

    state = send_notifications(event=event, return_state=True)
    assert state.is_completed(), state.message
    assert len(state.result()["sent"]) == 2
    (request, _response), *more = httpserver.log
    assert not more
    body = json.loads(request.get_data())
    assert "run_123 FAILED: 2 of 11 tests failed" in body["title"]
    assert "8 passed · 2 failed · 1 skipped" in body["message"]
    assert event["payload"]["html_uri"] in body["message"]
    (mail,) = inbox.messages
    assert mail["To"] == "ops@example.com"
    assert "2 of 11 tests failed" in mail["Subject"]

    # The same event again: nothing is sent, both deliveries are found in the ledger.
    again = send_notifications(event=event, return_state=True)
    assert again.is_completed(), again.message
    assert again.result() == {"sent": [], "already_sent": state.result()["sent"]}
    assert len(httpserver.log) == 1 and len(inbox.messages) == 1

    # Another event to the same targets is a new delivery.
    assert send_notifications(event=_event("ws_it_notify"), return_state=True).is_completed()
    assert len(httpserver.log) == 2 and len(inbox.messages) == 2


def test_failing_target_is_retried_and_does_not_block_the_others(
    prefect_server, httpserver, smtp, notify_env
):
    from flows.notification import send_notifications

    inbox, smtp_port = smtp
    calls = {"flaky": 0}

    def flaky(request: Request) -> Response:
        calls["flaky"] += 1  # fails twice, then accepts
        return Response("busy", status=503) if calls["flaky"] <= 2 else Response("ok")

    httpserver.expect_request("/flaky").respond_with_handler(flaky)
    dead_port = free_port()  # nothing listens there: refused on every attempt
    flaky_url = httpserver.url_for("/flaky").replace("http://", "json://") + "?token=s3cr3t"
    dead_url = f"json://user:pa55word@127.0.0.1:{dead_port}/hook"
    _set_targets(
        "ws_it_flaky",
        [
            flaky_url,
            dead_url,
            f"mailto://127.0.0.1:{smtp_port}?from=glens@example.com&to=ops@example.com",
        ],
    )
    event = _event("ws_it_flaky")

    state = send_notifications(event=event, return_state=True)
    assert state.is_failed()
    assert calls["flaky"] == 3, "the flaky target is retried until it accepts"
    assert len(inbox.messages) == 1, "the email target is not held up by the dead one"
    assert "1 of 3 targets failed" in state.message
    assert f"json://127.0.0.1:{dead_port}/…" in state.message

    # Credentials never reach the logs or the state message.
    logs = flow_run_logs(prefect_server.api_url, state.state_details.flow_run_id)
    assert "Notified json://localhost" in logs
    for secret in ("s3cr3t", "pa55word", "user:"):
        assert secret not in logs and secret not in state.message

    # A re-run retries only the target that never succeeded.
    again = send_notifications(event=event, return_state=True)
    assert again.is_failed()
    assert calls["flaky"] == 3 and len(inbox.messages) == 1


def test_workspace_without_targets_completes_with_a_clear_log_line(prefect_server, notify_env):
    from flows.notification import send_notifications

    _set_targets("ws_it_nobody", None)
    state = send_notifications(event=_event("ws_it_nobody"), return_state=True)
    assert state.is_completed(), state.message
    assert state.result() == {"sent": [], "already_sent": []}
    logs = flow_run_logs(prefect_server.api_url, state.state_details.flow_run_id)
    assert "No notification targets for workspace ws_it_nobody" in logs
    assert "'glens_notify_ws_it_nobody'" in logs


def test_ledger_on_cloud_storage_block_sends_once_across_reruns(
    prefect_server, gcs_emulator, httpserver, notify_env, monkeypatch
):
    """The production set-up: workers share the ledger through a RemoteFileSystem block on
    gs:// (here the local Cloud Storage), not a local folder."""
    import fsspec
    from prefect.filesystems import RemoteFileSystem

    from flows.notification import send_notifications

    fs = fsspec.filesystem("gs", token="anon")
    bucket = f"glens-it-ledger-{uuid.uuid4().hex[:8]}"
    fs.mkdir(bucket)
    RemoteFileSystem(basepath=f"gs://{bucket}/notifications").save(
        "glens-it-ledger", overwrite=True
    )
    monkeypatch.setenv("GLENS_NOTIFY_LEDGER_BLOCK", "remote-file-system/glens-it-ledger")
    httpserver.expect_request("/gcs-hook", method="POST").respond_with_data("ok")
    _set_targets(
        "ws_it_gcs_ledger", [httpserver.url_for("/gcs-hook").replace("http://", "json://")]
    )
    event = _event("ws_it_gcs_ledger")

    first = send_notifications(event=event, return_state=True)
    assert first.is_completed(), first.message
    assert len(first.result()["sent"]) == 1
    fs.invalidate_cache()
    records = fs.find(f"{bucket}/notifications")
    assert len(records) == 1 and event["event_id"] in records[0]

    again = send_notifications(event=event, return_state=True)
    assert again.is_completed(), again.message
    assert again.result() == {"sent": [], "already_sent": first.result()["sent"]}
    assert len(httpserver.log) == 1

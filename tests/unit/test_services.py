"""A service that cannot start fails loudly, saying which and why (never a silent skip)."""

from __future__ import annotations

import sys

import pytest

from deployments import pubsub_emulator
from deployments.processes import ManagedProcess, ServiceStartError, free_port, port_open
from tests.services import started

pytestmark = [pytest.mark.unit, pytest.mark.stack]


def test_process_that_exits_while_starting_reports_its_log(tmp_path):
    process = ManagedProcess(
        "doomed service",
        [sys.executable, "-c", "import sys; print('config file missing: /x.yaml'); sys.exit(3)"],
        tmp_path / "doomed.log",
    )
    with pytest.raises(ServiceStartError) as info:
        process.start(lambda: False, timeout=20)
    message = str(info.value)
    assert "doomed service exited with code 3" in message
    assert "config file missing: /x.yaml" in message


def test_process_never_ready_is_stopped_and_reported(tmp_path):
    process = ManagedProcess(
        "slow service", [sys.executable, "-c", "import time; time.sleep(60)"], tmp_path / "s.log"
    )
    with pytest.raises(ServiceStartError, match=r"slow service was not ready after 0\.5s"):
        process.start(lambda: False, timeout=0.5)
    assert process.proc.poll() is not None  # stopped, not left behind


def test_ready_process_serves_and_stops_by_pid(tmp_path):
    port = free_port()
    process = ManagedProcess(
        "http",
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        tmp_path / "http.log",
    ).start(lambda: port_open(port), timeout=20)
    assert port_open(port)
    process.stop()
    assert not port_open(port)


def test_missing_emulator_says_what_to_install(monkeypatch):
    monkeypatch.setattr(pubsub_emulator.shutil, "which", lambda name: None)
    monkeypatch.setattr(pubsub_emulator, "_DEFAULT_SDK_ROOTS", ("/nonexistent-sdk",))
    with pytest.raises(ServiceStartError, match="google-cloud-cli-pubsub-emulator"):
        pubsub_emulator.emulator_binary()


def test_a_fixture_whose_service_cannot_start_fails_the_test():
    def start():
        raise ServiceStartError("port 8085 in use")

    with pytest.raises(pytest.fail.Exception, match="Pub/Sub emulator could not start: port 8085"):
        started(start, "Pub/Sub emulator")

"""`make demo` itself, as an operator runs it: the whole local stack from nothing, the main job
end to end, a poison message kept on the dead-letter topic; exit code 0 only when all happened."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from deployments import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.stack]


def test_make_demo_runs_the_main_job(tmp_path):
    env = {
        **os.environ,
        "CI": "true",  # do not wait for Ctrl-C
        "GLENS_STACK_HOME": str(tmp_path / "stack"),
        "GLENS_REPORTS_URL": (tmp_path / "reports").as_uri(),
        "GLENS_NOTIFY_LEDGER_URL": (tmp_path / "ledger").as_uri(),
    }
    for key in ("PUBSUB_EMULATOR_HOST", "PREFECT_API_URL"):
        env.pop(key, None)  # the demo starts its own
    out = subprocess.run(
        [sys.executable, "-m", "deployments.demo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=420,
        stdin=subprocess.DEVNULL,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "generate-report: 1 run(s)" in out.stdout
    assert "send-notifications: 1 run(s)" in out.stdout
    assert "webhook received 1 notification(s)" in out.stdout
    assert "'invalid_json'" in out.stdout
    assert list((tmp_path / "reports" / "ws_demo").glob("*/report.html"))

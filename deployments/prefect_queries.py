"""Small reads and writes on a Prefect server's REST API that the demo, the tests and the
benchmarks share (httpx only: usable where importing prefect would be too slow)."""

from __future__ import annotations

import time
from typing import Any

import httpx

PAGE = 200  # the server's largest page for /flow_runs/filter
TERMINAL = frozenset({"COMPLETED", "FAILED", "CRASHED", "CANCELLED"})


def workspace_filter(workspace_id: str) -> dict[str, Any]:
    """The flow-run filter of one workspace: the trigger tags every run `workspace:<id>`."""
    return {"flow_runs": {"tags": {"all_": [f"workspace:{workspace_id}"]}}}


def runs_of_workspace(
    api_url: str, workspace_id: str, flow_name: str | None = None, timeout: float = 30.0
) -> list[dict[str, Any]]:
    """Every flow run tagged `workspace:<id>` (optionally of one flow), all pages."""
    query = workspace_filter(workspace_id)
    if flow_name:
        query["flows"] = {"name": {"any_": [flow_name]}}
    runs: list[dict[str, Any]] = []
    with httpx.Client(timeout=timeout) as client:
        while True:
            response = client.post(
                f"{api_url}/flow_runs/filter", json={**query, "limit": PAGE, "offset": len(runs)}
            )
            response.raise_for_status()
            page = response.json()
            runs += page
            if len(page) < PAGE:
                return runs


def count_runs_of_workspace(client: httpx.Client, api_url: str, workspace_id: str) -> int:
    """How many runs the workspace has (one cheap call: for polling a burst)."""
    response = client.post(f"{api_url}/flow_runs/count", json=workspace_filter(workspace_id))
    response.raise_for_status()
    return response.json()


def wait_for_runs(
    api_url: str, workspace_id: str, want: int, timeout: float
) -> list[dict[str, Any]]:
    """Poll until the workspace has at least `want` runs; what exists at timeout."""
    deadline = time.monotonic() + timeout
    runs: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        runs = runs_of_workspace(api_url, workspace_id)
        if len(runs) >= want:
            return runs
        time.sleep(0.5)
    return runs


def runs_for_analyzer_run(
    api_url: str, workspace_id: str, flow_name: str, run_id: str
) -> list[dict[str, Any]]:
    """The runs of one flow whose `event` parameter is about analyzer run `run_id`."""
    return [
        run
        for run in runs_of_workspace(api_url, workspace_id, flow_name)
        if run["parameters"]["event"]["payload"]["run_id"] == run_id
    ]


def wait_until_finished(
    api_url: str, workspace_id: str, flow_name: str, run_id: str, timeout: float
) -> list[dict[str, Any]]:
    """Poll until runs_for_analyzer_run exist and all are terminal; what exists at timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = runs_for_analyzer_run(api_url, workspace_id, flow_name, run_id)
        if runs and all(run["state"]["type"] in TERMINAL for run in runs):
            return runs
        time.sleep(1)
    return runs_for_analyzer_run(api_url, workspace_id, flow_name, run_id)


def set_variable(api_url: str, name: str, value: Any, timeout: float = 30.0) -> None:
    """Create or overwrite a Prefect Variable (operators' settings, e.g. notification targets)."""
    with httpx.Client(base_url=api_url, timeout=timeout) as client:
        response = client.post("/variables/", json={"name": name, "value": value})
        if response.status_code == 409:
            response = client.patch(f"/variables/name/{name}", json={"value": value})
        response.raise_for_status()

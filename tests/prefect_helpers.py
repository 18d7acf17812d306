"""Reading a flow run's task runs, logs and other records back through the Prefect REST API."""

from __future__ import annotations

from typing import Any

import httpx


def prefect_api(api_url: str, method: str, path: str, body: dict | None = None) -> Any:
    """One request to the Prefect REST API at `api_url`; the decoded JSON answer."""
    response = httpx.request(method, f"{api_url}{path}", json=body, timeout=10)
    response.raise_for_status()
    return response.json()


def task_run_named(api_url: str, flow_state, prefix: str) -> dict:
    """The one task run of the flow run behind `flow_state` whose name starts with `prefix`."""
    task_runs = prefect_api(
        api_url,
        "POST",
        "/task_runs/filter",
        {"flow_runs": {"id": {"any_": [str(flow_state.state_details.flow_run_id)]}}},
    )
    (found,) = [t for t in task_runs if t["name"].startswith(prefix)]
    return found


def flow_run_logs(api_url: str, flow_run_id) -> str:
    """The messages a flow run has logged, one per line (its queued logs sent first)."""
    from prefect.logging.handlers import APILogHandler

    APILogHandler().flush()  # send the queued run logs before reading them back
    entries = prefect_api(
        api_url, "POST", "/logs/filter", {"logs": {"flow_run_id": {"any_": [str(flow_run_id)]}}}
    )
    return "\n".join(entry["message"] for entry in entries)

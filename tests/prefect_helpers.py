"""Reading a finished flow run's task runs back through the Prefect REST API."""

from __future__ import annotations

import httpx


def task_run_named(api_url: str, flow_state, prefix: str) -> dict:
    """The one task run of the flow run behind `flow_state` whose name starts with `prefix`."""
    task_runs = httpx.post(
        f"{api_url}/task_runs/filter",
        json={"flow_runs": {"id": {"any_": [str(flow_state.state_details.flow_run_id)]}}},
        timeout=10,
    )
    task_runs.raise_for_status()
    (found,) = [t for t in task_runs.json() if t["name"].startswith(prefix)]
    return found

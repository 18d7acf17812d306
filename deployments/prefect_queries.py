"""Small reads and writes on a Prefect server's REST API that the demo, the tests and the
benchmarks share (httpx only: usable where importing prefect would be too slow)."""

from __future__ import annotations

from typing import Any

import httpx

PAGE = 200  # the server's largest page for /flow_runs/filter


def runs_of_workspace(
    api_url: str, workspace_id: str, flow_name: str | None = None, timeout: float = 30.0
) -> list[dict[str, Any]]:
    """Every flow run tagged `workspace:<id>` (optionally of one flow), all pages."""
    query: dict[str, Any] = {"flow_runs": {"tags": {"all_": [f"workspace:{workspace_id}"]}}}
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


def set_variable(api_url: str, name: str, value: Any, timeout: float = 30.0) -> None:
    """Create or overwrite a Prefect Variable (operators' settings, e.g. notification targets)."""
    with httpx.Client(base_url=api_url, timeout=timeout) as client:
        response = client.post("/variables/", json={"name": name, "value": value})
        if response.status_code == 409:
            response = client.patch(f"/variables/name/{name}", json={"value": value})
        response.raise_for_status()

"""The catalog's Prefect deployments: registered with a server over REST (local stack, tests),
and rendered as `prefect.yaml` for `prefect deploy --all` (production).

Both derive from events/catalog.py, so a sixth event type is one catalog entry plus its flow.
Deployments are registered even when their flow module does not exist yet: runs can be created
(and the triggers tested); a worker that picks one up fails it honestly.
"""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

from deployments import LOCAL_WORK_POOL, ROOT
from events.catalog import CATALOG, Route

PREFECT_YAML = ROOT / "prefect.yaml"
PRODUCTION_WORK_POOL = "glens-cloud-run"
PRODUCTION_WORKDIR = "/opt/prefect/glens-flows"


def deployment_tags(route: Route) -> list[str]:
    """Tags on the deployment (every run inherits them; the trigger adds the workspace)."""
    return ["glens", f"event_type:{route.event_type}"]


def parameter_schema(route: Route) -> dict[str, Any]:
    """The flow's one parameter, `event`, as the JSON schema Prefect's UI renders as a form."""
    schema = route.event_model.model_json_schema(ref_template="#/definitions/{model}")
    definitions = schema.pop("$defs", {})
    return {
        "title": "Parameters",
        "type": "object",
        "properties": {
            "event": {
                **schema,
                "title": "event",
                "description": f"The {route.event_type} event (its JSON envelope) that started this run.",
                "position": 0,
            }
        },
        "required": ["event"],
        "definitions": definitions,
    }


def _post(
    client: httpx.Client, path: str, body: dict[str, Any], attempts: int = 8
) -> httpx.Response:
    # A freshly started server on SQLite answers 503 `database is locked` while its own
    # services write (seen on a fresh `make demo`): retry busy answers, with backoff.
    for attempt in range(attempts):
        try:
            response = client.post(path, json=body)
        except httpx.TransportError:
            if attempt == attempts - 1:
                raise
        else:
            if response.status_code not in (429, 500, 502, 503, 504) or attempt == attempts - 1:
                return response
        time.sleep(min(0.25 * 2**attempt, 4.0) * random.uniform(0.5, 1.0))
    raise AssertionError("unreachable")


def _ok(response: httpx.Response, what: str) -> Any:
    if response.status_code >= 400:
        raise RuntimeError(f"Prefect refused {what}: {response.status_code} {response.text[:300]}")
    return response.json() if response.content else None


def ensure_work_pool(client: httpx.Client, name: str = LOCAL_WORK_POOL) -> None:
    """A `process` work pool with the process worker's default job template (idempotent)."""
    from prefect.workers.process import ProcessWorker  # deployments/ may import prefect

    response = _post(
        client,
        "/work_pools/",
        {
            "name": name,
            "type": "process",
            "description": "glens local stack: flow runs as local processes",
            "base_job_template": ProcessWorker.get_default_base_job_template(),
        },
    )
    if response.status_code != 409:  # 409: it exists already
        _ok(response, f"work pool {name}")


def register_deployments(
    api_url: str,
    *,
    work_pool: str = LOCAL_WORK_POOL,
    path: Path = ROOT,
    headers: dict[str, str] | None = None,
    timeout: float = 30.0,
) -> dict[str, str]:
    """Create or update every catalog deployment on the server at `api_url`; route.deployment
    -> deployment id. Flow runs execute in `path` (the checkout) on the `work_pool`."""
    ids = {}
    with httpx.Client(base_url=api_url.rstrip("/"), headers=headers, timeout=timeout) as client:
        ensure_work_pool(client, work_pool)
        for route in CATALOG:
            flow = _ok(_post(client, "/flows/", {"name": route.flow_name}), route.flow_name)
            body = {
                "name": route.deployment_name,
                "flow_id": flow["id"],
                "work_pool_name": work_pool,
                "entrypoint": route.flow_entrypoint,
                "path": str(path),
                "pull_steps": [
                    {"prefect.deployments.steps.set_working_directory": {"directory": str(path)}}
                ],
                "parameter_openapi_schema": parameter_schema(route),
                # The trigger validated the event already; the flow validates it again.
                "enforce_parameter_schema": False,
                "tags": deployment_tags(route),
                "description": route.description,
                "paused": False,
            }
            deployment = _ok(_post(client, "/deployments/", body), route.deployment)
            ids[route.deployment] = deployment["id"]
    return ids


def prefect_yaml_document() -> dict[str, Any]:
    """prefect.yaml for production: every catalog deployment on the Cloud Run work pool."""
    return {
        "name": "glens-flows",
        "prefect-version": "3",
        "build": None,
        "push": None,
        # The flows image holds this checkout at PRODUCTION_WORKDIR.
        "pull": [
            {"prefect.deployments.steps.set_working_directory": {"directory": PRODUCTION_WORKDIR}}
        ],
        "deployments": [
            {
                "name": route.deployment_name,
                "description": route.description,
                "entrypoint": route.flow_entrypoint,
                "tags": deployment_tags(route),
                "parameters": {},
                "enforce_parameter_schema": True,
                "work_pool": {
                    "name": PRODUCTION_WORK_POOL,
                    "work_queue_name": "default",
                    "job_variables": {},
                },
                "schedules": [],
            }
            for route in CATALOG
        ],
    }


def render_prefect_yaml() -> str:
    """prefect.yaml's exact text."""
    header = (
        "# Generated from events/catalog.py by `glens deployments yaml`; do not edit by hand.\n"
        "# Production: `prefect --no-prompt deploy --all` (runs are started by the triggers,\n"
        "# flow_name/deployment_name as in the catalog; runs are tagged event_type and workspace).\n"
    )
    return header + yaml.safe_dump(prefect_yaml_document(), sort_keys=False, width=100)

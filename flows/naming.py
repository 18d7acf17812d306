"""Flow-run names. The trigger names the runs it creates; Prefect applies a flow's
`flow_run_name` to every run, so ours gives the very same name (a triggered run keeps its name)
and a manual run from the UI or CLI is named the same way. A unit test guards the two."""

from __future__ import annotations

from typing import Any


def run_name_of(event: Any) -> str:
    """`{event_type} {workspace_id} {run_id}` (the event id's first 8 characters without one)."""
    if isinstance(event, dict):
        event_type, workspace = event.get("event_type", "?"), event.get("workspace_id", "?")
        run_id = (event.get("payload") or {}).get("run_id")
        event_id = str(event.get("event_id", "?"))
    else:
        event_type, workspace = event.event_type, event.workspace_id
        run_id = getattr(event.payload, "run_id", None)
        event_id = str(event.event_id)
    return f"{event_type} {workspace} {run_id or event_id[:8]}"


def current_run_name() -> str:
    """Prefect `flow_run_name` callable: the name of the run's `event` parameter."""
    from prefect.runtime import flow_run

    return run_name_of(flow_run.parameters.get("event") or {})

"""Flow-run names: the flows name every run exactly as the trigger does (`run_name_of`, defined
once in the contract), so a triggered run keeps its name and a manual run from the UI or CLI is
named the same way."""

from __future__ import annotations

from events.models import run_name_of

__all__ = ["current_run_name", "run_name_of"]


def current_run_name() -> str:
    """Prefect `flow_run_name` callable: the name of the run's `event` parameter."""
    from prefect.runtime import flow_run

    return run_name_of(flow_run.parameters.get("event") or {})

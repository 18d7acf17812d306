"""End-to-end fixtures: a process worker that executes the flows the triggers start."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from deployments.prefect_worker import PrefectWorker
from tests.services import started


@pytest.fixture(scope="module")
def flow_storage(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Where the worker's flows keep reports and notification records (a fresh folder)."""
    base = tmp_path_factory.mktemp("e2e-storage")
    return {
        "GLENS_REPORTS_URL": (base / "reports").as_uri(),
        "GLENS_NOTIFY_LEDGER_URL": (base / "notifications").as_uri(),
        "GLENS_NOTIFY_BACKOFF_SECONDS": "0.5",
    }


@pytest.fixture(scope="module")
def prefect_worker(
    tmp_path_factory: pytest.TempPathFactory,
    trigger_stack,
    pubsub_emulator,
    prefect_server,
    flow_storage,
) -> Iterator[PrefectWorker]:
    """A real process worker on the local pool, for this module only: later tests create runs
    of flows that should stay unexecuted."""
    env = {**pubsub_emulator.env, **prefect_server.env, **flow_storage}
    worker = PrefectWorker(tmp_path_factory.mktemp("worker"), env)
    started(worker.start, "Prefect worker")
    yield worker
    worker.stop()

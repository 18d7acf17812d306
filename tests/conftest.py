"""Shared fixtures. Services are started here, session-scoped; one that cannot start fails the
run with its reason (never a skip)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from deployments.gcs_emulator import GCSFS_JSON_API_ONLY, GcsEmulator
from deployments.prefect_server import OFFLINE_ENV, PrefectServer
from deployments.pubsub_emulator import PubSubEmulator
from tests.services import started

# Before anything imports prefect: never touch ~/.prefect, never fall back to a throwaway
# ephemeral server (a test that forgot the `prefect_server` fixture fails instead of hanging).
os.environ.update(OFFLINE_ENV)
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="glens-test-prefect-home-")
os.environ["PREFECT_SERVER_ALLOW_EPHEMERAL_MODE"] = "false"
os.environ.pop("PREFECT_API_URL", None)
os.environ.pop("PREFECT_API_KEY", None)
os.environ.update(GCSFS_JSON_API_ONLY)  # read when gcsfs is imported (deployments/gcs_emulator.py)


@contextmanager
def _serving(start: Callable[[], Any], what: str) -> Iterator[Any]:
    """The started service (see `started`), its `env` set, for the block; then stopped and
    the environment restored."""
    service = started(start, what)
    with pytest.MonkeyPatch.context() as patch:
        try:
            for key, value in service.env.items():
                patch.setenv(key, value)
            yield service
        finally:
            service.stop()


@pytest.fixture(scope="session")
def pubsub_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PubSubEmulator]:
    """The official Pub/Sub emulator on a free port; PUBSUB_EMULATOR_HOST set for the session."""
    with _serving(
        lambda: PubSubEmulator(tmp_path_factory.mktemp("pubsub")).start(), "Pub/Sub emulator"
    ) as emulator:
        yield emulator


@pytest.fixture(scope="session")
def gcs_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GcsEmulator]:
    """A local Cloud Storage (JSON API) for `gs://` URLs; STORAGE_EMULATOR_HOST set for the
    session. Buckets are created by the tests that use it."""
    with _serving(
        lambda: GcsEmulator(tmp_path_factory.mktemp("gcs")).start(), "Cloud Storage emulator"
    ) as emulator:
        yield emulator


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    """A real Prefect server (SQLite) for the session; PREFECT_API_URL points at it."""
    with _serving(
        PrefectServer(tmp_path_factory.mktemp("prefect")).start, "Prefect server"
    ) as server:
        from prefect.settings import PREFECT_API_URL, PREFECT_HOME, temporary_settings

        # Prefect may have been imported (and its settings read) before this fixture ran.
        with temporary_settings({PREFECT_API_URL: server.api_url, PREFECT_HOME: str(server.home)}):
            yield server


@pytest.fixture(scope="session")
def prefect_fault_proxy(prefect_server: PrefectServer):
    """The fault-injecting proxy in front of the session's Prefect server (tests/faults.py)."""
    from tests.faults import FaultProxy

    proxy = FaultProxy(prefect_server.api_url).start()
    yield proxy
    proxy.stop()


@pytest.fixture(scope="session")
def trigger_stack(
    tmp_path_factory: pytest.TempPathFactory,
    pubsub_emulator: PubSubEmulator,
    prefect_server: PrefectServer,
    prefect_fault_proxy,
):
    """The push path for the session, all real: the five deployments registered on the
    Prefect server, the five functions served by functions-framework (talking to Prefect through
    the fault proxy), push subscriptions from the emulator to them, dead-letter subscriptions."""
    from deployments.trigger_stack import TriggerStack

    stack = TriggerStack(
        tmp_path_factory.mktemp("functions"),
        prefect_api_url=prefect_fault_proxy.url,
        pubsub_env=pubsub_emulator.env,
        registry_url=prefect_server.api_url,  # registered on the server itself, not the proxy
    )
    started(stack.start, "trigger stack")
    yield stack
    stack.stop()

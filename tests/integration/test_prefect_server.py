"""The local Prefect server the stack and the tests use: starts, answers, survives a restart."""

from __future__ import annotations

import pytest

from tests.prefect_helpers import prefect_api

pytestmark = [pytest.mark.integration, pytest.mark.stack]


def test_prefect_server_is_real_and_flows_record_runs(prefect_server):
    from prefect import flow

    @flow(name="glens-smoke")
    def smoke(x: int) -> int:
        """Smoke flow: doubles x."""
        return 2 * x

    assert smoke(21) == 42
    runs = prefect_api(
        prefect_server.api_url,
        "POST",
        "/flow_runs/filter",
        {"flows": {"name": {"any_": ["glens-smoke"]}}},
    )
    assert len(runs) == 1 and runs[0]["state"]["type"] == "COMPLETED"

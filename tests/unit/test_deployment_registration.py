"""Registering deployments rides through a busy server (SQLite's 503) and stops on a refusal."""

from __future__ import annotations

import httpx
import pytest

from deployments import prefect_deployments

pytestmark = [pytest.mark.unit, pytest.mark.stack]


def _client(statuses: list[int]) -> tuple[httpx.Client, list[int]]:
    seen: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        status = statuses[min(len(seen), len(statuses) - 1)]
        seen.append(status)
        return httpx.Response(status, json={"id": "f1"} if status < 400 else {"detail": "x"})

    return httpx.Client(base_url="http://prefect/api", transport=httpx.MockTransport(handler)), seen


@pytest.fixture(autouse=True)
def _no_sleep(monkeypatch):
    monkeypatch.setattr(prefect_deployments.time, "sleep", lambda seconds: None)


def test_busy_answers_are_retried_until_the_server_accepts():
    client, seen = _client([503, 503, 201])
    response = prefect_deployments._post(client, "/flows/", {"name": "generate-report"})
    assert response.status_code == 201
    assert seen == [503, 503, 201]


def test_a_refusal_is_not_retried():
    client, seen = _client([401])
    response = prefect_deployments._post(client, "/flows/", {"name": "generate-report"})
    assert response.status_code == 401
    assert seen == [401]


def test_a_server_that_stays_busy_gives_its_last_answer():
    client, seen = _client([503])
    response = prefect_deployments._post(client, "/flows/", {"name": "x"}, attempts=3)
    assert response.status_code == 503
    assert len(seen) == 3

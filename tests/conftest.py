"""Shared fixtures. Services are started here, session-scoped; one that cannot start fails the
run with its reason (never a skip)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from deployments.processes import ServiceStartError
from deployments.pubsub_emulator import PubSubEmulator


@pytest.fixture(scope="session")
def pubsub_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PubSubEmulator]:
    """The official Pub/Sub emulator on a free port; PUBSUB_EMULATOR_HOST set for the session."""
    try:
        emulator = PubSubEmulator(tmp_path_factory.mktemp("pubsub")).start()
    except ServiceStartError as exc:
        pytest.fail(f"Pub/Sub emulator could not start: {exc}", pytrace=False)
    saved = {key: os.environ.get(key) for key in emulator.env}
    os.environ.update(emulator.env)
    try:
        yield emulator
    finally:
        emulator.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

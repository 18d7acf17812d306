"""Starting a service a test needs: it starts, or the test fails saying why (never a skip)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pytest

from deployments.processes import ServiceStartError

T = TypeVar("T")


def started(start: Callable[[], T], what: str) -> T:
    """`start()`'s result; on ServiceStartError the test fails with `what` and the reason."""
    try:
        return start()
    except ServiceStartError as exc:
        pytest.fail(f"{what} could not start: {exc}", pytrace=False)

"""Which errors can pass (and are worth a retry) and which cannot.

Retries are declared on the tasks; this module is their `retry_condition_fn`, so that a missing
document, a malformed one or a refused credential fails at once instead of after the backoff.
"""

from __future__ import annotations

from typing import Any

import httpx
from google.api_core import exceptions as gexc
from prefect.tasks import exponential_backoff


class TransientError(RuntimeError):
    """Raised by our own code for a failure that may succeed when tried again."""


class PermanentError(RuntimeError):
    """Raised by our own code for a failure a retry cannot fix (bad input, bad configuration)."""


_TRANSIENT_HTTP = frozenset({408, 425, 429, 500, 502, 503, 504})
_TRANSIENT_GOOGLE = (
    gexc.ServiceUnavailable,
    gexc.DeadlineExceeded,
    gexc.InternalServerError,
    gexc.TooManyRequests,
    gexc.Aborted,
    gexc.GatewayTimeout,
    gexc.RetryError,
)


def _http_code(exc: BaseException) -> int | None:
    # gcsfs.retry.HttpError and aiohttp's ClientResponseError carry the status as code/status.
    for attr in ("code", "status"):
        value = getattr(exc, attr, None)
        if isinstance(value, int):
            return value
    return None


def _one_is_transient(exc: BaseException) -> bool:
    if isinstance(exc, PermanentError):
        return False
    if isinstance(exc, TransientError | TimeoutError | ConnectionError):
        return True
    if isinstance(exc, httpx.TransportError):
        return True
    if isinstance(exc, httpx.HTTPStatusError):
        return exc.response.status_code in _TRANSIENT_HTTP
    if isinstance(exc, _TRANSIENT_GOOGLE):
        return True
    # gcsfs/aiohttp errors without importing them (gcsfs pulls in aiohttp; keep imports light).
    name = type(exc).__name__
    if name in {"ClientConnectionError", "ServerDisconnectedError", "ClientOSError"}:
        return True
    return name == "HttpError" and _http_code(exc) in _TRANSIENT_HTTP


def is_transient(exc: BaseException) -> bool:
    """Whether `exc`, or an error that caused it, can pass with time."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, PermanentError):
            return False
        if _one_is_transient(current):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def retry_if_transient(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect `retry_condition_fn`: retry only when the failure is transient."""
    exc = state.data if isinstance(state.data, BaseException) else None
    if exc is None:
        exc = state.result(raise_on_failure=False)
    return isinstance(exc, BaseException) and is_transient(exc)


# The retry policy of the tasks that touch storage, Prefect or Pub/Sub, declared once:
# exponential backoff (1 s, 2 s, 4 s) with +-50% jitter so that many runs failing together (a
# storage blip) do not retry in lock-step; only transient errors are retried.
TRANSIENT_RETRIES: dict[str, Any] = dict(
    retries=3,
    retry_delay_seconds=exponential_backoff(backoff_factor=1),
    retry_jitter_factor=0.5,
    retry_condition_fn=retry_if_transient,
)

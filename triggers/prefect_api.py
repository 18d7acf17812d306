"""The two Prefect REST calls a trigger makes, on the standard library (no `prefect` import).

`GET /api/deployments/name/{flow}/{deployment}` (cached per instance) and
`POST /api/deployments/{id}/create_flow_run` with an idempotency key: Prefect answers 201 for a
new run and 200 with the SAME run for a key it has seen, so a redelivered message never starts a
second run.
"""

from __future__ import annotations

import base64
import contextlib
import json
import random
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any, TypeVar

from triggers.config import TriggerConfig
from triggers.errors import PrefectRejected, TransientError

T = TypeVar("T")

# 408 (request timeout) and 409 conflicts on run creation are not in this set on purpose:
# a 409 from create_flow_run means the parameters broke the deployment's schema (permanent).
_TRANSIENT_STATUS = {408, 425, 429}


def auth_headers(config: TriggerConfig) -> dict[str, str]:
    """Bearer for a Prefect Cloud API key, Basic for a self-hosted server's `user:pass`."""
    if config.prefect_api_key:
        return {"Authorization": f"Bearer {config.prefect_api_key}"}
    if config.prefect_auth_string:
        token = base64.b64encode(config.prefect_auth_string.encode()).decode()
        return {"Authorization": f"Basic {token}"}
    return {}


def _retry_after(headers: Any) -> float | None:
    try:
        return float(headers.get("Retry-After")) if headers else None
    except (TypeError, ValueError):
        return None


class PrefectApi:
    """A small, thread-safe client; one per function instance (the deployment ids are cached)."""

    def __init__(self, config: TriggerConfig, sleep: Callable[[float], None] = time.sleep):
        self.config = config
        self.sleep = sleep
        self._headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            **auth_headers(config),
        }
        self._deployment_ids: dict[str, str] = {}
        self._lock = threading.Lock()
        # Bounds simultaneous calls from this instance (not the deliveries it accepts): SQLite
        # serializes writers, and concurrent ones only collect 503 `database is locked`.
        limit = config.max_concurrent_calls
        self._slots = threading.BoundedSemaphore(limit) if limit > 0 else contextlib.nullcontext()

    # --- one HTTP call -------------------------------------------------------------------------

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, Any]:
        """One call; (status, decoded JSON). TransientError or PrefectRejected on failure."""
        if not self.config.prefect_api_url:
            raise PrefectRejected(0, "PREFECT_API_URL is not set")
        url = self.config.prefect_api_url + path
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(url, data=data, headers=self._headers, method=method)
        try:
            with self._slots, urllib.request.urlopen(req, timeout=self.config.http_timeout) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:300].decode(errors="replace")
            text = f"Prefect answered {exc.code} to {method} {path}: {detail}"
            if exc.code >= 500 or exc.code in _TRANSIENT_STATUS:
                raise TransientError(text, _retry_after(exc.headers), busy=True) from None
            raise PrefectRejected(exc.code, text) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            raise TransientError(f"Prefect unreachable for {method} {path}: {reason}") from None
        except json.JSONDecodeError as exc:
            # A proxy's HTML error page, a truncated body: the next try may be fine.
            raise TransientError(f"Prefect sent no JSON for {method} {path}: {exc}") from None

    def with_retry(self, call: Callable[[], T]) -> tuple[T, int]:
        """Run `call`, retrying TransientError with full jitter within the attempt/time budget.

        Returns (result, attempts). Why retry here at all: on SQLite a burst meets 503 `database
        is locked` often, and Pub/Sub's redelivery backoff (seconds) is far slower than a jittered
        retry of a few hundred milliseconds (NOTES.md: 2.7x slower without it). A busy server
        (it answered 5xx/429) and an unreachable one have their own caps (both 3 s by default).
        """
        deadline = time.monotonic() + self.config.retry_budget
        attempt = 0
        while True:
            attempt += 1
            try:
                return call(), attempt
            except TransientError as exc:
                max_delay = (
                    self.config.retry_busy_max_delay if exc.busy else self.config.retry_max_delay
                )
                cap = min(max_delay, self.config.retry_base_delay * 2**attempt)
                delay = exc.retry_after if exc.retry_after is not None else random.uniform(0, cap)
                delay = max(delay, 0.01)
                out_of_time = time.monotonic() + delay > deadline
                if attempt >= self.config.retry_attempts or out_of_time:
                    exc.attempts = attempt
                    raise
                self.sleep(delay)

    # --- the two calls -------------------------------------------------------------------------

    def deployment_id(self, deployment: str) -> str:
        """The id of `flow/deployment`, looked up once per instance."""
        cached = self._deployment_ids.get(deployment)
        if cached:
            return cached
        flow, name = deployment.split("/", 1)
        path = f"/deployments/name/{urllib.parse.quote(flow)}/{urllib.parse.quote(name)}"
        _, found = self.request("GET", path)
        with self._lock:
            self._deployment_ids[deployment] = found["id"]
        return found["id"]

    def forget(self, deployment: str) -> None:
        """Drop a cached id (the deployment was deleted and registered again)."""
        with self._lock:
            self._deployment_ids.pop(deployment, None)

    def create_flow_run(self, deployment: str, body: dict) -> tuple[dict, bool]:
        """Create (or find, by idempotency key) the run; (run, created)."""
        try:
            status, run = self.request(
                "POST", f"/deployments/{self.deployment_id(deployment)}/create_flow_run", body
            )
        except PrefectRejected as exc:
            if exc.status != 404:
                raise
            # A cached id may be stale (deployment re-registered): look it up again, once.
            self.forget(deployment)
            status, run = self.request(
                "POST", f"/deployments/{self.deployment_id(deployment)}/create_flow_run", body
            )
        return run, status == 201

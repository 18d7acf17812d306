"""A fault-injecting HTTP proxy in front of the real Prefect server (integration tests only).

It forwards every request unchanged. For chosen idempotency keys it forwards the
create_flow_run and then answers 503 anyway, the harshest transient failure: the run exists, the
function never heard, and the redelivery must find the same run. When the upstream is down it
drops the connection, as a stopped server would.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


class FaultProxy:
    """`url` is the API URL to hand the functions; `fail_after_forward(key, times)` arms a fault."""

    def __init__(self, upstream_api_url: str):
        self.upstream = upstream_api_url.rstrip("/")
        self._faults: dict[str, int] = {}
        self.injected: dict[str, int] = {}
        self._lock = threading.Lock()
        self._client = httpx.Client(timeout=30)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # quiet
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                proxy.forward(self, body)

            do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api"

    def start(self) -> FaultProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._client.close()

    def fail_after_forward(self, idempotency_key: str, times: int) -> None:
        """The next `times` create_flow_run calls with this key reach Prefect, then get a 503."""
        with self._lock:
            self._faults[idempotency_key] = times

    def _should_fail(self, path: str, body: bytes) -> bool:
        if not path.endswith("/create_flow_run"):
            return False
        try:
            key = json.loads(body).get("idempotency_key")
        except (ValueError, AttributeError):
            return False
        with self._lock:
            if self._faults.get(key, 0) <= 0:
                return False
            self._faults[key] -= 1
            self.injected[key] = self.injected.get(key, 0) + 1
            return True

    def forward(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        path = handler.path[len("/api") :] if handler.path.startswith("/api") else handler.path
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in _HOP_BY_HOP}
        try:
            upstream = self._client.request(
                handler.command, self.upstream + path, content=body, headers=headers
            )
        except httpx.TransportError:
            handler.close_connection = True  # upstream down: drop, as a stopped server would
            return
        if self._should_fail(path, body):
            status, content = 503, b'{"detail": "injected fault: database is locked"}'
        else:
            status, content = upstream.status_code, upstream.content
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(content)))
        handler.end_headers()
        handler.wfile.write(content)

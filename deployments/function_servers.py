"""The five trigger functions as local functions-framework servers (one process each)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from deployments import ROOT
from deployments.processes import (
    LocalService,
    ManagedProcess,
    ServiceStartError,
    free_port,
    port_open,
)
from events.catalog import CATALOG, Route

MAIN = ROOT / "triggers" / "main.py"


def function_argv(route: Route, port: int) -> list[str]:
    """The functions-framework command serving one route's entry point (no --debug: its
    reloader floods the log)."""
    cli = Path(sys.executable).with_name("functions-framework")
    return [
        str(cli),
        f"--target={route.entry_point}",
        f"--source={MAIN}",
        "--signature-type=cloudevent",
        "--host=127.0.0.1",
        f"--port={port}",
    ]


class FunctionServers(LocalService):
    """Start every catalog function on a free port; `urls` maps entry point -> base URL.

    `env` is what the functions read: PREFECT_API_URL (+ PREFECT_API_KEY or
    PREFECT_API_AUTH_STRING), PUBSUB_EMULATOR_HOST, GLENS_GCP_PROJECT, GLENS_TOPIC_PREFIX,
    GLENS_TRIGGER_*. `threads` bounds each server's concurrent requests (gunicorn threads).
    """

    def __init__(self, log_dir: Path, env: dict[str, str], threads: int = 4):
        self.log_dir = log_dir
        self.env = env
        self.threads = threads
        self.ports = {route.entry_point: free_port() for route in CATALOG}
        self.processes: dict[str, ManagedProcess] = {}

    @property
    def urls(self) -> dict[str, str]:
        return {name: f"http://127.0.0.1:{port}" for name, port in self.ports.items()}

    def start(self, timeout: float = 30.0) -> FunctionServers:
        """Start all five, then wait for each port; ServiceStartError names the one that failed."""
        env = {
            **self.env,
            "THREADS": str(self.threads),
            "PYTHONUNBUFFERED": "1",
            "PREFECT_HOME": None,  # the functions are not Prefect clients
        }
        for route in CATALOG:
            port = self.ports[route.entry_point]
            self.processes[route.entry_point] = ManagedProcess(
                f"function {route.entry_point}",
                function_argv(route, port),
                self.log_dir / f"{route.function}.log",
                env=env,
                cwd=ROOT,
            )
        try:
            for name, process in self.processes.items():
                # Started one by one with the ready check: a broken target fails fast, by name.
                process.start(lambda port=self.ports[name]: port_open(port), timeout)
        except ServiceStartError:
            self.stop()
            raise
        return self

    def log(self, entry_point: str) -> Path:
        """The log file of one function (its JSON lines and functions-framework's stderr)."""
        return self.processes[entry_point].log_path

    def log_entries(self, entry_point: str) -> list[dict]:
        """The structured (JSON) lines one function has logged so far."""
        lines = self.log(entry_point).read_text(errors="replace").splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]

    def stop(self) -> None:
        for process in self.processes.values():
            process.stop()

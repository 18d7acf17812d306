"""The whole local stack on embedded defaults, in dependency order, stopped in reverse:

Pub/Sub emulator -> Prefect server (SQLite, UI) -> deployments + five function servers + push
and dead-letter subscriptions (TriggerStack) -> a process worker for the flows.

`make demo` and `glens up` use it; the end-to-end tests compose the same parts from fixtures.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from deployments import ROOT
from deployments.prefect_server import PrefectServer
from deployments.prefect_worker import PrefectWorker
from deployments.processes import LocalService, free_port, port_open
from deployments.pubsub_emulator import PubSubEmulator
from deployments.trigger_stack import TriggerStack

DEFAULT_HOME = ROOT / ".glens" / "stack"


def stack_home() -> Path:
    """GLENS_STACK_HOME, else `.glens/stack` in the checkout (git-ignored)."""
    return Path(os.environ.get("GLENS_STACK_HOME") or DEFAULT_HOME)


def _preferred_port(port: int) -> int:
    # Well-known ports (the UI on 4200, the emulator on 8085) when free, so bookmarks work.
    return port if not port_open(port) else free_port()


@dataclass
class LocalStack(LocalService):
    """Start with `start()`; `env` points any client (CLI, publisher, Prefect) at the stack."""

    home: Path = field(default_factory=stack_home)
    ui: bool = True
    database_url: str | None = None
    flow_env: dict[str, str] = field(default_factory=dict)
    emulator: PubSubEmulator | None = field(default=None, init=False)
    server: PrefectServer | None = field(default=None, init=False)
    triggers: TriggerStack | None = field(default=None, init=False)
    worker: PrefectWorker | None = field(default=None, init=False)

    @property
    def env(self) -> dict[str, str]:
        """Environment for clients of this stack (publishers, `glens dlq`, `prefect` CLI)."""
        out: dict[str, str] = {}
        if self.emulator:
            out |= self.emulator.env
        if self.server:
            out |= self.server.env
        return out

    def start(self) -> LocalStack:
        """Start every part; on failure stop what started and re-raise (ServiceStartError)."""
        logs = self.home / "logs"
        try:
            self.emulator = PubSubEmulator(logs, port=_preferred_port(8085)).start()
            self.server = PrefectServer(
                self.home / "prefect",
                port=_preferred_port(4200),
                database_url=self.database_url,
                ui=self.ui,
            ).start()
            # This process publishes and reads dead letters too.
            os.environ.update(self.env)
            self.triggers = TriggerStack(
                logs, prefect_api_url=self.server.api_url, pubsub_env=self.emulator.env
            ).start()
            self.worker = PrefectWorker(logs, {**self.env, **self.flow_env}).start()
        except BaseException:
            self.stop()
            raise
        return self

    @staticmethod
    def wait_for_interrupt() -> None:
        """Block until Ctrl-C (the stack keeps serving the UI and the functions meanwhile)."""
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass

    def stop(self) -> None:
        """Stop in reverse order; safe to call twice."""
        for part in (self.worker, self.triggers, self.server, self.emulator):
            if part is not None:
                part.stop()

"""A local Prefect server (SQLite by default, PostgreSQL when given a URL) as a managed process."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx

from deployments.processes import LocalService, ManagedProcess, free_port

OFFLINE_ENV = {
    # Offline machines: telemetry would only produce errors (and once a `database is locked`).
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
}


def prefect_env(api_url: str, home: Path) -> dict[str, str]:
    """Environment for any Prefect client process (flows, workers, CLI) of a local stack."""
    return {**OFFLINE_ENV, "PREFECT_API_URL": api_url, "PREFECT_HOME": str(home)}


class PrefectServer(LocalService):
    """`prefect server start` on 127.0.0.1; `stop()` and `start()` again keep port and database.

    `database_url` (e.g. `postgresql+asyncpg://...`) replaces the default SQLite file under
    `home`; `settings` are further PREFECT_SERVER_* settings for this server only.
    """

    def __init__(
        self,
        home: Path,
        port: int | None = None,
        database_url: str | None = None,
        ui: bool = False,
        settings: dict[str, str] | None = None,
    ):
        self.home = home
        self.settings = settings or {}
        self.port = port or free_port()
        self.database_url = database_url
        self.ui = ui
        self.process: ManagedProcess | None = None

    @property
    def url(self) -> str:
        """Base URL of the server (the UI, when enabled)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """The value for PREFECT_API_URL."""
        return f"{self.url}/api"

    @property
    def env(self) -> dict[str, str]:
        """Environment that points Prefect clients at this server."""
        return prefect_env(self.api_url, self.home)

    def healthy(self) -> bool:
        """Whether /api/health answers 200."""
        try:
            return httpx.get(f"{self.api_url}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def start(self, timeout: float = 90.0) -> PrefectServer:
        """Start (migrating the database on first start) and wait until healthy."""
        self.home.mkdir(parents=True, exist_ok=True)
        env: dict[str, str | None] = {
            **self.env,
            "PREFECT_SERVER_UI_ENABLED": str(self.ui).lower(),
            "PREFECT_API_KEY": None,
            **self.settings,
        }
        if self.database_url:
            env["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = self.database_url
        prefect_cli = Path(sys.executable).with_name("prefect")
        self.process = ManagedProcess(
            "Prefect server",
            [str(prefect_cli), "server", "start", "--host", "127.0.0.1", "--port", str(self.port)],
            self.home / "prefect-server.log",
            env=env,
        ).start(self.healthy, timeout)
        return self

    def stop(self) -> None:
        """Stop the server by its process group."""
        if self.process:
            self.process.stop()

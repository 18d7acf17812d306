"""A Prefect process worker for the local work pool, as a managed process."""

from __future__ import annotations

import sys
from pathlib import Path

from deployments import LOCAL_WORK_POOL, ROOT
from deployments.processes import LocalService, ManagedProcess


class PrefectWorker(LocalService):
    """`prefect worker start --pool glens-local` in its own process group (NOTES.md: a worker
    started from a backgrounded shell ignored SIGTERM), polling every second."""

    def __init__(self, log_dir: Path, env: dict[str, str], pool: str = LOCAL_WORK_POOL):
        self.pool = pool
        cli = Path(sys.executable).with_name("prefect")
        self.process = ManagedProcess(
            f"Prefect worker ({pool})",
            [str(cli), "worker", "start", "--pool", pool, "--type", "process"],
            log_dir / f"prefect-worker-{pool}.log",
            env={**env, "PREFECT_WORKER_QUERY_SECONDS": "1"},
            cwd=ROOT,
        )

    def start(self, timeout: float = 60.0) -> PrefectWorker:
        """Start and wait until the worker says it started polling."""

        def ready() -> bool:
            try:
                return "started" in self.process.log_path.read_text(errors="replace").lower()
            except OSError:
                return False

        self.process.start(ready, timeout)
        return self

    def stop(self) -> None:
        self.process.stop()

"""The official Google Cloud Pub/Sub emulator (Java, from google-cloud-cli) as a local service."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from deployments.processes import (
    LocalService,
    ManagedProcess,
    ServiceStartError,
    free_port,
    port_open,
)

_DEFAULT_SDK_ROOTS = ("/usr/lib/google-cloud-sdk", "/usr/share/google-cloud-sdk")
_RELATIVE_BINARY = Path("platform/pubsub-emulator/bin/cloud-pubsub-emulator")


def emulator_binary() -> Path:
    """Path of `cloud-pubsub-emulator`; ServiceStartError saying what is missing otherwise."""
    roots: list[str] = []
    gcloud = shutil.which("gcloud")
    if gcloud:
        # A throwaway CLOUDSDK_CONFIG: `gcloud info` must not write into the user's config.
        with tempfile.TemporaryDirectory() as config:
            out = subprocess.run(
                [gcloud, "info", "--format=value(installation.sdk_root)"],
                capture_output=True,
                text=True,
                timeout=60,
                env={**os.environ, "CLOUDSDK_CONFIG": config},
            )
        if out.returncode == 0 and out.stdout.strip():
            roots.append(out.stdout.strip())
    roots += _DEFAULT_SDK_ROOTS
    for root in roots:
        candidate = Path(root) / _RELATIVE_BINARY
        if candidate.exists():
            return candidate
    raise ServiceStartError(
        "the official Pub/Sub emulator is not installed: no "
        f"{_RELATIVE_BINARY} under {', '.join(roots)} (gcloud on PATH: {bool(gcloud)}). "
        "Install Debian's google-cloud-cli-pubsub-emulator (with Java 17)."
    )


class PubSubEmulator(LocalService):
    """Start with `start()`, point clients at it with `env` (PUBSUB_EMULATOR_HOST), `stop()`."""

    def __init__(self, log_dir: Path, port: int | None = None, project: str = "glens-local"):
        self.port = port or free_port()
        self.project = project
        self.data_dir = log_dir / "pubsub-data"
        self.process = ManagedProcess(
            "Pub/Sub emulator",
            [
                str(emulator_binary()),
                "--host=127.0.0.1",
                f"--port={self.port}",
                f"--dir={self.data_dir}",
            ],
            log_dir / "pubsub-emulator.log",
        )

    @property
    def host(self) -> str:
        """The value for PUBSUB_EMULATOR_HOST."""
        return f"127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        """Environment that points google-cloud-pubsub clients at this emulator."""
        return {"PUBSUB_EMULATOR_HOST": self.host, "GLENS_GCP_PROJECT": self.project}

    def start(self, timeout: float = 60.0) -> PubSubEmulator:
        """Start the emulator and wait for its port."""
        self.process.start(lambda: port_open(self.port), timeout)
        return self

    def stop(self) -> None:
        """Stop the emulator (and its Java child) by process group."""
        self.process.stop()

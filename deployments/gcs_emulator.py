"""A local Cloud Storage stand-in (gcp-storage-emulator, the JSON API in Python) for `gs://` URLs.

Google ships no official Cloud Storage emulator. This one speaks enough of the JSON API for
gcsfs (what fsspec uses for `gs://`): buckets, media/multipart uploads, reads, listing, and
object metadata such as contentType. Only the tests use it; production talks to GCS.
"""

from __future__ import annotations

import sys
from pathlib import Path

from deployments.processes import LocalService, ManagedProcess, free_port, port_open

# gcsfs >= 2025.x first asks the gRPC storage control API whether a bucket is zonal or
# hierarchical; against an emulator that call hangs for its 60 s timeout on every bucket, then
# gcsfs falls back to the JSON API anyway. Read once, when gcsfs is imported.
GCSFS_JSON_API_ONLY = {"GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT": "false"}


class GcsEmulator(LocalService):
    """In-memory Cloud Storage on a free port; `env` points gcsfs (and google-cloud-*) at it."""

    def __init__(self, log_dir: Path, port: int | None = None, default_bucket: str | None = None):
        self.port = port or free_port()
        argv = [
            sys.executable,
            "-m",
            "gcp_storage_emulator",
            "start",
            "--host=127.0.0.1",
            f"--port={self.port}",
            "--in-memory",
        ]
        if default_bucket:
            argv.append(f"--default-bucket={default_bucket}")
        self.process = ManagedProcess("Cloud Storage emulator", argv, log_dir / "gcs-emulator.log")

    @property
    def url(self) -> str:
        """The value for STORAGE_EMULATOR_HOST."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        """Environment that sends gcsfs to this emulator, on the JSON API only."""
        return {"STORAGE_EMULATOR_HOST": self.url, **GCSFS_JSON_API_ONLY}

    def start(self, timeout: float = 30.0) -> GcsEmulator:
        """Start the emulator and wait for its port."""
        self.process.start(lambda: port_open(self.port), timeout)
        return self

    def stop(self) -> None:
        """Stop the emulator by process group."""
        self.process.stop()

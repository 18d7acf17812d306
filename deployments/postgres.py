"""A throwaway PostgreSQL cluster (initdb + postgres on a free port in a temp dir), for
benchmarks of the Prefect server on PostgreSQL. The binaries must be on PATH (NOTES.md)."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from pathlib import Path

from deployments.processes import (
    LocalService,
    ManagedProcess,
    ServiceStartError,
    free_port,
    port_open,
)


def _binary(name: str) -> str:
    found = shutil.which(name)
    if not found:
        for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
            return str(candidate)
        raise ServiceStartError(f"PostgreSQL's `{name}` is not on PATH (nor /usr/lib/postgresql)")
    return found


def _unprivileged_uid() -> int | None:
    """initdb and postgres refuse to run as root: as root, run them as `nobody`."""
    return pwd.getpwnam("nobody").pw_uid if os.geteuid() == 0 else None


class ThrowawayPostgres(LocalService):
    """`start()` creates a cluster in `data_dir` and serves it on 127.0.0.1:`port`; `url` is the
    SQLAlchemy URL for Prefect (`postgresql+asyncpg://...`); `stop()` ends it."""

    def __init__(self, data_dir: Path, port: int | None = None):
        self.data_dir = data_dir
        self.port = port or free_port()
        self.process: ManagedProcess | None = None

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self, timeout: float = 60.0) -> ThrowawayPostgres:
        uid = _unprivileged_uid()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        cluster = self.data_dir / "cluster"
        if uid is not None:
            # `nobody` must reach the directory: open up the path to it, own the directory.
            for parent in [self.data_dir, *self.data_dir.parents]:
                if parent == Path("/"):
                    break
                parent.chmod(parent.stat().st_mode | 0o711)
            os.chown(self.data_dir, uid, -1)

        def as_user() -> None:
            if uid is not None:
                os.setgid(pwd.getpwuid(uid).pw_gid)
                os.setuid(uid)

        if not (cluster / "PG_VERSION").exists():
            out = subprocess.run(
                [
                    _binary("initdb"),
                    "-D",
                    str(cluster),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                ],
                capture_output=True,
                text=True,
                preexec_fn=as_user,
                timeout=120,
            )
            if out.returncode != 0:
                raise ServiceStartError(f"initdb failed: {out.stderr[-2000:]}")
        argv = [
            _binary("postgres"),
            "-D",
            str(cluster),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-k",
            str(self.data_dir),
            "-c",
            "max_connections=200",
            "-c",
            "fsync=off",  # throwaway data: durability is not what the benchmark measures
        ]
        if uid is not None:
            argv = [
                "setpriv",
                f"--reuid={uid}",
                f"--regid={pwd.getpwuid(uid).pw_gid}",
                "--clear-groups",
                *argv,
            ]
        self.process = ManagedProcess(
            "PostgreSQL", argv, self.data_dir / "postgres.log", cwd=self.data_dir
        ).start(lambda: port_open(self.port), timeout)
        return self

    def stop(self) -> None:
        if self.process:
            self.process.stop()

"""One JSON object per line on stdout, in the shape Cloud Logging reads (`severity`, `message`).

Every line passes through `scrub`, which replaces configured secret values, so a credential that
sneaks into an error text never reaches the log.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterable
from typing import Any, TextIO


class JsonLogger:
    """Writes structured log lines; `secrets` are masked wherever they appear."""

    def __init__(self, secrets: Iterable[str] = (), stream: TextIO | None = None):
        self.secrets = tuple(s for s in secrets if s)
        self.stream = stream

    def scrub(self, text: str) -> str:
        """`text` with every secret value replaced by `***`."""
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text

    def log(self, severity: str, message: str, **fields: Any) -> None:
        """Write one line: severity, message, time, and the non-empty fields."""
        entry = {"severity": severity, "message": message, "time": _now()}
        entry.update({k: v for k, v in fields.items() if v is not None})
        line = self.scrub(json.dumps(entry, default=str))
        stream = self.stream or sys.stdout  # looked up late: tests and servers swap stdout
        stream.write(line + "\n")
        stream.flush()

    def info(self, message: str, **fields: Any) -> None:
        self.log("INFO", message, **fields)

    def warning(self, message: str, **fields: Any) -> None:
        self.log("WARNING", message, **fields)

    def error(self, message: str, **fields: Any) -> None:
        self.log("ERROR", message, **fields)


def _now() -> str:
    seconds = time.time()
    return (
        time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
        + f".{int(seconds % 1 * 1000):03d}Z"
    )

"""Merge benchmark figures into bench/results.json (one key per figure), keeping other keys."""

from __future__ import annotations

import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).with_name("results.json")


def record(figures: dict[str, float | int | str]) -> dict:
    """Add or replace `figures` in results.json; return the whole document."""
    document = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    document.update(figures)
    document["_machine"] = f"{platform.machine()}, {os.cpu_count()} cores"
    document["_updated"] = datetime.now(UTC).isoformat(timespec="seconds")
    RESULTS.write_text(json.dumps(dict(sorted(document.items())), indent=2) + "\n")
    return document

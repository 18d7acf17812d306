"""Headless Debian Chromium taking a screenshot of a local page (browser test and render bench).

The flags keep it off this machine's closed network (background networking, component
updates, sync) and give it a throwaway profile.
"""

from __future__ import annotations

import shutil
from pathlib import Path


def chromium_binary() -> str | None:
    """Path of Debian's chromium, or None when it is not installed (`make browser`)."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def screenshot_argv(
    chromium: str, page: Path, screenshot: Path, profile: Path, size: str = "1280,2000"
) -> list[str]:
    """The command that renders `page` (a local file) to `screenshot` (PNG)."""
    return [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        f"--screenshot={screenshot}",
        f"--window-size={size}",
        page.as_uri(),
    ]

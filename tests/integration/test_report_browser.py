"""The HTML report opens in a real browser: headless Chromium renders it to a non-blank PNG."""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from events.examples import example_event, example_run_results
from events.models import AnalyzeCompletedEvent, RunResults
from flows.rendering import build_view, render_html
from tests.browser import chromium_binary, screenshot_argv
from tests.pngread import decode

pytestmark = [pytest.mark.integration, pytest.mark.report]

SCREENSHOT_COPY = Path(__file__).resolve().parents[2] / ".glens" / "report-screenshot.png"
PASS_GREEN = (0x1A, 0x7F, 0x37)
FAIL_RED = (0xCF, 0x22, 0x2E)


def _chromium() -> str:
    found = chromium_binary()
    if found:
        return found
    pytest.fail(
        "chromium is not installed, so the report cannot be checked in a real browser; "
        "`make browser` installs Debian's chromium (apt-get, needs root or sudo)",
        pytrace=False,
    )


def _near(pixel: tuple[int, int, int], color: tuple[int, int, int], tolerance: int = 12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, color, strict=True))


def test_report_renders_in_headless_chromium(tmp_path):
    document = example_run_results(tests=200, failed=12, skipped=9)
    document["tests"][0]["error"] = "<script>document.body.innerHTML=''</script> ünïcødé ✓ 日本"
    event = AnalyzeCompletedEvent.model_validate(example_event("analyze.completed"))
    html_file = tmp_path / "report.html"
    html_file.write_text(render_html(build_view(event, RunResults.model_validate(document))))
    screenshot = tmp_path / "out.png"

    result = subprocess.run(
        screenshot_argv(_chromium(), html_file, screenshot, tmp_path / "profile"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert screenshot.exists(), f"no screenshot (exit {result.returncode}): {result.stderr[-2000:]}"
    SCREENSHOT_COPY.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(screenshot, SCREENSHOT_COPY)  # for a person to look at

    image = decode(screenshot.read_bytes())
    assert (image.width, image.height) == (1280, 2000)
    counts = Counter(pixel for row in image.pixels[::4] for pixel in row[::4])
    background, most = counts.most_common(1)[0]
    sampled = sum(counts.values())
    assert most / sampled < 0.95, f"the page is almost all {background}: blank?"
    assert len(counts) > 50, "too few colours for a page with text and charts"
    # The outcome bar (an inline SVG) drew both the passed and the failed segment, and the
    # injected script did not wipe the page (it would have left it empty).
    assert any(_near(p, PASS_GREEN) for p in counts), "no passed-green pixels: SVG not drawn?"
    assert any(_near(p, FAIL_RED) for p in counts), "no failed-red pixels: SVG not drawn?"

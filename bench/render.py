"""Template render time of the report for 100, 1,000 and 10,000 tests, against a baseline.

The baseline, measured in the same run on the same rows, is a plain `str.join` of the table rows
with `html.escape` (what a hand-written renderer of the table alone would cost). The ratio says
what Jinja2, the failures section, the charts and the layout add. Figures go to
bench/results.json through bench/record.py.

With Chromium on the machine (`make browser`), it also times headless Chromium loading and
screenshotting the 10,000-test report against the 100-test one: "the HTML stays usable".

    make bench-render      (or: .venv/bin/python -m bench.render)
"""

from __future__ import annotations

import html
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.record import record
from events.examples import example_event, example_run_results
from events.models import AnalyzeCompletedEvent, RunResults
from flows.rendering import build_view, duration, render_html, render_markdown
from tests.browser import chromium_binary, screenshot_argv

SIZES = (100, 1_000, 10_000)


def _median_ms(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm-up: template compilation and caches are not what we measure
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def _baseline(results: RunResults) -> str:
    esc = html.escape
    return "".join(
        f'<tr class="{t.status}"><td>{i}</td><td>{t.status}</td><td>{esc(t.name)}'
        f"<div>{esc(t.id)}</div></td><td><code>{t.method} {esc(t.path)}</code></td>"
        f"<td>{duration(t.duration_ms)}</td><td>{esc((t.error or '')[:160])}</td></tr>"
        for i, t in enumerate(results.tests, 1)
    )


def _inputs(size: int) -> tuple[AnalyzeCompletedEvent, RunResults]:
    """A run of `size` tests, 5% failed and 2% skipped (like a run with real problems)."""
    event = AnalyzeCompletedEvent.model_validate(example_event("analyze.completed"))
    results = RunResults.model_validate(
        example_run_results(tests=size, failed=size // 20, skipped=size // 50)
    )
    return event, results


def measure(size: int) -> dict[str, float | int]:
    """Figures for one run size."""
    event, results = _inputs(size)
    repeats = 20 if size <= 1_000 else 7
    view = build_view(event, results)
    page = render_html(view)
    figures: dict[str, float | int] = {
        f"render_view_ms_{size}": _median_ms(lambda: build_view(event, results), repeats),
        f"render_html_ms_{size}": _median_ms(lambda: render_html(view), repeats),
        f"render_markdown_ms_{size}": _median_ms(lambda: render_markdown(view), repeats),
        f"render_baseline_join_ms_{size}": _median_ms(lambda: _baseline(results), repeats),
        f"render_html_bytes_{size}": len(page.encode()),
        f"render_markdown_bytes_{size}": len(render_markdown(view).encode()),
    }
    figures[f"render_html_vs_join_ratio_{size}"] = round(
        figures[f"render_html_ms_{size}"] / figures[f"render_baseline_join_ms_{size}"], 2
    )
    return {k: round(v, 2) if isinstance(v, float) else v for k, v in figures.items()}


def chromium_seconds(page: str) -> float:
    """Wall time of headless Chromium opening `page` and writing a full-window screenshot."""
    chromium = chromium_binary()
    if chromium is None:
        raise RuntimeError("chromium is not installed (make browser)")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.html"
        path.write_text(page)
        argv = screenshot_argv(chromium, path, Path(tmp) / "out.png", Path(tmp) / "profile")
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True, timeout=180)
        return time.perf_counter() - start


def _page(size: int) -> str:
    return render_html(build_view(*_inputs(size)))


def main() -> None:
    """Measure every size, print a table, record the figures."""
    figures: dict[str, float | int] = {}
    print(
        f"{'tests':>7} {'view ms':>8} {'html ms':>8} {'md ms':>8} {'join ms':>8} {'ratio':>6} {'html KiB':>9}"
    )
    for size in SIZES:
        f = measure(size)
        figures.update(f)
        print(
            f"{size:>7,} {f[f'render_view_ms_{size}']:>8} {f[f'render_html_ms_{size}']:>8} "
            f"{f[f'render_markdown_ms_{size}']:>8} {f[f'render_baseline_join_ms_{size}']:>8} "
            f"{f[f'render_html_vs_join_ratio_{size}']:>6} {f[f'render_html_bytes_{size}'] / 1024:>9.0f}"
        )
    if chromium_binary():
        small = statistics.median(chromium_seconds(_page(100)) for _ in range(3))
        large = statistics.median(chromium_seconds(_page(10_000)) for _ in range(3))
        figures.update(
            chromium_open_s_100=round(small, 2),
            chromium_open_s_10000=round(large, 2),
            chromium_open_ratio_10000_vs_100=round(large / small, 2),
        )
        print(f"chromium open+screenshot: 100 tests {small:.2f} s, 10,000 tests {large:.2f} s")
    else:
        print("chromium not installed: browser timing not measured (make browser)")
    record(figures)


if __name__ == "__main__":
    main()

"""Render a run's report (HTML and Markdown) from the Jinja2 templates in flows/templates/.

The view is computed here, in Python, so the templates stay declarative: counts, status, the
geometry of the inline SVG charts, failures first. Rendering is pure (no I/O besides loading
the templates once) and deterministic for the same inputs.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import jinja2

from events.models import AnalyzeCompletedEvent, RunResults, TestResult

TEMPLATES = Path(__file__).with_name("templates")
MAX_DETAILED_FAILURES = 1000
"""Failures shown with full request/expected/actual/error; the table below lists all tests."""
MAX_ERROR_CHARS = 4000
"""Longest error text shown in a failure's detail (the contract allows 20,000)."""
TABLE_ERROR_CHARS = 160
SLOWEST = 10
CHART_WIDTH = 640
_STATUS_ORDER = {"failed": 0, "skipped": 1, "passed": 2}


@dataclass(frozen=True)
class Segment:
    """One outcome's part of the stacked bar (x and width in percent of the panel)."""

    status: str
    count: int
    x: float
    width: float


@dataclass(frozen=True)
class SlowBar:
    """One of the slowest tests, as a bar of the chart."""

    name: str
    status: str
    duration_ms: float
    y: int
    width: float


@dataclass(frozen=True)
class ReportView:
    """Everything the templates show."""

    workspace_id: str
    run_id: str
    spec: str | None
    status: str  # "passed", "failed" or "empty"
    passed: int
    failed: int
    skipped: int
    duration_ms: float | None
    started_at: datetime | None
    finished_at: datetime | None
    cause_event_id: str
    detailed: bool
    """False when the event had no results_uri: a summary-only report from the event's counts."""
    failures: list[TestResult] = field(default_factory=list)
    tests: list[TestResult] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    slowest: list[SlowBar] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.skipped

    @property
    def hidden_failures(self) -> int:
        return max(0, self.failed - len(self.failures)) if self.detailed else 0


def _segments(counts: dict[str, int]) -> list[Segment]:
    total = sum(counts.values())
    if total == 0:
        return []
    # Percentages of the panel: the bar spans the page's width at any window size.
    out, x = [], 0.0
    for status in ("passed", "failed", "skipped"):
        if counts[status]:
            width = 100 * counts[status] / total
            out.append(Segment(status, counts[status], round(x, 2), round(width, 2)))
            x += width
    return out


def _slowest(tests: list[TestResult]) -> list[SlowBar]:
    ranked = sorted(tests, key=lambda t: t.duration_ms, reverse=True)[:SLOWEST]
    longest = ranked[0].duration_ms if ranked else 0
    return [
        SlowBar(
            name=t.name,
            status=t.status,
            duration_ms=t.duration_ms,
            y=i * 22,
            # a zero-length bar is invisible; keep 1px so every listed test has a mark
            width=round(max(1.0, (CHART_WIDTH - 260) * t.duration_ms / longest), 2)
            if longest
            else 1.0,
        )
        for i, t in enumerate(ranked)
    ]


def build_view(event: AnalyzeCompletedEvent, results: RunResults | None) -> ReportView:
    """The report's view of a run: from the document when there is one, else the event's counts."""
    payload = event.payload
    duration = payload.duration_ms
    if results is None:
        counts = {"passed": payload.passed, "failed": payload.failed, "skipped": payload.skipped}
        tests: list[TestResult] = []
        spec = payload.spec
        started = finished = None
    else:
        counts = results.counts()
        # failures first, then skips, then passes; the sort is stable so the analyzer's order
        # is kept within each group
        tests = sorted(results.tests, key=lambda t: _STATUS_ORDER[t.status])
        spec = results.spec
        started, finished = results.started_at, results.finished_at
        if duration is None:
            duration = (finished - started).total_seconds() * 1000
    failed_tests = [t for t in tests if t.status == "failed"]
    status = "empty" if sum(counts.values()) == 0 else "failed" if counts["failed"] else "passed"
    return ReportView(
        workspace_id=event.workspace_id,
        run_id=payload.run_id,
        spec=f"{spec.title} {spec.version}" if spec else None,
        status=status,
        passed=counts["passed"],
        failed=counts["failed"],
        skipped=counts["skipped"],
        duration_ms=duration,
        started_at=started,
        finished_at=finished,
        cause_event_id=str(event.event_id),
        detailed=results is not None,
        failures=failed_tests[:MAX_DETAILED_FAILURES],
        tests=tests,
        segments=_segments(counts),
        slowest=_slowest(tests),
    )


# --- filters ----------------------------------------------------------------------------------


def clip(text: str | None, limit: int) -> str:
    """At most `limit` characters, saying how much was cut."""
    if not text:
        return ""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit:,} more characters]"


def duration(ms: float | None) -> str:
    """12 ms, 1.23 s, 2 min 5 s."""
    if ms is None:
        return "n/a"
    if ms < 1000:
        return f"{ms:.0f} ms"
    seconds = ms / 1000
    if seconds < 60:
        return f"{seconds:.2f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"


_MD_ESCAPES = str.maketrans(
    {
        "\\": "\\\\",
        "|": "\\|",
        "`": "\\`",
        "*": "\\*",
        "_": "\\_",
        "[": "\\[",
        "]": "\\]",
        "<": "&lt;",
        ">": "&gt;",
        "&": "&amp;",
        "\n": " ",
        "\r": " ",
    }
)


def md(text: object) -> str:
    """Inline Markdown text: no markup, raw HTML or table-breaking character gets through."""
    return "" if text is None else str(text).translate(_MD_ESCAPES)


def md_code(text: str | None) -> str:
    """A fenced code block that the text cannot close (its fence outruns any backtick run)."""
    body = text or ""
    longest, run = 0, 0
    for char in body:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{body}\n{fence}"


def outcome(result: object) -> str:
    """`500 (Internal Server Error)` from an Outcome, `-` when absent."""
    if result is None:
        return "-"
    code = getattr(result, "status_code", None)
    detail = getattr(result, "detail", None)
    if code is not None and detail:
        return f"{code} ({detail})"
    return str(code) if code is not None else (detail or "-")


@functools.cache
def environment(autoescape: bool) -> jinja2.Environment:
    """The Jinja2 environment; HTML with autoescape on, Markdown with our own escaping filter."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,  # a typo in a template fails the render, not the reader
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(clip=clip, duration=duration, md=md, md_code=md_code, outcome=outcome)
    env.globals.update(
        CHART_WIDTH=CHART_WIDTH,
        MAX_ERROR_CHARS=MAX_ERROR_CHARS,
        TABLE_ERROR_CHARS=TABLE_ERROR_CHARS,
    )
    return env


def render_html(view: ReportView) -> str:
    """The self-contained HTML report (inline CSS and SVG; no external asset, opens offline)."""
    return environment(True).get_template("report.html.j2").render(view=view)


def render_markdown(view: ReportView) -> str:
    """The Markdown report (same content; text bars instead of SVG)."""
    return environment(False).get_template("report.md.j2").render(view=view)

"""The short message a notification carries: status, counts, duration, link."""

from __future__ import annotations

from dataclasses import dataclass

from events.models import ReportGeneratedEvent
from flows.rendering import duration


@dataclass(frozen=True)
class Message:
    """Title and plain-text body, as Apprise sends them."""

    title: str
    body: str


def run_status(failed: int, total: int) -> str:
    """`failed`, `passed` or `no tests`."""
    if total == 0:
        return "no tests"
    return "failed" if failed else "passed"


def format_message(event: ReportGeneratedEvent, link: str) -> Message:
    """A message a person reads in a second: what, how it went, where to look."""
    payload = event.payload
    summary = payload.summary
    total = summary.passed + summary.failed + summary.skipped
    status = run_status(summary.failed, total)
    if status == "failed":
        headline = f"{summary.failed:,} of {total:,} tests failed"
    elif status == "passed":
        headline = f"all {summary.passed:,} tests passed" + (
            f" ({summary.skipped:,} skipped)" if summary.skipped else ""
        )
    else:
        headline = "no tests ran"
    title = f"glens {payload.run_id} {status.upper()}: {headline}"
    body = "\n".join(
        [
            f"Workspace {event.workspace_id}, run {payload.run_id}: {status.upper()}",
            f"{summary.passed:,} passed · {summary.failed:,} failed · {summary.skipped:,} skipped"
            f" · {duration(summary.duration_ms)}",
            f"Report: {link}",
        ]
    )
    return Message(title=title, body=body)

"""What a report run shows in the Prefect UI: summary (markdown), failures (table), a link."""

from __future__ import annotations

import re

from flows.rendering import ReportView, clip, duration, md, outcome

MAX_TABLE_ROWS = 500
"""Failures in the table artifact; artifacts live in Prefect's database, the report has all."""


def artifact_key(kind: str, workspace_id: str, run_id: str) -> str:
    """A stable key per workspace and run (Prefect keys: lowercase letters, digits, dashes).

    A re-run adds a new version under the same key, so the Artifacts page shows the latest.
    """
    raw = f"report-{kind}-{workspace_id}-{run_id}".lower()
    return re.sub(r"[^a-z0-9-]+", "-", raw)


def summary_markdown(view: ReportView, link: str) -> str:
    """A short markdown summary: status, counts, first failures, link."""
    lines = [
        f"### {md(view.spec or 'API test run')}: {view.status.upper()}",
        "",
        f"Run `{view.run_id}` in workspace `{view.workspace_id}`",
        "",
        "| Tests | Passed | Failed | Skipped | Duration |",
        "|------:|-------:|-------:|--------:|---------:|",
        f"| {view.total:,} | {view.passed:,} | {view.failed:,} | {view.skipped:,} "
        f"| {duration(view.duration_ms)} |",
        "",
    ]
    if not view.detailed:
        lines += ["Summary only: the event had no `results_uri`.", ""]
    if view.failures:
        lines.append("First failures:")
        lines += [f"- {md(t.name)}: {md(clip(t.error, 200)) or '-'}" for t in view.failures[:10]]
        lines.append("")
    lines.append(f"[Open the full report]({link})")
    return "\n".join(lines)


def failures_table(view: ReportView) -> list[dict[str, str]]:
    """One row per failure (at most MAX_TABLE_ROWS), with short texts."""
    return [
        {
            "test": t.id,
            "name": t.name,
            "request": f"{t.method} {t.path}",
            "expected": outcome(t.expected),
            "actual": outcome(t.actual),
            "error": clip(t.error, 300),
        }
        for t in view.failures[:MAX_TABLE_ROWS]
    ]

"""Rendering of the HTML and Markdown reports: edge cases, escaping, limits."""

from __future__ import annotations

import pytest

from events.examples import example_event, example_run_results
from events.models import AnalyzeCompletedEvent, RunResults
from flows.rendering import (
    MAX_DETAILED_FAILURES,
    MAX_ERROR_CHARS,
    build_view,
    clip,
    duration,
    md,
    md_code,
    render_html,
    render_markdown,
)

pytestmark = [pytest.mark.unit, pytest.mark.report]


def _event(**payload) -> AnalyzeCompletedEvent:
    raw = example_event("analyze.completed")
    raw["payload"].update(payload)
    return AnalyzeCompletedEvent.model_validate(raw)


def _results(**kwargs) -> RunResults:
    return RunResults.model_validate(example_run_results(**kwargs))


def _render(results: RunResults) -> tuple[str, str]:
    view = build_view(_event(), results)
    return render_html(view), render_markdown(view)


def test_zero_tests():
    html, markdown = _render(_results(tests=0, failed=0, skipped=0))
    assert '<span class="badge empty">empty</span>' in html
    assert "No tests ran." in html and "No tests in this run." in html
    assert "<svg" not in html  # no chart of nothing
    assert "EMPTY" in markdown and "No tests ran." in markdown


def test_all_passed():
    html, markdown = _render(_results(tests=25, failed=0, skipped=0))
    assert '<span class="badge passed">passed</span>' in html
    assert "No failures." in html and "No failures." in markdown
    assert 'class="failed"' not in html.split("<h2>Outcomes</h2>")[1].split("</svg>")[0]
    assert html.count('<tr class="passed">') == 25


def test_all_failed_lists_failures_first_with_request_expected_actual_error():
    html, markdown = _render(_results(tests=5, failed=5, skipped=0))
    assert '<span class="badge failed">failed</span>' in html
    assert html.count('<article class="failure">') == 5
    failures = html.index('id="failures"')
    assert failures < html.index('id="tests"')
    first = html[failures:]
    for text in ("GET /items/0", "<dd>200</dd>", "500 (Internal Server Error)", "got 500"):
        assert text in first
    assert markdown.index("## Failures (5)") < markdown.index("## All tests (5)")


def test_table_orders_failed_then_skipped_then_passed():
    document = example_run_results(tests=6, failed=0, skipped=0)
    document["tests"][4]["status"] = "skipped"
    document["tests"][5].update(status="failed", error="boom")
    html, _ = _render(RunResults.model_validate(document))
    # the table rows' classes, in document order
    statuses = [row.split('"')[0] for row in html.split('<tr class="')[1:]]
    assert statuses == ["failed", "skipped", "passed", "passed", "passed", "passed"]


def test_html_and_unicode_in_messages_are_escaped():
    document = example_run_results(tests=2, failed=1, skipped=0)
    document["tests"][0]["error"] = "<script>alert('x')</script> & ünïcødé ✓ 日本語"
    document["tests"][0]["name"] = "Name with <b>bold</b> | pipe"
    html, markdown = _render(RunResults.model_validate(document))
    assert "<script>" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; ünïcødé ✓ 日本語" in html
    assert "<script>" not in markdown.split("```text")[0]  # outside the code block: escaped
    assert "Name with &lt;b&gt;bold&lt;/b&gt; \\| pipe" in markdown
    # inside a fenced code block the text is shown literally, which is safe
    assert "```text\n<script>alert('x')</script> & ünïcødé ✓ 日本語\n```" in markdown


def test_very_long_messages_are_clipped_and_say_so():
    document = example_run_results(tests=1, failed=1, skipped=0)
    document["tests"][0]["error"] = "x" * 20_000
    html, markdown = _render(RunResults.model_validate(document))
    cut = 20_000 - MAX_ERROR_CHARS
    assert f"[{cut:,} more characters]" in html
    assert "x" * (MAX_ERROR_CHARS + 1) not in html
    assert f"[{cut:,} more characters]" in markdown


def test_failure_details_are_capped_but_every_test_is_in_the_table():
    failed = MAX_DETAILED_FAILURES + 5
    html, _ = _render(_results(tests=failed + 10, failed=failed, skipped=0))
    assert html.count('<article class="failure">') == MAX_DETAILED_FAILURES
    assert "5 more failures are not shown in detail" in html
    assert html.count('<tr class="failed">') == failed


def test_summary_only_report_when_the_event_has_no_results_uri():
    view = build_view(_event(results_uri=None), None)
    html, markdown = render_html(view), render_markdown(view)
    assert not view.detailed and (view.passed, view.failed, view.skipped) == (8, 2, 1)
    assert "Summary only" in html and "Summary only" in markdown
    assert "<table>" not in html and "All tests" not in html


def test_report_is_self_contained_and_deterministic():
    results = _results(tests=40, failed=3, skipped=2)
    view = build_view(_event(), results)
    html = render_html(view)
    assert render_html(build_view(view_event := _event(), results)) == render_html(
        build_view(view_event, results)
    )
    for external in ("http://", "https://", "<script", "<link", "src="):
        assert external not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_outcome_chart_segments_fill_the_bar():
    view = build_view(_event(), _results(tests=10, failed=3, skipped=2))
    assert [(s.status, s.count) for s in view.segments] == [
        ("passed", 5),
        ("failed", 3),
        ("skipped", 2),
    ]
    assert sum(s.width for s in view.segments) == pytest.approx(100, abs=0.05)
    assert len(view.slowest) == 10
    assert view.slowest[0].duration_ms == max(t.duration_ms for t in view.tests)


@pytest.mark.parametrize(
    ("ms", "text"),
    [(None, "n/a"), (0, "0 ms"), (999.4, "999 ms"), (1234.5, "1.23 s"), (125_000, "2 min 5 s")],
)
def test_duration(ms, text):
    assert duration(ms) == text


def test_clip_md_and_md_code():
    assert clip("abc", 5) == "abc" and clip(None, 5) == ""
    assert clip("abcdef", 3) == "abc… [3 more characters]"
    assert md("a|b\n[x](javascript:y) <i>") == "a\\|b \\[x\\](javascript:y) &lt;i&gt;"
    block = md_code("has ``` and ```` inside")
    assert block.startswith("`````text\n") and block.endswith("\n`````")

"""Report storage locations, run-results parsing, artifacts and error classification."""

from __future__ import annotations

import concurrent.futures
import json

import httpx
import pytest
from google.api_core import exceptions as gexc

from events.examples import example_event, example_run_results
from events.models import AnalyzeCompletedEvent, RunResults
from events.publisher import PublishError
from flows.artifacts import MAX_TABLE_ROWS, artifact_key, failures_table, summary_markdown
from flows.errors import PermanentError, TransientError, is_transient
from flows.rendering import build_view
from flows.results import ResultsDocumentError, check_belongs_to, parse_run_results
from flows.settings import FlowSettings
from flows.storage import public_link, read_bytes, report_location, write_text

pytestmark = [pytest.mark.unit, pytest.mark.report]


def test_report_location_is_deterministic_per_workspace_and_run():
    a = report_location("gs://bucket/reports/", "ws_abc", "run_1")
    assert a == report_location("gs://bucket/reports", "ws_abc", "run_1")
    assert a.html_uri == "gs://bucket/reports/ws_abc/run_1/report.html"
    assert a.markdown_uri == "gs://bucket/reports/ws_abc/run_1/report.md"
    assert a.html_link == a.html_uri
    assert report_location("gs://b/r", "ws_abc", "run_2").html_uri != a.html_uri
    assert report_location("gs://b/r", "ws_xyz", "run_1").html_uri.startswith("gs://b/r/ws_xyz/")


def test_public_url_gives_browsable_links():
    location = report_location("gs://b/r", "ws_abc", "run_1", "https://reports.glens.dev/")
    assert location.html_link == "https://reports.glens.dev/ws_abc/run_1/report.html"
    assert location.html_uri == "gs://b/r/ws_abc/run_1/report.html"
    assert (
        public_link(location.html_uri, "gs://b/r", "https://reports.glens.dev")
        == location.html_link
    )
    assert public_link("gs://other/x.html", "gs://b/r", "https://r") == "gs://other/x.html"
    assert public_link(location.html_uri, "gs://b/r", None) == location.html_uri


def test_write_text_creates_folders_and_overwrites(tmp_path):
    uri = (tmp_path / "a" / "b" / "report.html").as_uri()
    write_text(uri, "first", "text/html")
    write_text(uri, "second ✓", "text/html")
    assert read_bytes(uri).decode() == "second ✓"


def test_settings_default_to_the_checkout_and_read_the_environment(monkeypatch):
    monkeypatch.delenv("GLENS_REPORTS_URL", raising=False)
    assert FlowSettings().reports_url.endswith("/.glens/reports")
    assert FlowSettings().reports_url.startswith("file:///")
    monkeypatch.setenv("GLENS_REPORTS_URL", "gs://bucket/reports")
    monkeypatch.setenv("GLENS_NOTIFY_RETRIES", "5")
    settings = FlowSettings()
    assert (settings.reports_url, settings.notify_retries) == ("gs://bucket/reports", 5)


def test_parse_run_results_names_the_problem():
    good = json.dumps(example_run_results()).encode()
    assert parse_run_results(good, "file:///x").run_id == "run_123"
    with pytest.raises(ResultsDocumentError, match="not valid JSON"):
        parse_run_results(b"{oops", "file:///x")
    with pytest.raises(ResultsDocumentError, match=r"not a valid RunResults .*run_id"):
        parse_run_results(b'{"run_id": 5}', "file:///x")


def test_a_document_of_another_run_is_refused():
    event = AnalyzeCompletedEvent.model_validate(example_event("analyze.completed"))
    results = RunResults.model_validate(example_run_results(run_id="run_other"))
    with pytest.raises(ResultsDocumentError, match="ws_abc/run_other"):
        check_belongs_to(results, event)


def test_artifacts_keys_summary_and_table():
    assert artifact_key("summary", "ws_A_b", "run_1") == "report-summary-ws-a-b-run-1"
    event = AnalyzeCompletedEvent.model_validate(example_event("analyze.completed"))
    view = build_view(event, RunResults.model_validate(example_run_results(600, 550, 0)))
    summary = summary_markdown(view, "https://r/x.html")
    assert "FAILED" in summary and "[Open the full report](https://r/x.html)" in summary
    assert summary.count("\n- ") == 10  # first failures only
    rows = failures_table(view)
    assert len(rows) == MAX_TABLE_ROWS
    assert rows[0] == {
        "test": "op0.case",
        "name": "Operation 0 behaves",
        "request": "GET /items/0",
        "expected": "200",
        "actual": "500 (Internal Server Error)",
        "error": "expected status 200, got 500 <on item 0>",
    }


def _caused(outer: BaseException, cause: BaseException) -> BaseException:
    try:
        try:
            raise cause
        except BaseException as inner:
            raise outer from inner
    except BaseException as exc:
        return exc


def _timeout_publish_error() -> BaseException:
    # the publisher raises PublishError "from None" inside `except TimeoutError`
    try:
        try:
            raise concurrent.futures.TimeoutError()
        except concurrent.futures.TimeoutError:
            raise PublishError("no ack") from None
    except PublishError as exc:
        return exc


_request = httpx.Request("GET", "https://storage.googleapis.com/x")


@pytest.mark.parametrize(
    ("exc", "transient"),
    [
        (ConnectionResetError(), True),
        (TimeoutError(), True),
        (TransientError("x"), True),
        (gexc.ServiceUnavailable("down"), True),
        (gexc.TooManyRequests("slow down"), True),
        (httpx.ConnectError("refused"), True),
        (httpx.HTTPStatusError("", request=_request, response=httpx.Response(503)), True),
        (httpx.HTTPStatusError("", request=_request, response=httpx.Response(401)), False),
        (gexc.Unauthenticated("bad key"), False),
        (gexc.NotFound("no topic"), False),
        (FileNotFoundError("gone"), False),
        (PermissionError("denied"), False),
        (ResultsDocumentError("bad"), False),
        (PermanentError("bad url"), False),
        (ValueError("bad"), False),
        (_caused(PublishError("refused"), gexc.ServiceUnavailable("down")), True),
        (_caused(PublishError("refused"), gexc.PermissionDenied("no")), False),
        (_timeout_publish_error(), True),
        (_caused(PermanentError("bad"), ConnectionError()), False),
    ],
)
def test_only_errors_that_can_pass_are_transient(exc, transient):
    assert is_transient(exc) is transient


def test_gcsfs_http_errors_by_status_code():
    class HttpError(Exception):  # same name and shape as gcsfs.retry.HttpError
        def __init__(self, code: int):
            super().__init__(code)
            self.code = code

    assert is_transient(HttpError(503)) and is_transient(HttpError(429))
    assert not is_transient(HttpError(403)) and not is_transient(HttpError(404))

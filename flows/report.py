"""Flow `generate-report`: the report of an analyzer run, from its `analyze.completed` event.

load the run-results document -> render HTML + Markdown -> store both -> Prefect artifacts ->
publish `report.generated` (event_id derived from the cause, so a re-run publishes the same
event and the notification run downstream is deduplicated).

Safe to run twice: the report's location depends only on workspace and run, so a re-run
overwrites the same objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from prefect import flow, get_run_logger, task
from prefect.artifacts import (
    create_link_artifact,
    create_markdown_artifact,
    create_table_artifact,
)
from prefect.cache_policies import NO_CACHE

from events.catalog import route_for
from events.models import (
    AnalyzeCompletedEvent,
    ReportGeneratedEvent,
    RunResults,
    derived_event_id,
)
from flows.artifacts import artifact_key, failures_table, summary_markdown
from flows.errors import TRANSIENT_RETRIES, PermanentError
from flows.naming import current_run_name
from flows.rendering import ReportView, build_view, render_html, render_markdown
from flows.results import ResultsDocumentError, check_belongs_to, parse_run_results
from flows.settings import FlowSettings
from flows.storage import ReportLocation, read_bytes, report_location, write_text

ROUTE = route_for("analyze.completed")
FOLLOW_UP = "report.generated"


@dataclass(frozen=True)
class RenderedReport:
    """The two renderings of one report."""

    html: str
    markdown: str


@task(name="load-run-results", cache_policy=NO_CACHE, **TRANSIENT_RETRIES)
def load_run_results(results_uri: str) -> RunResults:
    """Read and validate the run-results document at `results_uri` (file://, gs://, ...).

    Missing or malformed documents fail at once (ResultsDocumentError, no retry); network and
    storage hiccups are retried with backoff.
    """
    try:
        data = read_bytes(results_uri)
    except FileNotFoundError:
        raise ResultsDocumentError(f"run-results document not found: {results_uri}") from None
    return parse_run_results(data, results_uri)


@task(name="render-report", cache_policy=NO_CACHE)
def render_report(view: ReportView) -> RenderedReport:
    """Render the HTML and Markdown reports from the Jinja2 templates (pure, no retries)."""
    return RenderedReport(html=render_html(view), markdown=render_markdown(view))


@task(name="store-report", cache_policy=NO_CACHE, **TRANSIENT_RETRIES)
def store_report(location: ReportLocation, rendered: RenderedReport) -> ReportLocation:
    """Write both reports to their deterministic location, overwriting a previous run's."""
    try:
        write_text(location.html_uri, rendered.html, "text/html; charset=utf-8")
        write_text(location.markdown_uri, rendered.markdown, "text/markdown; charset=utf-8")
    except FileNotFoundError as exc:
        # On gs:// this is a missing bucket: a configuration error no retry fixes.
        raise PermanentError(
            f"cannot store the report at {location.html_uri}: the bucket or folder does not "
            f"exist ({exc}); check GLENS_REPORTS_URL"
        ) from None
    get_run_logger().info("Stored report at %s", location.html_uri)
    return location


@task(name="create-report-artifacts", cache_policy=NO_CACHE)
def create_report_artifacts(view: ReportView, location: ReportLocation) -> None:
    """Summary (markdown), failures (table) and a link to the report, in the Prefect UI."""
    ids = (view.workspace_id, view.run_id)
    create_markdown_artifact(
        key=artifact_key("summary", *ids),
        markdown=summary_markdown(view, location.html_link),
        description=f"Report summary of {view.workspace_id}/{view.run_id}",
    )
    create_table_artifact(
        key=artifact_key("failures", *ids),
        table=failures_table(view),
        description=f"Failures of {view.workspace_id}/{view.run_id} ({view.failed} in all)",
    )
    create_link_artifact(
        key=artifact_key("link", *ids),
        link=location.html_link,
        link_text=f"Report {view.workspace_id}/{view.run_id} (HTML)",
        description="The stored HTML report",
    )


def build_report_generated(
    cause: AnalyzeCompletedEvent, view: ReportView, location: ReportLocation
) -> ReportGeneratedEvent:
    """The follow-up event; its id depends only on the cause's, so a re-run repeats it."""
    return ReportGeneratedEvent.model_validate(
        {
            "event_id": str(derived_event_id(cause.event_id, FOLLOW_UP)),
            "timestamp": datetime.now(UTC).replace(microsecond=0).isoformat(),
            "workspace_id": cause.workspace_id,
            "payload": {
                "run_id": view.run_id,
                "html_uri": location.html_uri,
                "markdown_uri": location.markdown_uri,
                "summary": {
                    "passed": view.passed,
                    "failed": view.failed,
                    "skipped": view.skipped,
                    "duration_ms": view.duration_ms,
                },
                "cause_event_id": str(cause.event_id),
            },
        }
    )


@task(name="publish-report-generated", cache_policy=NO_CACHE, **TRANSIENT_RETRIES)
def publish_report_generated(event: ReportGeneratedEvent) -> str:
    """Publish `report.generated` to Pub/Sub and wait for the ack; return the message id."""
    # Imported here: google-cloud-pubsub is only needed by this step.
    from events.publisher import EventPublisher

    result = EventPublisher().publish(event)
    get_run_logger().info(
        "Published report.generated %s (message %s)", result.event_id, result.message_id
    )
    return result.message_id or ""


@flow(
    name=ROUTE.flow_name,
    flow_run_name=current_run_name,
    description=ROUTE.description,
    validate_parameters=True,
)
def generate_report(event: AnalyzeCompletedEvent) -> dict:
    """Render, store and announce the report of one analyzer run.

    Without `results_uri` in the event the report is summary-only (the event's counts, no
    per-test detail) and a warning says so: the run still gets a report and a notification.
    A `results_uri` that is missing, malformed or about another run fails the flow.

    Args:
        event: The `analyze.completed` event (envelope and payload) this report answers.

    Returns:
        The published `report.generated` event, as JSON-ready data.
    """
    logger = get_run_logger()
    settings = FlowSettings()
    results: RunResults | None = None
    if event.payload.results_uri:
        results = load_run_results(event.payload.results_uri)
        check_belongs_to(results, event)
        counts = results.counts()
        claimed = {k: getattr(event.payload, k) for k in counts}
        if counts != claimed:
            # The document is the detailed truth; the event's counts are a summary of it.
            logger.warning("Event counts %s differ from the document's %s", claimed, counts)
    else:
        logger.warning(
            "Event %s has no results_uri: writing a summary-only report from its counts",
            event.event_id,
        )
    view = build_view(event, results)
    location = report_location(
        settings.reports_url,
        event.workspace_id,
        event.payload.run_id,
        settings.reports_public_url,
    )
    rendered = render_report(view)
    store_report(location, rendered)
    create_report_artifacts(view, location)
    follow_up = build_report_generated(event, view, location)
    publish_report_generated(follow_up)
    logger.info(
        "Report %s/%s: %s (%d passed, %d failed, %d skipped)",
        view.workspace_id,
        view.run_id,
        view.status,
        view.passed,
        view.failed,
        view.skipped,
    )
    return follow_up.model_dump(mode="json", exclude_none=True)

"""The event catalog: the one table that routes every event type.

event type -> Pub/Sub topic -> Cloud Function -> Prefect deployment. Topics, functions,
prefect.yaml, terraform (via ``catalog.json``) and the published schemas derive from it or are
checked against it by tests. Adding an event type is one entry here plus its payload model and
flow.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from events.models import (
    AnalyzeCompletedEvent,
    ExportScheduledEvent,
    ReportGeneratedEvent,
    SecretStoredEvent,
    TestFailedEvent,
)

CATALOG_JSON = Path(__file__).with_name("catalog.json")
DEAD_LETTER_SUFFIX = "-dead-letter"


@dataclass(frozen=True)
class Route:
    """Where one event type goes."""

    event_type: str
    topic: str
    function: str
    entry_point: str
    event_model: type[BaseModel]
    flow_name: str
    flow_entrypoint: str
    deployment_name: str
    description: str

    @property
    def deployment(self) -> str:
        """Prefect's `flow-name/deployment-name`."""
        return f"{self.flow_name}/{self.deployment_name}"

    @property
    def dead_letter_topic(self) -> str:
        """Topic that keeps what this route could not process, for an operator to replay."""
        return self.topic + DEAD_LETTER_SUFFIX

    @property
    def dead_letter_subscription(self) -> str:
        """Pull subscription on the dead-letter topic, where operators list and replay."""
        return self.dead_letter_topic + "-sub"

    @property
    def subscription(self) -> str:
        """The function's subscription on `topic`."""
        return f"{self.function}-sub"

    def as_json(self) -> dict[str, str]:
        """Plain data for terraform and docs."""
        return {
            "event_type": self.event_type,
            "topic": self.topic,
            "dead_letter_topic": self.dead_letter_topic,
            "dead_letter_subscription": self.dead_letter_subscription,
            "subscription": self.subscription,
            "function": self.function,
            "entry_point": self.entry_point,
            "payload_schema": self.event_model.model_fields["payload"].annotation.__name__,
            "event_schema": self.event_model.__name__,
            "flow_name": self.flow_name,
            "flow_entrypoint": self.flow_entrypoint,
            "deployment": self.deployment,
            "description": self.description,
        }


CATALOG: tuple[Route, ...] = (
    Route(
        event_type="analyze.completed",
        topic="glens-analyze",
        function="fn-report-generator",
        entry_point="report_generator",
        event_model=AnalyzeCompletedEvent,
        flow_name="generate-report",
        flow_entrypoint="flows/report.py:generate_report",
        deployment_name="on-analyze-completed",
        description="Render and store the HTML/Markdown report of an analyzer run.",
    ),
    Route(
        event_type="test.failed",
        topic="glens-test-results",
        function="fn-issue-creator",
        entry_point="issue_creator",
        event_model=TestFailedEvent,
        flow_name="create-github-issue",
        flow_entrypoint="flows/github_issue.py:create_github_issue",
        deployment_name="on-test-failed",
        description="Open (or update) the GitHub issue of a failing test.",
    ),
    Route(
        event_type="report.generated",
        topic="glens-reports",
        function="fn-notification",
        entry_point="notification",
        event_model=ReportGeneratedEvent,
        flow_name="send-notifications",
        flow_entrypoint="flows/notification.py:send_notifications",
        deployment_name="on-report-generated",
        description="Tell the workspace's notification targets that a report is ready.",
    ),
    Route(
        event_type="secret.stored",
        topic="glens-secrets",
        function="fn-audit-logger",
        entry_point="audit_logger",
        event_model=SecretStoredEvent,
        flow_name="record-audit-log",
        flow_entrypoint="flows/audit.py:record_audit_log",
        deployment_name="on-secret-stored",
        description="Append the secret-storage fact to the audit log.",
    ),
    Route(
        event_type="export.scheduled",
        topic="glens-export",
        function="fn-bigquery-exporter",
        entry_point="bigquery_exporter",
        event_model=ExportScheduledEvent,
        flow_name="export-to-bigquery",
        flow_entrypoint="flows/bigquery_export.py:export_to_bigquery",
        deployment_name="on-export-scheduled",
        description="Export a window of runs and test results to BigQuery.",
    ),
)

BY_EVENT_TYPE: dict[str, Route] = {route.event_type: route for route in CATALOG}
BY_ENTRY_POINT: dict[str, Route] = {route.entry_point: route for route in CATALOG}
EVENT_TYPES: tuple[str, ...] = tuple(BY_EVENT_TYPE)


class UnknownEventType(KeyError):
    """The event type is not in the catalog."""


def route_for(event_type: str) -> Route:
    """The catalog's route for an event type."""
    try:
        return BY_EVENT_TYPE[event_type]
    except KeyError:
        raise UnknownEventType(
            f"unknown event type {event_type!r}; known: {', '.join(EVENT_TYPES)}"
        ) from None


def catalog_document() -> dict:
    """The catalog as the JSON document terraform reads."""
    return {"routes": [route.as_json() for route in CATALOG]}


def render_catalog_json() -> str:
    """`catalog.json`'s exact text."""
    return json.dumps(catalog_document(), indent=2, sort_keys=True) + "\n"

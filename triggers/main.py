"""The five Cloud Functions: one entry point per catalog route, each a line into the dispatcher.

Deploy any one with `--entry-point=<name>` (gcloud) or `--target=<name>` (functions-framework).
The import path stays light: no `prefect`, no `google.cloud.pubsub` (see tests/unit/
test_trigger_imports.py and bench/trigger_cold_start.py).
"""

from __future__ import annotations

import functions_framework

from triggers.dispatch import Dispatcher

# Once per instance: configuration, the Prefect client and its deployment-id cache.
dispatcher = Dispatcher.from_env()


@functions_framework.cloud_event
def report_generator(cloud_event):
    """analyze.completed -> generate-report/on-analyze-completed."""
    dispatcher.handle("report_generator", cloud_event)


@functions_framework.cloud_event
def issue_creator(cloud_event):
    """test.failed -> create-github-issue/on-test-failed."""
    dispatcher.handle("issue_creator", cloud_event)


@functions_framework.cloud_event
def notification(cloud_event):
    """report.generated -> send-notifications/on-report-generated."""
    dispatcher.handle("notification", cloud_event)


@functions_framework.cloud_event
def audit_logger(cloud_event):
    """secret.stored -> record-audit-log/on-secret-stored."""
    dispatcher.handle("audit_logger", cloud_event)


@functions_framework.cloud_event
def bigquery_exporter(cloud_event):
    """export.scheduled -> export-to-bigquery/on-export-scheduled."""
    dispatcher.handle("bigquery_exporter", cloud_event)

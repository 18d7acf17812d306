"""Fixtures shared by the integration modules that run flows in-process."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from google.cloud import pubsub_v1

from deployments.pubsub_setup import ensure_topics
from events.catalog import route_for
from events.settings import EventSettings


@pytest.fixture(scope="module")
def flow_run_logs_sent(prefect_server) -> Iterator[None]:
    """Flow-run logs are shipped in the background; send them while the server still runs."""
    yield
    from prefect.logging.handlers import APILogHandler

    APILogHandler().flush()


@pytest.fixture(scope="module")
def reports_subscription(pubsub_emulator) -> Iterator[tuple[pubsub_v1.SubscriberClient, str]]:
    """Our own pull subscription on glens-reports (the notification function uses push)."""
    settings = EventSettings()
    with pubsub_v1.PublisherClient() as publisher:
        ensure_topics(publisher, settings)
    subscriber = pubsub_v1.SubscriberClient()
    path = subscriber.subscription_path(settings.gcp_project, f"report-it-{uuid.uuid4().hex[:8]}")
    subscriber.create_subscription(
        name=path, topic=settings.topic_path(route_for("report.generated").topic)
    )
    yield subscriber, path
    subscriber.delete_subscription(subscription=path)
    subscriber.close()

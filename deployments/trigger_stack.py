"""The push path wired end to end, given a Pub/Sub emulator and a Prefect server:

deployments registered -> five function servers -> topics, push subscriptions (with dead-letter
policy and retry backoff) to their URLs, and dead-letter pull subscriptions.

The integration tests and benchmarks use this; `glens up` will too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from deployments.function_servers import FunctionServers
from deployments.prefect_deployments import register_deployments
from deployments.processes import LocalService
from deployments.pubsub_setup import (
    MAX_DELIVERY_ATTEMPTS,
    ensure_push_subscriptions,
    ensure_topics,
)
from events.settings import EventSettings


def _local_function_env() -> dict[str, str]:
    # Without a retry policy (see below) the emulator redelivers at once, so the five
    # deliveries come quickly; a longer in-function retry (about 7 s a delivery on average,
    # within the 60 s ack deadline) lets a Prefect restart of several seconds pass.
    return {"GLENS_TRIGGER_RETRY_ATTEMPTS": "8", "GLENS_TRIGGER_RETRY_BUDGET": "20"}


@dataclass
class PushTuning:
    """Subscription and function settings of the local stack.

    Production (terraform) has a retry policy of 5 s..300 s backoff. Locally `retry_policy` is
    off: the emulator loses pushed messages under one (pubsub_setup.ensure_push_subscriptions).
    """

    max_delivery_attempts: int = MAX_DELIVERY_ATTEMPTS
    retry_policy: bool = False
    min_backoff_seconds: int = 1
    max_backoff_seconds: int = 10
    ack_deadline_seconds: int = 60
    threads: int = 4
    function_env: dict[str, str] = field(default_factory=_local_function_env)


class TriggerStack(LocalService):
    """Start with `start()`, stop with `stop()`; `functions.urls`, `subscriptions` after start."""

    def __init__(
        self,
        log_dir: Path,
        *,
        prefect_api_url: str,
        pubsub_env: dict[str, str],
        settings: EventSettings | None = None,
        tuning: PushTuning | None = None,
        registry_url: str | None = None,
    ):
        """`registry_url`: the Prefect API the deployments are registered on, when it is not
        `prefect_api_url` (the tests put a fault-injecting proxy between functions and server)."""
        self.log_dir = log_dir
        self.prefect_api_url = prefect_api_url
        self.pubsub_env = pubsub_env
        self.settings = settings or EventSettings()
        self.tuning = tuning or PushTuning()
        self.registry_url = registry_url or prefect_api_url
        self.functions: FunctionServers | None = None
        self.subscriptions: dict[str, str] = {}
        self.deployment_ids: dict[str, str] = {}

    def function_env(self) -> dict[str, str]:
        """What every function process gets."""
        return {
            **self.pubsub_env,
            "PREFECT_API_URL": self.prefect_api_url,
            "GLENS_GCP_PROJECT": self.settings.gcp_project,
            "GLENS_TOPIC_PREFIX": self.settings.topic_prefix,
            **self.tuning.function_env,
        }

    def start(self) -> TriggerStack:
        """Register the deployments, start the functions, create topics and subscriptions."""
        from google.cloud import pubsub_v1

        self.deployment_ids = register_deployments(self.registry_url)
        self.functions = FunctionServers(
            self.log_dir, self.function_env(), threads=self.tuning.threads
        ).start()
        with pubsub_v1.PublisherClient() as publisher:
            ensure_topics(publisher, self.settings)
        with pubsub_v1.SubscriberClient() as subscriber:
            self.subscriptions = ensure_push_subscriptions(
                subscriber,
                self.functions.urls,
                self.settings,
                max_delivery_attempts=self.tuning.max_delivery_attempts,
                min_backoff_seconds=self.tuning.min_backoff_seconds,
                max_backoff_seconds=self.tuning.max_backoff_seconds,
                ack_deadline_seconds=self.tuning.ack_deadline_seconds,
                retry_policy=self.tuning.retry_policy,
            )
        return self

    def stop(self) -> None:
        if self.functions:
            self.functions.stop()

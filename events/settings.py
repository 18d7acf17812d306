"""Where events go: GCP project, topic prefix and the CloudEvents source, from the environment."""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class EventSettings(BaseSettings):
    """GLENS_GCP_PROJECT (or GOOGLE_CLOUD_PROJECT), GLENS_TOPIC_PREFIX, GLENS_EVENT_SOURCE."""

    model_config = SettingsConfigDict(extra="ignore")

    gcp_project: str = Field(
        default="glens-local",
        validation_alias=AliasChoices("GLENS_GCP_PROJECT", "GOOGLE_CLOUD_PROJECT"),
    )
    topic_prefix: str = Field(
        default="",
        validation_alias="GLENS_TOPIC_PREFIX",
        description="Prepended to every topic name, e.g. `staging-`.",
    )
    event_source: str = Field(default="//glens/api", validation_alias="GLENS_EVENT_SOURCE")

    def topic_path(self, topic: str) -> str:
        """Full Pub/Sub path of a catalog topic in this environment."""
        return f"projects/{self.gcp_project}/topics/{self.topic_prefix}{topic}"

    def subscription_path(self, name: str) -> str:
        """Full path of a subscription; the topic prefix applies to subscriptions too (terraform)."""
        return f"projects/{self.gcp_project}/subscriptions/{self.topic_prefix}{name}"

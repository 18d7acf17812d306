"""Settings of the flows, read from the environment when a flow runs (never at import time).

A process worker starts each flow run in a fresh process with the deployment's environment, so an
operator changes these with the work pool's or deployment's env, without touching code.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

_REPO_ROOT = Path(__file__).resolve().parents[1]


def _local_default(name: str) -> str:
    # A folder under the checkout's `.glens/` (git-ignored), as an fsspec URL, so that a local
    # worker and the tests find the same files whatever the current directory is.
    return (_REPO_ROOT / ".glens" / name).as_uri()


class FlowSettings(BaseSettings):
    """GLENS_REPORTS_URL, GLENS_REPORTS_PUBLIC_URL, GLENS_NOTIFY_* (see README, "Flows")."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    reports_url: str = Field(
        default_factory=lambda: _local_default("reports"),
        validation_alias="GLENS_REPORTS_URL",
        description="fsspec base URL of stored reports: file:///... locally, gs://bucket/... in production.",
    )
    reports_public_url: str | None = Field(
        default=None,
        validation_alias="GLENS_REPORTS_PUBLIC_URL",
        description=(
            "Browsable base URL that serves `reports_url` (e.g. https://reports.glens.dev); "
            "links in artifacts and notifications use it. Unset: the storage URL itself."
        ),
    )
    notify_retries: int = Field(default=3, ge=0, le=10, validation_alias="GLENS_NOTIFY_RETRIES")
    notify_backoff_seconds: float = Field(
        default=2.0,
        gt=0,
        validation_alias="GLENS_NOTIFY_BACKOFF_SECONDS",
        description="First retry delay of a failing target; doubles each retry (with jitter).",
    )
    notify_ledger_url: str = Field(
        default_factory=lambda: _local_default("notifications"),
        validation_alias="GLENS_NOTIFY_LEDGER_URL",
        description=(
            "Local folder (file:// URL or path) keeping the record of each sent notification "
            "(event_id x target); used when GLENS_NOTIFY_LEDGER_BLOCK is unset."
        ),
    )
    notify_ledger_block: str | None = Field(
        default=None,
        validation_alias="GLENS_NOTIFY_LEDGER_BLOCK",
        description=(
            "Slug of a saved Prefect filesystem block shared by every worker, e.g. "
            "`remote-file-system/glens-notify-ledger` (basepath gs://bucket/notifications)."
        ),
    )

"""Flow `send-notifications`: tell a workspace's targets that a report is ready.

resolve the workspace's targets (a Prefect Variable, see flows/targets.py) -> one task per
target, run concurrently, each retried with exponential backoff and jitter on its own, so a
failing target never holds up the others.

Once per event and target: each delivery is a cached task keyed by (event_id, target id) whose
record is persisted in GLENS_NOTIFY_LEDGER_URL. A re-run of the same event finds the record and
ends that task `Cached` without sending; only targets that never succeeded are tried again.

When a target still fails after its retries, the others are delivered and then the flow ends
Failed, naming the failed targets (redacted): an operator sees it in the UI and re-runs the flow,
which sends only to those targets.
"""

from __future__ import annotations

import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.context import TaskRunContext
from prefect.futures import wait
from prefect.tasks import exponential_backoff
from prefect.variables import Variable

from events.catalog import route_for
from events.models import ReportGeneratedEvent
from flows.errors import TRANSIENT_RETRIES, PermanentError, TransientError, retry_if_transient
from flows.message import Message, format_message
from flows.naming import current_run_name
from flows.settings import FlowSettings
from flows.storage import public_link
from flows.targets import Target, parse_targets, resolve_url, variable_name

ROUTE = route_for("report.generated")


class NotificationDeliveryError(RuntimeError):
    """At least one target could not be notified after its retries."""


@task(name="load-notification-targets", cache_policy=NO_CACHE, **TRANSIENT_RETRIES)
def load_targets(workspace_id: str) -> list[Target]:
    """Read the workspace's targets from its Prefect Variable (read at run time: no redeploy)."""
    name = variable_name(workspace_id)
    return parse_targets(Variable.get(name, default=None), name)


def ledger_storage(settings: FlowSettings) -> str | Path:
    """Where delivery records are kept: a saved Prefect storage block, else a local folder.

    Prefect only accepts saved blocks (by slug) or local paths as task result storage, so a
    shared bucket is configured once as a block (GLENS_NOTIFY_LEDGER_BLOCK) by the operator.
    """
    if settings.notify_ledger_block:
        return settings.notify_ledger_block
    url = settings.notify_ledger_url
    if "://" in url and not url.startswith("file://"):
        raise PermanentError(
            "GLENS_NOTIFY_LEDGER_URL must be a local folder; for shared storage (gs://...) save "
            "a Prefect filesystem block and set GLENS_NOTIFY_LEDGER_BLOCK to its slug"
        )
    return Path(url.removeprefix("file://"))


def _once_per_event_and_target(context: TaskRunContext, parameters: dict[str, Any]) -> str:
    # The key names neither the URL nor the message: only what makes a delivery "the same".
    return f"notification-{parameters['event_id']}-{parameters['target'].target_id}"


@task(
    name="notify-target",
    cache_key_fn=_once_per_event_and_target,
    persist_result=True,
    result_serializer="json",
    retries=3,
    retry_delay_seconds=exponential_backoff(backoff_factor=2),
    retry_jitter_factor=0.5,
    retry_condition_fn=retry_if_transient,
)
def notify_target(event_id: str, target: Target, message: Message) -> dict[str, str]:
    """Send the message to one target through Apprise; its record makes a re-run a no-op.

    A URL Apprise cannot parse, or a missing Secret block, fails at once; a refused or
    unreachable target is retried with backoff (Apprise does not say which failures are
    permanent, so every refused delivery counts as transient).
    """
    with warnings.catch_warnings():
        # Apprise 2.0 imports the deprecated `imghdr` (a warning per worker process, not ours
        # to fix); imported here, not at module level, to keep the flow's import light.
        warnings.simplefilter("ignore", DeprecationWarning)
        import apprise

    logger = get_run_logger()
    notifier = apprise.Apprise()
    if not notifier.add(resolve_url(target)):
        raise PermanentError(f"not a valid Apprise URL: target {target.label}")
    if not notifier.notify(title=message.title, body=message.body):
        raise TransientError(f"target {target.label} did not accept the notification")
    logger.info("Notified %s", target.label)
    return {
        "event_id": event_id,
        "target": target.label,
        "sent_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


@flow(
    name=ROUTE.flow_name,
    flow_run_name=current_run_name,
    description=ROUTE.description,
    validate_parameters=True,
)
def send_notifications(event: ReportGeneratedEvent) -> dict[str, list[str]]:
    """Send a short message (status, counts, link) to every target of the event's workspace.

    Args:
        event: The `report.generated` event (envelope and payload) to announce.

    Returns:
        Target labels (redacted) by outcome: `sent`, `already_sent`.
    """
    logger = get_run_logger()
    settings = FlowSettings()
    targets = load_targets(event.workspace_id)
    if not targets:
        logger.info(
            "No notification targets for workspace %s (Prefect Variable %r is unset or empty); "
            "nothing to send",
            event.workspace_id,
            variable_name(event.workspace_id),
        )
        return {"sent": [], "already_sent": []}

    link = public_link(event.payload.html_uri, settings.reports_url, settings.reports_public_url)
    message = format_message(event, link)
    sender = notify_target.with_options(
        retries=settings.notify_retries,
        retry_delay_seconds=exponential_backoff(settings.notify_backoff_seconds),
        result_storage=ledger_storage(settings),
    )
    futures = {t: sender.submit(str(event.event_id), t, message) for t in targets}
    wait(list(futures.values()))

    outcome: dict[str, list[str]] = {"sent": [], "already_sent": [], "failed": []}
    for target, future in futures.items():
        state = future.state
        key = (
            "failed"
            if not state.is_completed()
            else "already_sent"
            if state.name == "Cached"
            else "sent"
        )
        outcome[key].append(target.label)
    logger.info(
        "Notifications for event %s: %d sent, %d already sent before, %d failed",
        event.event_id,
        len(outcome["sent"]),
        len(outcome["already_sent"]),
        len(outcome["failed"]),
    )
    if outcome["failed"]:
        raise NotificationDeliveryError(
            f"{len(outcome['failed'])} of {len(targets)} targets failed after retries: "
            + ", ".join(outcome["failed"])
            + ". The others were notified; re-run to retry only the failed ones."
        )
    return {"sent": outcome["sent"], "already_sent": outcome["already_sent"]}

"""The one dispatcher behind every function: Pub/Sub message in, Prefect flow run out.

Outcomes (the `outcome` log field):
  created        a new flow run exists for the event
  duplicate      Prefect already had a run for this event_id (a redelivery); the same run
  dead_lettered  a permanent error: the original message is on the route's dead-letter topic,
                 and the delivery is acked
  retry          a transient error outlived the in-function retry; the function raises, answers
                 500, and Pub/Sub redelivers with backoff
"""

from __future__ import annotations

import json
import time
from typing import Any

from events.catalog import BY_ENTRY_POINT, Route
from events.models import run_name_of
from events.parsing import EventValidationError, event_to_json, parse_event
from triggers.config import TriggerConfig
from triggers.dead_letter import DeadLetterSink, dead_letter_attributes
from triggers.errors import (
    VALIDATION_REASONS,
    MalformedMessage,
    PermanentError,
    TransientError,
    WrongEventType,
)
from triggers.logs import JsonLogger
from triggers.message import PubSubMessage, read_message, undecoded_message
from triggers.prefect_api import PrefectApi


def flow_run_request(event: Any) -> dict[str, Any]:
    """The create_flow_run body: the event as the flow's one parameter, tags, a readable name,
    and idempotency_key = event_id (a redelivery gets the same run back)."""
    return {
        "name": run_name_of(event),
        "parameters": {"event": json.loads(event_to_json(event))},
        "tags": [f"event_type:{event.event_type}", f"workspace:{event.workspace_id}"],
        "idempotency_key": str(event.event_id),
    }


class Dispatcher:
    """Holds the per-instance clients; `handle()` is what every entry point calls."""

    def __init__(
        self,
        config: TriggerConfig,
        prefect: PrefectApi | None = None,
        dead_letters: DeadLetterSink | None = None,
        logger: JsonLogger | None = None,
    ):
        self.config = config
        self.prefect = prefect or PrefectApi(config)
        self.dead_letters = dead_letters or DeadLetterSink()
        self.log = logger or JsonLogger(config.secrets)

    @classmethod
    def from_env(cls) -> Dispatcher:
        """A dispatcher configured from the environment (see TriggerConfig.from_env)."""
        return cls(TriggerConfig.from_env())

    def handle(self, entry_point: str, cloud_event: Any) -> str:
        """Process one delivery for the function `entry_point`; return the outcome.

        Returns normally (2xx, ack) for created, duplicate and dead_lettered; raises
        TransientError (500, redelivery) for retry.
        """
        route = BY_ENTRY_POINT[entry_point]
        started = time.monotonic()
        message = PubSubMessage(b"")
        try:
            message = read_message(cloud_event)
            event = self._parse(route, message)
        except MalformedMessage as exc:
            return self._dead_letter(route, undecoded_message(cloud_event), exc, None)
        except PermanentError as exc:
            return self._dead_letter(route, message, exc, exc.event)
        fields = {
            "function": route.function,
            "event_id": str(event.event_id),
            "event_type": event.event_type,
            "workspace_id": event.workspace_id,
            "message_id": message.message_id,
            "deployment": route.deployment,
        }
        try:
            (run, created), attempts = self.prefect.with_retry(
                lambda: self.prefect.create_flow_run(route.deployment, flow_run_request(event))
            )
        except PermanentError as exc:
            return self._dead_letter(route, message, exc, event)
        except TransientError as exc:
            self.log.warning(
                f"Prefect not reachable now, Pub/Sub will redeliver: {exc}",
                outcome="retry",
                attempts=exc.attempts,
                duration_ms=_ms(started),
                **fields,
            )
            # A fresh, generic error: functions-framework prints the traceback of what leaves the
            # function, and the server's answer (in the log line above, scrubbed) could echo
            # a credential.
            raise TransientError(
                f"Prefect unavailable for event {event.event_id}; redelivery requested"
            ) from None
        outcome = "created" if created else "duplicate"
        self.log.info(
            f"flow run {run.get('name')!r} {outcome} for {event.event_type}",
            outcome=outcome,
            flow_run_id=run.get("id"),
            attempts=attempts,
            duration_ms=_ms(started),
            **fields,
        )
        return outcome

    def _parse(self, route: Route, message: PubSubMessage) -> Any:
        try:
            event = parse_event(message.data)
        except EventValidationError as exc:
            raise PermanentError(
                VALIDATION_REASONS.get(exc.kind, "schema_violation"),
                str(exc),
                error_class="EventValidationError",
            ) from None
        if event.event_type != route.event_type:
            raise WrongEventType(
                f"{route.function} serves {route.event_type}, got {event.event_type} "
                f"(check the subscription of topic {route.topic})",
                event,
            )
        return event

    def _dead_letter(
        self, route: Route, message: PubSubMessage, exc: PermanentError, event: Any
    ) -> str:
        attrs = message.attributes
        fields = {
            "function": route.function,
            "event_id": str(event.event_id) if event else attrs.get("ce-id"),
            "event_type": event.event_type if event else attrs.get("event_type"),
            "workspace_id": event.workspace_id if event else attrs.get("workspace_id"),
            "message_id": message.message_id,
            "reason": exc.reason,
            "dead_letter_topic": route.dead_letter_topic,
        }
        error_class = exc.error_class
        attributes = dead_letter_attributes(
            attrs,
            reason=exc.reason,
            error_class=error_class,
            error=self.log.scrub(str(exc)),
            source_subscription=message.subscription or route.subscription,
            source_topic=message.topic or route.topic,
            function=route.function,
            message_id=message.message_id,
        )
        try:
            self.dead_letters.publish(route.dead_letter_topic, message.data, attributes)
        except Exception as publish_error:
            # Nothing may be dropped: without the dead letter, Pub/Sub must keep the message.
            self.log.error(
                f"could not dead-letter ({exc.reason}): {publish_error}",
                outcome="retry",
                **fields,
            )
            raise TransientError(
                f"dead-letter publish failed for message {message.message_id}; redelivery requested"
            ) from None
        self.log.error(
            f"dead-lettered ({exc.reason}, {error_class}): {exc}",
            outcome="dead_lettered",
            **fields,
        )
        return "dead_lettered"


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)

"""How a trigger failure is classified; the class decides whether Pub/Sub redelivers."""

from __future__ import annotations

from typing import Any


class TransientError(RuntimeError):
    """Worth retrying: Prefect unreachable, timed out, 5xx (SQLite's 503 included) or 429.

    Raised out of the function after the brief in-function retry, so functions-framework answers
    500 and Pub/Sub redelivers with backoff (its dead-letter policy takes over after the
    subscription's max delivery attempts).
    """

    def __init__(self, message: str, retry_after: float | None = None, busy: bool = False):
        super().__init__(message)
        self.retry_after = retry_after
        # busy: the server answered (503/429/...) and will likely take the next try within
        # milliseconds (SQLite's lock); not busy: unreachable or timed out, worth waiting.
        self.busy = busy
        self.attempts: int | None = None  # set by the in-function retry when it gives up


class PermanentError(Exception):
    """Retrying cannot help; the message goes to the dead-letter topic and is acked.

    `reason` is the machine-readable cause written to the dead-letter message's attributes,
    `error_class` the class named there (default: this one's), `event` the parsed event when
    the failure came after parsing (its ids go into the log line).
    """

    def __init__(
        self, reason: str, message: str, *, error_class: str | None = None, event: Any = None
    ):
        super().__init__(message)
        self.reason = reason
        self.error_class = error_class or type(self).__name__
        self.event = event


class MalformedMessage(PermanentError):
    """The delivery is not a Pub/Sub message we can read (no data, bad base64)."""

    def __init__(self, message: str):
        super().__init__("malformed_message", message)


class WrongEventType(PermanentError):
    """A valid event of a type this function does not serve (a mis-wired subscription)."""

    def __init__(self, message: str, event: Any):
        super().__init__("wrong_type", message, event=event)


class PrefectRejected(PermanentError):
    """Prefect answered a 4xx other than 429 (deployment missing, unauthorized, invalid run).

    Not retried by Pub/Sub: the same request would get the same answer until an operator fixes
    the cause (registers the deployment, rotates the key), and then replays the dead letters.
    """

    def __init__(self, status: int, message: str):
        super().__init__("prefect_rejected", message)
        self.status = status


# EventValidationError.kind -> dead-letter reason
VALIDATION_REASONS = {
    "json": "invalid_json",
    "size": "oversized",
    "unknown_type": "unknown_type",
    "schema": "schema_violation",
}

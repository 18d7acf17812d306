"""glens event contract: models, catalog, parsing and the Pub/Sub publisher.

Importing this package stays light (no Pub/Sub, no Prefect): the functions' cold path uses it.
"""

from events.catalog import CATALOG, EVENT_TYPES, Route, UnknownEventType, route_for
from events.models import (
    CONTRACT_VERSION,
    EVENT_MODELS,
    MAX_EVENT_BYTES,
    AnalyzeCompletedEvent,
    AnyEvent,
    ExportScheduledEvent,
    ReportGeneratedEvent,
    RunResults,
    SecretStoredEvent,
    TestFailedEvent,
    derived_event_id,
)
from events.parsing import (
    EventValidationError,
    Problem,
    build_event,
    event_to_json,
    parse_event,
)

__all__ = [
    "CATALOG",
    "CONTRACT_VERSION",
    "EVENT_MODELS",
    "EVENT_TYPES",
    "MAX_EVENT_BYTES",
    "AnalyzeCompletedEvent",
    "AnyEvent",
    "EventValidationError",
    "ExportScheduledEvent",
    "Problem",
    "ReportGeneratedEvent",
    "Route",
    "RunResults",
    "SecretStoredEvent",
    "TestFailedEvent",
    "UnknownEventType",
    "build_event",
    "derived_event_id",
    "event_to_json",
    "parse_event",
    "route_for",
]

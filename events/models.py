"""The event contract: envelope, one payload model per event type, and the run-results document.

These Pydantic models are the single source of the schemas published in ``events/openapi.yaml``
and ``events/asyncapi.yaml``. Field constraints are written so that a standard JSON Schema
2020-12 validator and these models agree on what is valid (ints are strict, timestamps must be
RFC 3339 strings with an offset).
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

CONTRACT_VERSION = "1.0.0"
"""Semantic version of the contract; bump the major on any breaking change."""

MAX_EVENT_BYTES = 256 * 1024
"""Largest serialized event accepted anywhere on the path (Pub/Sub allows 10 MB; an event is a
notification, bulky data lives in documents such as the run results)."""

_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_UUID_V4_OR_V5 = (
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[45][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$"
)


def _rfc3339_string(value: Any) -> Any:
    # Pydantic alone also accepts unix numbers and a space separator; a JSON Schema validator
    # does not. Holding both to RFC 3339 keeps `glens events validate` and openapi.yaml agreeing.
    if isinstance(value, str) and not _RFC3339.match(value):
        raise ValueError("must be an RFC 3339 timestamp with a timezone, e.g. 2026-02-26T12:00:00Z")
    if isinstance(value, int | float):
        raise ValueError("must be an RFC 3339 timestamp string, not a number")
    return value


def _uuid_version(value: uuid.UUID) -> uuid.UUID:
    if value.version not in (4, 5):
        raise ValueError("must be a UUID v4 (random) or v5 (derived from the cause's event_id)")
    return value


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


Count = Annotated[int, Field(ge=0, strict=True, description="A non-negative count.")]
Timestamp = Annotated[
    AwareDatetime,
    BeforeValidator(_rfc3339_string),
    Field(description="RFC 3339 timestamp with timezone (UTC when generated)."),
]
EventId = Annotated[
    uuid.UUID,
    AfterValidator(_uuid_version),
    Field(
        json_schema_extra={"pattern": _UUID_V4_OR_V5},
        description="UUID v4 (v5 for follow-up events, derived from the cause's event_id).",
    ),
]
WorkspaceId = Annotated[
    str,
    Field(
        pattern=r"^ws_[A-Za-z0-9_-]{1,64}$",
        description="Workspace id: `ws_` then 1-64 of [A-Za-z0-9_-].",
        examples=["ws_abc"],
    ),
]
RunId = Annotated[
    str,
    Field(
        pattern=r"^run_[A-Za-z0-9_-]{1,64}$",
        description="Analyzer run id: `run_` then 1-64 of [A-Za-z0-9_-].",
        examples=["run_123"],
    ),
]
TestId = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/#-]{0,199}$",
        description="Stable test id within a spec (operationId-like), 1-200 chars.",
    ),
]
Uri = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$",
        max_length=2048,
        json_schema_extra={"format": "uri"},
        description="Absolute URL (file://, gs://, https://, ...).",
    ),
]
DurationMs = Annotated[float, Field(ge=0, description="Duration in milliseconds.")]
HttpMethod = Literal["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]
ShortText = Annotated[str, Field(min_length=1, max_length=500)]
LongText = Annotated[str, Field(max_length=20_000)]


# defer_build: validators are compiled on first use, so a process that handles one event type
# (a trigger function, a flow run) compiles only that type's (cold start).
class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class _Open(BaseModel):
    # Payloads are tolerant readers: a newer producer may add optional fields without breaking
    # older consumers; unknown fields are kept so a round trip loses nothing.
    model_config = ConfigDict(extra="allow", frozen=True, defer_build=True)


# --- shared parts -----------------------------------------------------------------------------


class SpecRef(_Closed):
    """The API specification that was analyzed."""

    title: ShortText
    version: Annotated[str, Field(min_length=1, max_length=100)]


class TestRef(_Closed):
    """Identity of one test."""

    __test__ = False  # not a pytest class
    id: TestId
    name: ShortText


class RequestRef(_Closed):
    """The HTTP request a test made."""

    method: HttpMethod
    path: Annotated[str, Field(min_length=1, max_length=2048, pattern=r"^/")]


class Outcome(_Closed):
    """What a test expected or observed."""

    status_code: Annotated[int, Field(ge=100, le=599, strict=True)] | None = None
    detail: LongText | None = Field(default=None, description="e.g. a schema mismatch summary")


class ReportSummary(_Closed):
    """Counts of a run, as shown in a report."""

    passed: Count
    failed: Count
    skipped: Count = 0
    duration_ms: DurationMs | None = None


# --- payloads ---------------------------------------------------------------------------------


class AnalyzeCompletedPayload(_Open):
    """An analyzer run finished; `results_uri` points to its run-results document."""

    run_id: RunId
    passed: Count
    failed: Count
    skipped: Count = 0
    duration_ms: DurationMs | None = None
    spec: SpecRef | None = None
    results_uri: Uri | None = Field(
        default=None, description="Where the run-results document (RunResults) is stored."
    )


class TestFailedPayload(_Open):
    """One test of a run failed."""

    __test__ = False
    run_id: RunId
    test: TestRef
    request: RequestRef
    expected: Outcome
    actual: Outcome
    error_message: LongText
    spec: SpecRef


class ReportGeneratedPayload(_Open):
    """A report for a run was rendered and stored."""

    run_id: RunId
    html_uri: Uri
    markdown_uri: Uri
    summary: ReportSummary
    cause_event_id: EventId = Field(description="event_id of the analyze.completed it answers.")


class SecretStoredPayload(_Closed):
    """A secret was stored. Closed schema: the secret's value can never travel in an event."""

    secret_name: Annotated[
        str,
        Field(
            pattern=r"^[A-Za-z0-9_-]{1,255}$",
            description="Secret id (Secret Manager naming rules).",
        ),
    ]
    version: Annotated[int, Field(ge=1, strict=True, description="Secret version number.")]
    stored_by: Annotated[
        str, Field(min_length=1, max_length=320, description="Principal: user email or service id.")
    ]


ExportTable = Literal["runs", "test_results"]


class ExportScheduledPayload(_Open):
    """Export a window of days to BigQuery (scheduled nightly, or a backfill)."""

    window_start: date | None = Field(
        default=None, description="First day (inclusive); absent: the day before the event."
    )
    window_end: date | None = Field(
        default=None, description="Last day (inclusive); absent: same as window_start."
    )
    tables: list[ExportTable] = Field(
        default_factory=lambda: ["runs", "test_results"],
        min_length=1,
        description="What to export.",
    )
    mode: Literal["scheduled", "backfill"] = "scheduled"

    @model_validator(mode="after")
    def _window_ordered(self) -> ExportScheduledPayload:
        if self.window_end is not None and self.window_start is None:
            raise ValueError("window_end given without window_start")
        if self.window_start and self.window_end and self.window_end < self.window_start:
            raise ValueError("window_end is before window_start")
        return self

    def resolved_window(self, event_time: datetime) -> tuple[date, date]:
        """The inclusive day window, defaulting to the UTC day before the event."""
        start = self.window_start or (event_time.astimezone(UTC).date() - timedelta(days=1))
        return start, self.window_end or start


# --- envelope ---------------------------------------------------------------------------------


WIRE_REQUIRED = ("event_type", "event_id", "timestamp", "workspace_id", "payload")
"""Envelope fields every message on the wire carries (in Python, id and time have defaults)."""


def _wire_required(schema: dict[str, Any]) -> None:
    schema["required"] = list(WIRE_REQUIRED)


class _Envelope(_Closed):
    # The envelope is closed: it is the routing contract, and a typo such as `workspaceId`
    # must fail loudly rather than route an event without its workspace.
    model_config = ConfigDict(
        extra="forbid", frozen=True, defer_build=True, json_schema_extra=_wire_required
    )

    event_id: EventId = Field(default_factory=uuid.uuid4)
    timestamp: Timestamp = Field(default_factory=_utc_now)
    workspace_id: WorkspaceId


class AnalyzeCompletedEvent(_Envelope):
    """`analyze.completed` on topic glens-analyze."""

    event_type: Literal["analyze.completed"] = "analyze.completed"
    payload: AnalyzeCompletedPayload


class TestFailedEvent(_Envelope):
    """`test.failed` on topic glens-test-results."""

    __test__ = False
    event_type: Literal["test.failed"] = "test.failed"
    payload: TestFailedPayload


class ReportGeneratedEvent(_Envelope):
    """`report.generated` on topic glens-reports."""

    event_type: Literal["report.generated"] = "report.generated"
    payload: ReportGeneratedPayload


class SecretStoredEvent(_Envelope):
    """`secret.stored` on topic glens-secrets."""

    event_type: Literal["secret.stored"] = "secret.stored"
    payload: SecretStoredPayload


class ExportScheduledEvent(_Envelope):
    """`export.scheduled` on topic glens-export."""

    event_type: Literal["export.scheduled"] = "export.scheduled"
    payload: ExportScheduledPayload


AnyEvent = Annotated[
    AnalyzeCompletedEvent
    | TestFailedEvent
    | ReportGeneratedEvent
    | SecretStoredEvent
    | ExportScheduledEvent,
    Field(discriminator="event_type"),
]

EVENT_MODELS: tuple[type[_Envelope], ...] = (
    AnalyzeCompletedEvent,
    TestFailedEvent,
    ReportGeneratedEvent,
    SecretStoredEvent,
    ExportScheduledEvent,
)


# --- run-results document ---------------------------------------------------------------------


class TestResult(_Closed):
    """One test's outcome inside a run-results document."""

    __test__ = False
    id: TestId
    name: ShortText
    method: HttpMethod
    path: Annotated[str, Field(min_length=1, max_length=2048, pattern=r"^/")]
    status: Literal["passed", "failed", "skipped"]
    duration_ms: DurationMs = 0
    expected: Outcome | None = None
    actual: Outcome | None = None
    error: LongText | None = None


class RunResults(_Closed):
    """The analyzer's detailed output for one run: the document `results_uri` points to."""

    run_id: RunId
    workspace_id: WorkspaceId
    spec: SpecRef
    started_at: Timestamp
    finished_at: Timestamp
    tests: list[TestResult] = Field(default_factory=list)

    @model_validator(mode="after")
    def _times_ordered(self) -> RunResults:
        if self.finished_at < self.started_at:
            raise ValueError("finished_at is before started_at")
        return self

    def counts(self) -> dict[str, int]:
        """passed/failed/skipped counts over the tests."""
        out = {"passed": 0, "failed": 0, "skipped": 0}
        for test in self.tests:
            out[test.status] += 1
        return out


def derived_event_id(cause_event_id: uuid.UUID, event_type: str) -> uuid.UUID:
    """Deterministic id of a follow-up event, so that a re-run publishes the same event."""
    return uuid.uuid5(cause_event_id, event_type)


def run_name_of(event: Any) -> str:
    """The name of the flow run an event starts: `{event_type} {workspace_id} {run_id}` (the
    event id's first 8 characters when the payload has no run_id).

    One definition for both sides: the trigger names the runs it creates, and Prefect applies
    the flow's `flow_run_name` to every run, so the flow must give the very same name. `event`
    is a model or its JSON-ready dict (what a flow run's parameters hold).
    """
    if isinstance(event, dict):
        event_type, workspace = event.get("event_type", "?"), event.get("workspace_id", "?")
        run_id = (event.get("payload") or {}).get("run_id")
        event_id = str(event.get("event_id", "?"))
    else:
        event_type, workspace = event.event_type, event.workspace_id
        run_id = getattr(event.payload, "run_id", None)
        event_id = str(event.event_id)
    return f"{event_type} {workspace} {run_id or event_id[:8]}"

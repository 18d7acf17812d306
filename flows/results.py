"""The run-results document: decode it and check it belongs to the event that pointed to it."""

from __future__ import annotations

import json

from pydantic import ValidationError

from events.models import AnalyzeCompletedEvent, RunResults
from flows.errors import PermanentError


class ResultsDocumentError(PermanentError):
    """The run-results document is missing, malformed, or about another run."""


def parse_run_results(data: bytes, uri: str) -> RunResults:
    """Decode and validate the document; ResultsDocumentError names what is wrong."""
    try:
        decoded = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ResultsDocumentError(f"run-results document {uri} is not valid JSON: {exc}") from None
    try:
        return RunResults.model_validate(decoded)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'document'}: {e['msg']}"
            for e in exc.errors(include_url=False)[:5]
        )
        raise ResultsDocumentError(
            f"run-results document {uri} is not a valid RunResults ({exc.error_count()} "
            f"problems): {problems}"
        ) from None


def check_belongs_to(results: RunResults, event: AnalyzeCompletedEvent) -> None:
    """A document of another run or workspace must never be reported under this one."""
    if results.run_id != event.payload.run_id or results.workspace_id != event.workspace_id:
        raise ResultsDocumentError(
            f"run-results document is for {results.workspace_id}/{results.run_id}, "
            f"but the event is for {event.workspace_id}/{event.payload.run_id}"
        )

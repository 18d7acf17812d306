"""`glens`: the operators' command line (events today; dead letters and the local stack later).

Imports are inside the commands so `glens --help` stays instant.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

from cyclopts import App, Parameter

app = App(name="glens", help="Operate glens-flows: events, dead letters, the local stack.")
events_app = App(name="events", help="Validate, publish and document glens events.")
app.command(events_app)


def _err(line: str) -> None:
    print(line, file=sys.stderr)


def _read_source(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    return Path(source).read_text()


@events_app.command
def validate(source: str) -> int:
    """Validate one event (a JSON file, or `-` for stdin); one line per problem, by field.

    Parameters
    ----------
    source
        Path of a JSON file holding one event, or `-` to read standard input.
    """
    from events import EventValidationError, parse_event

    try:
        text = _read_source(source)
    except OSError as exc:
        _err(f"event: cannot read {source}: {exc.strerror or exc}")
        return 2
    try:
        event = parse_event(text)
    except EventValidationError as exc:
        for problem in exc.problems:
            _err(str(problem))
        return 1
    print(f"valid {event.event_type} {event.event_id}")
    return 0


@events_app.command
def publish(
    event_type: str,
    *,
    workspace: Annotated[str, Parameter(name=["--workspace", "-w"])],
    payload: Annotated[str, Parameter(name=["--payload", "-p"])],
    event_id: str | None = None,
    timeout: float = 30.0,
) -> int:
    """Build, validate and publish one event; print its event_id and Pub/Sub message id.

    Parameters
    ----------
    event_type
        One of the catalog's event types, e.g. analyze.completed.
    workspace
        The workspace id, e.g. ws_abc.
    payload
        The payload as JSON text, or @FILE to read it from a file.
    event_id
        Reuse an event id (a re-publish is deduplicated downstream); default: a new UUID v4.
    timeout
        Seconds to wait for Pub/Sub's ack.
    """
    from events import EventValidationError, build_event
    from events.publisher import EventPublisher, PublishError

    try:
        text = Path(payload[1:]).read_text() if payload.startswith("@") else payload
        body = json.loads(text)
    except (OSError, json.JSONDecodeError) as exc:
        _err(f"payload: {exc}")
        return 2
    try:
        event = build_event(event_type, workspace, body, event_id=event_id)
        result = EventPublisher(timeout=timeout).publish(event)
    except EventValidationError as exc:
        for problem in exc.problems:
            _err(str(problem))
        return 1
    except PublishError as exc:
        _err(f"publish failed: {exc}")
        return 3
    print(f"event_id={result.event_id} message_id={result.message_id} topic={result.topic}")
    return 0


@events_app.command
def schema(*, check: bool = False) -> int:
    """Regenerate events/openapi.yaml, events/asyncapi.yaml and events/catalog.json.

    Parameters
    ----------
    check
        Write nothing; exit 1 when a committed document differs from the models.
    """
    from events.schemas import rendered_documents, write_documents

    if check:
        stale = [
            p for p, text in rendered_documents().items() if not p.exists() or p.read_text() != text
        ]
        for path in stale:
            _err(f"{path}: out of date; run `glens events schema`")
        return 1 if stale else 0
    for path in write_documents():
        print(f"wrote {path}")
    return 0


def main() -> None:
    """Console-script entry point."""
    app(result_action="sys_exit")


if __name__ == "__main__":
    main()

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


dlq_app = App(name="dlq", help="List and replay what sits on the dead-letter topics.")
app.command(dlq_app)


@dlq_app.command(name="list")
def dlq_list(*, topic: str | None = None, limit: int = 1000, json_output: bool = False) -> int:
    """Show the dead letters (left in place): reason, event id and type, age.

    Parameters
    ----------
    topic
        Only this route: its topic, dead-letter topic or event type (default: all routes).
    limit
        At most this many messages.
    json_output
        One JSON object per line instead of a table.
    """
    from deployments.dlq import list_dead_letters

    letters = list_dead_letters(topic, limit)
    if json_output:
        for letter in letters:
            print(json.dumps(letter.summary()))
        return 0
    print(f"{'DEAD-LETTER TOPIC':32} {'REASON':22} {'EVENT ID':36} {'EVENT TYPE':18} AGE")
    for letter in letters:
        s = letter.summary()
        print(
            f"{s['dead_letter_topic']:32} {s['reason']:22} {s['event_id'] or '-':36} "
            f"{s['event_type'] or '-':18} {s['age_seconds']:.0f}s"
        )
    print(f"{len(letters)} dead letter(s)")
    return 0


@dlq_app.command(name="replay")
def dlq_replay(
    *,
    topic: str | None = None,
    reason: str | None = None,
    event_id: str | None = None,
    limit: int = 1000,
    dry_run: bool = False,
) -> int:
    """Re-publish dead letters (original data and attributes) to their original topic, after
    the cause is fixed; each is acked once Pub/Sub accepted the re-publish.

    Parameters
    ----------
    topic
        Only this route: its topic, dead-letter topic or event type (default: all routes).
    reason
        Only dead letters with this reason (e.g. prefect_rejected, max_delivery_attempts).
    event_id
        Only this event.
    limit
        At most this many messages.
    dry_run
        Show what would be replayed; publish nothing, leave everything in place.
    """
    from deployments.dlq import replay_dead_letters

    results = replay_dead_letters(
        topic, reason=reason, event_id=event_id, limit=limit, dry_run=dry_run
    )
    failed = 0
    for result in results:
        s = result.letter.summary()
        if result.error:
            failed += 1
            status = f"FAILED ({result.error})"
        else:
            status = "would replay" if dry_run else f"replayed as {result.new_message_id}"
        print(
            f"{s['event_id'] or s['message_id']} {s['reason']} -> {s['original_topic']}: {status}"
        )
    print(f"{len(results) - failed} {'to replay' if dry_run else 'replayed'}, {failed} failed")
    return 1 if failed else 0


functions_app = App(name="functions", help="Package the trigger functions for Cloud Functions.")
app.command(functions_app)


@functions_app.command(name="package")
def functions_package(name: str, out_dir: Path) -> int:
    """Write one function's source directory (main.py, triggers/, events/, requirements.txt).

    Parameters
    ----------
    name
        The entry point (report_generator) or function name (fn-report-generator).
    out_dir
        Directory to write (created if missing).
    """
    from deployments.packaging import deploy_command, package_function

    try:
        files = package_function(name, out_dir)
    except KeyError as exc:
        _err(str(exc.args[0]))
        return 2
    print(f"wrote {len(files)} files to {out_dir}")
    print(deploy_command(name, out_dir))
    return 0


deployments_app = App(name="deployments", help="The catalog's Prefect deployments.")
app.command(deployments_app)


@deployments_app.command(name="yaml")
def deployments_yaml(*, check: bool = False) -> int:
    """Regenerate prefect.yaml from the catalog (for `prefect deploy --all`).

    Parameters
    ----------
    check
        Write nothing; exit 1 when the committed prefect.yaml differs.
    """
    from deployments.prefect_deployments import PREFECT_YAML, render_prefect_yaml

    text = render_prefect_yaml()
    if check:
        if not PREFECT_YAML.exists() or PREFECT_YAML.read_text() != text:
            _err(f"{PREFECT_YAML}: out of date; run `glens deployments yaml`")
            return 1
        return 0
    PREFECT_YAML.write_text(text)
    print(f"wrote {PREFECT_YAML}")
    return 0


@deployments_app.command(name="register")
def deployments_register(*, api_url: str | None = None) -> int:
    """Create or update every catalog deployment (and the glens-local process work pool) on a
    Prefect server.

    Parameters
    ----------
    api_url
        The server's API URL (default: PREFECT_API_URL).
    """
    import os

    from deployments.prefect_deployments import register_deployments

    url = api_url or os.environ.get("PREFECT_API_URL")
    if not url:
        _err("no Prefect API: pass --api-url or set PREFECT_API_URL")
        return 2
    for deployment, deployment_id in register_deployments(url).items():
        print(f"{deployment} {deployment_id}")
    return 0


@app.command
def up(*, keep_running: bool = True) -> int:
    """Start the local stack: Pub/Sub emulator, Prefect server (SQLite, UI), functions, worker.

    Parameters
    ----------
    keep_running
        Stay up until Ctrl-C (default); --no-keep-running starts, prints and stops (a check).
    """

    from deployments.local_stack import LocalStack
    from deployments.processes import ServiceStartError

    stack = LocalStack()
    try:
        stack.start()
    except ServiceStartError as exc:
        _err(f"the local stack did not start: {exc}")
        return 1
    try:
        print(f"Prefect UI      {stack.server.url}")
        print(f"Pub/Sub         PUBSUB_EMULATOR_HOST={stack.emulator.host}")
        for name, url in stack.triggers.functions.urls.items():
            print(f"function        {name:<18} {url}")
        print(f"logs            {stack.home / 'logs'}")
        print("clients:        " + " ".join(f"{k}={v}" for k, v in sorted(stack.env.items())))
        if keep_running:
            stack.wait_for_interrupt()
    finally:
        stack.stop()
    return 0


def main() -> None:
    """Console-script entry point."""
    app(result_action="sys_exit")


if __name__ == "__main__":
    main()

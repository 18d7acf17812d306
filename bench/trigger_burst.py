"""Burst: 500 events through emulator -> push -> functions -> Prefect, against a bare loop of
create_flow_run calls for the same 500 on the same server, in the same run; on SQLite and on
PostgreSQL. Counts lost and duplicated runs (both must be 0).

Each phase uses its own workspace id, so its runs are counted by the `workspace:` tag.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx

from deployments.postgres import ThrowawayPostgres
from deployments.prefect_queries import count_runs_of_workspace, runs_of_workspace
from deployments.prefect_server import PrefectServer
from deployments.pubsub_emulator import PubSubEmulator
from deployments.trigger_stack import PushTuning, TriggerStack
from events import EVENT_TYPES, parse_event, route_for
from events.examples import example_event
from triggers.dispatch import flow_run_request

N_EVENTS = int(os.environ.get("GLENS_BENCH_EVENTS", 500))
# Simultaneous Prefect calls per function server: SQLite serializes writers (concurrent ones
# only collect 503s), PostgreSQL takes them. Each server accepts 4 deliveries at a time either
# way (1 thread would idle in gunicorn's keep-alive wait between the emulator's pushes).
MAX_CALLS = {"sqlite": 1, "postgres": 0}
# The 500 runs stay SCHEDULED (no worker), and the server's late-runs service would start
# rewriting them all 15 s later, in the middle of the next phase: on SQLite that is thousands
# of `database is locked`. Off, so both phases meet the same quiet server.
QUIET_SERVER = {"PREFECT_SERVER_SERVICES_LATE_RUNS_ENABLED": "false"}


def _events(workspace: str) -> list:
    return [
        parse_event(example_event(EVENT_TYPES[i % len(EVENT_TYPES)], workspace_id=workspace))
        for i in range(N_EVENTS)
    ]


def _loss(api_url: str, events: list) -> tuple[int, int]:
    workspace = events[0].workspace_id
    keys = Counter(
        run["idempotency_key"] for run in runs_of_workspace(api_url, workspace, timeout=60)
    )
    expected = {str(e.event_id) for e in events}
    lost = len(expected - set(keys))
    duplicated = sum(n - 1 for n in keys.values() if n > 1)
    return lost, duplicated


def bare_loop(api_url: str, deployment_ids: dict[str, str]) -> tuple[float, int]:
    """Sequential create_flow_run calls (keep-alive client); a 503 is retried after 50 ms."""
    events = _events(f"ws_bench_loop_{uuid.uuid4().hex[:6]}")
    retries = 0
    started = time.perf_counter()
    with httpx.Client(timeout=30) as client:
        for event in events:
            url = f"{api_url}/deployments/{deployment_ids[route_for(event.event_type).deployment]}/create_flow_run"
            while True:
                response = client.post(url, json=flow_run_request(event))
                if response.status_code < 500:
                    response.raise_for_status()
                    break
                retries += 1
                time.sleep(0.05)
    elapsed = time.perf_counter() - started
    lost, duplicated = _loss(api_url, events)
    assert (lost, duplicated) == (0, 0), (lost, duplicated)
    return elapsed, retries


def push_path(api_url: str, stack: TriggerStack, timeout: float = 300) -> dict[str, float]:
    """Publish N events at once; time until every run exists."""
    from events.publisher import EventPublisher

    workspace = f"ws_bench_push_{uuid.uuid4().hex[:6]}"
    events = _events(workspace)
    publisher = EventPublisher()
    started = time.perf_counter()
    results = publisher.publish_many(events)
    published = time.perf_counter() - started
    assert all(r.ok for r in results), [r.error for r in results if not r.ok][:3]
    deadline = time.monotonic() + timeout
    count = 0
    with httpx.Client(timeout=30) as client:
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPStatusError):  # a busy SQLite answers 503
                count = count_runs_of_workspace(client, api_url, workspace)
            if count >= len(events):
                break
            time.sleep(0.25)
    elapsed = time.perf_counter() - started
    time.sleep(3)  # late duplicates would appear now
    lost, duplicated = _loss(api_url, events)
    from deployments.dlq import list_dead_letters

    # Not lost for good if Pub/Sub moved them (out of delivery attempts): replayable.
    moved = [x for x in list_dead_letters() if x.event.get("workspace_id") == workspace]
    outcomes: Counter = Counter()
    for entry in stack.functions.ports:
        for line in stack.functions.log_entries(entry):
            if line.get("workspace_id") == workspace:
                outcomes[line["outcome"]] += 1
    return {
        "seconds": elapsed,
        "publish_seconds": published,
        "lost": lost,
        "duplicated": duplicated,
        "deliveries_failed_back": outcomes["retry"],
        "dead_lettered": outcomes["dead_lettered"],
        "moved_by_pubsub_dead_letter_policy": len(moved),
    }


def run_on(db: str, base: Path, emulator: PubSubEmulator) -> dict[str, float]:
    postgres = None
    database_url = None
    if db == "postgres":
        postgres = ThrowawayPostgres(base / "pg").start()
        database_url = postgres.url
    server = PrefectServer(
        base / f"prefect-{db}", database_url=database_url, settings=QUIET_SERVER
    ).start(timeout=180)
    stack = None
    try:
        stack = TriggerStack(
            base / f"functions-{db}",
            prefect_api_url=server.api_url,
            pubsub_env=emulator.env,
            tuning=PushTuning(
                function_env={
                    **PushTuning().function_env,
                    "GLENS_TRIGGER_MAX_CONCURRENT_CALLS": str(MAX_CALLS[db]),
                }
            ),
        ).start()
        loop_s, loop_retries = bare_loop(server.api_url, stack.deployment_ids)
        push = push_path(server.api_url, stack)
        print(
            f"{db}: loop {loop_s:.1f}s ({loop_retries} 503 retries), push {push}", file=sys.stderr
        )
        return {
            f"trigger_burst_{db}_events": N_EVENTS,
            f"trigger_burst_{db}_max_prefect_calls_per_function": MAX_CALLS[db] or "unbounded",
            f"trigger_burst_{db}_push_s": round(push["seconds"], 2),
            f"trigger_burst_{db}_bare_loop_s": round(loop_s, 2),
            f"trigger_burst_{db}_ratio": round(push["seconds"] / loop_s, 2),
            f"trigger_burst_{db}_lost": push["lost"],
            f"trigger_burst_{db}_duplicated": push["duplicated"],
            f"trigger_burst_{db}_deliveries_failed_back": push["deliveries_failed_back"],
            f"trigger_burst_{db}_dead_lettered": push["dead_lettered"],
            f"trigger_burst_{db}_moved_to_dead_letter_by_pubsub": push[
                "moved_by_pubsub_dead_letter_policy"
            ],
            f"trigger_burst_{db}_bare_loop_503_retries": loop_retries,
        }
    finally:
        if stack:
            stack.stop()
        server.stop()
        if postgres:
            postgres.stop()


def main() -> dict:
    from bench.record import record

    base = Path(tempfile.mkdtemp(prefix="glens-bench-burst-"))
    emulator = PubSubEmulator(base / "pubsub").start()
    os.environ.update(emulator.env)
    figures: dict = {}
    try:
        for db in sys.argv[1:] or ["sqlite", "postgres"]:
            figures.update(run_on(db, base / db, emulator))
            record(figures)
    finally:
        emulator.stop()
    print(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    main()

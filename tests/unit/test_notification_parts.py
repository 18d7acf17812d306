"""Notification targets, redaction, message text, and the flows' contract with the catalog."""

from __future__ import annotations

import importlib

import pytest

from events.catalog import route_for
from events.examples import example_event
from events.models import AnalyzeCompletedEvent, ReportGeneratedEvent
from flows.errors import PermanentError
from flows.message import format_message, run_status
from flows.targets import Target, parse_targets, redact, variable_name

pytestmark = [pytest.mark.unit, pytest.mark.report]


@pytest.mark.parametrize(
    ("url", "shown", "hidden"),
    [
        (
            "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#general",
            "slack://…",
            ["T1JJ3T3L2", "TIiajkdnlazkcOXrIdevi7FQ", "general"],
        ),
        (
            "json://user:pa55@hooks.example.com:8443/path/tok3n?token=s3cr3t",
            "json://hooks.example.com:8443/…",
            ["user", "pa55", "tok3n", "s3cr3t"],
        ),
        (
            "mailtos://ops:hunter2@smtp.example.com?to=a@example.com",
            "mailtos://smtp.example.com/…",
            ["ops", "hunter2", "a@example.com"],
        ),
        ("discord://4174216298/JHMHI8qBe7bk2ZwO5U711o3dV", "discord://…", ["JHMHI8q"]),
        ("secret:slack-ws-abc", "secret:slack-ws-abc", []),
        ("not a url", "<unparseable target>", ["not a url"]),
        ("json://host:notaport/x", "<unparseable target>", ["notaport"]),
    ],
)
def test_redaction_keeps_credentials_out(url, shown, hidden):
    label = redact(url)
    assert label == shown
    target = Target(url)
    for text in (label, target.label, repr(target), str(target)):
        for secret in hidden:
            assert secret not in text


def test_target_ids_are_stable_and_distinct():
    a, b = Target("json://h/a?token=1"), Target("json://h/a?token=2")
    assert a.target_id == Target("json://h/a?token=1").target_id
    assert a.target_id != b.target_id
    assert a.label != b.label  # same host, told apart by id


def test_variable_name_and_parsing():
    assert variable_name("ws_ABC-1") == "glens_notify_ws_abc-1"
    assert parse_targets(None, "v") == []
    assert parse_targets("json://h/x", "v") == [Target("json://h/x")]
    assert parse_targets(["json://h/x", " json://h/x ", "secret:s"], "v") == [
        Target("json://h/x"),
        Target("secret:s"),
    ]
    for bad in ({"url": "x"}, [1], [""], 5):
        with pytest.raises(PermanentError, match="must be a JSON list"):
            parse_targets(bad, "glens_notify_ws_abc")


def _report_event(passed: int, failed: int, skipped: int) -> ReportGeneratedEvent:
    raw = example_event("report.generated")
    raw["payload"]["summary"] = {
        "passed": passed,
        "failed": failed,
        "skipped": skipped,
        "duration_ms": 5312.5,
    }
    return ReportGeneratedEvent.model_validate(raw)


def test_message_for_a_failed_run():
    message = format_message(_report_event(8, 2, 1), "https://r/ws_abc/run_123/report.html")
    assert message.title == "glens run_123 FAILED: 2 of 11 tests failed"
    assert message.body.splitlines() == [
        "Workspace ws_abc, run run_123: FAILED",
        "8 passed · 2 failed · 1 skipped · 5.31 s",
        "Report: https://r/ws_abc/run_123/report.html",
    ]


def test_message_for_passed_and_empty_runs():
    assert format_message(_report_event(1200, 0, 3), "x").title == (
        "glens run_123 PASSED: all 1,200 tests passed (3 skipped)"
    )
    assert format_message(_report_event(0, 0, 0), "x").title == (
        "glens run_123 NO TESTS: no tests ran"
    )
    assert run_status(0, 0) == "no tests" and run_status(1, 2) == "failed"


# --- contract with the triggers: names, entrypoints, the one `event` parameter ----------------


@pytest.mark.parametrize(
    ("event_type", "model"),
    [("analyze.completed", AnalyzeCompletedEvent), ("report.generated", ReportGeneratedEvent)],
)
def test_flows_match_the_catalog_and_take_one_typed_event(event_type, model):
    route = route_for(event_type)
    path, function = route.flow_entrypoint.split(":")
    flow = getattr(importlib.import_module(path.removesuffix(".py").replace("/", ".")), function)
    assert flow.name == route.flow_name
    assert list(flow.parameters.properties) == ["event"]
    assert flow.parameters.required == ["event"]
    schema = flow.parameters.model_dump()
    assert model.__name__ in schema["definitions"]  # the UI form is built from this
    assert "event" in (flow.parameters.properties["event"].get("description") or "").lower()
    # What the trigger sends: the event as a JSON dict.
    validated = flow.validate_parameters({"event": example_event(event_type)})
    assert isinstance(validated["event"], model)
    assert flow.description == route.description
    assert flow.fn.__doc__, "the flow's docstring shows in the Prefect UI"


def test_every_task_has_a_docstring():
    from flows import notification, report

    tasks = [
        report.load_run_results,
        report.render_report,
        report.store_report,
        report.create_report_artifacts,
        report.publish_report_generated,
        notification.load_targets,
        notification.notify_target,
    ]
    for task in tasks:
        assert task.fn.__doc__ and task.fn.__doc__.strip(), task.name
    retried = {t.name for t in tasks if t.retries}
    assert retried == {
        "load-run-results",
        "store-report",
        "publish-report-generated",
        "load-notification-targets",
        "notify-target",
    }
    assert all(t.retry_jitter_factor for t in tasks if t.retries)
    assert all(t.retry_condition_fn for t in tasks if t.retries)


@pytest.mark.parametrize("event_type", ["analyze.completed", "report.generated"])
def test_manual_runs_are_named_like_triggered_ones(event_type):
    # Prefect applies a flow's flow_run_name to every run, including the trigger's: the names
    # must agree or the flow would rename the trigger's runs.
    from events.parsing import parse_event
    from flows.naming import run_name_of
    from triggers.dispatch import flow_run_request

    raw = example_event(event_type)
    expected = flow_run_request(parse_event(raw))["name"]
    assert run_name_of(parse_event(raw)) == expected
    assert run_name_of(raw) == expected
    assert expected == f"{event_type} ws_abc run_123"


def test_ledger_is_a_local_folder_or_a_saved_block(monkeypatch, tmp_path):
    from pathlib import Path

    from flows.notification import ledger_storage
    from flows.settings import FlowSettings

    monkeypatch.delenv("GLENS_NOTIFY_LEDGER_BLOCK", raising=False)
    monkeypatch.setenv("GLENS_NOTIFY_LEDGER_URL", (tmp_path / "ledger").as_uri())
    assert ledger_storage(FlowSettings()) == Path(tmp_path / "ledger")
    monkeypatch.setenv("GLENS_NOTIFY_LEDGER_URL", "gs://bucket/ledger")
    with pytest.raises(PermanentError, match="GLENS_NOTIFY_LEDGER_BLOCK"):
        ledger_storage(FlowSettings())
    monkeypatch.setenv("GLENS_NOTIFY_LEDGER_BLOCK", "remote-file-system/glens-notify-ledger")
    assert ledger_storage(FlowSettings()) == "remote-file-system/glens-notify-ledger"

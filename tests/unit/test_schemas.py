"""The published documents: current, valid, usable by a standard validator, no silent breaks."""

from __future__ import annotations

import copy
import io
import json
from contextlib import redirect_stderr, redirect_stdout

import pytest
import yaml
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry, Resource

from deployments.cli import app
from events.examples import SEED_EXAMPLE, example_event, example_run_results
from events.models import CONTRACT_VERSION
from events.schemas import (
    ASYNCAPI_PATH,
    OPENAPI_PATH,
    breaking_changes,
    component_schemas,
    published_snapshot_path,
    rendered_documents,
)

pytestmark = [pytest.mark.unit, pytest.mark.contract]

OPENAPI_URI = "urn:glens:openapi"


def _validator(component: str) -> Draft202012Validator:
    """A standard 2020-12 validator over the COMMITTED openapi.yaml, as an outsider would use it."""
    document = yaml.safe_load(OPENAPI_PATH.read_text())
    registry = Registry().with_resource(
        OPENAPI_URI,
        Resource.from_contents(
            document,
            default_specification=__import__("referencing.jsonschema").jsonschema.DRAFT202012,
        ),
    )
    schema = {"$ref": f"{OPENAPI_URI}#/components/schemas/{component}"}
    return Draft202012Validator(schema, registry=registry, format_checker=FormatChecker())


def _cli_validate(tmp_path, event) -> tuple[int, str]:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event))
    err = io.StringIO()
    with redirect_stderr(err), redirect_stdout(io.StringIO()):
        code = app(["events", "validate", str(path)], result_action="return_value")
    return code, err.getvalue()


def test_committed_documents_match_the_models():
    for path, text in rendered_documents().items():
        assert path.read_text() == text, f"{path.name} is stale: run `glens events schema`"


def test_openapi_is_valid_openapi_3_1():
    document = yaml.safe_load(OPENAPI_PATH.read_text())
    validate_openapi(document)
    assert document["openapi"] == "3.1.0"
    assert {"Event", "RunResults", "AnalyzeCompletedPayload"} <= set(
        document["components"]["schemas"]
    )


def test_asyncapi_channels_are_the_catalog_topics():
    from events.catalog import CATALOG

    document = yaml.safe_load(ASYNCAPI_PATH.read_text())
    assert document["asyncapi"].startswith("3.")
    assert set(document["channels"]) == {r.topic for r in CATALOG}
    for route in CATALOG:
        channel = document["channels"][route.topic]
        assert channel["address"] == route.topic
        (message_ref,) = channel["messages"].values()
        message = document["components"]["messages"][message_ref["$ref"].rsplit("/", 1)[-1]]
        assert message["name"] == route.event_type
        assert message["payload"]["$ref"].endswith("/" + route.event_model.__name__)
        assert "googlepubsub" in channel["bindings"]
    schemas = document["components"]["schemas"]
    for ref in _refs(document):
        if ref.startswith("#/components/schemas/"):
            assert ref.rsplit("/", 1)[-1] in schemas, ref


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def test_standard_validator_accepts_the_seed_and_every_example():
    validator = _validator("Event")
    validator.validate(SEED_EXAMPLE)
    from events import EVENT_TYPES

    for event_type in EVENT_TYPES:
        validator.validate(example_event(event_type))
    _validator("RunResults").validate(example_run_results())


MALFORMED = {
    "bad uuid": lambda e: e.update(event_id="uuid-v4"),
    "bad timestamp": lambda e: e.update(timestamp="2026-02-26 noon"),
    "timestamp without zone": lambda e: e.update(timestamp="2026-02-26T12:00:00"),
    "count is a string": lambda e: e["payload"].update(passed="8"),
    "count is a bool": lambda e: e["payload"].update(failed=True),
    "negative count": lambda e: e["payload"].update(failed=-2),
    "missing run_id": lambda e: e["payload"].pop("run_id"),
    "missing event_id": lambda e: e.pop("event_id"),
    "missing timestamp": lambda e: e.pop("timestamp"),
    "missing workspace": lambda e: e.pop("workspace_id"),
    "unknown type": lambda e: e.update(event_type="analyze.started"),
    "extra envelope field": lambda e: e.update(source="api"),
    "bad workspace shape": lambda e: e.update(workspace_id="workspace 1"),
}


@pytest.mark.parametrize("name", MALFORMED)
def test_validator_and_cli_reject_malformed_events(name, tmp_path):
    event = copy.deepcopy(SEED_EXAMPLE)
    MALFORMED[name](event)
    errors = list(_validator("Event").iter_errors(event))
    assert errors, f"the standard validator accepted: {name}"
    code, stderr = _cli_validate(tmp_path, event)
    assert code == 1, stderr
    assert stderr.strip(), "the CLI must say why"


def test_secret_value_rejected_by_both():
    event = example_event("secret.stored")
    event["payload"]["value"] = "hunter2"
    assert list(_validator("Event").iter_errors(event))
    assert _validator("SecretStoredPayload").schema  # closed schema is published
    schemas = component_schemas()
    assert schemas["SecretStoredPayload"]["additionalProperties"] is False


@pytest.mark.parametrize(
    "event_type",
    ["analyze.completed", "test.failed", "report.generated", "secret.stored", "export.scheduled"],
)
def test_cli_agrees_with_the_validator_on_valid_events(event_type, tmp_path):
    event = example_event(event_type)
    assert not list(_validator("Event").iter_errors(event))
    code, stderr = _cli_validate(tmp_path, event)
    assert code == 0, stderr


def test_cli_reports_one_line_per_problem_naming_the_field(tmp_path):
    event = copy.deepcopy(SEED_EXAMPLE)
    event["event_id"] = "nope"
    event["payload"]["passed"] = -1
    code, stderr = _cli_validate(tmp_path, event)
    lines = stderr.strip().splitlines()
    assert code == 1
    assert len(lines) == 2
    assert lines[0].startswith("event_id: ")
    assert lines[1].startswith("payload.passed: ")


def test_no_breaking_change_against_the_published_version():
    snapshot = published_snapshot_path()
    assert snapshot.exists(), f"{snapshot} missing: run `glens events schema`"
    published = json.loads(snapshot.read_text())
    assert published["version"].split(".")[0] == CONTRACT_VERSION.split(".")[0]
    problems = breaking_changes(published["schemas"], component_schemas())
    assert not problems, (
        "breaking changes against the published contract; bump CONTRACT_VERSION's major: "
        + "; ".join(problems)
    )


def _mutated(change):
    schemas = copy.deepcopy(component_schemas())
    change(schemas)
    return schemas


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda s: s["AnalyzeCompletedPayload"]["properties"].pop("skipped"), "field removed"),
        (lambda s: s["AnalyzeCompletedPayload"]["required"].append("spec"), "new required field"),
        (
            lambda s: s["AnalyzeCompletedPayload"]["properties"]["duration_ms"].update(
                anyOf=[{"type": "integer"}, {"type": "null"}]
            ),
            "type narrowed",
        ),
        (lambda s: s["ReportSummary"]["properties"]["passed"].update(minimum=1), "minimum raised"),
        (lambda s: s.pop("RunResults"), "schema removed"),
        (
            lambda s: s["TestResult"]["properties"]["status"].update(enum=["passed", "failed"]),
            "type narrowed",
        ),
        (lambda s: s["AnalyzeCompletedPayload"].update(additionalProperties=False), "closed"),
    ],
)
def test_compatibility_checker_catches_breaking_changes(change, expected):
    problems = breaking_changes(component_schemas(), _mutated(change))
    assert any(expected in p for p in problems), problems


def test_compatibility_checker_allows_additive_changes():
    def add_optional(schemas):
        schemas["AnalyzeCompletedPayload"]["properties"]["coverage"] = {"type": "number"}
        schemas["NewThing"] = {"type": "object"}
        schemas["ExportScheduledPayload"]["properties"]["mode"]["enum"].append("adhoc")

    assert breaking_changes(component_schemas(), _mutated(add_optional)) == []

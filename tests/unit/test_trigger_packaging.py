"""What ships: prefect.yaml from the catalog, the function source package and its pins."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

from deployments.packaging import EVENTS_MODULES, package_function, route_of
from deployments.prefect_deployments import (
    PREFECT_YAML,
    deployment_tags,
    parameter_schema,
    render_prefect_yaml,
)
from events.catalog import CATALOG

pytestmark = [pytest.mark.unit, pytest.mark.triggers]

ROOT = Path(__file__).resolve().parents[2]


def test_committed_prefect_yaml_is_generated_from_the_catalog():
    assert PREFECT_YAML.read_text() == render_prefect_yaml(), "run `glens deployments yaml`"
    document = yaml.safe_load(PREFECT_YAML.read_text())
    deployments = {d["name"]: d for d in document["deployments"]}
    assert sorted(deployments) == sorted(route.deployment_name for route in CATALOG)
    for route in CATALOG:
        entry = deployments[route.deployment_name]
        assert entry["entrypoint"] == route.flow_entrypoint
        assert entry["description"] == route.description
        assert entry["tags"] == deployment_tags(route)
        # The flow function is named so that Prefect's flow name is the catalog's.
        module, function = route.flow_entrypoint.split(":")
        assert module.startswith("flows/") and function.replace("_", "-") == route.flow_name


@pytest.mark.parametrize("route", CATALOG, ids=lambda r: r.event_type)
def test_parameter_schema_is_the_event(route):
    schema = parameter_schema(route)
    assert schema["required"] == ["event"]
    event = schema["properties"]["event"]
    assert event["properties"]["event_type"]["const"] == route.event_type
    assert set(event["required"]) >= {"event_type", "event_id", "workspace_id", "payload"}
    refs = json.dumps(schema).count("#/definitions/")
    assert refs and all(
        ref.split("/")[-1] in schema["definitions"]
        for ref in json.dumps(schema).split('"$ref": "')[1:]
        for ref in [ref.split('"')[0]]
    )


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "triggers" / "requirements.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.strip()] = version.strip()
    return pins


def test_function_requirements_are_pinned_to_the_project_lock():
    for name, version in _pins().items():
        assert importlib.metadata.version(name) == version, name


def test_packaged_function_imports_only_its_own_tree_and_pinned_packages(tmp_path):
    package_function("fn-report-generator", tmp_path)
    assert (tmp_path / "ENTRY_POINT").read_text().strip() == "report_generator"
    assert sorted(p.name for p in (tmp_path / "events").iterdir()) == sorted(EVENTS_MODULES)
    # In a fresh interpreter in the package directory: load main, and the dead-letter path's
    # lazy imports too; then list the distributions behind every third-party module loaded.
    code = """
import json, os, sys, importlib.metadata as md
before = set(sys.modules)  # the interpreter's start-up (site hooks) is not the function's
import main, triggers, events
from google.cloud import pubsub_v1
import events.settings
owner = {}
for dist in md.distributions():
    for f in dist.files or []:
        owner[os.path.realpath(dist.locate_file(f))] = dist.metadata["Name"]
third = set()
for name in set(sys.modules) - before:
    path = getattr(sys.modules[name], "__file__", None)
    if path and os.path.realpath(path) in owner:
        third.add(owner[os.path.realpath(path)].lower())
own = [m.__file__ for m in (main, triggers, events)]
print(json.dumps({"own": own, "dists": sorted(third)}))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    result = json.loads(out.stdout)
    assert all(path.startswith(str(tmp_path)) for path in result["own"]), result["own"]
    # Every distribution loaded is a pin or a dependency of one.
    allowed = set()
    pending = [name.lower() for name in _pins()]
    while pending:
        name = pending.pop()
        if name in allowed:
            continue
        allowed.add(name)
        for text in importlib.metadata.requires(name) or []:
            req = Requirement(text)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                pending.append(req.name.lower().replace("_", "-"))
    normalized = {d.replace("_", "-") for d in result["dists"]}
    assert {"google-cloud-pubsub", "functions-framework", "pydantic"} <= normalized  # not vacuous
    assert normalized - allowed == set()
    assert "prefect" not in normalized


def test_unknown_function_name_is_refused():
    with pytest.raises(KeyError, match="no trigger function"):
        route_of("fn-nope")

"""The functions module matches the catalog, and its import path stays light."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from events.catalog import CATALOG

pytestmark = [pytest.mark.unit, pytest.mark.triggers]

ROOT = Path(__file__).resolve().parents[2]
MAIN = ROOT / "triggers" / "main.py"


def _cloud_event_functions() -> dict[str, str]:
    """name -> the entry point string passed to dispatcher.handle, for every decorated function."""
    found = {}
    for node in ast.parse(MAIN.read_text()).body:
        if not isinstance(node, ast.FunctionDef):
            continue
        decorators = [ast.unparse(d) for d in node.decorator_list]
        assert decorators == ["functions_framework.cloud_event"], node.name
        (call,) = [n for n in ast.walk(node) if isinstance(n, ast.Call)]
        found[node.name] = call.args[0].value
    return found


def test_entry_points_match_the_catalog_exactly():
    functions = _cloud_event_functions()
    assert sorted(functions) == sorted(route.entry_point for route in CATALOG)
    # Each entry point hands the dispatcher its own name (no copy-paste routing slip).
    assert all(name == arg for name, arg in functions.items())


def test_entry_points_are_registered_cloud_event_functions():
    import functions_framework

    for route in CATALOG:
        app = functions_framework.create_app(route.entry_point, str(MAIN), "cloudevent")
        assert app.url_map is not None
        assert callable(getattr(sys.modules["main"], route.entry_point))


def test_importing_the_functions_does_not_import_prefect_or_pubsub():
    # A fresh interpreter: this test process has imported prefect long ago.
    code = (
        "import sys, json; import triggers.main; "
        "print(json.dumps({m: m in sys.modules for m in "
        "('prefect', 'google.cloud.pubsub_v1', 'pydantic_settings', 'httpx')}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert json.loads(out.stdout) == {
        "prefect": False,
        "google.cloud.pubsub_v1": False,
        "pydantic_settings": False,
        "httpx": False,
    }

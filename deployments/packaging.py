"""Assemble one trigger function's Cloud Functions source directory.

The source is the same small tree for every function (main.py, the `triggers` package, the
parts of `events` the functions import, requirements.txt); what makes it one function is the
entry point it is deployed with. Nothing else of the repository goes in: no flows, no Prefect.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from deployments import ROOT
from events.catalog import BY_ENTRY_POINT, CATALOG, Route

# The events modules on the functions' import path (schemas.py, publisher.py and examples.py
# are for the API side and tooling, and would pull in yaml).
EVENTS_MODULES = ("__init__.py", "catalog.py", "models.py", "parsing.py", "settings.py")
REQUIREMENTS = ROOT / "triggers" / "requirements.txt"


def route_of(name: str) -> Route:
    """A route by entry point (`report_generator`) or function name (`fn-report-generator`)."""
    for route in CATALOG:
        if name in (route.entry_point, route.function):
            return route
    known = ", ".join(BY_ENTRY_POINT)
    raise KeyError(f"no trigger function {name!r}; known: {known}")


def package_function(name: str, out_dir: Path) -> list[Path]:
    """Write the source directory of function `name` to `out_dir`; return the files written."""
    route = route_of(name)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []

    def copy(src: Path, dest: Path) -> None:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
        written.append(dest)

    copy(ROOT / "triggers" / "main.py", out_dir / "main.py")
    for module in sorted((ROOT / "triggers").glob("*.py")):
        copy(module, out_dir / "triggers" / module.name)
    for module in EVENTS_MODULES:
        copy(ROOT / "events" / module, out_dir / "events" / module)
    copy(REQUIREMENTS, out_dir / "requirements.txt")
    (out_dir / "ENTRY_POINT").write_text(route.entry_point + "\n")
    written.append(out_dir / "ENTRY_POINT")
    return written


def deploy_command(name: str, source: Path, region: str = "europe-west1") -> str:
    """The gcloud command that deploys the packaged function (terraform does the same)."""
    route = route_of(name)
    return (
        f"gcloud functions deploy {route.function} --gen2 --runtime=python311 "
        f"--region={region} --source={source} --entry-point={route.entry_point} "
        "--trigger-http --no-allow-unauthenticated "
        "--set-env-vars=PREFECT_API_URL=...,GLENS_GCP_PROJECT=...,GLENS_TOPIC_PREFIX=... "
        "--set-secrets=PREFECT_API_KEY=prefect-api-key:latest"
    )

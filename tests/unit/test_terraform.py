"""terraform/ is driven by the event catalog: no per-event names written by hand, and every
catalog field it reads exists. (`terraform validate` needs the google provider, which cannot be
downloaded here; these structural checks and `terraform fmt` are what can run offline.)"""

from __future__ import annotations

import re
from pathlib import Path

import hcl2
import pytest
from hcl2.api import SerializationOptions

from events.catalog import CATALOG, CATALOG_JSON, catalog_document

pytestmark = [pytest.mark.unit, pytest.mark.contract]

TERRAFORM = Path(__file__).resolve().parents[2] / "terraform"
PER_ROUTE = {
    ("google_pubsub_topic", "event"),
    ("google_pubsub_topic", "dead_letter"),
    ("google_pubsub_subscription", "dead_letter_hold"),
    ("google_pubsub_subscription", "trigger"),
    ("google_cloudfunctions2_function", "trigger"),
}


def _parsed() -> dict:
    options = SerializationOptions(
        strip_string_quotes=True, explicit_blocks=False, with_comments=False
    )
    merged: dict = {"resource": [], "locals": [], "variable": []}
    for path in sorted(TERRAFORM.glob("*.tf")):
        document = hcl2.loads(path.read_text(), serialization_options=options)
        for key in merged:
            merged[key] += document.get(key, [])
    return merged


def _resources() -> dict[tuple[str, str], dict]:
    out = {}
    for block in _parsed()["resource"]:
        for kind, named in block.items():
            for name, body in named.items():
                out[(kind, name)] = body
    return out


def test_terraform_reads_the_committed_catalog():
    text = (TERRAFORM / "main.tf").read_text()
    assert '"${path.module}/../events/catalog.json"' in text
    assert (TERRAFORM / "../events/catalog.json").resolve() == CATALOG_JSON.resolve()


def test_every_catalog_field_terraform_reads_exists():
    used = set()
    for path in TERRAFORM.glob("*.tf"):
        used |= set(re.findall(r"each\.value\.(\w+)", path.read_text()))
    known = set(catalog_document()["routes"][0])
    assert used, "terraform reads nothing from the catalog?"
    assert used <= known, f"fields not in catalog.json: {used - known}"


def test_per_event_resources_iterate_over_the_catalog():
    resources = _resources()
    for key in PER_ROUTE:
        assert key in resources, key
        assert "local.routes" in str(resources[key]["for_each"]), key


def test_no_catalog_name_is_written_by_hand():
    text = "\n".join(p.read_text() for p in TERRAFORM.glob("*.tf"))
    for route in CATALOG:
        for name in (route.topic, route.function, route.entry_point, route.dead_letter_topic):
            assert f'"{name}"' not in text, f"{name} is hard-coded; read it from the catalog"


def test_push_subscription_dead_letters_and_backs_off():
    subscription = _resources()[("google_pubsub_subscription", "trigger")]
    dead_letter = subscription["dead_letter_policy"]
    dead_letter = dead_letter[0] if isinstance(dead_letter, list) else dead_letter
    assert "google_pubsub_topic.dead_letter" in str(dead_letter["dead_letter_topic"])
    assert "max_delivery_attempts" in dead_letter
    assert "google_cloudfunctions2_function.trigger" in str(subscription["push_config"])
    assert "retry_policy" in subscription


def test_function_entry_point_comes_from_the_catalog():
    function = _resources()[("google_cloudfunctions2_function", "trigger")]
    build = function["build_config"]
    build = build[0] if isinstance(build, list) else build
    assert "each.value.entry_point" in str(build["entry_point"])
